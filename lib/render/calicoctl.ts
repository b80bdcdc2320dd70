/**
 * Shell text for the calicoctl Command resources. Everything here is a pure function of settings,
 * so the same config yields the same bytes and a second preview shows no diff. The binary is
 * resolved inside the script at apply time (given path, or the cached release binary, downloaded on
 * first use), never on the Pulumi host at preview time.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_RELEASES } from "../model/versions";
import { toYaml, type K8sObject } from "./objects";
import type { LocalCommandSpec } from "./resource-spec";

/** Default cache directory, relative to the project so command text is the same on every machine. */
export const DEFAULT_CALICOCTL_CACHE = ".calicoctl";
/** Default release download base. */
export const DEFAULT_DOWNLOAD_BASE = "https://github.com/projectcalico/calico/releases/download";

/** Quote for POSIX sh. */
export function shQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Cluster access for every command the program runs (calicoctl, the session gate): the provider's
 * kubeconfig (from the secret environment, written to a private temp file) and context. calicoctl
 * reads KUBECONFIG and K8S_CURRENT_CONTEXT, which is what its --context flag sets and libcalico-go's
 * apiconfig reads, at v3.27.3 and v3.31.3 alike; kubectl gets the context as --context.
 */
export function clusterAccessPrelude(): string {
    return [
        "set -eu",
        "export DATASTORE_TYPE=kubernetes",
        'kc=""',
        `if [ -n "\${CALICO_KUBECONFIG:-}" ]; then kc=$(mktemp); trap 'rm -f "$kc"' EXIT; printf '%s' "$CALICO_KUBECONFIG" > "$kc"; export KUBECONFIG="$kc"; fi`,
        `if [ -n "\${CALICO_KUBE_CONTEXT:-}" ]; then export K8S_CURRENT_CONTEXT="$CALICO_KUBE_CONTEXT"; fi`,
    ].join("\n");
}

/**
 * `k`: kubectl with the context calicoctl uses (K8S_CURRENT_CONTEXT, set by clusterAccessPrelude),
 * for the commands that read the Kubernetes API directly (the session gate, the kubeadm check).
 */
export const KUBECTL_WITH_CONTEXT = `k() { if [ -n "\${K8S_CURRENT_CONTEXT:-}" ]; then kubectl --context "$K8S_CURRENT_CONTEXT" "$@"; else kubectl "$@"; fi; }`;

/** The start of a kubectl script: cluster access, `k` with the context, and a clear failure (prefixed `who`) when kubectl is missing. */
export function kubectlScriptPrelude(who: string): string[] {
    return [clusterAccessPrelude(), KUBECTL_WITH_CONTEXT, `command -v kubectl >/dev/null 2>&1 || { echo "${who}: kubectl is not on PATH; install kubectl where pulumi runs" >&2; exit 1; }`];
}

/**
 * Where a command reads the Calico version the cluster runs: ClusterInformation `default`'s
 * `spec.calicoVersion`, which calico-node writes at start-up. It is the version calicoctl itself
 * compares its own with, refusing to work on a mismatch unless told `--allow-version-mismatch`
 * (calicoctl/calicoctl/commands/common/version_mismatch.go, CheckVersionMismatch, at v3.27.3 and
 * v3.31.3), so it is the one calicoctl to run.
 */
export const CLUSTER_VERSION_QUERY = `k get clusterinformations.crd.projectcalico.org default -o 'jsonpath={.spec.calicoVersion}'`;

/**
 * Script prelude: cluster access first (so every calicoctl call, `version` included, targets the
 * provider's cluster), then $calicoctl set to a verified calicoctl of the version the cluster runs.
 *
 * The version is read from the cluster when the command runs, not written into the command: the
 * command text then stays the same across a Calico upgrade, so an upgrade re-runs only the calicoctl
 * commands whose object or flags changed (Pulumi updates a Command whenever an input changes), and a
 * later command, or a delete, always runs the calicoctl the upgraded cluster accepts. Every calicoctl
 * command runs after the Installation reports the configured version Ready, by when calico-node has
 * written it.
 *
 * A first download goes to a per-process temporary file that is renamed into place: rename is
 * atomic, so parallel commands (Pulumi runs them in parallel) never write into, or execute, a file
 * another one is still writing ("Text file busy"), and each checks the binary it will run.
 */
export function calicoctlPrelude(s: ClusterSettings): string {
    const lines = [
        clusterAccessPrelude(),
        KUBECTL_WITH_CONTEXT,
        `command -v kubectl >/dev/null 2>&1 || { echo "calicoctl: kubectl is not on PATH; it reads the Calico version the cluster runs (ClusterInformation default), which calicoctl must match. Install kubectl where pulumi runs." >&2; exit 1; }`,
        `want=$(${CLUSTER_VERSION_QUERY}) || { echo "calicoctl: cannot read ClusterInformation default (the Calico version the cluster runs) with kubectl" >&2; exit 1; }`,
        // The version names a folder and a URL below: only a release version passes.
        `case "$want" in v[0-9]*.[0-9]*.[0-9]*) ;; "") echo "calicoctl: ClusterInformation default has no calicoVersion: calico-node has not started on any node yet" >&2; exit 1 ;; *) echo "calicoctl: ClusterInformation default reports an unexpected Calico version '$want'" >&2; exit 1 ;; esac`,
        `case "$want" in *[!A-Za-z0-9.-]*) echo "calicoctl: ClusterInformation default reports an unexpected Calico version '$want'" >&2; exit 1 ;; esac`,
    ];
    if (s.calicoctl.path) {
        lines.push(`calicoctl=${shQuote(s.calicoctl.path)}`);
        lines.push(`[ -x "$calicoctl" ] || { echo "calicoctl: calico:calicoctl.path $calicoctl is not an executable file" >&2; exit 1; }`);
    } else {
        const dir = s.calicoctl.cacheDir ?? DEFAULT_CALICOCTL_CACHE;
        const base = s.calicoctl.downloadBaseUrl ?? DEFAULT_DOWNLOAD_BASE;
        lines.push(
            `os=$(uname -s | tr '[:upper:]' '[:lower:]')`,
            `case $(uname -m) in x86_64|amd64) arch=amd64;; aarch64|arm64) arch=arm64;; ppc64le) arch=ppc64le;; s390x) arch=s390x;; *) echo "calicoctl: no release binary for architecture $(uname -m); set calico:calicoctl.path" >&2; exit 1;; esac`,
            `dir=${shQuote(dir)}/"$want"`,
            `calicoctl="$dir/calicoctl-$os-$arch"`,
            `if [ ! -x "$calicoctl" ]; then`,
            `  mkdir -p "$dir"`,
            `  url=${shQuote(base)}"/$want/calicoctl-$os-$arch"`,
            `  part="$calicoctl.part.$$"`,
            `  if command -v curl >/dev/null 2>&1; then fetch="curl -fsSL -o"; elif command -v wget >/dev/null 2>&1; then fetch="wget -q -O"; else echo "calicoctl: neither curl nor wget is installed to download $url; install one or set calico:calicoctl.path" >&2; exit 1; fi`,
            `  $fetch "$part" "$url" || { rm -f "$part"; echo "calicoctl: cannot download $url; set calico:calicoctl.path to a calicoctl $want binary or calico:calicoctl.downloadBaseUrl to a mirror" >&2; exit 1; }`,
            ...verifyDownload(s),
            `  chmod +x "$part" || { rm -f "$part"; exit 1; }`,
            `  mv -f "$part" "$calicoctl" || { rm -f "$part"; exit 1; }`,
            `fi`,
        );
    }
    lines.push(
        `got=$("$calicoctl" version 2>/dev/null | sed -n 's/^Client Version:[[:space:]]*//p' | head -n 1 || true)`,
        `[ "$got" = "$want" ] || { echo "calicoctl: $calicoctl reports client version '$got', but the cluster runs Calico $want; calicoctl must match it (set calico:calicoctl.path to a calicoctl $want)" >&2; exit 1; }`,
    );
    return lines.join("\n");
}

/**
 * Every sha256 a downloaded calicoctl may have, by `<version>/<os>-<arch>`: the pinned checksums of
 * each supported release (CALICO_RELEASES) and those the user adds (calico:calicoctl.checksums).
 * The version the cluster runs is known only when the command runs, so every supported release's
 * checksums are in the script. Sorted, so the command text is the same on every run.
 */
export function calicoctlChecksums(s: ClusterSettings): [string, string][] {
    const pinned = Object.values(CALICO_RELEASES).flatMap((r) => Object.entries(r.calicoctlSha256).map(([platform, sum]): [string, string] => [`${r.version}/${platform}`, sum]));
    const all = [...pinned, ...Object.entries(s.calicoctl.checksums ?? {})];
    return [...new Map(all.map(([k, v]) => [`${k} ${v}`, [k, v] as [string, string]])).values()].sort(([a, x], [b, y]) => (a === b ? x.localeCompare(y) : a.localeCompare(b)));
}

/**
 * Script lines (inside the download branch) that refuse a downloaded calicoctl unless its sha256
 * is a known one for that version and platform: a tampered or truncated download, or a mirror's own
 * build nobody vouched for, is deleted and never executed.
 */
function verifyDownload(s: ClusterSettings): string[] {
    const sums = calicoctlChecksums(s);
    const keys = [...new Set(sums.map(([k]) => k))];
    return [
        `  if command -v sha256sum >/dev/null 2>&1; then sum=$(sha256sum "$part" | cut -d ' ' -f 1); elif command -v shasum >/dev/null 2>&1; then sum=$(shasum -a 256 "$part" | cut -d ' ' -f 1); else rm -f "$part"; echo "calicoctl: neither sha256sum nor shasum is installed to verify $url; install one or set calico:calicoctl.path" >&2; exit 1; fi`,
        `  case "$want/$os-$arch" in ${keys.join("|")}) ;; *) rm -f "$part"; echo "calicoctl: no checksum is known for calicoctl $want on $os-$arch, so the download is not run; add its sha256 as calico:calicoctl.checksums[\\"$want/$os-$arch\\"] (from the release's SHA256SUMS), or set calico:calicoctl.path" >&2; exit 1 ;; esac`,
        `  case "$want/$os-$arch $sum" in ${sums.map(([k, v]) => `'${k} ${v}'`).join("|")}) ;; *) rm -f "$part"; echo "calicoctl: refused $url: its sha256 is $sum, which is not the checksum of calicoctl $want for $os-$arch (tampered, truncated or another build); check the mirror, or add the sha256 of a binary you trust as calico:calicoctl.checksums[\\"$want/$os-$arch\\"]" >&2; exit 1 ;; esac`,
    ];
}

/** Environment shared by every calicoctl command (the kubeconfig is added as a secret by the shell). */
export const CALICOCTL_ENV: Readonly<Record<string, string>> = { DATASTORE_TYPE: "kubernetes" };

/** `calicoctl apply` on create/update, `delete --skip-not-exists` on delete; the object on stdin. */
export function applyCommand(s: ClusterSettings, object: K8sObject): LocalCommandSpec {
    const prelude = calicoctlPrelude(s);
    const apply = `${prelude}\n"$calicoctl" apply -f -`;
    const stdin = toYaml(object);
    return {
        kind: "localCommand",
        create: apply,
        update: apply,
        delete: `${prelude}\n"$calicoctl" delete --skip-not-exists -f -`,
        stdin,
        environment: CALICOCTL_ENV,
        needsKubeconfig: true,
        object,
        calicoctl: { create: { args: ["apply", "-f", "-"], stdin }, delete: { args: ["delete", "--skip-not-exists", "-f", "-"], stdin } },
    };
}

/**
 * `calicoctl patch` (a merge) for objects Calico owns and fills with defaults (FelixConfiguration,
 * KubeControllersConfiguration, Node): replacing them would wipe fields we do not manage. The patch
 * JSON arrives on stdin; delete patches the same fields back to null so Calico's defaults return.
 */
export function patchCommand(s: ClusterSettings, resource: string, name: string, patch: Record<string, unknown>, undo: Record<string, unknown>): LocalCommandSpec {
    const prelude = calicoctlPrelude(s);
    const run = `${prelude}\n"$calicoctl" patch ${resource} ${shQuote(name)} --patch "$(cat)"`;
    return {
        kind: "localCommand",
        create: run,
        update: run,
        delete: `${prelude}\n"$calicoctl" patch ${resource} ${shQuote(name)} --patch ${shQuote(JSON.stringify(undo))} || true`,
        stdin: JSON.stringify(patch),
        environment: CALICOCTL_ENV,
        needsKubeconfig: true,
        calicoctl: {
            create: { args: ["patch", resource, name, "--patch", JSON.stringify(patch)] },
            delete: { args: ["patch", resource, name, "--patch", JSON.stringify(undo)], mayFail: true },
        },
    };
}
