/**
 * The session-by-session view of a BGP topology change (`plan --from`): the sessions every node has
 * after each step, in the order the engine runs the update, and a refusal when any node would be
 * left without one. The real order of the same steps is proven in e2e/scenarios/mesh-to-reflectors.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runPlan } from "../../cli/plan";
import { loadSettings } from "../../lib/config/load";
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
        assert.deepEqual(s.map((x) => x.title.replace(/:.*/, "")), ["before", "apply", "apply", "wait", "apply after the gate"]);
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

    it("refuses a migration that would isolate nodes, naming them and the step", () => {
        const a = settings(meshOf(stack("large")));
        const b = settings(stack("large"));
        // The reflectors' cluster IDs without the BGPPeer that connects them: they leave the mesh with nothing.
        const broken = planResources(b).filter((p) => !p.name.endsWith("bgppeer-peer-with-route-reflectors"));
        const r = planMigration(a, planResources(a), b, broken);
        assert.equal(r.refused, true);
        const step = r.steps.find((x) => x.error)!;
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
