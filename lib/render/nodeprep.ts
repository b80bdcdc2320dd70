/**
 * Node preparation: NetworkManager must not manage Calico's interfaces (otherwise it removes their
 * routes and addresses), IP forwarding and conntrack sysctls, and the kernel modules the chosen
 * encapsulation needs. Everything is one idempotent shell script, applied by a DaemonSet (on the
 * host through nsenter) or over SSH.
 */
import { createHash } from "node:crypto";
import { podFamilies, type ClusterSettings } from "../config/settings";
import { USE_DEFAULT } from "../config/schema";
import { kubernetesType, type K8sObject } from "./objects";
import { TYPES, type PlannedResource } from "./resource-spec";

/** Interfaces Calico creates. Kubespray's list lacks the WireGuard ones. */
export const CALICO_INTERFACES = ["cali*", "tunl*", "vxlan.calico", "vxlan-v6.calico", "wireguard.cali", "wg-v6.cali"] as const;

/** Where the files go on the host. */
export const NODEPREP_FILES = {
    networkManager: "/etc/NetworkManager/conf.d/calico.conf",
    sysctl: "/etc/sysctl.d/90-calico.conf",
    modules: "/etc/modules-load.d/calico.conf",
} as const;

/** Default image: busybox has sh, nsenter, sysctl and modprobe applets. */
export const DEFAULT_NODEPREP_IMAGE = "docker.io/library/busybox:1.36.1";

/** The NetworkManager keyfile. */
export function networkManagerConf(): string {
    return `[keyfile]\nunmanaged-devices=${CALICO_INTERFACES.map((i) => `interface-name:${i}`).join(";")}\n`;
}

/** sysctl settings (key → value), in a stable order. */
export function sysctls(s: ClusterSettings): [string, string][] {
    const out: [string, string][] = [["net.ipv4.ip_forward", "1"]];
    if (podFamilies(s).has(6)) out.push(["net.ipv6.conf.all.forwarding", "1"]);
    if (s.nodePrep.conntrack.max !== undefined) out.push(["net.netfilter.nf_conntrack_max", String(s.nodePrep.conntrack.max)]);
    if (s.nodePrep.conntrack.buckets !== undefined) out.push(["net.netfilter.nf_conntrack_buckets", String(s.nodePrep.conntrack.buckets)]);
    return out;
}

/**
 * Kernel modules: ipip for IPIP pools, vxlan for VXLAN pools, wireguard when enabled, plus extras.
 * Pools managed out of band (`ipPools: []`) may use either overlay, so both are loaded.
 */
export function kernelModules(s: ClusterSettings): string[] {
    const mods = new Set<string>(["nf_conntrack"]);
    const outOfBand = s.network.ipPools.length === 0;
    if (outOfBand || s.network.ipPools.some((p) => p.encapsulation.startsWith("IPIP"))) mods.add("ipip");
    if (outOfBand || s.network.ipPools.some((p) => p.encapsulation.startsWith("VXLAN"))) mods.add("vxlan");
    if (s.network.wireguard) mods.add("wireguard");
    for (const m of s.nodePrep.modules) mods.add(m);
    return [...mods];
}

/**
 * The script. ROOT is where the host's / is (the DaemonSet mounts it at /host; over SSH it is
 * empty); HOST_EXEC runs a command in the host's namespaces (nsenter in the DaemonSet, nothing or
 * sudo over SSH). It writes each file only when its content differs, and restarts NetworkManager only
 * when its file changed and NetworkManager is installed.
 */
export function renderNodePrepScript(s: ClusterSettings): string {
    const sysctlText = sysctls(s).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n";
    const modules = kernelModules(s);
    const lines = [
        "#!/bin/sh",
        "# calico-pulumi node preparation (idempotent)",
        "set -eu",
        'ROOT="${ROOT-/host}"',
        'HOST_EXEC="${HOST_EXEC-nsenter --target 1 --mount --uts --ipc --net --pid --}"',
        "changed=''",
        "# write_file PATH CONTENT: replace the file only if its content differs; 0 if it changed, 1 if not; exits on error.",
        "write_file() {",
        '  target="$ROOT$1"',
        '  if [ -f "$target" ] && [ "$(cat "$target")" = "$(printf \'%s\' "$2")" ]; then return 1; fi',
        '  mkdir -p "$(dirname "$target")" || { echo "error: cannot create the folder of $1" >&2; exit 1; }',
        '  printf \'%s\\n\' "$2" > "$target.calico-tmp" || { echo "error: cannot write $1" >&2; exit 1; }',
        '  mv "$target.calico-tmp" "$target" || { echo "error: cannot write $1" >&2; exit 1; }',
        '  echo "wrote $1"',
        "  return 0",
        "}",
    ];
    if (s.nodePrep.networkManager) {
        lines.push(
            `if [ -d "$ROOT/etc/NetworkManager" ]; then`,
            `  if write_file ${NODEPREP_FILES.networkManager} '${networkManagerConf().trimEnd()}'; then`,
            // A failed restart removes the file again, so that the next run retries the restart.
            `    if $HOST_EXEC systemctl is-active --quiet NetworkManager; then`,
            `      if ! $HOST_EXEC systemctl restart NetworkManager; then rm -f "$ROOT${NODEPREP_FILES.networkManager}"; echo "error: could not restart NetworkManager" >&2; exit 1; fi`,
            `      echo "restarted NetworkManager"`,
            `    fi`,
            "  fi",
            "else",
            '  echo "NetworkManager is not installed; nothing to configure"',
            "fi",
        );
    }
    lines.push(
        // Modules first, on every run (modprobe is idempotent): the net.netfilter.nf_conntrack_*
        // sysctls exist only once nf_conntrack is loaded.
        `write_file ${NODEPREP_FILES.modules} '${modules.join("\n")}' || true`,
        `for m in ${modules.join(" ")}; do $HOST_EXEC modprobe "$m" || echo "warning: could not load kernel module $m" >&2; done`,
        // Then the sysctls, also on every run, and a failure fails the run (not hidden in an && list,
        // which set -e does not stop): a node is never left with the file written but unapplied.
        `write_file ${NODEPREP_FILES.sysctl} '${sysctlText.trimEnd()}' || true`,
        `if ! $HOST_EXEC sysctl -p ${NODEPREP_FILES.sysctl} >/dev/null; then echo "error: could not apply ${NODEPREP_FILES.sysctl}" >&2; exit 1; fi`,
        'echo "applied sysctls"',
        'echo "node prepared"',
    );
    return lines.join("\n") + "\n";
}

/**
 * A default image of ours as air-gapped clusters pull it: through calico:registry when set (an image
 * the user named explicitly is taken as it is).
 */
export function throughRegistry(s: ClusterSettings, image: string): string {
    if (!s.registry || s.registry.url === USE_DEFAULT) return image;
    // The operator accepts the registry with or without its trailing "/" (v1.40.3 adds it); so do we.
    const registry = s.registry.url.endsWith("/") ? s.registry.url : `${s.registry.url}/`;
    return `${registry}${image.replace(/^docker\.io\//, "")}`;
}

/** Image for the DaemonSet, pulled through calico:registry on air-gapped clusters. */
export function nodePrepImage(s: ClusterSettings): string {
    return s.nodePrep.image ?? throughRegistry(s, DEFAULT_NODEPREP_IMAGE);
}

/** Resource names. */
export const NODEPREP_RESOURCES = { configMap: "node-prep-script", daemonSet: "node-prep" } as const;

/** The ConfigMap with the script and the DaemonSet that runs it on every node. */
export function renderNodePrepDaemonSet(s: ClusterSettings): { configMap: K8sObject; daemonSet: K8sObject } {
    const script = renderNodePrepScript(s);
    const name = "calico-node-prep";
    // Where the init container sees the host's /etc (calico:nodePrep.rootDir); the script reads ROOT.
    const root = s.nodePrep.rootDir.replace(/\/+$/, "");
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "calico-pulumi" };
    const configMap: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "kube-system", labels }, data: { "prepare.sh": script } };
    const daemonSet: K8sObject = {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name, namespace: "kube-system", labels },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": name } },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: {
                    labels,
                    // A new script rolls the DaemonSet, so changed settings reach every node.
                    annotations: { "calico-pulumi/script-sha256": createHash("sha256").update(script).digest("hex") },
                },
                spec: {
                    // Runs before the CNI exists: host network, and it tolerates every taint (not-ready, uninitialized, ...).
                    hostNetwork: true,
                    hostPID: true,
                    priorityClassName: "system-node-critical",
                    tolerations: [{ operator: "Exists" }],
                    imagePullSecrets: s.registry?.pullSecrets.length ? s.registry.pullSecrets.map((n) => ({ name: n })) : undefined,
                    initContainers: [
                        {
                            name: "prepare",
                            image: nodePrepImage(s),
                            command: ["/bin/sh", "/scripts/prepare.sh"],
                            env: [{ name: "ROOT", value: root }],
                            // Privileged only here: nsenter into the host, sysctl and modprobe need it.
                            securityContext: { privileged: true },
                            volumeMounts: [
                                { name: "host-etc", mountPath: `${root}/etc` },
                                { name: "scripts", mountPath: "/scripts", readOnly: true },
                            ],
                        },
                    ],
                    containers: [
                        {
                            name: "sleep",
                            image: nodePrepImage(s),
                            command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done"],
                            securityContext: { runAsUser: 65534, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            resources: { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "16Mi" } },
                        },
                    ],
                    volumes: [
                        { name: "host-etc", hostPath: { path: "/etc", type: "Directory" } },
                        { name: "scripts", configMap: { name, defaultMode: 0o555 } },
                    ],
                },
            },
        },
    };
    return { configMap, daemonSet };
}

/** The node-preparation plan; its names are what the Installation waits for. */
export function planNodePrep(s: ClusterSettings): PlannedResource[] {
    const np = s.nodePrep;
    if (np.mode === "daemonset") {
        const { configMap, daemonSet } = renderNodePrepDaemonSet(s);
        return [
            { name: NODEPREP_RESOURCES.configMap, type: kubernetesType("v1", "ConfigMap"), component: "nodePrep", dependsOn: [], spec: { kind: "object", object: configMap } },
            { name: NODEPREP_RESOURCES.daemonSet, type: kubernetesType("apps/v1", "DaemonSet"), component: "nodePrep", dependsOn: [NODEPREP_RESOURCES.configMap], spec: { kind: "object", object: daemonSet } },
        ];
    }
    if (np.mode === "ssh" && np.ssh) {
        const script = renderNodePrepScript(s);
        return np.ssh.nodes.map((n) => {
            const sudo = n.user === "root" ? "" : "sudo -n ";
            // The script goes through a quoted heredoc, so nothing in it is expanded by the login shell.
            // Over SSH the script runs on the host itself (as root, through sudo when needed): no root prefix, no nsenter.
            const create = `${sudo}env ROOT= HOST_EXEC= sh -s <<'CALICO_NODE_PREP'\n${script}CALICO_NODE_PREP`;
            return {
                name: `node-prep-${n.host.replace(/[^A-Za-z0-9-]/g, "-")}`,
                type: TYPES.remoteCommand,
                component: "nodePrep" as const,
                dependsOn: [],
                spec: { kind: "remoteCommand" as const, host: n.host, user: n.user, port: n.port, create, script, privateKey: np.ssh!.privateKey },
            };
        });
    }
    return [];
}
