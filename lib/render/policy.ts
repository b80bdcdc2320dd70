/**
 * The opt-in baseline policy (calico:policy.baseline): Calico's "global default deny" best practice
 * as one GlobalNetworkPolicy, applied with calicoctl after the Installation and APIServer, or as a
 * StagedGlobalNetworkPolicy that only reports what it would deny (v3.31.3).
 *
 * It selects workload endpoints outside the system namespaces and nothing else. The `has(...)` term
 * matters: a GlobalNetworkPolicy's selector is matched against host endpoints too, which carry no
 * `projectcalico.org/namespace` label, so `projectcalico.org/namespace not in {…}` alone would select
 * every host endpoint and cut BGP, Typha, Felix health and metrics on the host network (failsafe
 * ports cover only some of those). The checks in lib/model/policy-check.ts prove this on the
 * rendered object, with the selector engine.
 *
 * Its egress allows, in Calico's rule language:
 * - DNS: UDP and TCP 53 to kube-dns pods in kube-system;
 * - the Kubernetes API: the `kubernetes` Service in `default` (a `services` rule, which follows the
 *   Service's endpoints, so no API server address is written down);
 * - metrics: from the monitoring namespace to Felix, Typha and kube-controllers metrics ports, so a
 *   Prometheus outside the excluded namespaces can still scrape Calico.
 * Ingress has no allow: whatever an earlier policy (lower order, Kubernetes NetworkPolicies at 1000)
 * does not allow, the end of the tier denies.
 */
import type { ClusterSettings } from "../config/settings";
import { applyCommand } from "./calicoctl";
import { INSTALLATION_RESOURCES } from "./installation";
import { metricsTargets } from "./monitoring/targets";
import { CALICO_NAMESPACE, OPERATOR_NAMESPACE } from "./operator";
import { TYPES, type PlannedResource } from "./resource-spec";
import type { K8sObject } from "./objects";

/** The namespace of Calico's aggregated API server (tigera/operator pkg/render apiserver, both lines). */
export const CALICO_APISERVER_NAMESPACE = "calico-apiserver";
/** Namespaces the baseline always leaves alone: Kubernetes' and Calico's own. */
export const SYSTEM_NAMESPACES = ["kube-system", CALICO_NAMESPACE, CALICO_APISERVER_NAMESPACE, OPERATOR_NAMESPACE] as const;
/** Label Calico puts on every workload endpoint: the pod's namespace. */
export const NAMESPACE_LABEL = "projectcalico.org/namespace";
/** Label Calico gives each namespace, for namespaceSelector. */
export const NAMESPACE_NAME_LABEL = "projectcalico.org/name";
/** kube-dns pods' label (kubeadm's CoreDNS Deployment and most distributions). */
export const KUBE_DNS_SELECTOR = `k8s-app == "kube-dns"`;
/** The policy's name (also the resource's). */
export const BASELINE_POLICY_NAME = "baseline-default-deny";

/**
 * The resource name, by kind: switching between enforced and staged then creates the new object
 * before it deletes the old one (an in-place `calicoctl apply` of the other kind would leave the
 * old object behind).
 */
export function baselineResourceName(kind: string): string {
    return `${kind.toLowerCase()}-baseline`;
}

/** Namespaces the baseline leaves alone for these settings, sorted. */
export function excludedNamespaces(s: ClusterSettings): string[] {
    const b = s.policy.baseline;
    const own = s.monitoring.enabled && (s.monitoring.install.prometheus || s.monitoring.install.grafana) ? [s.monitoring.namespace] : [];
    return [...new Set([...SYSTEM_NAMESPACES, ...own, ...b.excludeNamespaces])].sort();
}

/** The baseline policy for these settings (undefined when it is off). */
export function renderBaselinePolicy(s: ClusterSettings): K8sObject | undefined {
    const b = s.policy.baseline;
    if (!b.enabled) return undefined;
    const quoted = excludedNamespaces(s).map((n) => `'${n}'`).join(", ");
    const own = `has(${NAMESPACE_LABEL}) && ${NAMESPACE_LABEL} not in {${quoted}}`;
    const dns = (protocol: "UDP" | "TCP") => ({ action: "Allow", protocol, destination: { namespaceSelector: `${NAMESPACE_NAME_LABEL} == 'kube-system'`, selector: KUBE_DNS_SELECTOR, ports: [53] } });
    const egress: Record<string, unknown>[] = [dns("UDP"), dns("TCP"), { action: "Allow", protocol: "TCP", destination: { services: { name: "kubernetes", namespace: "default" } } }];
    if (s.monitoring.enabled) {
        egress.push({
            action: "Allow",
            protocol: "TCP",
            source: { namespaceSelector: `${NAMESPACE_NAME_LABEL} == '${s.monitoring.namespace}'` },
            destination: { ports: metricsTargets(s).map((t) => t.port) },
        });
    }
    const staged = b.mode === "staged";
    return {
        apiVersion: "projectcalico.org/v3",
        kind: staged ? "StagedGlobalNetworkPolicy" : "GlobalNetworkPolicy",
        metadata: { name: BASELINE_POLICY_NAME },
        spec: {
            ...(staged ? { stagedAction: "Set" } : {}),
            // What calicoctl stores and reads back (found by the real calicoctl in e2e baseline-policy).
            ...(s.release.policyTiers ? { tier: "default" } : {}),
            order: b.order,
            selector: b.selector ? `(${own}) && (${b.selector})` : own,
            types: ["Ingress", "Egress"],
            egress,
        },
    };
}

/** The policy resource: calicoctl apply after the Installation and APIServer are ready. */
export function planPolicy(s: ClusterSettings): PlannedResource[] {
    const policy = renderBaselinePolicy(s);
    if (!policy) return [];
    return [{ name: baselineResourceName(policy.kind), type: TYPES.localCommand, component: "policy", dependsOn: [INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer], spec: applyCommand(s, policy) }];
}
