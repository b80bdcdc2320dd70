/**
 * `plan --from OLD_STACK_FILE`: the steps from the deployed config to the new one, for version
 * changes (the upgrade order and the support-matrix path) and plain resource changes.
 */
import { strict as assert } from "node:assert";
import { runPlan } from "../../cli/plan";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { writeStackFile, type RawConfig } from "../support/configs";
import { baseFor } from "../config/upstream-agreement";

function plan(next: RawConfig, old: RawConfig, json = false) {
    let stdout = "";
    let stderr = "";
    const code = runPlan(["--stack-file", writeStackFile(next), "--from", writeStackFile(old), ...(json ? ["--json"] : [])], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}
/** The v3.27.3 base upgraded: v3.31.3 with the same pools (a pool change waits for an update of its own). */
const upgraded = () => ((c: RawConfig) => ((c["calico:network"].ipPools = baseFor("v3.27.3")["calico:network"].ipPools), c))(baseFor("v3.31.3"));
const withPeer = (c: RawConfig) => ((c["calico:bgp"] = { peers: [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000 }] }), c);

describe("plan --from", () => {
    it("v3.27.3 on 1.28 → v3.31.3 on 1.33: Kubernetes first, then CRDs, operator, the version wait, calicoctl objects", () => {
        const r = plan(withPeer(upgraded()), withPeer(baseFor("v3.27.3")), true);
        assert.equal(r.code, 0, r.stderr);
        const m = JSON.parse(r.stdout).migration;
        assert.deepEqual(m.from, { calicoVersion: "v3.27.3", kubernetesVersion: "1.28" });
        const titles: string[] = m.steps.map((s: { title: string }) => s.title);
        const at = (re: RegExp) => titles.findIndex((t) => re.test(t));
        const order = [/^before this change: upgrade Kubernetes 1\.28 → 1\.33/, /^CRDs: operator-crds\.yaml/, /^operator: tigera-operator v1\.32\.7 → v1\.40\.3/, /^wait: Installation default reports Calico v3\.31\.3/, /^calicoctl objects, after the wait/];
        const idx = order.map(at);
        assert.ok(idx.every((i) => i >= 0), titles.join("\n"));
        assert.deepEqual([...idx].sort((a, b) => a - b), idx, "steps out of order");
        assert.match(JSON.stringify(m.steps[0].details), /1\.30, 1\.31/, "names the minors neither release is tested on");
        assert.match(JSON.stringify(m.steps), /no CRD is deleted or replaced/);
        // Their commands name no version (they run the calicoctl the cluster's version calls for), so
        // the upgrade re-applies none whose object did not change.
        const calicoctl = m.steps[idx[4]];
        assert.deepEqual(calicoctl.details, ["none is re-applied: their objects did not change, and each command runs the calicoctl of the version the cluster runs"]);
        assert.doesNotMatch(JSON.stringify(m.steps), /update calico-bgppeer-edge/);
        assert.equal(m.refused, false);
    });

    it("a version change re-applies only the calicoctl objects whose rendering changed", () => {
        const next = withPeer(upgraded());
        (next["calico:bgp"] as any).peers[0].asNumber = 65001;
        const m = JSON.parse(plan(next, withPeer(baseFor("v3.27.3")), true).stdout).migration;
        const step = m.steps.find((x: { title: string }) => /^calicoctl objects, after the wait/.test(x.title));
        assert.deepEqual(step.details, ["re-applied with calicoctl v3.31.3 because their objects changed: calico-bgppeer-edge"]);
    });

    it("the v3.27.3 Typha metrics Service is released to the new operator, not deleted", () => {
        const r = plan(upgraded(), baseFor("v3.27.3"));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /release calico-typha-metrics-service \(left in the cluster/);
        assert.doesNotMatch(r.stdout, /delete calico-typha-metrics-service/);
    });

    it("a downgrade is refused: exit 2 with the reason", () => {
        const r = plan(baseFor("v3.27.3"), baseFor("v3.31.3"), true);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /going back to v3\.27\.3 is refused/);
        assert.equal(JSON.parse(r.stdout).valid, false);
    });

    it("an upgrade that also deletes a Calico object is an error", () => {
        const r = plan(upgraded(), withPeer(baseFor("v3.27.3")));
        assert.equal(r.code, 2);
        assert.match(r.stdout, /\[ERROR\] Calico objects deleted during the upgrade/);
        assert.match(r.stderr, /bgppeer-edge/);
    });

    it("a pool change the operator would not carry through is refused, as the program refuses it", () => {
        const old = baseFor("v3.27.3");
        const next = baseFor("v3.27.3");
        next["calico:network"].ipPools[0].encapsulation = next["calico:network"].ipPools[0].encapsulation === "VXLAN" ? "IPIP" : "VXLAN";
        const r = plan(next, old, true);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /calico:network\.ipPools: changing the IPv4 pool .*operator v1\.32\.7 hands the pool to calico-node/);
        assert.equal(JSON.parse(r.stdout).valid, false);
    });

    it("without a version change it lists the resource changes", () => {
        assert.match(plan(baseFor("v3.31.3"), baseFor("v3.31.3")).stdout, /nothing changes/);
        const r = plan(withPeer(baseFor("v3.31.3")), baseFor("v3.31.3"));
        assert.equal(r.code, 0);
        assert.match(r.stdout, /create calico-bgppeer-edge/);
    });

    it("a renamed cluster lists every replacement the new clusterIdentifier causes, and is refused", () => {
        const renamed = baseFor("v3.31.3");
        renamed["calico:cluster"].name = "t2";
        const r = plan(renamed, baseFor("v3.31.3"), true);
        assert.equal(r.code, 2);
        const m = JSON.parse(r.stdout).migration;
        // Every Kubernetes resource (objects, manifests, charts) is replaced; commands are not the Kubernetes provider's.
        const kube = planResources(loadSettings(renamed).settings).filter((p) => p.type.startsWith("kubernetes:")).map((p) => p.name).sort();
        assert.ok(kube.length > 5);
        assert.deepEqual([...m.resources.replace].sort(), kube);
        assert.deepEqual(m.resources.update, []);
        assert.match(m.steps[0].title, /^cluster identity: t → t2/);
        assert.match(m.steps[0].error, /would replace the provider and with it every resource it manages: the CRDs \(deleting every Calico object in the cluster\)/);
        assert.match(m.steps[0].error, /set calico:cluster\.identifier to "t"/);
        // Keeping the identity: nothing is replaced, and the rename changes nothing in the cluster.
        renamed["calico:cluster"].identifier = "t";
        const kept = plan(renamed, baseFor("v3.31.3"), true);
        assert.equal(kept.code, 0, kept.stderr);
        assert.deepEqual(JSON.parse(kept.stdout).migration.resources, { create: [], update: [], replace: [], delete: [] });
    });

    it("a changed object name or namespace under the same resource is listed as a replacement", () => {
        const monitored = () => ((c: RawConfig) => ((c["calico:monitoring"] = { serviceMonitors: { crdsPresent: true } }), c))(baseFor("v3.31.3"));
        const moved = monitored();
        moved["calico:monitoring"].namespace = "observability";
        const r = plan(moved, monitored(), true);
        const m = JSON.parse(r.stdout).migration;
        assert.ok(m.resources.replace.length > 0, JSON.stringify(m.resources));
        assert.match(JSON.stringify(m.steps), /replace calico-servicemonitor-calico-felix \(deleted and created again: ServiceMonitor monitoring\/calico-felix → ServiceMonitor observability\/calico-felix\)/);
    });

    it("an invalid --from config exits 2 and says it is the --from one", () => {
        const bad = baseFor("v3.31.3");
        bad["calico:cluster"].nodeCount = 0;
        const r = plan(baseFor("v3.31.3"), bad);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--from .* is not a valid stack config:[\s\S]*calico:cluster\.nodeCount/);
    });
});
