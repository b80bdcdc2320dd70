/**
 * Topology planner: applies the BGP layout to the declared nodes (calico:cluster.nodes with their
 * labels, plus the labels this program adds) and to the rest of the cluster as unlabelled nodes.
 * It counts sessions and checks the properties that keep routes alive. Work is proportional to
 * declared nodes × peers, never to nodeCount, so a 5,000-node plan costs the same as a 10-node one.
 */
import type { ClusterSettings } from "../config/settings";
import { parseSelector } from "./selector";
import { meshSessions } from "./topology";

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

/** What the planner found. */
export interface TopologyReport {
    /** Total BGP sessions in the cluster (in-cluster and external). */
    readonly sessions: number;
    readonly checks: readonly TopologyCheck[];
    readonly nodes: readonly NodePeers[];
}

/** Labels each declared node will carry once the program has run. */
export function effectiveLabels(s: ClusterSettings): Map<string, Record<string, string>> {
    const labels = new Map<string, Record<string, string>>();
    for (const n of s.cluster.nodes) labels.set(n.name, { ...n.labels });
    const add = (node: string, k: string, v: string): void => {
        labels.set(node, { ...(labels.get(node) ?? {}), [k]: v });
    };
    for (const rr of s.bgp.routeReflectors.nodes) add(rr, "route-reflector", "true");
    for (const rack of s.bgp.racks) for (const n of rack.nodes) add(n, s.bgp.rackLabel, rack.name);
    return labels;
}

/** Plan the topology. */
export function planTopology(s: ClusterSettings): TopologyReport {
    const n = s.cluster.nodeCount;
    const checks: TopologyCheck[] = [];
    if (s.bgp.mode === "disabled") return { sessions: 0, checks: [{ id: "bgp", ok: true, message: "BGP is off; VXLAN carries pod traffic" }], nodes: [] };

    const labels = effectiveLabels(s);
    const declared = [...labels.keys()].sort();
    const anonymous = Math.max(0, n - declared.length);
    const peers = s.bgp.peers.map((p) => ({ p, sel: parseSelector(p.nodeSelector) }));
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
        checks.push({ id: "mesh", ok: true, message: `full mesh: ${n - 1} sessions per node, ${inCluster} in total` });
    } else if (s.bgp.mode === "routeReflector") {
        const rrSel = parseSelector("route-reflector == 'true'");
        const reflectors = declared.filter((d) => rrSel.matches(labels.get(d)!));
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
        checks.push({ id: "reflectors-connected", ok: r >= 1, message: r >= 1 ? `the ${r} reflectors peer with each other and form one group (cluster ID ${s.bgp.routeReflectors.clusterId})` : "no reflector is selected" });
        checks.push({ id: "sessions-saved", ok: true, message: `${inCluster} sessions instead of ${meshSessions(n)} for a full mesh` });
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
        for (const rack of s.bgp.racks) {
            lines.push(`  subgraph ${id(`rack_${rack.name}`)}["rack ${rack.name}"]`, `    ${id(`nodes_${rack.name}`)}["${rack.nodes.length} node(s)${rack.asNumber ? `, AS ${rack.asNumber}` : ""}"]`, "  end");
            for (const p of s.bgp.peers.filter((x) => x.rack === rack.name)) {
                lines.push(`  ${id(p.name)}[/"${p.name} ${p.peerIP} AS ${p.asNumber}"/]`, `  ${id(`nodes_${rack.name}`)} --- ${id(p.name)}`);
            }
        }
    }
    for (const p of s.bgp.peers.filter((x) => !x.rack)) lines.push(`  ${id(p.name)}[/"${p.name} ${p.peerIP} AS ${p.asNumber}"/]`, `  sel_${id(p.name)}["${p.nodeSelector}"] --- ${id(p.name)}`);
    lines.push(`  %% ${t.sessions} BGP sessions`);
    return lines.join("\n") + "\n";
}
