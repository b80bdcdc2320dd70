/**
 * The session-by-session view of a BGP topology change (`plan --from`): the sessions every node has
 * after each step, in the order the engine runs the update, and a refusal when any node would be
 * left without one. The real order of the same steps is proven in e2e/scenarios/mesh-to-reflectors.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runPlan } from "../../cli/plan";
import { loadSettings } from "../../lib/pipeline";
import { readStackConfig } from "../../lib/config/stackfile";
import { planResources } from "../../lib/render";
import { planMigration, sessionSteps, type SessionStep } from "../../lib/render/migration";
import { countSessions } from "../../lib/model/sessions";
import { writeStackFile, type RawConfig } from "../support/configs";

const stack = (name: string): RawConfig => readStackConfig(join(__dirname, "..", "..", "stacks", `Pulumi.${name}.yaml`));
const meshOf = (c: RawConfig): RawConfig => ((c["calico:bgp"] = { ...(c["calico:bgp"] as object), mode: "mesh", routeReflectors: undefined, tor: undefined }), JSON.parse(JSON.stringify(c)));
const rrOf = (c: RawConfig, nodes: string[]): RawConfig => ((c["calico:bgp"] = { mode: "routeReflector", routeReflectors: { nodes } }), c);
const settings = (c: RawConfig) => loadSettings(c).settings;
const steps = (a: RawConfig, b: RawConfig): SessionStep[] => sessionSteps(settings(a), planResources(settings(a)), settings(b), planResources(settings(b)));
const fewest = (s: SessionStep) => Math.min(...s.nodes.map((n) => n.inCluster + n.external));
const of = (s: SessionStep, node: string) => s.nodes.find((n) => n.node === node)!;

describe("migration sessions, step by step", () => {
    it("mesh → reflectors: the reflector BGPPeer, then the cluster IDs, then the gate, then the mesh off; nobody isolated", () => {
        const s = steps(meshOf(stack("large")), stack("large"));
        assert.deepEqual(s.map((x) => x.title.replace(/:.*/, "")), ["before", "apply", "apply", "wait", "apply after calico-wait-bgp-sessions"]);
        assert.match(s[1].title, /bgppeer-peer-with-route-reflectors$/);
        assert.match(s[2].title, /rr-node-rr-1, calico-rr-node-rr-2, calico-rr-node-rr-3$/);
        assert.match(s[4].title, /bgpconfiguration-default$/);
        for (const x of s) assert.deepEqual(x.isolated, [], x.title);
        // A reflector with its cluster ID has left the mesh but peers with every node through the BGPPeer.
        assert.equal(of(s[2], "rr-1").inCluster, 399);
        // At the end every client has one session per reflector.
        assert.equal(of(s[4], "<397 undeclared nodes>").inCluster, 3);
    });

    it("reflectors → mesh: the mesh first, the gate, the reflector objects deleted last", () => {
        const s = steps(stack("large"), meshOf(stack("large")));
        assert.deepEqual(s.map((x) => x.title.replace(/:.*/, "")), ["before", "apply", "wait", "delete"]);
        assert.equal(fewest(s[1]), 399, "the mesh is whole before anything of the reflectors goes");
        for (const x of s) assert.deepEqual(x.isolated, [], x.title);
    });

    for (const [name, from, to] of [
        ["mesh → top of rack", () => meshOf(stack("tor")), () => stack("tor")],
        ["top of rack → mesh", () => stack("tor"), () => meshOf(stack("tor"))],
        ["top of rack → reflectors", () => stack("tor"), () => rrOf(stack("tor"), ["node-r1-a", "node-r2-a"])],
        ["reflectors → top of rack", () => rrOf(stack("tor"), ["node-r1-a", "node-r2-a"]), () => stack("tor")],
    ] as const) {
        it(`${name}: every node keeps a session at every step`, () => {
            const s = steps(from(), to());
            assert.ok(s.length >= 3, s.map((x) => x.title).join("\n"));
            for (const x of s) assert.deepEqual(x.isolated, [], x.title);
            assert.ok(s.every((x) => fewest(x) >= 1));
        });
    }

    // Every node declared: the session model cannot give undeclared nodes the rack label provisioning gives them.
    const declaredOnly = (c: RawConfig): RawConfig => ((c["calico:cluster"] = { ...(c["calico:cluster"] as object), nodeCount: 12 }), c);
    const hybrid = () => declaredOnly(stack("hybrid"));
    const torOfHybrid = (): RawConfig => { const c = hybrid(); const b = c["calico:bgp"] as Record<string, unknown>; c["calico:bgp"] = { ...b, mode: "tor", routeReflectors: undefined }; return JSON.parse(JSON.stringify(c)); };
    const rrOfHybrid = (): RawConfig => { const c = hybrid(); const b = c["calico:bgp"] as Record<string, unknown>; c["calico:bgp"] = { ...b, mode: "routeReflector", tor: undefined }; return JSON.parse(JSON.stringify(c)); };
    for (const [name, from, to] of [
        ["top of rack → hybrid", torOfHybrid, hybrid],
        ["hybrid → top of rack", hybrid, torOfHybrid],
        ["reflectors → hybrid", rrOfHybrid, hybrid],
        ["hybrid → reflectors", hybrid, rrOfHybrid],
    ] as const) {
        it(`${name}: every node keeps a session at every step; what narrows sessions waits for a gate`, () => {
            const s = steps(from(), to());
            for (const x of s) assert.deepEqual(x.isolated, [], x.title);
            const deleteStep = s.findIndex((x) => x.title.startsWith("delete"));
            const lastWait = s.map((x) => x.title.startsWith("wait")).lastIndexOf(true);
            assert.ok(lastWait > 0, "no gate ran");
            if (deleteStep >= 0) assert.ok(lastWait < deleteStep, "old sessions were deleted before the last gate");
        });
    }

    it("top of rack → hybrid: the clients gain their reflectors, the first gate, the switch peers narrow to the reflectors, the second gate", () => {
        const s = steps(torOfHybrid(), hybrid());
        const titles = s.map((x) => x.title);
        const gateA = titles.findIndex((t) => t.startsWith("wait: calico-wait-bgp-sessions"));
        const narrow = titles.findIndex((t) => /apply after calico-wait-bgp-sessions: .*calico-bgppeer-tor-r1-a/.test(t));
        const gateB = titles.findIndex((t) => t.startsWith("wait: calico-wait-bgp-switch-sessions"));
        assert.ok(gateA > 0 && narrow > gateA && gateB > narrow, titles.join("\n"));
        // Before the switch peers narrow, a declared client has both switches and both reflectors.
        assert.deepEqual([of(s[gateA], "node-r1-01").inCluster, of(s[gateA], "node-r1-01").external], [2, 2]);
        // After: only its two reflectors; the reflectors keep the switches.
        assert.deepEqual([of(s[narrow], "node-r1-01").inCluster, of(s[narrow], "node-r1-01").external], [2, 0]);
        assert.equal(of(s[narrow], "rr-r1-a").external, 2);
    });

    it("refuses a migration that would isolate nodes, naming them and the step", () => {
        const a = settings(meshOf(stack("large")));
        const b = settings(stack("large"));
        // The reflectors' cluster IDs without the BGPPeer that connects them: they leave the mesh with nothing.
        const broken = planResources(b).filter((p) => !p.name.endsWith("bgppeer-peer-with-route-reflectors"));
        const r = planMigration(a, planResources(a), b, broken);
        assert.equal(r.refused, true);
        // Both rules fire: sessions go before a gate, and the reflectors are left with none.
        assert.match(r.steps.find((x) => x.error)!.error!, /drop sessions of rr-1, rr-2, rr-3.* before the new sessions are Established/);
        const step = r.steps.find((x) => x.error && /without a BGP session/.test(x.error))!;
        assert.match(step.details.join("\n"), /rr-1, rr-2, rr-3 without any session/);
        assert.match(step.error!, /would leave .*rr-1.* without a BGP session/);
    });

    it("counts by calico-node's rules: a cluster ID leaves the mesh, BGPPeers work in both directions", () => {
        const labels = new Map<string, Record<string, string>>([["a", { rr: "true" }], ["b", {}], ["c", {}]]);
        const mesh = countSessions({ meshEnabled: true, peers: [], nodeLabels: labels, reflectorNodes: new Set(["a"]) }, 3);
        assert.deepEqual(mesh.isolated, ["a"]);
        assert.equal(mesh.nodes.find((n) => n.node === "b")!.inCluster, 1);
        // Only the reflector's side is selected by nodeSelector; the clients get the session from the peerSelector side.
        const rr = countSessions({ meshEnabled: false, peers: [{ name: "p", nodeSelector: "rr == 'true'", peerSelector: "all()" }], nodeLabels: labels, reflectorNodes: new Set(["a"]) }, 5);
        assert.deepEqual(rr.nodes.map((n) => [n.node, n.inCluster]), [["a", 4], ["b", 1], ["c", 1], ["<2 undeclared nodes>", 1]]);
        assert.deepEqual(rr.isolated, []);
    });

    it("plan --from prints the sessions after each step, and --json carries them", () => {
        const io = () => { let out = ""; return { io: { stdout: (t: string) => void (out += t), stderr: () => undefined }, get: () => out }; };
        const t = io();
        assert.equal(runPlan(["--stack-file", writeStackFile(stack("large")), "--from", writeStackFile(meshOf(stack("large")))], t.io), 0);
        assert.match(t.get(), /BGP sessions after each step[^\n]*\n  0\. before: as deployed\n     fewest: 399/);
        const j = io();
        assert.equal(runPlan(["--stack-file", writeStackFile(stack("large")), "--from", writeStackFile(meshOf(stack("large"))), "--json"], j.io), 0);
        const m = JSON.parse(j.get()).migration;
        assert.equal(m.sessions.length, 5);
        assert.deepEqual(m.sessions.flatMap((x: SessionStep) => x.isolated), []);
    });
});
