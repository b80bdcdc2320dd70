/**
 * The network benchmark with the real engine, API server, scheduler and kwok's kubelets:
 *
 * - its objects (namespace, the two iperf3 server pods, the three client Jobs) are accepted, each
 *   pod lands on the node it is pinned to, and the Jobs' pods start;
 * - `pulumi up` with calico:benchmark runs it, and the stack output holds the numbers and the table
 *   of what the client containers printed. kwok's pods run no container, so what they print is
 *   played by the SIMULATOR (e2e/simulator/benchmark.ts): real ping and iperf3 output captured on
 *   this machine by test/fixtures/netbench/capture.sh, natively routed for an encapsulation `None`
 *   pool and through VXLAN for a VXLAN pool, served by kwok as the container log that `kubectl
 *   logs` reads through the API server. Everything else (the command, kubectl, the Jobs, the
 *   ConfigMap, the stack output) is the product and the real tools;
 * - a second `up` runs nothing; a pool migration from native routing to VXLAN runs it again, and the
 *   two outputs give the encapsulated/native ratio of the captures;
 * - with `nodeSelector`, the run picks two nodes in different zones by the real kubectl's
 *   go-template over the nodes' labels, and the output names them.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import { readStackConfig } from "../../lib/config/stackfile";
import { BENCH_PATHS, parseIperf3, parsePing, type BenchmarkOutput } from "../../lib/model/netbench";
import { renderBenchmarkObjects, RESULTS_CONFIGMAP } from "../../lib/render/benchmark";
import { toYaml } from "../../lib/render/objects";
import { BIN, Cluster, ROOT, Workspace, requireToolchain, sleep } from "../support/harness";

const STACK = "small";
const CAPTURES = join(ROOT, "test", "fixtures", "netbench", "data");

/** What a capture says for each path, read with the parsers straight from capture.sh's files. */
function captured(mode: "native" | "vxlan") {
    return Object.fromEntries(
        BENCH_PATHS.map((p) => {
            const ping = parsePing(readFileSync(join(CAPTURES, `${mode}-${p}.ping.txt`), "utf8"));
            const iperf = parseIperf3(readFileSync(join(CAPTURES, `${mode}-${p}.iperf3.json`), "utf8"));
            return [p, { avgMs: ping.avgMs, gbit: iperf.receivedBitsPerSecond / 1e9 }];
        }),
    );
}

describe("e2e: network benchmark", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    let nodes: string[];
    const kubectl = (args: string[], input?: string) => spawnSync(join(BIN, "kubectl"), args, { input, encoding: "utf8", env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    const output = async (): Promise<BenchmarkOutput> => JSON.parse((await ws.ok("stack output benchmark", ["stack", "output", "benchmark", "--json", "--stack", STACK])).stdout);
    const leftovers = async () => {
        // The run deletes its pods and Jobs without waiting; the garbage collector and kwok finish it.
        const deadline = Date.now() + 90_000;
        let left = "";
        while (Date.now() < deadline) {
            left = kubectl(["get", "jobs,pods", "-n", "calico-benchmark", "-o", "name"]).stdout.trim();
            if (!left) return;
            await sleep(1000);
        }
        assert.fail(`benchmark Jobs or pods left behind:\n${left}`);
    };

    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "3" });
        // The stack declares kube-prometheus-stack present (crdsPresent: true).
        await cluster.installPrometheusCrds();
        nodes = kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]).stdout.split(" ").sort();
        ws = new Workspace("benchmark", cluster.kubeconfig);
        await ws.initStack(STACK, {
            "calico:calicoctl.path": cluster.calicoctl("v3.31.3"),
            "calico:benchmark.enabled": "true",
            "calico:benchmark.nodes[0]": nodes[0],
            "calico:benchmark.nodes[1]": nodes[1],
        });
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("the API server accepts its objects, the scheduler pins each pod to its node, and the Jobs' pods start", async () => {
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
        assert.equal(kubectl(["delete", "namespace", "calico-benchmark", "--wait=true", "--timeout=120s"]).status, 0);
    });

    it("preview shows the run", async () => {
        const r = await ws.pulumi("preview (benchmark)", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        assert.equal(r.code, 0, r.stderr);
        const steps: { op: string; urn: string }[] = JSON.parse(r.stdout).steps ?? [];
        assert.ok(steps.some((s) => s.op === "create" && s.urn.endsWith("::calico-network-benchmark")), steps.map((s) => s.urn).join("\n"));
    });

    let native: BenchmarkOutput;
    it("up runs it: the stack output has each path's numbers and the guide-shaped table, the raw output is kept in a ConfigMap, no Job is left", async () => {
        await ws.ok("up (benchmark, native routing)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        native = await output();
        const want = captured("native");
        assert.deepEqual(native.nodes, [nodes[0], nodes[1]]);
        assert.deepEqual(native.results.map((r) => r.path), [...BENCH_PATHS]);
        for (const r of native.results) {
            assert.equal(r.latencyMs.avg, want[r.path].avgMs, `${r.path} latency`);
            assert.equal(r.gbitPerSecond, Number(want[r.path].gbit.toFixed(3)), `${r.path} bandwidth`);
            assert.equal(r.lossPercent, 0, `${r.path} loss`);
        }
        assert.match(native.table, /^\| ping latency \(avg\) \| Node to Remote Node \| Node to Remote Pod \| Pod to Remote Pod \|$/m);
        assert.match(native.table, new RegExp(`^\\| this cluster \\(None, iptables\\) \\| ${want["node-node"].avgMs.toFixed(4)}ms \\|`, "m"));
        assert.match(native.table, /^\| guide, BGP \|/m);
        const cm = JSON.parse(kubectl(["get", "configmap", RESULTS_CONFIGMAP, "-n", "calico-benchmark", "-o", "json"]).stdout);
        assert.equal(cm.data.runKey, native.runKey);
        for (const p of BENCH_PATHS) {
            assert.equal(cm.data[p].trim(), `${readFileSync(join(CAPTURES, `native-${p}.ping.txt`), "utf8")}### calico-benchmark iperf3\n${readFileSync(join(CAPTURES, `native-${p}.iperf3.json`), "utf8")}`.trim(), `ConfigMap key ${p}`);
        }
        await leftovers();
    });

    it("a second up runs nothing", async () => {
        await ws.ok("up --expect-no-changes", ["up", "--yes", "--expect-no-changes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 600 });
        assert.deepEqual(await output(), native);
    });

    it("a pool migration to VXLAN runs it again, and before/after give the captures' VXLAN/native ratios", async () => {
        await ws.ok("config set encapsulation VXLAN", ["config", "set", "--stack", STACK, "--path", "calico:network.ipPools[0].encapsulation", "VXLAN"]);
        const pre = await ws.ok("preview (VXLAN)", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        const steps: { op: string; urn: string }[] = JSON.parse(pre.stdout).steps ?? [];
        assert.equal(steps.find((s) => s.urn.endsWith("::calico-network-benchmark"))?.op, "update", steps.map((s) => `${s.op} ${s.urn}`).join("\n"));
        await ws.ok("up (benchmark, VXLAN)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        const vxlan = await output();
        assert.notEqual(vxlan.runKey, native.runKey);
        const want = captured("vxlan");
        const base = captured("native");
        for (const r of vxlan.results) {
            assert.equal(r.latencyMs.avg, want[r.path].avgMs, `${r.path} latency`);
            const before = native.results.find((n) => n.path === r.path)!;
            const ratio = r.gbitPerSecond / before.gbitPerSecond;
            console.log(`      [e2e] ${r.path}: VXLAN/native bandwidth ${ratio.toFixed(2)}, latency ${(r.latencyMs.avg / before.latencyMs.avg).toFixed(2)}`);
            assert.ok(Math.abs(ratio - want[r.path].gbit / base[r.path].gbit) < 0.01, `${r.path} ratio ${ratio}`);
        }
        assert.match(vxlan.table, /^\| this cluster \(VXLAN, iptables\) \|/m);
        await leftovers();
    });
    it("nodeSelector: the run picks two nodes in different racks from the cluster's labels, and the output names them", async () => {
        assert.ok(nodes.length >= 3, nodes.join(","));
        // The first two nodes share a zone, the third is in another: the pair must cross zones.
        for (const [n, zone] of [[nodes[0], "z1"], [nodes[1], "z1"], [nodes[2], "z2"]]) assert.equal(kubectl(["label", "node", n, `topology.kubernetes.io/zone=${zone}`, "--overwrite"]).status, 0);
        await ws.ok("config rm benchmark.nodes", ["config", "rm", "--stack", STACK, "--path", "calico:benchmark.nodes"]);
        await ws.ok("config set benchmark.nodeSelector", ["config", "set", "--stack", STACK, "--path", "calico:benchmark.nodeSelector", "kubernetes.io/os=linux"]);
        await ws.ok("config set benchmark.rackLabel", ["config", "set", "--stack", STACK, "--path", "calico:benchmark.rackLabel", "topology.kubernetes.io/zone"]);
        await ws.ok("up (benchmark, nodeSelector)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        const picked = await output();
        assert.deepEqual(picked.nodes, [nodes[0], nodes[2]]);
        assert.deepEqual(picked.results.map((r) => r.path), [...BENCH_PATHS]);
        await leftovers();
    });
});
