/**
 * Topology report: applies the rendered BGP objects (the BGPConfiguration's mesh setting, the
 * BGPPeers' selectors, the labels the Node patches add) to the declared nodes (calico:cluster.nodes
 * with their labels) and to the rest of the cluster as unlabelled nodes. It counts sessions and
 * checks the properties that keep routes alive; because it reads the objects the program applies,
 * not a second derivation of them, a passing check is about the plan itself. Work is proportional to
 * declared nodes × peers, never to nodeCount, so a 5,000-node report costs the same as a 10-node one.
 */
import type { ClusterSettings } from "../config/settings";
import { parseSelector } from "../model/selector";
import { meshSessions } from "../model/topology";
import type { BgpFabricObjects, FabricPeer } from "../model/sessions";

export type { BgpFabricObjects, FabricPeer } from "../model/sessions";

/** One check and its result. */
export interface TopologyCheck {
    readonly id: string;
    readonly ok: boolean;
    readonly message: string;
}

/** Peers of one declared node. */
export interface NodePeers {
    readonly node: string;
    readonly role: "reflector" | "client" | "mesh" | "rack" | "none";
    /** Names of in-cluster peers (reflectors) or a count summary for the mesh. */
    readonly peers: readonly string[];
    readonly sessionCount: number;
}

/** What the report found. */
export interface TopologyReport {
    /** Total BGP sessions in the cluster (in-cluster and external). */
    readonly sessions: number;
    readonly checks: readonly TopologyCheck[];
    readonly nodes: readonly NodePeers[];
}

/** Labels each declared (or patched) node will carry once the program has run. */
function effectiveLabels(s: ClusterSettings, fabric: BgpFabricObjects): Map<string, Record<string, string>> {
    const labels = new Map<string, Record<string, string>>();
    for (const n of s.cluster.nodes) labels.set(n.name, { ...n.labels });
    for (const [node, l] of fabric.nodeLabels) labels.set(node, { ...(labels.get(node) ?? {}), ...l });
    return labels;
}

/**
 * Report on the topology the rendered objects make.
 * @param fabric the rendered BGP objects of these settings (fabricObjects of the plan)
 */
export function reportTopology(s: ClusterSettings, fabric: BgpFabricObjects): TopologyReport {
    const n = s.cluster.nodeCount;
    const checks: TopologyCheck[] = [];
    if (s.bgp.mode === "disabled") return { sessions: 0, checks: [{ id: "bgp", ok: true, message: "BGP is off; VXLAN carries pod traffic" }], nodes: [] };

    const labels = effectiveLabels(s, fabric);
    const declared = [...labels.keys()].sort();
    const anonymous = Math.max(0, n - declared.length);
    const peers = fabric.peers.filter((p) => p.peerIP !== undefined).map((p) => ({ p, sel: parseSelector(p.nodeSelector ?? "all()") }));
    const externalFor = (l: Record<string, string>) => peers.filter((x) => x.sel.matches(l)).map((x) => x.p.name);
    const anonExternal = externalFor({});
    let external = anonExternal.length * anonymous;
    const nodes: NodePeers[] = [];
    let inCluster = 0;

    if (s.bgp.mode === "mesh") {
        inCluster = meshSessions(n);
        for (const node of declared) {
            const ext = externalFor(labels.get(node)!);
            external += ext.length;
            nodes.push({ node, role: "mesh", peers: [`${n - 1} mesh peers`, ...ext], sessionCount: n - 1 + ext.length });
        }
        checks.push({ id: "mesh", ok: fabric.meshEnabled, message: fabric.meshEnabled ? `full mesh: ${n - 1} sessions per node, ${inCluster} in total` : "the rendered BGPConfiguration turns the node-to-node mesh off, so no node would peer" });
    } else if (s.bgp.mode === "routeReflector") {
        // The rendered BGPPeers that peer nodes with reflectors, and the nodes their selectors pick.
        const rrPeers = fabric.peers.filter((p) => p.peerSelector !== undefined).map((p) => ({ nodes: parseSelector(p.nodeSelector ?? "all()"), reflectors: parseSelector(p.peerSelector!) }));
        const reflectors = declared.filter((d) => rrPeers.some((p) => p.reflectors.matches(labels.get(d)!)));
        // An undeclared (unlabelled) node must be a client of every reflector too.
        const everyNodePeers = rrPeers.some((p) => p.nodes.matches({}));
        const r = reflectors.length;
        // peer-with-route-reflectors selects all() nodes and peers them with every reflector, reflectors included.
        inCluster = (n - r) * r + meshSessions(r);
        for (const node of declared) {
            const isRr = reflectors.includes(node);
            const ext = externalFor(labels.get(node)!);
            external += ext.length;
            const rrPeers = reflectors.filter((x) => x !== node);
            nodes.push({
                node,
                role: isRr ? "reflector" : "client",
                peers: isRr ? [...rrPeers, `${n - r} clients`, ...ext] : [...reflectors, ...ext],
                sessionCount: (isRr ? n - 1 : r) + ext.length,
            });
        }
        const single = s.bgp.routeReflectors.allowSingleReflector && r === 1;
        checks.push({
            id: "clients-reach-two-reflectors",
            ok: r >= 2 || single,
            message: r >= 2 ? `every client peers with ${r} reflectors (${reflectors.join(", ")})` : single ? `every client peers with the one reflector ${reflectors[0]} (allowSingleReflector: losing it drops every route)` : `clients reach only ${r} reflector(s); losing it drops every route (need at least 2)`,
        });
        // Reflectors peer with each other through the same BGPPeer, so they form one group when it selects them all.
        checks.push({ id: "reflectors-connected", ok: r >= 1, message: r >= 1 ? `the ${r} reflectors peer with each other and form one group (cluster ID ${s.bgp.routeReflectors.clusterId})` : "no rendered BGPPeer's peerSelector selects a declared reflector" });
        checks.push({ id: "clients-peer", ok: everyNodePeers && !fabric.meshEnabled, message: !everyNodePeers ? "the reflector BGPPeer does not select every node, so unlabelled nodes would have no session" : fabric.meshEnabled ? "the rendered BGPConfiguration keeps the mesh on beside the reflectors" : "every node peers with the reflectors, and the mesh is off" });
        checks.push({ id: "sessions-saved", ok: true, message: `${inCluster} sessions instead of ${meshSessions(n)} for a full mesh` });
    } else if (s.bgp.mode === "hybrid") {
        return reportHybrid(s, fabric, labels, declared, anonymous, externalFor, anonExternal);
    } else {
        const racked = new Set<string>();
        for (const node of declared) {
            const ext = externalFor(labels.get(node)!);
            external += ext.length;
            const rack = labels.get(node)![s.bgp.rackLabel];
            if (rack !== undefined) racked.add(node);
            nodes.push({ node, role: rack !== undefined ? "rack" : "none", peers: ext, sessionCount: ext.length });
        }
        for (const rack of s.bgp.racks) {
            const sw = s.bgp.peers.filter((p) => p.rack === rack.name);
            const matched = rack.nodes.filter((node) => externalFor(labels.get(node)!).some((name) => sw.some((p) => p.name === name)));
            checks.push({
                id: `rack-${rack.name}`,
                ok: sw.length > 0 && matched.length === rack.nodes.length,
                message: `rack ${rack.name}: ${rack.nodes.length} node(s) peer with ${sw.map((p) => `${p.name} (${p.peerIP}, AS ${p.asNumber})`).join(", ")}`,
            });
        }
        const lonely = declared.filter((d) => nodes.find((x) => x.node === d)!.sessionCount === 0);
        checks.push({
            id: "every-node-peers",
            ok: lonely.length === 0,
            message: lonely.length === 0 ? "every declared node has at least one BGP peer" : `${lonely.length} declared node(s) match no rack or peer and would have no BGP session (${lonely.slice(0, 5).join(", ")}); list them under calico:bgp.tor.racks[].nodes or give them a rack label`,
        });
        if (anonymous > 0 && !anonExternal.length) {
            // Nodes not declared in config cannot be checked; in large fabrics provisioning labels them.
            // Count their sessions as the average rack's switch count each.
            const switches = s.bgp.peers.filter((p) => p.rack).length;
            external += Math.round((anonymous * switches) / Math.max(1, s.bgp.racks.length));
            checks.push({ id: "undeclared-nodes", ok: true, message: `${anonymous} node(s) are not declared: each must carry the label ${s.bgp.rackLabel}=<rack> (e.g. from kubelet --node-labels) to peer with its switches` });
        }
    }
    return { sessions: inCluster + external, checks, nodes };
}

/**
 * Hybrid (ToR plus reflectors): the rendered reflector BGPPeers, switch peers and labels decide who
 * peers with whom. Checks the issue's three properties: every client reaches at least 2 reflectors,
 * every reflector reaches a switch, and every rack with clients has a reflector that peers with the
 * rack's own switches; and compares the sessions with top of rack alone and with a full mesh.
 */
function reportHybrid(
    s: ClusterSettings,
    fabric: BgpFabricObjects,
    labels: ReadonlyMap<string, Record<string, string>>,
    declared: readonly string[],
    anonymous: number,
    externalFor: (l: Record<string, string>) => string[],
    anonExternal: readonly string[],
): TopologyReport {
    const n = s.cluster.nodeCount;
    const checks: TopologyCheck[] = [];
    const nodes: NodePeers[] = [];
    const inClusterPeers = fabric.peers.filter((p) => p.peerSelector !== undefined).map((p) => ({ nodes: parseSelector(p.nodeSelector ?? "all()"), peers: parseSelector(p.peerSelector!) }));
    const reflectors = new Set(declared.filter((d) => inClusterPeers.some((p) => p.peers.matches(labels.get(d)!))));
    /** In-cluster peers of a node: both directions of every BGPPeer with a peerSelector. */
    const peersOf = (node: string): string[] => {
        const l = labels.get(node)!;
        return declared.filter((d) => d !== node && inClusterPeers.some((p) => (p.nodes.matches(l) && p.peers.matches(labels.get(d)!)) || (p.peers.matches(l) && p.nodes.matches(labels.get(d)!))));
    };
    const switchOf = new Map(s.bgp.peers.filter((p) => p.rack).map((p) => [p.name, p.rack!]));
    let inClusterEnds = 0;
    let external = anonExternal.length * anonymous;
    const min = s.bgp.routeReflectors.allowSingleReflector ? 1 : 2;
    const fewReflectors: string[] = [];
    const noSwitch: string[] = [];
    const clientsOnSwitches: string[] = [];
    for (const node of declared) {
        const isRr = reflectors.has(node);
        const peers = peersOf(node);
        const ext = externalFor(labels.get(node)!);
        inClusterEnds += peers.length;
        external += ext.length;
        nodes.push({ node, role: isRr ? "reflector" : "client", peers: [...peers, ...ext], sessionCount: peers.length + ext.length });
        if (isRr && !ext.length) noSwitch.push(node);
        if (!isRr && peers.filter((p) => reflectors.has(p)).length < min) fewReflectors.push(node);
        if (!isRr && ext.some((e) => switchOf.has(e))) clientsOnSwitches.push(node);
    }
    checks.push({
        id: "clients-reach-two-reflectors",
        ok: fewReflectors.length === 0,
        message: fewReflectors.length === 0 ? `every declared client peers with at least ${min} reflector${min === 1 ? " (allowSingleReflector: losing it drops the rack's routes)" : "s"} of its rack` : `${fewReflectors.length} client(s) reach fewer than ${min} reflectors: ${fewReflectors.slice(0, 5).join(", ")}`,
    });
    checks.push({ id: "reflectors-reach-switch", ok: noSwitch.length === 0, message: noSwitch.length === 0 ? `each of the ${reflectors.size} reflectors peers with at least one switch` : `reflector(s) without a switch session: ${noSwitch.join(", ")}` });
    for (const rack of s.bgp.racks) {
        const clients = rack.nodes.filter((x) => !reflectors.has(x));
        const switches = s.bgp.peers.filter((p) => p.rack === rack.name).map((p) => p.name);
        // A client's routes reach the rack's switches only through a reflector it peers with that peers with one of them.
        const cut = clients.filter((c) => !peersOf(c).some((r) => reflectors.has(r) && externalFor(labels.get(r)!).some((e) => switches.includes(e))));
        const rrs = rack.nodes.filter((x) => reflectors.has(x));
        checks.push({
            id: `rack-${rack.name}`,
            ok: cut.length === 0 && (clients.length === 0 || rrs.length > 0),
            message: cut.length === 0 ? `rack ${rack.name}: ${clients.length} client(s) peer with reflectors ${rrs.join(", ")}, which peer with ${switches.join(", ")}` : `rack ${rack.name}: ${cut.join(", ")} have no reflector that peers with the rack's switches (${switches.join(", ")})`,
        });
    }
    checks.push({ id: "clients-peer-only-reflectors", ok: clientsOnSwitches.length === 0 && !fabric.meshEnabled, message: fabric.meshEnabled ? "the rendered BGPConfiguration keeps the mesh on" : clientsOnSwitches.length ? `clients peer with switches: ${clientsOnSwitches.join(", ")}` : "clients peer only with their rack's reflectors; the mesh is off" });
    // Undeclared nodes carry their rack label from provisioning and are clients of their rack's reflectors.
    const racks = Math.max(1, s.bgp.racks.length);
    const perRack = (k: number) => Math.round((anonymous * k) / racks);
    const switchCount = s.bgp.peers.filter((p) => p.rack).length;
    const inCluster = inClusterEnds / 2 + perRack(reflectors.size);
    const otherExternal = external - declared.reduce((m, d) => m + externalFor(labels.get(d)!).filter((e) => switchOf.has(e)).length, 0);
    const torOnly = s.bgp.racks.reduce((m, r) => m + r.nodes.length * s.bgp.peers.filter((p) => p.rack === r.name).length, 0) + perRack(switchCount) + otherExternal;
    const sessions = inCluster + external;
    checks.push({ id: "sessions-compared", ok: true, message: `hybrid: ${sessions} sessions, ${external - otherExternal} on the switches; top of rack alone: ${torOnly}, ${torOnly - otherExternal} on the switches; full mesh: ${meshSessions(n) + otherExternal}` });
    if (anonymous > 0) checks.push({ id: "undeclared-nodes", ok: true, message: `${anonymous} node(s) are not declared: each must carry the label ${s.bgp.rackLabel}=<rack> (e.g. from kubelet --node-labels) to peer with its rack's reflectors` });
    return { sessions, checks, nodes };
}

/** A Mermaid flowchart of the BGP topology (anonymous nodes drawn as one group). */
export function renderMermaid(s: ClusterSettings, t: TopologyReport): string {
    const id = (x: string) => x.replace(/[^A-Za-z0-9_]/g, "_");
    const lines = ["graph LR"];
    const n = s.cluster.nodeCount;
    if (s.bgp.mode === "disabled") lines.push(`  nodes["${n} nodes (VXLAN, no BGP)"]`);
    else if (s.bgp.mode === "mesh") {
        lines.push(`  mesh(("full mesh: ${n} nodes, ${meshSessions(n)} sessions"))`);
    } else if (s.bgp.mode === "routeReflector") {
        const rrs = s.bgp.routeReflectors.nodes;
        lines.push(`  clients["${n - rrs.length} client nodes"]`);
        for (const rr of rrs) lines.push(`  ${id(rr)}{{"${rr} (RR ${s.bgp.routeReflectors.clusterId})"}}`, `  clients --- ${id(rr)}`);
        for (let i = 0; i < rrs.length; i++) for (let j = i + 1; j < rrs.length; j++) lines.push(`  ${id(rrs[i])} --- ${id(rrs[j])}`);
    } else {
        const rrs = s.bgp.routeReflectors.nodes;
        for (const rack of s.bgp.racks) {
            const mine = rack.nodes.filter((x) => rrs.includes(x));
            const clients = id(`nodes_${rack.name}`);
            lines.push(`  subgraph ${id(`rack_${rack.name}`)}["rack ${rack.name}"]`, `    ${clients}["${rack.nodes.length - mine.length} ${mine.length ? "client " : ""}node(s)${rack.asNumber ? `, AS ${rack.asNumber}` : ""}"]`);
            for (const rr of mine) lines.push(`    ${id(rr)}{{"${rr} (RR ${s.bgp.routeReflectors.clusterId})"}}`);
            lines.push("  end");
            for (const rr of mine) lines.push(`  ${clients} --- ${id(rr)}`);
            for (const p of s.bgp.peers.filter((x) => x.rack === rack.name)) {
                lines.push(`  ${id(p.name)}[/"${p.name} ${p.peerIP} AS ${p.asNumber}"/]`);
                for (const from of mine.length ? mine.map(id) : [clients]) lines.push(`  ${from} --- ${id(p.name)}`);
            }
        }
    }
    for (const p of s.bgp.peers.filter((x) => !x.rack)) lines.push(`  ${id(p.name)}[/"${p.name} ${p.peerIP} AS ${p.asNumber}"/]`, `  sel_${id(p.name)}["${p.nodeSelector}"] --- ${id(p.name)}`);
    lines.push(`  %% ${t.sessions} BGP sessions`);
    return lines.join("\n") + "\n";
}
