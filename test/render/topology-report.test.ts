import { strict as assert } from "node:assert";
import { ConfigValidationError } from "../../lib/config/errors";
import { loadSettings } from "../../lib/pipeline";
import { renderMermaid } from "../../lib/render/topology-report";
import { topologyOf as reportTopology } from "../../lib/render/bgp";
import { readStackConfig } from "../../lib/config/stackfile";
import { join } from "node:path";

const stack = (name: string) => loadSettings(readStackConfig(join(__dirname, "..", "..", "stacks", `Pulumi.${name}.yaml`))).settings;

describe("topology report (from the rendered BGP objects)", () => {
    it("counts full-mesh sessions as n(n-1)/2", () => {
        const t = reportTopology(stack("small"));
        assert.equal(t.sessions, (40 * 39) / 2);
    });
    it("route reflectors: clients reach every reflector, reflectors peer with each other", () => {
        const s = stack("large");
        const t = reportTopology(s);
        // 397 clients × 3 reflectors + 3 reflector-reflector sessions
        assert.equal(t.sessions, 397 * 3 + 3);
        assert.ok(t.checks.every((c) => c.ok), JSON.stringify(t.checks));
        const rr1 = t.nodes.find((n) => n.node === "rr-1")!;
        assert.equal(rr1.role, "reflector");
        assert.deepEqual(rr1.peers.slice(0, 2), ["rr-2", "rr-3"]);
    });
    it("top of rack: every rack's nodes peer with their own switches only", () => {
        const t = reportTopology(stack("tor"));
        assert.equal(t.sessions, 8 * 2);
        const n = t.nodes.find((x) => x.node === "node-r2-a")!;
        assert.deepEqual(n.peers, ["tor-r2-a", "tor-r2-b"]);
        assert.ok(t.checks.every((c) => c.ok));
    });
    it("flags declared nodes that no rack covers, and notes undeclared ones", () => {
        const raw = readStackConfig(join(__dirname, "..", "..", "stacks", "Pulumi.tor.yaml"));
        (raw["calico:cluster"] as any).nodeCount = 12;
        (raw["calico:cluster"] as any).nodes = [{ name: "stray-1" }, { name: "stray-2", labels: { rack: "r9" } }];
        // A failed check is an error before anything is registered (plan exit 2, the program a RunError).
        assert.throws(() => loadSettings(raw), (e: ConfigValidationError) => {
            assert.equal(e.issues.length, 1);
            assert.equal(e.issues[0].path, "calico:bgp.tor.racks");
            assert.match(e.issues[0].message, /^topology check failed: 2 declared node\(s\) .*\(stray-1, stray-2\)/);
            return true;
        });
        // Undeclared nodes are a note, not a failure.
        (raw["calico:cluster"] as any).nodes = [];
        const t = reportTopology(loadSettings(raw).settings);
        assert.match(t.checks.find((c) => c.id === "undeclared-nodes")!.message, /^4 node\(s\) are not declared: each must carry the label rack=<rack>/);
    });
    it("a single reflector passes only when allowed, and the check says what it risks", () => {
        const raw = readStackConfig(join(__dirname, "..", "..", "stacks", "Pulumi.large.yaml"));
        (raw["calico:bgp"] as any).routeReflectors = { nodes: ["rr-1"], allowSingleReflector: true };
        const check = reportTopology(loadSettings(raw).settings).checks.find((c) => c.id === "clients-reach-two-reflectors")!;
        assert.equal(check.ok, true);
        assert.match(check.message, /allowSingleReflector: losing it drops every route/);
    });
    it("draws the topology as Mermaid", () => {
        const s = stack("large");
        const m = renderMermaid(s, reportTopology(s));
        assert.match(m, /^graph LR/);
        assert.match(m, /rr_1 --- rr_2/);
        assert.match(m, /clients --- rr_3/);
    });
});
