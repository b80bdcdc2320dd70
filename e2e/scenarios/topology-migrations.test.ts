/**
 * Every migration between the BGP modes that the product makes in one update, on the hybrid stack's
 * twelve rack nodes (three racks, two reflectors each), with the real CLI and providers and the
 * simulated calico-node sessions (e2e/simulator/bgp.ts) derived from the objects in the API server.
 * One tour covers mesh → tor → routeReflector → hybrid → tor → hybrid → routeReflector → tor →
 * mesh (mesh ↔ reflectors has its own scenario, mesh-to-reflectors). After each `up`, the
 * simulator's session log must show, for every node:
 *  - it was never without an Established session;
 *  - it had every session of the new topology Established before it lost any old one (the one rule
 *    of a hitless migration: new sessions first, then the old ones go);
 *  - at the end it has exactly the new topology's sessions.
 * Mesh ↔ hybrid is refused by preview with the message alone, and nothing changes.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { Cluster, ROOT, Workspace, requireToolchain, sleep } from "../support/harness";
import { PATHS } from "../simulator/kube";

const STACK = "hybrid";
type Mode = "mesh" | "tor" | "routeReflector" | "hybrid";

/** Established peers (by address) of each node at the end of the log up to `until`. */
function establishedAt(history: ReturnType<Cluster["bgpHistory"]>, until: number): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const h of history) if (h.t <= until) out.set(h.node, new Set(h.sessions.filter((s) => s.state === "Established").map((s) => s.peerIP)));
    return out;
}

/**
 * Nodes that broke the rule during the log after `t0`: they lost an Established session before every
 * session they end with was Established, or had none at some moment.
 */
function hitlessViolations(cluster: Cluster, t0: number): string[] {
    const history = cluster.bgpHistory();
    const start = establishedAt(history, t0);
    const final = establishedAt(history, Infinity);
    const out: string[] = [];
    const current = new Map([...start].map(([n, s]) => [n, new Set(s)]));
    // A node that never had a session yet (the first deploy) is coming up, not isolated.
    const hadOne = new Set([...start].filter(([, s]) => s.size > 0).map(([n]) => n));
    const lostOnce = new Set<string>();
    for (const h of history.filter((x) => x.t > t0)) {
        const now = new Set(h.sessions.filter((s) => s.state === "Established").map((s) => s.peerIP));
        const before = current.get(h.node) ?? new Set<string>();
        const lost = [...before].filter((p) => !now.has(p));
        if (now.size === 0 && hadOne.has(h.node)) out.push(`${h.node} had no session at ${new Date(h.t).toISOString()}`);
        if (now.size > 0) hadOne.add(h.node);
        if (lost.length && !lostOnce.has(h.node)) {
            lostOnce.add(h.node);
            const missing = [...(final.get(h.node) ?? [])].filter((p) => !before.has(p));
            if (missing.length) out.push(`${h.node} lost ${lost.join(", ")} before its new sessions ${missing.join(", ")} were Established`);
        }
        current.set(h.node, now);
    }
    return out;
}

describe("e2e: BGP topology migrations (mesh, top of rack, route reflectors, hybrid)", function () {
    this.timeout(60 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    let stackFile: string;
    let original: Record<string, any>;
    const ips = new Map<string, string>();

    /** Write calico:bgp for `mode` into the workspace's stack file, as a user edits it. */
    const configure = (mode: Mode) => {
        const doc = parse(readFileSync(stackFile, "utf8"));
        const bgp: Record<string, any> = { ...structuredClone(original), mode };
        if (mode === "mesh" || mode === "tor") delete bgp.routeReflectors;
        if (mode === "mesh" || mode === "routeReflector") delete bgp.tor;
        bgp.migration = { pollIntervalSeconds: 2, waitTimeoutSeconds: 120 };
        doc.config["calico:bgp"] = bgp;
        writeFileSync(stackFile, stringify(doc));
    };

    /** The peers (addresses) each node should have in `mode`, from the stack's racks and reflectors. */
    const expected = (mode: Mode): Map<string, Set<string>> => {
        const racks: { name: string; nodes: string[]; switches: { peerIP: string }[] }[] = original.tor.racks;
        const reflectors: string[] = original.routeReflectors.nodes;
        const nodes = racks.flatMap((r) => r.nodes);
        const out = new Map<string, Set<string>>();
        for (const r of racks) for (const n of r.nodes) {
            const rackReflectors = reflectors.filter((x) => r.nodes.includes(x));
            const peers =
                mode === "mesh" ? nodes.filter((x) => x !== n).map((x) => ips.get(x)!)
                : mode === "tor" ? r.switches.map((s) => s.peerIP)
                : mode === "routeReflector" ? (reflectors.includes(n) ? nodes.filter((x) => x !== n) : reflectors).map((x) => ips.get(x)!)
                : reflectors.includes(n) ? [...r.nodes.filter((x) => x !== n).map((x) => ips.get(x)!), ...r.switches.map((s) => s.peerIP)]
                : rackReflectors.map((x) => ips.get(x)!);
            out.set(n, new Set(peers));
        }
        return out;
    };

    const up = async (mode: Mode) => {
        configure(mode);
        const t0 = Date.now();
        const r = await ws.ok(`up (→ ${mode})`, ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, mode === "mesh", `${mode}: nodeToNodeMeshEnabled`);
        // The simulator polls the API server, so the last deletes of the update reach its log a
        // moment after `up` returns: wait (bounded) for the new topology, then judge the whole window.
        const want = expected(mode);
        const settled = () => {
            const have = establishedAt(cluster.bgpHistory(), Infinity);
            return [...want].every(([node, peers]) => [...(have.get(node) ?? [])].sort().join() === [...peers].sort().join());
        };
        for (let i = 0; i < 30 && !settled(); i++) await sleep(1000);
        const have = establishedAt(cluster.bgpHistory(), Infinity);
        for (const [node, peers] of want) assert.deepEqual([...(have.get(node) ?? [])].sort(), [...peers].sort(), `${node} in ${mode}`);
        assert.deepEqual(hitlessViolations(cluster, t0), [], `→ ${mode} was not hitless`);
        return r;
    };

    /** preview refuses the change with the message alone, and nothing in the cluster changes. */
    const refused = async (mode: Mode, message: RegExp) => {
        const peersBefore = (await cluster.kube.list(PATHS.calico("bgppeers"))).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
        configure(mode);
        const r = await ws.pulumi(`preview (→ ${mode}, refused)`, ["preview", "--stack", STACK], { timeoutSeconds: 600 });
        assert.notEqual(r.code, 0, `→ ${mode} was not refused`);
        assert.match(r.stdout + r.stderr, message);
        assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .+\.(ts|js):\d+:\d+/, "a stack trace was printed");
        const peersAfter = (await cluster.kube.list(PATHS.calico("bgppeers"))).map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
        assert.deepEqual(peersAfter, peersBefore);
    };

    before(async () => {
        requireToolchain();
        // Exactly the stack's twelve rack nodes: every live node has a rack, as top of rack requires.
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "12", E2E_BGP_DELAY_SECONDS: "3" });
        ws = new Workspace("topology", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl("v3.31.3"), "calico:cluster.nodeCount": "12" });
        stackFile = join(ws.dir, "stacks", `Pulumi.${STACK}.yaml`);
        original = parse(readFileSync(stackFile, "utf8")).config["calico:bgp"];
        for (const n of await cluster.kube.list(PATHS.nodes)) ips.set(n.metadata.name, n.status.addresses.find((a: { type: string }) => a.type === "InternalIP").address);
        assert.equal(ips.size, 12);
        // The stack declares kube-prometheus-stack present (crdsPresent: true).
        await cluster.installPrometheusCrds();
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("starts as a full mesh", async () => {
        await up("mesh");
    });
    it("mesh → hybrid in one update is refused: preview names the way through top of rack", async () => {
        await refused("hybrid", /calico:bgp\.mode: this stack runs the node-to-node mesh, and going straight to hybrid is refused/);
    });
    it("mesh → top of rack", async () => { await up("tor"); });
    it("top of rack → route reflectors", async () => { await up("routeReflector"); });
    it("route reflectors → hybrid", async () => { await up("hybrid"); });
    it("hybrid → mesh in one update is refused: the mesh gate could never pass", async () => {
        await refused("mesh", /calico:bgp\.mode: this stack runs hybrid .*going straight to the mesh is refused/);
    });
    it("hybrid → top of rack", async () => { await up("tor"); });
    it("top of rack → hybrid", async () => { await up("hybrid"); });
    it("hybrid → route reflectors", async () => { await up("routeReflector"); });
    it("route reflectors → top of rack", async () => { await up("tor"); });
    it("top of rack → mesh; a second preview shows no change", async () => {
        await up("mesh");
        await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
    });
});
