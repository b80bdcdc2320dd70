/**
 * Every migration between the supported BGP modes, in the order the engine would run it: the
 * dependsOn graph is the one the program *registers* under mocks (not the plan's), so a wiring
 * slip in components/ shows here. Over that graph the sessions of every node are counted after each
 * step (lib/render/migration sessionSteps, calico-node's rules in lib/model/sessions): nobody is
 * ever without a session, and every step that takes sessions away comes after a gate that follows
 * every step that added sessions. The real engine runs mesh → reflectors in
 * e2e/scenarios/mesh-to-reflectors and the other modes in e2e/scenarios/topology-migrations.
 */
import { strict as assert } from "node:assert";
import { runProgram } from "../../components/program";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { planMigration, sessionSteps, type SessionStep } from "../../lib/render/migration";
import { topologyChangeRefusal } from "../../lib/model/topology";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource } from "../../lib/render/resource-spec";
import { runStack, runStackSettled, setStackReferenceOutputs } from "../support/mocks";
import { toPulumiConfig, type RawConfig } from "../support/configs";
import { stackConfig } from "../support/stacks";

/** The hybrid stack's twelve declared nodes in each mode (the session model counts declared nodes by name). */
function inMode(mode: "mesh" | "routeReflector" | "tor" | "hybrid"): RawConfig {
    const c = stackConfig("hybrid");
    c["calico:cluster"] = { ...c["calico:cluster"], nodeCount: 12 };
    const bgp = { ...c["calico:bgp"], mode };
    if (mode === "mesh" || mode === "tor") delete bgp.routeReflectors;
    if (mode === "mesh" || mode === "routeReflector") delete bgp.tor;
    c["calico:bgp"] = bgp;
    return c;
}

const MODES = ["mesh", "routeReflector", "tor", "hybrid"] as const;
const total = (s: SessionStep, node: string) => { const n = s.nodes.find((x) => x.node === node); return n ? n.inCluster + n.external : 0; };

describe("every BGP mode migration, over the dependsOn graph the program registers", () => {
    const registered = new Map<string, PlannedResource[]>();
    const planned = new Map<string, PlannedResource[]>();
    before(async () => {
        for (const m of MODES) {
            const settings = loadSettings(inMode(m)).settings;
            const plan = planResources(settings);
            const run = await runStack(() => runProgram(toPulumiConfig(inMode(m))));
            const deps = new Map(run.registrations.filter((r) => !r.type.startsWith("calico:index:")).map((r) => [r.name, r.dependsOn]));
            planned.set(m, plan);
            registered.set(m, plan.map((p) => {
                assert.ok(deps.has(p.name), `${m}: ${p.name} was not registered`);
                return { ...p, dependsOn: deps.get(p.name)! };
            }));
        }
    });

    for (const from of MODES) for (const to of MODES) {
        if (from === to || [from, to].sort().join() === "hybrid,mesh") continue;
        it(`${from} → ${to}: new sessions come up before any old one goes; no node is ever without one`, () => {
            const s = sessionSteps(loadSettings(inMode(from)).settings, planned.get(from)!, loadSettings(inMode(to)).settings, registered.get(to)!);
            const trail = s.map((x, i) => `${i}. ${x.title}`).join("\n");
            for (const x of s) assert.deepEqual(x.isolated, [], `${x.title}\n${trail}`);
            assert.ok(s.some((x) => x.title.startsWith("wait:")), `no gate ran\n${trail}`);
            const nodes = s[0].nodes.map((n) => n.node);
            const moved = (i: number, sign: 1 | -1) => nodes.some((n) => sign * (total(s[i], n) - total(s[i - 1], n)) > 0);
            for (let i = 1; i < s.length; i++) {
                if (!moved(i, -1)) continue;
                // A step that takes sessions away waits for a gate that comes after every step that added some.
                let lastAdd = 0;
                for (let j = 1; j < i; j++) if (moved(j, 1)) lastAdd = j;
                const gated = s.slice(lastAdd + 1, i).some((x) => x.title.startsWith("wait:"));
                assert.ok(gated, `step ${i} drops sessions with no gate after step ${lastAdd}\n${trail}`);
            }
        });
    }

    // The one pair that is not hitless in one update: a reflector's cluster ID takes it out of the
    // mesh before its rack's switch sessions (and the other racks' sessions to it) are gated.
    it("mesh → hybrid: sessions would go before a gate, so plan --from refuses it and names the way through top of rack", () => {
        const from = loadSettings(inMode("mesh")).settings, to = loadSettings(inMode("hybrid")).settings;
        const s = sessionSteps(from, planned.get("mesh")!, to, registered.get("hybrid")!);
        const early = s.filter((x) => x.droppedBeforeGate.length);
        assert.ok(early.length, s.map((x) => x.title).join("\n"));
        // The reflectors leave the mesh (their cluster IDs) before the first gate; so do their clients' cross-rack sessions.
        assert.ok(early[0].droppedBeforeGate.includes("rr-r1-a") && early[0].droppedBeforeGate.includes("node-r2-01"), early[0].droppedBeforeGate.join(", "));
        const report = planMigration(from, planned.get("mesh")!, to, registered.get("hybrid")!);
        const err = report.steps.find((x) => x.error)?.error ?? "";
        assert.match(err, /before the new sessions are Established/);
        assert.match(err, /through tor or routeReflector/);
    });

    // The other way, the reflectors keep their cluster IDs (out of the mesh) until the deletes, after
    // the mesh gate, and in hybrid only their own rack reaches them: the gate could never pass.
    it("hybrid → mesh: the mesh gate could never pass, so plan --from refuses it and names the way through top of rack", () => {
        const from = loadSettings(inMode("hybrid")).settings, to = loadSettings(inMode("mesh")).settings;
        const s = sessionSteps(from, planned.get("hybrid")!, to, registered.get("mesh")!);
        const gate = s.find((x) => x.title.startsWith("wait:"))!;
        assert.deepEqual(gate.outOfMesh, ["rr-r1-a", "rr-r1-b", "rr-r2-a", "rr-r2-b", "rr-r3-a", "rr-r3-b"]);
        assert.ok(gate.unreachable!.includes("node-r1-01") && gate.unreachable!.includes("rr-r2-a"), gate.unreachable!.join(", "));
        const report = planMigration(from, planned.get("hybrid")!, to, registered.get("mesh")!);
        assert.equal(report.refused, true);
        assert.match(report.steps.find((x) => x.error)!.error!, /the mesh gate would time out: rr-r1-a, .* keep their route-reflector cluster IDs until after the gate.*through tor or routeReflector/);
    });

    it("route reflectors → mesh passes the same check: the reflectors peer with every node while they keep their cluster IDs", () => {
        const from = loadSettings(inMode("routeReflector")).settings, to = loadSettings(inMode("mesh")).settings;
        const gate = sessionSteps(from, planned.get("routeReflector")!, to, registered.get("mesh")!).find((x) => x.title.startsWith("wait:"))!;
        assert.equal(gate.outOfMesh!.length, 6);
        assert.deepEqual(gate.unreachable, []);
    });
});

describe("the program refuses mesh ↔ hybrid from the stack's own last outputs (mock runtime)", () => {
    const self = "organization/calico/test";
    afterEach(() => setStackReferenceOutputs(self, {}));

    it("mesh deployed, hybrid configured: a RunError naming the key and the way through, nothing of Calico registered", async () => {
        setStackReferenceOutputs(self, { bgp: { mode: "mesh" } });
        const run = await runStackSettled(() => runProgram(toPulumiConfig(inMode("hybrid"))));
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        assert.match((run.error as Error).message, /^calico:bgp\.mode: .*going straight to hybrid is refused.*mode "tor"/);
        assert.deepEqual(run.registrations.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), ["pulumi:pulumi:StackReference"]);
    });

    it("hybrid deployed, mesh configured: refused the same way", async () => {
        setStackReferenceOutputs(self, { bgp: { mode: "hybrid" } });
        const run = await runStackSettled(() => runProgram(toPulumiConfig(inMode("mesh"))));
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        assert.match((run.error as Error).message, /^calico:bgp\.mode: this stack runs hybrid .*going straight to the mesh is refused.*first mode "tor"/);
        assert.deepEqual(run.registrations.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), ["pulumi:pulumi:StackReference"]);
    });

    for (const [previous, next] of [["tor", "hybrid"], ["routeReflector", "hybrid"], ["hybrid", "tor"], ["hybrid", "routeReflector"], ["mesh", "tor"], [undefined, "hybrid"]] as const) {
        it(`${previous ?? "a new stack"} → ${next} is allowed`, async () => {
            setStackReferenceOutputs(self, previous ? { bgp: { mode: previous } } : {});
            const run = await runStackSettled(() => runProgram(toPulumiConfig(inMode(next))));
            assert.equal(run.error, undefined, String(run.error));
            assert.equal(topologyChangeRefusal(previous, next), undefined);
        });
    }
});
