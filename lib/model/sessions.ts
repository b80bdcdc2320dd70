/**
 * BGP sessions per node for a set of BGP objects, by calico-node's peering rules (confd's
 * bird.cfg.template and its peer computation at v3.27.3 and v3.31.3, as e2e/simulator/bgp.ts plays
 * them): with the node-to-node mesh on, every node without a route-reflector cluster ID peers with
 * every other such node (a node with a cluster ID leaves the mesh); a BGPPeer with a peerSelector
 * peers the nodes its nodeSelector picks with the nodes its peerSelector picks, in both directions;
 * a BGPPeer with a peerIP gives each node its nodeSelector picks one external session. Undeclared
 * nodes count as one group of unlabelled nodes, so the work never grows with nodeCount.
 */
import { parseSelector } from "./selector";

/** One rendered BGPPeer, as the report reads it. */
export interface FabricPeer {
    /** Object name. */
    readonly name: string;
    /** Nodes that peer (Calico selector; Calico's default is every node). */
    readonly nodeSelector?: string;
    /** In-cluster peers: the nodes they peer with (route reflectors). */
    readonly peerSelector?: string;
    /** External peers: the router's address. */
    readonly peerIP?: string;
}

/** The rendered BGP objects the report evaluates (lib/render/bgp.ts fabricObjects; lib/render/topology-report.ts reports on them). */
export interface BgpFabricObjects {
    /** BGPConfiguration default's nodeToNodeMeshEnabled (Calico's default: true). */
    readonly meshEnabled: boolean;
    /** Every BGPPeer. */
    readonly peers: readonly FabricPeer[];
    /** Labels the Node patches set, by node. */
    readonly nodeLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** The BGP objects in the cluster at one moment: the report's view plus who has a cluster ID. */
export interface FabricState extends BgpFabricObjects {
    /** Nodes with a route-reflector cluster ID. */
    readonly reflectorNodes: ReadonlySet<string>;
}

/** The sessions of one node. */
export interface NodeSessionCount {
    /** Node name, or `<N undeclared nodes>` for the group. */
    readonly node: string;
    /** Sessions with other nodes. */
    readonly inCluster: number;
    /** Sessions with routers outside the cluster. */
    readonly external: number;
}

/** Sessions of every declared node and of the undeclared group, and the nodes with none. */
export interface SessionCount {
    readonly nodes: readonly NodeSessionCount[];
    /** Nodes (or the undeclared group) without any BGP session: they would have no routes. */
    readonly isolated: readonly string[];
}

/**
 * Count sessions.
 * @param nodeCount every node of the cluster; those not in `state.nodeLabels` are unlabelled
 */
export function countSessions(state: FabricState, nodeCount: number): SessionCount {
    const declared = [...state.nodeLabels.keys()].sort();
    const anonymous = Math.max(0, nodeCount - declared.length);
    const labelsOf = (n: string) => state.nodeLabels.get(n) ?? {};
    const meshMembers = declared.filter((n) => !state.reflectorNodes.has(n));
    const inCluster = state.peers.filter((p) => p.peerSelector !== undefined).map((p) => ({ nodes: parseSelector(p.nodeSelector ?? "all()"), peers: parseSelector(p.peerSelector!) }));
    const external = state.peers.filter((p) => p.peerIP !== undefined).map((p) => parseSelector(p.nodeSelector ?? "all()"));

    /** Sessions of a node with these labels (declared name, or undefined for an undeclared one). */
    const count = (name: string | undefined, labels: Readonly<Record<string, string>>): NodeSessionCount => {
        const peersDeclared = new Set<string>();
        let peersAnonymous = false;
        const meshMember = name === undefined || !state.reflectorNodes.has(name);
        if (state.meshEnabled && meshMember) {
            for (const m of meshMembers) peersDeclared.add(m);
            if (anonymous > 0) peersAnonymous = true;
        }
        for (const p of inCluster) {
            // Both directions: a node picked by either side peers with every node the other side picks.
            for (const [mine, theirs] of [[p.nodes, p.peers], [p.peers, p.nodes]] as const) {
                if (!mine.matches(labels)) continue;
                for (const d of declared) if (theirs.matches(labelsOf(d))) peersDeclared.add(d);
                if (anonymous > 0 && theirs.matches({})) peersAnonymous = true;
            }
        }
        if (name !== undefined) peersDeclared.delete(name);
        const anonymousPeers = peersAnonymous ? anonymous - (name === undefined ? 1 : 0) : 0;
        return { node: name ?? `<${anonymous} undeclared nodes>`, inCluster: peersDeclared.size + anonymousPeers, external: external.filter((s) => s.matches(labels)).length };
    };
    const nodes = declared.map((d) => count(d, labelsOf(d)));
    if (anonymous > 0) nodes.push(count(undefined, {}));
    // A single-node cluster needs no session of its own.
    const isolated = nodeCount > 1 || external.length ? nodes.filter((n) => n.inCluster + n.external === 0).map((n) => n.node) : [];
    return { nodes, isolated };
}
