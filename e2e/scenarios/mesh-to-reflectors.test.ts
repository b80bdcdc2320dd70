/**
 * Mesh → route reflectors → mesh on a cluster of 20 fake nodes, with the real CLI and providers,
 * and the simulated calico-node sessions (e2e/simulator/bgp.ts) derived from the objects in the API
 * server. Proves with the API server's watch history and the simulator's session log:
 *  - the reflector BGPPeer, the reflectors' labels and cluster IDs were in place, and every node
 *    had its reflector sessions Established, before nodeToNodeMeshEnabled=false;
 *  - no node was without an Established session at any moment the simulator observed;
 *  - the way back turns the mesh on before the reflector configuration goes;
 *  - when sessions never come up, `up` fails with the gate's message and the mesh stays on.
 */
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, WatchRecorder, requireToolchain } from "../support/harness";
import { PATHS } from "../simulator/kube";

const STACK = "large";
const REFLECTORS = ["rr-1", "rr-2", "rr-3"];

/** For each node: the first time it had an Established session, and any later moment it had none. */
function isolations(cluster: Cluster): string[] {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const h of cluster.bgpHistory()) {
        if (h.established > 0) seen.add(h.node);
        else if (seen.has(h.node)) out.push(`${h.node} at ${new Date(h.t).toISOString()} (${JSON.stringify(h.sessions)})`);
    }
    return out;
}

/** When each node first had all its reflector sessions Established. */
function reflectorSessionsUp(cluster: Cluster): Map<string, number> {
    const out = new Map<string, number>();
    for (const h of cluster.bgpHistory()) {
        const need = REFLECTORS.includes(h.node) ? REFLECTORS.length - 1 : REFLECTORS.length;
        const have = h.sessions.filter((s) => s.type !== "NodeMesh" && s.state === "Established").length;
        if (have >= need && !out.has(h.node)) out.set(h.node, h.t);
    }
    return out;
}

describe("e2e: mesh → route reflectors → mesh, and a gate failure", function () {
    this.timeout(40 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const set = (path: string, value: string) => ws.ok(`config set ${path}`, ["config", "set", "--stack", STACK, "--path", path, value]);
    const rm = (path: string) => ws.ok(`config rm ${path}`, ["config", "rm", "--stack", STACK, "--path", path]);
    /** `pulumi up`, recording the watch events of nodes, BGPPeers and BGPConfigurations it causes. */
    const upWatched = async (label: string) => {
        const watch = new WatchRecorder(cluster.kube, [PATHS.nodes, PATHS.calico("bgppeers"), PATHS.calico("bgpconfigurations")]);
        const t0 = Date.now();
        try {
            await ws.ok(label, ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        } finally {
            watch.stop();
        }
        return watch.events.filter((e) => e.t >= t0);
    };
    const meshConfig = async () => {
        await set("calico:bgp.mode", "mesh");
        await rm("calico:bgp.routeReflectors");
    };
    const reflectorConfig = async () => {
        await set("calico:bgp.mode", "routeReflector");
        for (const [i, n] of REFLECTORS.entries()) await set(`calico:bgp.routeReflectors.nodes[${i}]`, n);
        await set("calico:bgp.routeReflectors.clusterId", "244.0.0.1");
    };

    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "20", E2E_BGP_DELAY_SECONDS: "3" });
        ws = new Workspace("mesh-to-rr", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl("v3.31.3") });
        // A 20-node cluster without a Prometheus install (not what this scenario is about).
        await set("calico:cluster.nodeCount", "20");
        await set("calico:monitoring.install.prometheus", "false");
        await set("calico:bgp.migration.pollIntervalSeconds", "2");
        await set("calico:bgp.migration.waitTimeoutSeconds", "120");
        await meshConfig();
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("starts as a full mesh: up waits until every node has a session to every other node", async () => {
        const r = await ws.ok("up (mesh)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.match(r.stdout + r.stderr, /BGP session gate passed|wait-bgp-sessions/);
        const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, true);
        const last = new Map(cluster.bgpHistory().map((h) => [h.node, h]));
        assert.equal(last.size, 20);
        for (const [node, h] of last) assert.equal(h.established, 19, `${node} has ${h.established} of 19 mesh sessions`);
    });

    it("mesh → reflectors: peers, labels and cluster IDs first, every node's sessions Established, then the mesh goes off", async () => {
        await reflectorConfig();
        const after = await upWatched("up (mesh → reflectors)");
        const meshOff = after.find((e) => e.object.kind === "BGPConfiguration" && e.object.spec?.nodeToNodeMeshEnabled === false);
        assert.ok(meshOff, "the mesh was never turned off");
        const peerAdded = after.find((e) => e.type === "ADDED" && e.object.metadata.name === "peer-with-route-reflectors");
        assert.ok(peerAdded && peerAdded.t <= meshOff.t, "the reflector BGPPeer was not there before the mesh went off");
        for (const rr of REFLECTORS) {
            const patched = after.find((e) => e.object.kind === "Node" && e.object.metadata.name === rr && e.object.metadata.annotations?.["projectcalico.org/RouteReflectorClusterID"] === "244.0.0.1" && e.object.metadata.labels?.["route-reflector"] === "true");
            assert.ok(patched && patched.t <= meshOff.t, `${rr}: label and cluster ID were not in place before the mesh went off`);
            assert.ok(patched.t >= peerAdded.t, `${rr} got its cluster ID before the reflector BGPPeer existed (it would have left the mesh with no peers)`);
        }
        const up = reflectorSessionsUp(cluster);
        assert.equal(up.size, 20, `only ${up.size} nodes ever had all their reflector sessions`);
        for (const [node, t] of up) assert.ok(t <= meshOff.t, `${node} had its reflector sessions only after the mesh went off`);
        assert.deepEqual(isolations(cluster), [], "a node was without any BGP session");
        const probes = await cluster.kube.list(PATHS.calico("caliconodestatuses"));
        assert.deepEqual(probes.map((p) => p.metadata.name), [], "the gate left its CalicoNodeStatus probes behind");
    });

    it("reflectors → mesh: the mesh comes back before the reflector configuration goes, and no node is isolated", async () => {
        await meshConfig();
        const after = await upWatched("up (reflectors → mesh)");
        const meshOn = after.find((e) => e.object.kind === "BGPConfiguration" && e.object.spec?.nodeToNodeMeshEnabled === true);
        const peerGone = after.find((e) => e.type === "DELETED" && e.object.metadata.name === "peer-with-route-reflectors");
        assert.ok(meshOn && peerGone && meshOn.t <= peerGone.t, "the reflector BGPPeer went before the mesh came back");
        for (const n of await cluster.kube.list(PATHS.nodes)) {
            assert.equal(n.metadata.labels?.["route-reflector"], undefined, `${n.metadata.name} kept the reflector label`);
            assert.equal(n.metadata.annotations?.["projectcalico.org/RouteReflectorClusterID"], undefined, `${n.metadata.name} kept its cluster ID`);
        }
        assert.deepEqual(isolations(cluster), [], "a node was without any BGP session");
    });

    it("a gate failure: sessions never come up, up fails with the documented message, the mesh stays on", async () => {
        writeFileSync(join(cluster.dir, "bgp-scenario"), "never\n");
        await set("calico:bgp.migration.waitTimeoutSeconds", "20");
        await reflectorConfig();
        const r = await ws.pulumi("up (gate never passes)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.notEqual(r.code, 0, "up passed although no reflector session came up");
        const out = r.stdout + r.stderr;
        assert.match(out, /BGP session gate: after 20s, nodes still lack their new BGP sessions/);
        assert.match(out, /Nothing that would drop their old sessions has run/);
        const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, true, "the mesh was turned off although the gate failed");
        // Every client keeps its mesh sessions. The reflectors left the mesh with their cluster ID
        // (as in Calico) and, with no session coming up, are the only nodes the failure isolates:
        // the README's runbook says to fix the sessions or revert calico:bgp before anything else.
        const isolated = new Set(isolations(cluster).map((l) => l.split(" ")[0]));
        for (const n of isolated) assert.ok(REFLECTORS.includes(n), `${n}, a client, lost every session`);
        console.log(`      [e2e] isolated by the failed gate: ${[...isolated].join(", ") || "none"}`);
    });

    it("only reflector-to-reflector sessions up, or flapping sessions: the gate fails again, naming the clients", async () => {
        for (const scenario of ["rr-only", "flap"]) {
            writeFileSync(join(cluster.dir, "bgp-scenario"), `${scenario}\n`);
            const r = await ws.pulumi(`up (sessions ${scenario})`, ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
            const out = r.stdout + r.stderr;
            assert.notEqual(r.code, 0, `${scenario}: up passed`);
            assert.match(out, /nodes still lack their new BGP sessions/, scenario);
            if (scenario === "rr-only") {
                assert.match(out, /: 17 of 20: /, "every client, and only the clients, should be missing");
                assert.match(out, /node-\d+ \(has 0\/3; lacks rr-1 [0-9.]+, rr-2 [0-9.]+, rr-3 [0-9.]+; required: runs calico-node\)/);
            }
            const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
            assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, true, `${scenario}: the mesh went off`);
        }
    });

    it("once the sessions come up, the same pulumi up completes the migration (the runbook's recovery)", async () => {
        writeFileSync(join(cluster.dir, "bgp-scenario"), "up\n");
        await ws.ok("up (recovered)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, false);
    });
});
