/**
 * What the baseline policy must never cut, checked on the rendered object with the selector engine
 * (lib/model/selector.ts), in `plan` and before the program registers anything:
 *
 * - it selects no host endpoint (Calico matches a GlobalNetworkPolicy's selector against host
 *   endpoints too): calico-node's BGP (TCP 179 or calico:bgp.listenPort), Typha (5473), Felix's
 *   health port (9099), the metrics ports and the node-preparation DaemonSet all run on the host
 *   network;
 * - it selects none of Calico's own pods, the node-preparation pods, or kube-dns;
 * - its rules let a workload it selects reach DNS (UDP and TCP 53) and the Kubernetes API, and let
 *   the monitoring namespace reach every Calico metrics port.
 *
 * Rules are evaluated as Calico does for the fields the baseline uses (protocol, source and
 * destination selector and namespaceSelector, ports, services; the first matching rule's action
 * wins, no match is the end of the tier's deny). A rule with any other field cannot be evaluated
 * here, and the check fails rather than guess.
 */
import type { ClusterSettings } from "../config/settings";
import { parseSelector } from "../model/selector";
import type { TopologyCheck } from "./topology-report";
import { RR_LABEL } from "./bgp";
import { metricsTargets } from "./monitoring/targets";
import { renderNodePrepDaemonSet } from "./nodeprep";
import type { K8sObject } from "./objects";
import { CALICO_APISERVER_NAMESPACE, NAMESPACE_LABEL, NAMESPACE_NAME_LABEL } from "./policy";
import { CALICO_NAMESPACE, OPERATOR_NAMESPACE } from "./operator";

/** calico-node's BGP port unless calico:bgp.listenPort moves it. */
const BGP_PORT = 179;
/** Typha's port for calico-node (tigera/operator pkg/render TyphaPort). */
const TYPHA_PORT = 5473;
/** Felix's health port (FelixConfiguration healthPort default). */
const FELIX_HEALTH_PORT = 9099;

/** An endpoint the baseline must leave alone. */
interface Protected {
    readonly what: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** A pod as Calico labels its workload endpoint. */
function workload(namespace: string, labels: Readonly<Record<string, string>>): Record<string, string> {
    return { ...labels, [NAMESPACE_LABEL]: namespace, "projectcalico.org/orchestrator": "k8s" };
}

/** The endpoints the baseline must not select, for these settings. */
function protectedEndpoints(s: ClusterSettings): Protected[] {
    const ports = [`BGP ${s.bgp.listenPort ?? BGP_PORT}`, `Typha ${TYPHA_PORT}`, `Felix health ${FELIX_HEALTH_PORT}`, ...metricsTargets(s).map((t) => `${t.id} metrics ${t.port}`), "the node-preparation DaemonSet"].join(", ");
    const hosts: Protected[] = [{ what: `a host endpoint (host network: ${ports})`, labels: {} }];
    // Host endpoints carry their node's labels: the declared ones, racks and the reflector label included.
    const rackOf = new Map(s.bgp.racks.flatMap((r) => r.nodes.map((n) => [n, r.name] as const)));
    const names = new Set([...s.cluster.nodes.map((n) => n.name), ...s.bgp.routeReflectors.nodes, ...rackOf.keys()]);
    for (const name of [...names].sort()) {
        const declared = s.cluster.nodes.find((n) => n.name === name)?.labels ?? {};
        const labels: Record<string, string> = { ...declared, "kubernetes.io/hostname": name };
        if (rackOf.has(name)) labels[s.bgp.rackLabel] = rackOf.get(name)!;
        if (s.bgp.routeReflectors.nodes.includes(name)) labels[RR_LABEL] = "true";
        hosts.push({ what: `node ${name}'s host endpoint (host network: ${ports})`, labels });
    }
    const nodePrep = renderNodePrepDaemonSet(s).daemonSet as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    return [
        ...hosts,
        { what: "calico-kube-controllers", labels: workload(CALICO_NAMESPACE, { "k8s-app": "calico-kube-controllers" }) },
        { what: "the Calico API server", labels: workload(CALICO_APISERVER_NAMESPACE, { "k8s-app": "calico-apiserver", apiserver: "true" }) },
        { what: "the Calico API server (calico-system)", labels: workload(CALICO_NAMESPACE, { "k8s-app": "calico-apiserver", apiserver: "true" }) },
        { what: "the tigera-operator", labels: workload(OPERATOR_NAMESPACE, { name: "tigera-operator", "k8s-app": "tigera-operator" }) },
        { what: "the node-preparation pods", labels: workload("kube-system", nodePrep.spec.template.metadata.labels) },
        { what: "kube-dns", labels: workload("kube-system", { "k8s-app": "kube-dns" }) },
    ];
}

/** One flow a rule set either allows or not. */
interface Flow {
    readonly protocol: "TCP" | "UDP";
    readonly srcNamespace: string;
    readonly dst: { readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly service?: { readonly name: string; readonly namespace: string } };
    readonly port: number;
}

type Rule = Record<string, unknown> & { action?: string; protocol?: string; source?: Record<string, unknown>; destination?: Record<string, unknown> };

const RULE_FIELDS = new Set(["action", "protocol", "source", "destination"]);
const ENTITY_FIELDS = new Set(["selector", "namespaceSelector", "ports", "services"]);

/** Whether an entity rule (source or destination) matches an endpoint in `namespace` with `labels`. */
function entityMatches(e: Record<string, unknown>, namespace: string | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
    for (const k of Object.keys(e)) if (!ENTITY_FIELDS.has(k)) throw new Error(`a rule uses ${k}, which this check cannot evaluate`);
    if (typeof e.namespaceSelector === "string" && !(namespace !== undefined && parseSelector(e.namespaceSelector).matches({ [NAMESPACE_NAME_LABEL]: namespace }))) return false;
    if (typeof e.selector === "string" && !(labels !== undefined && parseSelector(e.selector).matches(labels))) return false;
    return true;
}

/** The action the first matching egress rule takes, or "Deny" (the end of the tier). */
export function egressAction(rules: readonly Rule[], f: Flow): string {
    for (const r of rules) {
        for (const k of Object.keys(r)) if (!RULE_FIELDS.has(k)) throw new Error(`a rule uses ${k}, which this check cannot evaluate`);
        if (r.protocol !== undefined && r.protocol !== f.protocol) continue;
        if (r.source && !entityMatches(r.source, f.srcNamespace, workload(f.srcNamespace, {}))) continue;
        const d = r.destination ?? {};
        const svc = d.services as { name?: string; namespace?: string } | undefined;
        if (svc && !(f.dst.service && svc.name === f.dst.service.name && svc.namespace === f.dst.service.namespace)) continue;
        if (!entityMatches(d, f.dst.namespace, f.dst.labels)) continue;
        if (Array.isArray(d.ports) && !d.ports.includes(f.port)) continue;
        return String(r.action);
    }
    return "Deny";
}

/**
 * The checks for a rendered baseline policy (none when it is off).
 * @param policy the rendered GlobalNetworkPolicy or StagedGlobalNetworkPolicy
 */
export function checkBaselinePolicy(s: ClusterSettings, policy: K8sObject | undefined): TopologyCheck[] {
    if (!policy) return [];
    const spec = (policy.spec ?? {}) as { selector?: string; egress?: Rule[]; types?: string[] };
    const selects = parseSelector(spec.selector ?? "all()");
    const checks: TopologyCheck[] = [];
    const hit = protectedEndpoints(s).filter((e) => selects.matches(e.labels));
    checks.push({
        id: "policy-protected",
        ok: hit.length === 0,
        message: hit.length ? `the baseline policy's selector ${spec.selector} selects ${hit.map((e) => e.what).join("; ")}, which it would cut` : "the baseline policy selects no host endpoint and none of Calico's pods, the node-preparation pods or kube-dns",
    });
    const rules = spec.egress ?? [];
    const flows: { what: string; flow: Flow }[] = [
        { what: "DNS over UDP 53", flow: { protocol: "UDP", srcNamespace: "default", dst: { namespace: "kube-system", labels: workload("kube-system", { "k8s-app": "kube-dns" }) }, port: 53 } },
        { what: "DNS over TCP 53", flow: { protocol: "TCP", srcNamespace: "default", dst: { namespace: "kube-system", labels: workload("kube-system", { "k8s-app": "kube-dns" }) }, port: 53 } },
        { what: "the Kubernetes API (Service default/kubernetes)", flow: { protocol: "TCP", srcNamespace: "default", dst: { service: { name: "kubernetes", namespace: "default" } }, port: 443 } },
        ...(s.monitoring.enabled ? metricsTargets(s).map((t) => ({ what: `${t.id} metrics (TCP ${t.port}) from namespace ${s.monitoring.namespace}`, flow: { protocol: "TCP" as const, srcNamespace: s.monitoring.namespace, dst: {}, port: t.port } })) : []),
    ];
    const egressOn = (spec.types ?? []).includes("Egress");
    let denied: string[];
    try {
        denied = egressOn ? flows.filter((x) => egressAction(rules, x.flow) !== "Allow").map((x) => x.what) : [];
    } catch (e) {
        denied = [(e as Error).message];
    }
    checks.push({
        id: "policy-allows",
        ok: denied.length === 0,
        message: denied.length ? `the baseline policy would deny ${denied.join(", ")}` : `the baseline policy allows ${flows.map((x) => x.what).join(", ")}`,
    });
    return checks;
}

