/**
 * A config error under the real CLI: `pulumi preview` and `pulumi up` exit non-zero, print every
 * key-path error once, with no JavaScript stack trace and no "unhandled exception" banner, and
 * create nothing (defect: a plain Error printed a stack trace).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";

describe("e2e: a config error", function () {
    this.timeout(10 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    before(() => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", "Pulumi.dev.yaml"));
        ws = new Workspace("config-error", cluster.kubeconfig);
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("preview and up fail with every key path, no stack trace, nothing created", async () => {
        await ws.initStack("dev");
        await ws.ok("config set bad values", ["config", "set", "--stack", "dev", "--path", "calico:cluster.nodeCount", "0"]);
        await ws.ok("config set bad values", ["config", "set", "--stack", "dev", "--path", "calico:network.ipPools[0].cidr", "192.168.0.0/33"]);
        await ws.ok("config set bad values", ["config", "set", "--stack", "dev", "--path", "calico:bgp.asNumber", "0"]);
        for (const cmd of [["preview"], ["up", "--yes"]]) {
            const r = await ws.pulumi(cmd.join(" "), [...cmd, "--stack", "dev"]);
            const out = r.stdout + r.stderr;
            assert.notEqual(r.code, 0, out);
            for (const key of ["calico:cluster.nodeCount", "calico:network.ipPools[0].cidr", "calico:bgp.asNumber"]) assert.ok(out.includes(key), `${key} missing:\n${out}`);
            assert.doesNotMatch(out, /unhandled exception|^\s+at .+\(.+:\d+:\d+\)$/m, out);
            assert.doesNotMatch(out, /Program exited with non-zero exit code/, "the CLI printed a second, generic error");
        }
        const state = JSON.parse(ws.stateText("dev") || "{}");
        const resources = state.checkpoint?.latest?.resources ?? [];
        assert.deepEqual(resources.filter((r: any) => r.type !== "pulumi:pulumi:Stack").map((r: any) => r.urn), []);
        // The only CRD is the test cluster's own (kwok's Logs, e2e/cluster.sh).
        const crds = (await cluster.kube.list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).map((c) => c.metadata.name);
        assert.deepEqual(crds.filter((n) => !n.endsWith(".kwok.x-k8s.io")), [], "CRDs were created");
    });
});
