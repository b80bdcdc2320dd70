/**
 * The network benchmark's objects in a real API server, through the real scheduler and kwok's
 * kubelets: the namespace, the two iperf3 server pods and the three client Jobs are accepted, each
 * pod lands on the node it is pinned to, and the Jobs' pods start (kwok then plays them to completion). The run itself (ping and iperf3
 * output) needs real nodes: kwok's pods run no container, so the parsers are tested on real output
 * captured on this machine (test/model/netbench.test.ts) and the run script against a fake kubectl
 * (test/render/benchmark.test.ts). Then `pulumi preview` of the dev stack with calico:benchmark set
 * shows the run, with the real engine.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadSettings } from "../../lib/config/load";
import { readStackConfig } from "../../lib/config/stackfile";
import { renderBenchmarkObjects } from "../../lib/render/benchmark";
import { toYaml } from "../../lib/render/objects";
import { BIN, Cluster, ROOT, Workspace, requireToolchain, sleep } from "../support/harness";

const STACK = "dev";

describe("e2e: network benchmark objects", function () {
    this.timeout(20 * 60_000);
    let cluster: Cluster;
    let ws: Workspace | undefined;
    const kubectl = (args: string[], input?: string) => spawnSync(join(BIN, "kubectl"), args, { input, encoding: "utf8", env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });

    before(() => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "3" });
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("the API server accepts them, the scheduler pins each pod to its node, and the Jobs' pods start", async () => {
        const nodes = kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]).stdout.split(" ").sort();
        assert.ok(nodes.length >= 2, nodes.join(","));
        const raw = { ...readStackConfig(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`)), "calico:benchmark": { enabled: true, nodes: [nodes[0], nodes[1]] } };
        const manifests = renderBenchmarkObjects(loadSettings(raw).settings).map(toYaml).join("---\n").replace(/__(HOST|POD)_SERVER_IP__/g, "10.10.0.2");
        const r = kubectl(["apply", "-f", "-"], manifests);
        assert.equal(r.status, 0, r.stderr);
        const deadline = Date.now() + 120_000;
        let pods: { name: string; node: string; phase: string; job?: string }[] = [];
        // Servers run; kwok plays a Job's pod to completion (it runs no container).
        const started = (p: { phase: string; job?: string }) => p.phase === "Running" || (p.job !== undefined && p.phase === "Succeeded");
        while (Date.now() < deadline) {
            const list = JSON.parse(kubectl(["get", "pods", "-n", "calico-benchmark", "-o", "json"]).stdout).items;
            pods = list.map((p: any) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status.phase, job: p.metadata.labels["job-name"] }));
            if (pods.length === 5 && pods.every(started)) break;
            await sleep(1000);
        }
        assert.equal(pods.length, 5, JSON.stringify(pods));
        for (const p of pods) {
            assert.ok(started(p), JSON.stringify(p));
            assert.equal(p.node, p.job ? nodes[0] : nodes[1], `${p.name} is not on its pinned node`);
        }
        assert.deepEqual(pods.filter((p) => p.job).map((p) => p.job).sort(), ["bench-node-node", "bench-node-pod", "bench-pod-pod"]);
        assert.equal(kubectl(["delete", "namespace", "calico-benchmark", "--wait=false"]).status, 0);
    });

    it("pulumi preview with calico:benchmark set shows the run", async () => {
        ws = new Workspace("benchmark", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:benchmark.enabled": "true", "calico:benchmark.nodes[0]": "node-1", "calico:benchmark.nodes[1]": "node-2" });
        const r = await ws.pulumi("preview (benchmark)", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        assert.equal(r.code, 0, r.stderr);
        const steps: { op: string; urn: string }[] = JSON.parse(r.stdout).steps ?? [];
        assert.ok(steps.some((s) => s.op === "create" && s.urn.endsWith("::calico-network-benchmark")), steps.map((s) => s.urn).join("\n"));
    });
});
