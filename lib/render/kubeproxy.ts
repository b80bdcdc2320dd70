/**
 * kube-proxy under the eBPF dataplane, which replaces it: how it is kept off Calico's nodes on each
 * release, and the handover between the two ways when a stack upgrades.
 *
 * - **The guide's way** (v3.27.3, whose operator v1.32.7 cannot manage kube-proxy): a nodeSelector no
 *   node carries, `non-calico: "true"`, added to kube-system/kube-proxy. A command, not a
 *   DaemonSetPatch: PodSpec.nodeSelector is an atomic map for server-side apply (k8s.io/api v0.34.4
 *   core/v1/types.go:4167, `+mapType=atomic`), so a Patch replaces the whole selector (kubeadm's
 *   `kubernetes.io/os: linux` went with it), and whoever changes the map next owns all of it, so
 *   deleting the Patch (pulumi-kubernetes pkg/await/await.go Deletion → pkg/ssa/actions.go
 *   Relinquish) either removes everything or nothing. The command reads the selector, applies it
 *   with the key added under its own field manager (forcing, which also takes the map over from a
 *   DaemonSetPatch an earlier version of this program left), and on delete removes only its key
 *   with a JSON merge patch, whoever owns the map by then.
 * - **The operator's way** (v3.31.3, operator v1.40.3, `kubeProxyManagement: Enabled`): its
 *   kubeproxy controller merge-patches `operator.tigera.io/disable-kube-proxy: "true"` into the
 *   selector once FelixConfiguration default has `bpfEnabled: true`, and removes it when BPF is off
 *   (tigera/operator v1.40.3 pkg/controller/kubeproxy/controller.go, Reconcile; the key is
 *   pkg/render/node.go DisableKubeProxyKey). It refuses a DaemonSet labelled
 *   `app.kubernetes.io/managed-by` or `addonmanager.kubernetes.io/mode` or tracked by Argo CD
 *   (validateDaemonSetUnmanaged) and reports TigeraStatus `kubeproxy-monitor` Degraded. It also
 *   re-disables kube-proxy after a `kubeadm upgrade` rewrites the DaemonSet, which a one-off patch
 *   cannot, so v3.31.3 uses it.
 *
 * **The upgrade takes two updates.** In the first (v3.27.3 → v3.31.3) the cluster's Installation
 * CRD is still v3.27.3's until the update applies the new CRDs, and a preview's server-side dry run
 * checks the Installation against it: `kubeProxyManagement` is "field not declared in schema", and
 * the preview (so `pulumi up`) fails. So that update keeps the guide's way (the program knows the
 * deployed version: the stack's last `calicoVersion` output, `deployedCalicoVersion`). The next one
 * sets `kubeProxyManagement: Enabled`, and a gate waits until the operator's key is on the
 * DaemonSet; the engine deletes resources the program no longer declares only after every create
 * and update of an update (pulumi/pulumi pkg/resource/deploy/deployment_executor.go: deletes are
 * generated once the program's registrations are done), so the guide's key goes after the gate, and
 * kube-proxy never comes back in between. On a fresh v3.31.3 install the gate makes `up` finish only
 * once kube-proxy is off.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICOCTL_ENV, kubectlScriptPrelude } from "./calicoctl";
import { CALICO_RELEASES } from "../model/versions";
import type { LocalCommandSpec } from "./resource-spec";

/** The nodeSelector the eBPF guide gives kube-proxy (a label no node carries). */
export const GUIDE_KUBE_PROXY_OFF = { key: "non-calico", value: "true" } as const;
/** The nodeSelector key with which the v3.31.3 operator keeps kube-proxy off (value "true"). */
export const OPERATOR_KUBE_PROXY_OFF = "operator.tigera.io/disable-kube-proxy";
/** How long the gate waits for the operator. */
export const KUBE_PROXY_GATE_SECONDS = 300;

/** Resource names. */
export const KUBE_PROXY_RESOURCES = { guide: "kube-proxy-off-calico-nodes", gate: "wait-kube-proxy-off" } as const;

/** How kube-proxy is kept off Calico's nodes: none without eBPF, else the guide's or the operator's way (see above). */
export function kubeProxyMode(s: ClusterSettings): "guide" | "operator" | undefined {
    if (s.network.dataplane !== "bpf") return undefined;
    if (!s.release.operatorManagesKubeProxy) return "guide";
    // The update that upgrades from a release whose Installation CRD has no kubeProxyManagement.
    if (s.deployedCalicoVersion !== undefined && !CALICO_RELEASES[s.deployedCalicoVersion].operatorManagesKubeProxy) return "guide";
    return "operator";
}

/** The field manager of the guide's key. */
const FIELD_MANAGER = "calico-pulumi-kube-proxy";

/** The guide's way as a command: add the key keeping the rest of the selector; on delete remove only the key. */
export function renderKubeProxyGuideCommand(s: ClusterSettings): LocalCommandSpec | undefined {
    if (kubeProxyMode(s) !== "guide") return undefined;
    const { key, value } = GUIDE_KUBE_PROXY_OFF;
    const access = [...kubectlScriptPrelude("kube-proxy"), `err=$(mktemp); trap 'rm -f "$err"' EXIT`];
    const absent = `grep -q NotFound "$err" && { echo "kube-proxy: no kube-system/kube-proxy DaemonSet: nothing to do" >&2; exit 0; }; cat "$err" >&2; exit 1`;
    // The selector with the key added, as the partial object server-side apply takes.
    const merge = `node -e 'let s="";process.stdin.on("data",(c)=>(s+=c)).on("end",()=>{const m=s.trim()?JSON.parse(s):{};m[${JSON.stringify(key)}]=${JSON.stringify(value)};process.stdout.write(JSON.stringify({apiVersion:"apps/v1",kind:"DaemonSet",metadata:{name:"kube-proxy",namespace:"kube-system"},spec:{template:{spec:{nodeSelector:m}}}}))})'`;
    const create = [
        ...access,
        `cur=$(k get daemonset kube-proxy -n kube-system -o 'jsonpath={.spec.template.spec.nodeSelector}' 2>"$err") || { ${absent}; }`,
        `printf '%s' "$cur" | ${merge} | k apply --server-side --force-conflicts --field-manager=${FIELD_MANAGER} -f - >/dev/null`,
        `echo "kube-proxy: nodeSelector ${key}=${value} keeps it off Calico's eBPF nodes" >&2`,
    ].join("\n");
    const del = [
        ...access,
        `k patch daemonset kube-proxy -n kube-system --type merge -p '{"spec":{"template":{"spec":{"nodeSelector":{"${key}":null}}}}}' >/dev/null 2>"$err" || { ${absent}; }`,
        `echo "kube-proxy: nodeSelector ${key} removed" >&2`,
    ].join("\n");
    return { kind: "localCommand", create, update: create, delete: del, environment: CALICOCTL_ENV, needsKubeconfig: true, script: create };
}

/**
 * The gate (v3.31.3 with eBPF): wait until kube-system/kube-proxy carries the operator's key. A
 * cluster without a kube-proxy DaemonSet has nothing to hand over. On timeout it fails `up` with
 * the operator's own reason (TigeraStatus kubeproxy-monitor) and the fix.
 */
export function renderKubeProxyGate(s: ClusterSettings): LocalCommandSpec | undefined {
    if (kubeProxyMode(s) !== "operator") return undefined;
    const t = KUBE_PROXY_GATE_SECONDS;
    const jsonKey = OPERATOR_KUBE_PROXY_OFF.replace(/\./g, "\\.");
    const script = [
        ...kubectlScriptPrelude("kube-proxy gate"),
        `err=$(mktemp); trap 'rm -f "$err"' EXIT`,
        `deadline=$(( $(date +%s) + ${t} ))`,
        `while :; do`,
        `  if off=$(k get daemonset kube-proxy -n kube-system -o 'jsonpath={.spec.template.spec.nodeSelector.${jsonKey}}' 2>"$err"); then`,
        `    if [ "$off" = true ]; then echo "kube-proxy gate: the operator keeps kube-proxy off Calico's eBPF nodes (nodeSelector ${OPERATOR_KUBE_PROXY_OFF}=true)" >&2; exit 0; fi`,
        `  elif grep -q NotFound "$err"; then`,
        `    echo "kube-proxy gate: no kube-system/kube-proxy DaemonSet: nothing to hand over" >&2; exit 0`,
        `  fi`,
        `  if [ "$(date +%s)" -ge "$deadline" ]; then`,
        `    why=$(k get tigerastatus kubeproxy-monitor -o 'jsonpath={.status.conditions[?(@.type=="Degraded")].message}' 2>/dev/null || true)`,
        `    echo "kube-proxy gate: after ${t}s the operator has not set nodeSelector ${OPERATOR_KUBE_PROXY_OFF}=true on kube-system/kube-proxy, so kube-proxy may run next to the eBPF dataplane (TigeraStatus kubeproxy-monitor: \${why:-no message}). The operator refuses a DaemonSet labelled app.kubernetes.io/managed-by or addonmanager.kubernetes.io/mode or tracked by Argo CD: disable kube-proxy through the tool that manages it, then run up again." >&2`,
        `    exit 1`,
        `  fi`,
        `  sleep 2`,
        `done`,
    ].join("\n");
    return { kind: "localCommand", create: script, update: script, environment: CALICOCTL_ENV, needsKubeconfig: true, script };
}
