/**
 * The BGP session gate's evaluator (lib/render/scripts/bgp-gate-evaluate.js) on Node, pod and
 * CalicoNodeStatus fixtures: who must pass, which statuses count, and what a failure names.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRIPTS_DIR } from "../../lib/render/scripts";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gate = require(join(SCRIPTS_DIR, "bgp-gate-evaluate.js")) as {
    evaluate(req: unknown, notReady: "block" | "skip", nodes: unknown[], pods: unknown[], statuses: unknown[]): { ok: boolean; required: string[]; skipped: string[]; missing: string[] };
    verdictLine(v: unknown): string;
    probeFor(node: string, period: number): { metadata: { name: string; labels: Record<string, string> }; spec: { node: string; updatePeriodSeconds: number } };
};

const CREATED = "2026-12-06T10:00:00Z";
const node = (name: string, ip: string, opts: { ready?: boolean; unschedulable?: boolean; labels?: Record<string, string>; annotationIP?: string } = {}) => ({
    metadata: { name, labels: opts.labels ?? {}, annotations: opts.annotationIP ? { "projectcalico.org/IPv4Address": `${opts.annotationIP}/24` } : {} },
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
});
const pod = (nodeName: string, phase = "Running") => ({ spec: { nodeName }, status: { phase } });
const status = (nodeName: string, peers: { peerIP: string; type?: string; state?: string }[], lastUpdated = "2026-12-06T10:00:05Z") => ({
    metadata: { creationTimestamp: CREATED },
    spec: { node: nodeName },
    status: { lastUpdated, bgp: { peersV4: peers.map((p) => ({ type: "NodePeer", state: "Established", ...p })) } },
});
const rr = { mode: "routeReflector", reflectors: ["rr-1", "rr-2"] };
const nodes = [node("rr-1", "10.0.0.1"), node("rr-2", "10.0.0.2"), node("a", "10.0.1.1")];
const pods = nodes.map((n) => pod(n.metadata.name));
const allUp = [status("rr-1", [{ peerIP: "10.0.0.2" }]), status("rr-2", [{ peerIP: "10.0.0.1" }]), status("a", [{ peerIP: "10.0.0.1" }, { peerIP: "10.0.0.2" }])];

describe("BGP session gate evaluator", () => {
    it("passes when every node that runs calico-node has each session it needs, by peer address", () => {
        const v = gate.evaluate(rr, "block", nodes, pods, allUp);
        assert.deepEqual(v, { ok: true, required: ["rr-1", "rr-2", "a"], skipped: [], missing: [] });
        assert.equal(gate.verdictLine(v), "ok 3");
    });

    it("names what a node has and lacks, and why it is required", () => {
        const v = gate.evaluate(rr, "block", nodes, pods, [allUp[0], allUp[1], status("a", [{ peerIP: "10.0.0.1" }, { peerIP: "10.0.0.2", state: "Active" }])]);
        assert.equal(v.ok, false);
        assert.deepEqual(v.missing, ["a (has 1/2; lacks rr-2 10.0.0.2; required: runs calico-node)"]);
        assert.equal(gate.verdictLine(v), "missing 1 of 3: a (has 1/2; lacks rr-2 10.0.0.2; required: runs calico-node)");
    });

    it("the node's BGP address is calico-node's annotation before the kubelet's InternalIP", () => {
        const annotated = [node("rr-1", "192.168.0.1", { annotationIP: "10.0.0.1" }), nodes[1], nodes[2]];
        assert.equal(gate.evaluate(rr, "block", annotated, pods, allUp).ok, true);
    });

    it("mesh sessions count only in a mesh", () => {
        const meshOnly = [allUp[0], allUp[1], status("a", [{ peerIP: "10.0.0.1", type: "NodeMesh" }, { peerIP: "10.0.0.2", type: "NodeMesh" }])];
        assert.equal(gate.evaluate(rr, "block", nodes, pods, meshOnly).ok, false);
        const mesh = [status("rr-1", [{ peerIP: "10.0.0.2", type: "NodeMesh" }, { peerIP: "10.0.1.1", type: "NodeMesh" }]), status("rr-2", [{ peerIP: "10.0.0.1", type: "NodeMesh" }, { peerIP: "10.0.1.1", type: "NodeMesh" }]), meshOnly[2]];
        assert.equal(gate.evaluate({ mode: "mesh" }, "block", nodes, pods, mesh).ok, true);
    });

    it("a node that runs no calico-node (or whose pod has ended) is not required, and a mesh does not need sessions to it", () => {
        const windows = node("win-1", "10.0.2.1");
        const v = gate.evaluate({ mode: "mesh" }, "block", [...nodes, windows, node("done", "10.0.2.2")], [...pods, pod("done", "Succeeded")], [
            status("rr-1", [{ peerIP: "10.0.0.2" }, { peerIP: "10.0.1.1" }]),
            status("rr-2", [{ peerIP: "10.0.0.1" }, { peerIP: "10.0.1.1" }]),
            status("a", [{ peerIP: "10.0.0.1" }, { peerIP: "10.0.0.2" }]),
        ]);
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.deepEqual(v.skipped, ["win-1 (runs no calico-node)", "done (runs no calico-node)"]);
        assert.equal(gate.verdictLine(v), "ok 3; not required: win-1 (runs no calico-node), done (runs no calico-node)");
    });

    it("a NotReady or cordoned node blocks by default and is skipped, by name, with skip", () => {
        const sick = [nodes[0], nodes[1], node("a", "10.0.1.1", { ready: false }), node("b", "10.0.1.2", { unschedulable: true })];
        const sickPods = sick.map((n) => pod(n.metadata.name));
        const v = gate.evaluate(rr, "block", sick, sickPods, allUp);
        assert.deepEqual(v.missing, ["b (has 0/2; lacks rr-1 10.0.0.1, rr-2 10.0.0.2; no CalicoNodeStatus written since the gate started; required: runs calico-node, cordoned (calico:bgp.migration.notReadyNodes is block))"]);
        const s = gate.evaluate(rr, "skip", sick, sickPods, allUp);
        assert.equal(s.ok, true);
        assert.deepEqual(s.skipped, ["a (NotReady; calico:bgp.migration.notReadyNodes is skip)", "b (cordoned; calico:bgp.migration.notReadyNodes is skip)"]);
    });

    it("a status written before its probe existed (a stopped status reporter) does not count", () => {
        const stale = [allUp[0], allUp[1], status("a", [{ peerIP: "10.0.0.1" }, { peerIP: "10.0.0.2" }], "2026-12-06T09:59:00Z")];
        const v = gate.evaluate(rr, "block", nodes, pods, stale);
        assert.deepEqual(v.missing, ["a (has 0/2; lacks rr-1 10.0.0.1, rr-2 10.0.0.2; its CalicoNodeStatus is older than the gate (status reporter stopped?); required: runs calico-node)"]);
        // And none at all: a status without lastUpdated is not one calico-node wrote.
        const none = gate.evaluate(rr, "block", nodes, pods, [allUp[0], allUp[1], { ...allUp[2], status: { bgp: allUp[2].status.bgp } }]);
        assert.equal(none.ok, false);
    });

    it("a reflector missing from the cluster is a lacking session, not a pass", () => {
        const v = gate.evaluate({ mode: "routeReflector", reflectors: ["rr-1", "rr-2", "rr-9"] }, "block", nodes, pods, allUp);
        assert.match(v.missing.join("\n"), /a \(has 2\/3; lacks rr-9 \(not in the cluster\)/);
    });

    it("top of rack: a node needs its rack's switches, and a node without a rack fails", () => {
        const req = { mode: "tor", rackLabel: "rack", racks: { r1: { switches: ["192.168.1.1"] } } };
        const torNodes = [node("n1", "10.0.1.1", { labels: { rack: "r1" } }), node("stray", "10.0.9.9")];
        const v = gate.evaluate(req, "block", torNodes, torNodes.map((n) => pod(n.metadata.name)), [status("n1", [{ peerIP: "192.168.1.1", type: "GlobalPeer" }]), status("stray", [])]);
        assert.deepEqual(v.missing, ["stray (no rack: label rack missing or unknown; required: runs calico-node)"]);
    });

    it("probes are named by a hash of the node name, labelled, and refreshed at the given period", () => {
        const p = gate.probeFor("a".repeat(253), 5);
        assert.match(p.metadata.name, /^calico-pulumi-bgp-[0-9a-f]{10}$/);
        assert.deepEqual(p.metadata.labels, { "calico-pulumi/bgp-probe": "true" });
        assert.equal(p.spec.updatePeriodSeconds, 5);
    });

    it("the command line: no calico-node pod at all fails instead of passing vacuously", () => {
        const dir = mkdtempSync(join(tmpdir(), "gate-eval-"));
        const file = (name: string, items: unknown[]) => (writeFileSync(join(dir, name), JSON.stringify({ items })), join(dir, name));
        const src = require("node:fs").readFileSync(join(SCRIPTS_DIR, "bgp-gate-evaluate.js"), "utf8");
        const run = (podItems: unknown[]) => spawnSync("node", ["-e", src, "--", "--gate-evaluate", JSON.stringify(rr), "block", file("n.json", nodes), file("p.json", podItems), file("s.json", allUp)], { encoding: "utf8" }).stdout.trim();
        assert.equal(run(pods), "ok 3");
        assert.equal(run([]), "missing all: no calico-node pod found (namespace calico-system, label k8s-app=calico-node)");
    });
});
