/**
 * The deploy-time check of the guide's warning that kubeadm's `networking.podSubnet` must equal the
 * pool CIDR: before the Installation, a command reads `kube-system/kubeadm-config` (kubeadm's
 * ClusterConfiguration) and fails `pulumi up` with the two values and the fix when its podSubnet
 * differs from `calico:cluster.podCidr`. Where the ConfigMap is absent (not a kubeadm cluster), not
 * readable (RBAC) or kubectl is not installed, it only notes that nothing was checked.
 *
 * Why a command: the value lives in the cluster, not in config, so only `up` can see it, and a
 * ConfigMap the program read through the provider would fail the whole preview where it is absent.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICOCTL_ENV, clusterAccessPrelude, KUBECTL_WITH_CONTEXT, shQuote } from "./calicoctl";
import type { LocalCommandSpec } from "./resource-spec";

/** The check's resource name. */
export const KUBEADM_CHECK = "check-kubeadm-podsubnet";

/** The pod CIDRs as the check compares them: sorted, comma-joined, lower case (kubeadm's dual-stack form). */
export function podSubnetText(s: ClusterSettings): string {
    return [...s.cluster.podCidrs].map((c) => c.toLowerCase()).sort().join(",");
}

/** The check's script: a pure function of the settings, so a second preview shows no change. */
export function renderPodSubnetCheck(s: ClusterSettings): LocalCommandSpec {
    const want = podSubnetText(s);
    const note = (text: string) => `echo ${shQuote(`note: kubeadm podSubnet check: ${text}; calico:cluster.podCidr (${want}) was not compared with kubeadm's networking.podSubnet`)} >&2`;
    const script = [
        clusterAccessPrelude(),
        `command -v kubectl >/dev/null 2>&1 || { ${note("kubectl is not on PATH")}; exit 0; }`,
        KUBECTL_WITH_CONTEXT,
        `err=$(mktemp)`,
        `if ! cfg=$(k get configmap kubeadm-config -n kube-system -o 'jsonpath={.data.ClusterConfiguration}' 2>"$err"); then`,
        `  if grep -q -e NotFound -e '(Forbidden)' "$err"; then ${note("kube-system/kubeadm-config is absent or not readable (not a kubeadm cluster, or RBAC)")}; rm -f "$err"; exit 0; fi`,
        `  echo "kubeadm podSubnet check: cannot read kube-system/kubeadm-config: $(cat "$err")" >&2; rm -f "$err"; exit 1`,
        `fi`,
        `rm -f "$err"`,
        // ClusterConfiguration is YAML: `networking:` then `  podSubnet: <cidr>[,<cidr>]`, maybe quoted.
        `got=$(printf '%s\\n' "$cfg" | sed -n 's/^[[:space:]]*podSubnet:[[:space:]]*//p' | head -n 1 | tr -d "\\"' " | tr 'A-Z' 'a-z')`,
        `[ -n "$got" ] || { ${note("kubeadm-config sets no networking.podSubnet")}; exit 0; }`,
        `norm=$(printf '%s\\n' "$got" | tr ',' '\\n' | sort | paste -s -d, -)`,
        `want=${shQuote(want)}`,
        `if [ "$norm" != "$want" ]; then`,
        `  echo "kubeadm podSubnet check: calico:cluster.podCidr is $want but kubeadm's networking.podSubnet (kube-system/kubeadm-config) is $got. Pods would get addresses the cluster does not route as pod addresses (kube-proxy's cluster CIDR, the controller-manager's node CIDRs). Fix: set calico:cluster.podCidr (and the pool CIDRs) to $got, or correct kubeadm's podSubnet. The Installation was not created." >&2`,
        `  exit 1`,
        `fi`,
        `echo "kubeadm podSubnet check: networking.podSubnet $got matches calico:cluster.podCidr" >&2`,
    ].join("\n");
    return { kind: "localCommand", create: script, update: script, environment: CALICOCTL_ENV, needsKubeconfig: true, script };
}
