/**
 * The BGP fabric: projectcalico.org/v3 objects applied with calicoctl, node labels through
 * NodePatch, and peer passwords through a Kubernetes Secret. The order of the returned resources and
 * their dependsOn implement the hitless migrations:
 *
 * - Turning the mesh off (route reflectors, top of rack): the new BGPPeers first; then the node
 *   labels, and for reflectors the cluster-ID annotation; then the session gate (gate.ts) until
 *   every live node has its new sessions Established; only then the BGPConfiguration with
 *   nodeToNodeMeshEnabled=false. A failed gate fails the update and the mesh stays on.
 *   Why the cluster ID comes after the reflector BGPPeer: confd's bird.cfg.template (v3.27.3 and
 *   v3.31.3) takes a node with a route-reflector cluster ID out of the node-to-node mesh at once
 *   ("ignore node-to-node mesh setting"), and every other node skips it in the mesh; the label and
 *   annotation arrive in one Node patch, so the reflector's explicit peerings (both directions, from
 *   the BGPPeer that already exists) replace its mesh peerings in the same update.
 * - Turning the mesh on: the BGPConfiguration depends on nothing the old topology had, so Pulumi
 *   updates it first; then the gate (in mesh mode) waits until every node has a session to every
 *   other node; the old peers, labels and cluster IDs are deleted last, since deletes follow every
 *   create and update in a Pulumi update.
 */
import { podFamilies, type ClusterSettings, type ResolvedPeer } from "../config/settings";
import { compact, kubernetesType, type K8sObject } from "./objects";
import { applyCommand, CALICOCTL_ENV, patchCommand } from "./calicoctl";
import { gateRequirement, renderGateCommand, type GateRequirement } from "./gate";
import { parseSelector } from "../model/selector";
import { CALICO_NAMESPACE } from "./operator";
import { INSTALLATION_RESOURCES } from "./installation";
import { isPatch, TYPES, type PlannedResource } from "./resource-spec";
import { reportTopology, type FabricPeer, type TopologyReport } from "./topology-report";
import type { FabricState } from "../model/sessions";

import { RR_LABEL, RR_PEER_NAME, rackReflectorPeerName } from "../model/topology";
export { RR_LABEL };
/** Node annotation that gives a route reflector its cluster ID (Calico's Kubernetes datastore mapping). */
export const RR_CLUSTER_ID_ANNOTATION = "projectcalico.org/RouteReflectorClusterID";
/** Secret holding BGP passwords, in calico-node's namespace so it may read it. */
export const BGP_SECRET = "bgp-passwords";
/** Role and RoleBinding that let calico-node read BGP_SECRET. */
const BGP_SECRET_READER = "bgp-passwords-reader";

const V3 = "projectcalico.org/v3";
const READY = [INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer];

/** Resource names. */
export const BGP_RESOURCES = {
    configuration: "bgpconfiguration-default",
    rrPeer: "bgppeer-peer-with-route-reflectors",
    wait: "wait-bgp-sessions",
    /** Hybrid mode's second gate: the reflectors' switch sessions, after the switch peers narrow to them. */
    switchWait: "wait-bgp-switch-sessions",
    secret: "bgp-passwords",
    role: "bgp-passwords-reader",
    roleBinding: "bgp-passwords-reader-binding",
} as const;

/** BGPConfiguration `default`. */
export function renderBgpConfiguration(s: ClusterSettings): K8sObject {
    const b = s.bgp;
    const cidrs = (list: readonly string[]) => (list.length ? list.map((cidr) => ({ cidr })) : undefined);
    return {
        apiVersion: V3,
        kind: "BGPConfiguration",
        metadata: { name: "default" },
        spec: compact({
            logSeverityScreen: b.logSeverityScreen,
            nodeToNodeMeshEnabled: b.meshEnabled,
            asNumber: b.asNumber,
            listenPort: b.listenPort,
            serviceClusterIPs: cidrs(b.advertise.serviceClusterIPs),
            serviceExternalIPs: cidrs(b.advertise.serviceExternalIPs),
            serviceLoadBalancerIPs: cidrs(b.advertise.serviceLoadBalancerIPs),
        }),
    };
}

/** BGPPeer that makes every node (reflectors included) peer with every reflector. */
export function renderRouteReflectorPeer(): K8sObject {
    return {
        apiVersion: V3,
        kind: "BGPPeer",
        metadata: { name: RR_PEER_NAME },
        spec: { nodeSelector: "all()", peerSelector: `${RR_LABEL} == 'true'` },
    };
}

/** BGPPeer for an external router or ToR switch; the password is a reference, never the value. */
export function renderExternalPeer(p: ResolvedPeer): K8sObject {
    return {
        apiVersion: V3,
        kind: "BGPPeer",
        metadata: { name: p.name },
        spec: compact({
            peerIP: p.peerIP,
            asNumber: p.asNumber,
            nodeSelector: p.nodeSelector,
            keepOriginalNextHop: p.keepOriginalNextHop,
            maxRestartTime: p.maxRestartTime,
            password: p.password ? { secretKeyRef: { name: BGP_SECRET, key: p.name } } : undefined,
        }),
    };
}

/** Planned name of the patch that gives a node its rack label. */
const rackNodePatch = (node: string) => `rack-node-${node}`;
/** Planned name of a rack's reflector BGPPeer (hybrid mode). */
const rackReflectorPeer = (rack: string) => `bgppeer-rack-${rack}-reflectors`;

/**
 * Hybrid mode: the BGPPeer that makes every node of one rack (its reflectors included) peer with
 * the rack's reflectors, so a rack's clients keep their routes local to the rack's switches.
 */
export function renderRackReflectorPeer(rackLabel: string, rack: string): K8sObject {
    return {
        apiVersion: V3,
        kind: "BGPPeer",
        metadata: { name: rackReflectorPeerName(rack) },
        spec: { nodeSelector: parseSelector(`${rackLabel} == "${rack}"`).toString(), peerSelector: parseSelector(`${rackLabel} == "${rack}" && ${RR_LABEL} == "true"`).toString() },
    };
}

/** Label (and annotation) patch on a Kubernetes Node. */
function nodePatch(name: string, labels: Record<string, string>, annotations?: Record<string, string>): K8sObject {
    return { apiVersion: "v1", kind: "Node", metadata: compact({ name, labels, annotations }) };
}

/** Every BGP resource, in order, with dependencies that encode the migration rules above. */
export function planBgp(s: ClusterSettings): PlannedResource[] {
    if (s.bgp.mode === "disabled") return [];
    const out: PlannedResource[] = [];
    const meshOffPrereqs: string[] = [];
    const cmd = (name: string, object: K8sObject, dependsOn: string[]): void => {
        out.push({ name, type: TYPES.localCommand, component: "bgp", dependsOn, spec: applyCommand(s, object) });
    };
    const patch = (name: string, object: K8sObject, dependsOn: string[]): void => {
        out.push({ name, type: kubernetesType("v1", "NodePatch"), component: "bgp", dependsOn, spec: { kind: "object", object } });
    };

    const hybrid = s.bgp.mode === "hybrid";
    if (s.bgp.mode === "tor" || hybrid) {
        for (const rack of s.bgp.racks) {
            for (const node of rack.nodes) {
                const name = rackNodePatch(node);
                patch(name, nodePatch(node, { [s.bgp.rackLabel]: rack.name }), [...READY]);
                meshOffPrereqs.push(name);
                if (rack.asNumber !== undefined) {
                    // AS-per-rack: the Calico Node resource carries the node's own AS.
                    const asName = `node-as-${node}`;
                    out.push({
                        name: asName,
                        type: TYPES.localCommand,
                        component: "bgp",
                        dependsOn: [...READY],
                        spec: patchCommand(s, "node", node, { spec: { bgp: { asNumber: rack.asNumber } } }, { spec: { bgp: { asNumber: null } } }),
                    });
                    meshOffPrereqs.push(asName);
                }
            }
        }
    }

    if (s.bgp.mode === "routeReflector" || hybrid) {
        const rr = s.bgp.routeReflectors;
        const rackOf = new Map(s.bgp.racks.flatMap((r) => r.nodes.map((n) => [n, r.name] as const)));
        if (hybrid) {
            for (const rack of s.bgp.racks) {
                cmd(rackReflectorPeer(rack.name), renderRackReflectorPeer(s.bgp.rackLabel, rack.name), [...READY]);
                meshOffPrereqs.push(rackReflectorPeer(rack.name));
            }
        } else {
            cmd(BGP_RESOURCES.rrPeer, renderRouteReflectorPeer(), [...READY]);
            meshOffPrereqs.push(BGP_RESOURCES.rrPeer);
        }
        for (const node of rr.nodes) {
            const name = `rr-node-${node}`;
            // After the BGPPeer that gives it sessions (and, in hybrid mode, its own rack label): a
            // node leaves the mesh the moment it has a cluster ID (see above).
            const after = hybrid ? [rackReflectorPeer(rackOf.get(node)!), rackNodePatch(node)] : [BGP_RESOURCES.rrPeer];
            patch(name, nodePatch(node, { [RR_LABEL]: "true" }, { [RR_CLUSTER_ID_ANNOTATION]: rr.clusterId }), [...READY, ...after]);
            meshOffPrereqs.push(name);
        }
    }

    const withPassword = s.bgp.peers.filter((p) => p.password);
    const secretDeps: string[] = [];
    if (withPassword.length) {
        out.push({
            name: BGP_RESOURCES.secret,
            type: kubernetesType("v1", "Secret"),
            component: "bgp",
            dependsOn: [...READY],
            spec: {
                kind: "object",
                object: {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name: BGP_SECRET, namespace: CALICO_NAMESPACE },
                    type: "Opaque",
                    stringData: Object.fromEntries(withPassword.map((p) => [p.name, p.password])),
                },
            },
        });
        out.push({
            name: BGP_RESOURCES.role,
            type: kubernetesType("rbac.authorization.k8s.io/v1", "Role"),
            component: "bgp",
            dependsOn: [...READY],
            spec: {
                kind: "object",
                object: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: { name: BGP_SECRET_READER, namespace: CALICO_NAMESPACE },
                    rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [BGP_SECRET], verbs: ["watch", "list", "get"] }],
                },
            },
        });
        out.push({
            name: BGP_RESOURCES.roleBinding,
            type: kubernetesType("rbac.authorization.k8s.io/v1", "RoleBinding"),
            component: "bgp",
            dependsOn: [BGP_RESOURCES.role],
            spec: {
                kind: "object",
                object: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: { name: BGP_SECRET_READER, namespace: CALICO_NAMESPACE },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: BGP_SECRET_READER },
                    subjects: [{ kind: "ServiceAccount", name: "calico-node", namespace: CALICO_NAMESPACE }],
                },
            },
        });
        secretDeps.push(BGP_RESOURCES.secret, BGP_RESOURCES.roleBinding);
    }

    const peerCmd = (p: ResolvedPeer, after: readonly string[]): string => {
        const name = `bgppeer-${p.name}`;
        cmd(name, renderExternalPeer(p), [...READY, ...(p.password ? secretDeps : []), ...after]);
        return name;
    };
    // Hybrid: the switch peers narrow to the reflectors, which drops the clients' switch sessions
    // (coming from top of rack), so they wait for the first gate; the second gate then proves the
    // reflectors' switch sessions before anything old goes.
    const switchPeers = hybrid ? s.bgp.peers.filter((p) => p.rack) : [];
    for (const p of s.bgp.peers) {
        if (switchPeers.includes(p)) continue;
        const name = peerCmd(p, []);
        if (p.rack) meshOffPrereqs.push(name);
    }

    const gate = (name: string, req: GateRequirement, dependsOn: string[]): void => {
        const { command, script, environment } = renderGateCommand(s, req);
        // An update runs the same wait, so a changed topology is gated again.
        out.push({ name, type: TYPES.localCommand, component: "bgp", dependsOn, spec: { kind: "localCommand", create: command, update: command, environment: { ...CALICOCTL_ENV, ...environment }, needsKubeconfig: true, script } });
    };
    const req = gateRequirement(s);
    const configDeps: string[] = [...READY];
    if (!s.bgp.meshEnabled && req) {
        gate(BGP_RESOURCES.wait, hybrid ? gateRequirement(s, { reflectorsOnly: true })! : req, [...meshOffPrereqs]);
        if (hybrid) {
            const names = switchPeers.map((p) => peerCmd(p, [BGP_RESOURCES.wait]));
            gate(BGP_RESOURCES.switchWait, req, names.length ? names : [BGP_RESOURCES.wait]);
            configDeps.push(BGP_RESOURCES.switchWait);
        } else configDeps.push(BGP_RESOURCES.wait);
    }
    cmd(BGP_RESOURCES.configuration, renderBgpConfiguration(s), configDeps);
    // With the mesh on, the gate follows the BGPConfiguration and comes before the deletes of any
    // earlier topology's peers and labels.
    if (s.bgp.meshEnabled && req) gate(BGP_RESOURCES.wait, req, [BGP_RESOURCES.configuration]);
    return out;
}

/** FelixConfiguration fields this program manages, as a merge patch (undefined when none). */
export function felixPatch(s: ClusterSettings): Record<string, unknown> | undefined {
    if (!s.network.wireguard) return undefined;
    const families = podFamilies(s);
    return { spec: { wireguardEnabled: families.has(4), ...(families.has(6) ? { wireguardEnabledV6: true } : {}) } };
}

/**
 * FelixConfiguration `default` is created and filled by Calico itself, so it is patched, never
 * applied whole; removing the setting patches the fields back to false.
 */
export function planFelix(s: ClusterSettings): PlannedResource[] {
    const patch = felixPatch(s);
    if (!patch) return [];
    const undo = { spec: Object.fromEntries(Object.keys(patch.spec as object).map((k) => [k, false])) };
    return [{ name: "felixconfiguration-default", type: TYPES.localCommand, component: "bgp", dependsOn: [...READY], spec: patchCommand(s, "felixconfiguration", "default", patch, undo) }];
}

/**
 * The BGP objects a set of planned resources puts in the cluster (BGPConfiguration default's mesh
 * flag, every BGPPeer, the labels and cluster IDs of the Node patches), as the topology report and
 * the migration's session count read them.
 * @param baseLabels the declared nodes' own labels, which the patches' labels are added to
 */
export function fabricObjects(resources: Iterable<PlannedResource>, baseLabels: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map()): FabricState {
    let meshEnabled = true;
    const peers: FabricPeer[] = [];
    const nodeLabels = new Map<string, Record<string, string>>([...baseLabels].map(([k, v]) => [k, { ...v }]));
    const reflectorNodes = new Set<string>();
    for (const p of resources) {
        const o = p.spec.kind === "localCommand" || p.spec.kind === "object" ? p.spec.object : undefined;
        if (!o) continue;
        const spec = (o.spec ?? {}) as Record<string, unknown>;
        if (o.kind === "BGPConfiguration" && o.metadata.name === "default") meshEnabled = spec.nodeToNodeMeshEnabled !== false;
        else if (o.kind === "BGPPeer") {
            peers.push(compact({ name: o.metadata.name, nodeSelector: spec.nodeSelector as string | undefined, peerSelector: spec.peerSelector as string | undefined, peerIP: spec.peerIP as string | undefined }));
        } else if (o.kind === "Node" && isPatch(p)) {
            nodeLabels.set(o.metadata.name, { ...(nodeLabels.get(o.metadata.name) ?? {}), ...(o.metadata.labels ?? {}) });
            if (o.metadata.annotations?.[RR_CLUSTER_ID_ANNOTATION]) reflectorNodes.add(o.metadata.name);
        }
    }
    return { meshEnabled, peers, nodeLabels, reflectorNodes };
}

/** The topology report of settings, from the BGP objects they render. */
export function topologyOf(s: ClusterSettings): TopologyReport {
    return reportTopology(s, fabricObjects(planBgp(s)));
}
