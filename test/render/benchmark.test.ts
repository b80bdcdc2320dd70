/**
 * The network benchmark's objects, run script and output: node pinning, host network, tolerations
 * and cleanup of the Jobs and pods (validated with kubernetes-models), what makes it run again, the
 * script executed by /bin/sh against a fake kubectl that serves real ping and iperf3 output
 * (test/fixtures/netbench), and, under the mock runtime, the registration and the stack output.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { benchmarkNodes, benchmarkRunKey, DEFAULT_BENCHMARK_IMAGE, renderBenchmarkObjects } from "../../lib/render/benchmark";
import { BENCH_PATHS, parseRunNodes, parseRunOutput, SECTION_MARK } from "../../lib/model/netbench";
import { runProgram } from "../../components/program";
import { computeOutputs } from "../../lib/render/outputs";
import { baseConfig, toPulumiConfig, type RawConfig } from "../support/configs";
import { stackConfig } from "../support/stacks";
import { runStack, setCommandStdout, unwrap } from "../support/mocks";

const DATA = join(__dirname, "..", "fixtures", "netbench", "data");
const withBench = (b: Record<string, unknown>, base: RawConfig = baseConfig()): RawConfig => ({ ...base, "calico:benchmark": { enabled: true, nodes: ["node-a", "node-b"], ...b } });
const settings = (c: RawConfig) => loadSettings(c).settings;

/** A Job's log as the netshoot client prints it: ping, the iperf3 mark, iperf3's JSON (real output). */
const jobLog = (path: string) => `${readFileSync(join(DATA, `native-${path}.ping.txt`), "utf8")}${SECTION_MARK} iperf3\n${readFileSync(join(DATA, `native-${path}.iperf3.json`), "utf8")}`;
/** The run's stdout, as the script prints it. */
const runStdout = () => BENCH_PATHS.map((p) => `${SECTION_MARK} ${p}\n${jobLog(p)}`).join("");

describe("network benchmark: objects, run script and output", () => {
    it("is off by default: nothing planned, output null", () => {
        const s = settings(baseConfig());
        assert.ok(!planResources(s).some((p) => p.component === "benchmark"));
    });

    it("servers pinned to the server node, clients to the client node, host network where the guide's path starts on a node", () => {
        const s = settings(withBench({ pingCount: 30, durationSeconds: 5 }));
        const objects = renderBenchmarkObjects(s);
        const byName = new Map(objects.map((o) => [o.metadata.name, o as any]));
        const podSpec = (o: any) => (o.kind === "Job" ? o.spec.template.spec : o.spec);
        for (const [name, node, host] of [["iperf3-server-host", "node-b", true], ["iperf3-server-pod", "node-b", false], ["bench-node-node", "node-a", true], ["bench-node-pod", "node-a", true], ["bench-pod-pod", "node-a", false]] as const) {
            const spec = podSpec(byName.get(name));
            assert.deepEqual(spec.nodeSelector, { "kubernetes.io/hostname": node }, name);
            assert.equal(spec.hostNetwork, host, name);
            assert.deepEqual(spec.tolerations, [{ operator: "Exists" }], name);
            assert.equal(spec.containers[0].image, DEFAULT_BENCHMARK_IMAGE, name);
        }
        for (const path of BENCH_PATHS) {
            const job = byName.get(`bench-${path}`);
            assert.equal(job.spec.backoffLimit, 0);
            assert.equal(job.spec.ttlSecondsAfterFinished, 600, "finished Jobs clean themselves up");
            assert.match(job.spec.template.spec.containers[0].args[0], new RegExp(`^ping -c 30 .*iperf3 -c \\S+ -p 5201 -t 5 -J$`));
        }
        // kubernetes-models validates each object against the Kubernetes OpenAPI schema.
        const { Namespace, Pod } = require("kubernetes-models/v1");
        const { Job } = require("kubernetes-models/batch/v1");
        for (const o of objects) new ({ Namespace, Pod, Job } as Record<string, any>)[o.kind](o).validate();
    });

    it("images go through calico:registry, with its pull secrets", () => {
        const s = settings({ ...withBench({}), "calico:registry": { url: "registry.example.com/mirror/", pullSecrets: ["mirror-pull"] } });
        const pod = renderBenchmarkObjects(s).find((o) => o.kind === "Pod") as any;
        assert.equal(pod.spec.containers[0].image, "registry.example.com/mirror/nicolaka/netshoot:v0.13");
        assert.deepEqual(pod.spec.imagePullSecrets, [{ name: "mirror-pull" }]);
    });

    it("acrossRacks takes the first node of each of the first two racks", () => {
        const s = settings(withBench({ nodes: undefined, acrossRacks: true }, stackConfig("tor")));
        assert.deepEqual(benchmarkNodes(s), ["node-r1-a", "node-r2-a"]);
    });

    it("runs again when a dataplane setting or runId changes, not for unrelated ones", () => {
        const key = (c: RawConfig) => benchmarkRunKey(settings(c));
        const base = key(withBench({}));
        const pools = (enc: string) => ({ ...baseConfig()["calico:network"], ipPools: baseConfig()["calico:network"].ipPools.map((p: any) => ({ ...p, encapsulation: enc })) });
        assert.notEqual(key({ ...withBench({}), "calico:network": pools("VXLAN") }), base, "encapsulation");
        assert.notEqual(key({ ...withBench({}), "calico:network": { ...baseConfig()["calico:network"], mtu: 1400 } }), base, "MTU");
        assert.notEqual(key({ ...withBench({}), "calico:network": { ...baseConfig()["calico:network"], wireguard: true } }), base, "WireGuard");
        assert.notEqual(key(withBench({ runId: "after-migration" })), base, "runId");
        assert.equal(key({ ...withBench({}), "calico:monitoring": { enabled: true } }), base, "monitoring does not change the dataplane");
        const run = planResources(settings(withBench({}))).find((p) => p.component === "benchmark")!;
        assert.ok(run.spec.kind === "localCommand" && run.spec.environment.CALICO_BENCHMARK_RUN_KEY === base);
    });

    it("the run script, against a fake kubectl: servers first, their addresses into the Jobs, one Job at a time, results kept and printed", () => {
        const s = settings(withBench({}));
        const run = planResources(s).find((p) => p.component === "benchmark")!;
        assert.ok(run.spec.kind === "localCommand");
        const dir = mkdtempSync(join(tmpdir(), "fake-bench-"));
        for (const p of BENCH_PATHS) writeFileSync(join(dir, `log-${p}`), jobLog(p));
        // The fake records every call (and what each apply received on stdin) and answers from the fixtures.
        writeFileSync(join(dir, "kubectl"), `#!/usr/bin/env node
const fs = require("fs"), path = require("path"), dir = ${JSON.stringify(dir)};
let args = process.argv.slice(2); if (args[0] === "--context") args = args.slice(2);
const stdin = args.includes("-f") ? fs.readFileSync(0, "utf8") : "";
fs.appendFileSync(path.join(dir, "calls"), args.join(" ") + "\\n");
if (args[0] === "apply") { fs.appendFileSync(path.join(dir, "applied"), "=== " + args.join(" ") + "\\n" + stdin); process.exit(0); }
if (args[0] === "get") { process.stdout.write(args.includes("iperf3-server-host") ? "10.10.0.2" : "10.244.7.9"); process.exit(0); }
if (args[0] === "logs") { process.stdout.write(fs.readFileSync(path.join(dir, "log-" + args.find((a) => a.startsWith("job/")).slice(10)), "utf8")); process.exit(0); }
if (args[0] === "create") { process.stdout.write("apiVersion: v1\\nkind: ConfigMap\\n"); fs.writeFileSync(path.join(dir, "configmap-files"), fs.readdirSync(args.find((a) => a.startsWith("--from-file=")).slice(12)).sort().join(",")); process.exit(0); }
process.exit(0);
`, { mode: 0o755 });
        const r = spawnSync("/bin/sh", ["-c", run.spec.create], { input: run.spec.stdin, encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}`, CALICO_BENCHMARK_RUN_KEY: benchmarkRunKey(s), CALICO_KUBE_CONTEXT: "ctx-b" } });
        assert.equal(r.status, 0, r.stderr);
        const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
        const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
        assert.ok(at(/^apply -f - -l app\.kubernetes\.io\/component!=client/) < at(/^wait .*condition=Ready pod -l app\.kubernetes\.io\/component=server/));
        const jobs = BENCH_PATHS.map((p) => [at(new RegExp(`^apply -f - -l calico-benchmark/path=${p}$`)), at(new RegExp(`^wait .*job/bench-${p}`)), at(new RegExp(`^logs .*job/bench-${p}`))]);
        for (let i = 0; i < jobs.length; i++) {
            assert.ok(jobs[i][0] < jobs[i][1] && jobs[i][1] < jobs[i][2], `${BENCH_PATHS[i]} out of order`);
            if (i) assert.ok(jobs[i - 1][2] < jobs[i][0], "Jobs overlap: an iperf3 server takes one client at a time");
        }
        const applied = readFileSync(join(dir, "applied"), "utf8");
        assert.match(applied, /iperf3 -c 10\.10\.0\.2 -p 5201/, "node-node targets the host-network server's address");
        assert.match(applied, /iperf3 -c 10\.244\.7\.9 -p 5201/, "the pod paths target the server pod");
        assert.doesNotMatch(applied.split("=== apply -f - -l calico-benchmark")[1] ?? "", /__(HOST|POD)_SERVER_IP__/);
        assert.equal(readFileSync(join(dir, "configmap-files"), "utf8"), "node-node,node-pod,pod-pod");
        assert.ok(calls.map((c) => c.startsWith("delete -n calico-benchmark job,pod")).lastIndexOf(true) > at(/^create configmap calico-benchmark-results/), "cleanup after the results are kept");
        assert.deepEqual(parseRunNodes(r.stdout), ["node-a", "node-b"]);
        const results = parseRunOutput(r.stdout, "test");
        assert.deepEqual(results.map((x) => x.path), [...BENCH_PATHS]);
        assert.ok(results.every((x) => x.ping.avgMs > 0 && x.iperf.receivedBitsPerSecond > 1e8));
        assert.match(calls.find((c) => c.startsWith("get"))!, /iperf3-server/);
        assert.ok(readFileSync(join(dir, "calls"), "utf8").length > 0);
    });

    /** A fake kubectl for nodeSelector runs: `get nodes` prints `nodeLines` (name TAB rack, as the go-template does). */
    const selectorRun = (nodeLines: string) => {
        const s = settings(withBench({ nodes: undefined, nodeSelector: "node-role.kubernetes.io/worker", rackLabel: "topology.kubernetes.io/zone" }));
        const run = planResources(s).find((p) => p.component === "benchmark")!;
        assert.ok(run.spec.kind === "localCommand");
        const dir = mkdtempSync(join(tmpdir(), "fake-bench-"));
        writeFileSync(join(dir, "nodes"), nodeLines);
        for (const p of BENCH_PATHS) writeFileSync(join(dir, `log-${p}`), jobLog(p));
        writeFileSync(join(dir, "kubectl"), `#!/usr/bin/env node
const fs = require("fs"), path = require("path"), dir = ${JSON.stringify(dir)};
let args = process.argv.slice(2); if (args[0] === "--context") args = args.slice(2);
const stdin = args.includes("-f") ? fs.readFileSync(0, "utf8") : "";
fs.appendFileSync(path.join(dir, "calls"), args.join(" ") + "\\n");
if (args[0] === "get" && args[1] === "nodes") { process.stdout.write(fs.readFileSync(path.join(dir, "nodes"), "utf8")); process.exit(0); }
if (args[0] === "apply") { fs.appendFileSync(path.join(dir, "applied"), stdin); process.exit(0); }
if (args[0] === "get") { process.stdout.write("10.10.0.2"); process.exit(0); }
if (args[0] === "logs") { process.stdout.write(fs.readFileSync(path.join(dir, "log-" + args.find((a) => a.startsWith("job/")).slice(10)), "utf8")); process.exit(0); }
process.exit(0);
`, { mode: 0o755 });
        const r = spawnSync("/bin/sh", ["-c", run.spec.create], { input: run.spec.stdin, encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}` } });
        return { r, dir, stdin: run.spec.stdin };
    };

    it("nodeSelector: the run picks the first labelled node by name and the first after it in another rack, and pins everything to them", () => {
        const { r, dir, stdin } = selectorRun("w-09\tzone-b\nw-01\t<no value>\nw-03\tzone-a\nw-02\tzone-a\nw-05\tzone-b\n");
        assert.equal(r.status, 0, r.stderr);
        assert.match(stdin ?? "", /kubernetes\.io\/hostname: __CLIENT_NODE__/, "the rendered objects name no node: the run picks them");
        const calls = readFileSync(join(dir, "calls"), "utf8");
        assert.match(calls, /^get nodes -l node-role\.kubernetes\.io\/worker -o go-template=\{\{range \.items\}\}.*index \.metadata\.labels "topology\.kubernetes\.io\/zone"/m);
        const applied = readFileSync(join(dir, "applied"), "utf8");
        assert.doesNotMatch(applied, /__(CLIENT|SERVER)_NODE__/);
        const pinned = [...applied.matchAll(/kubernetes\.io\/hostname: (\S+)/g)].map((m) => m[1]);
        // w-01 has no rack label; w-02 is first by name; w-05 is the first after it in another zone.
        assert.deepEqual([...new Set(pinned)].sort(), ["w-02", "w-05"]);
        assert.deepEqual(parseRunNodes(r.stdout), ["w-02", "w-05"]);
    });

    it("nodeSelector: no two matching nodes in different racks fails the run before anything is created, naming the selector and the label", () => {
        const { r, dir } = selectorRun("w-01\tzone-a\nw-02\tzone-a\nw-03\t<no value>\n");
        assert.equal(r.status, 1);
        assert.match(r.stderr, /no two nodes matching calico:benchmark\.nodeSelector \(node-role\.kubernetes\.io\/worker\) are in different racks by their label topology\.kubernetes\.io\/zone/);
        assert.doesNotMatch(readFileSync(join(dir, "calls"), "utf8"), /^apply/m);
    });

    it("a Job that does not complete fails the run, naming it", () => {
        const s = settings(withBench({}));
        const run = planResources(s).find((p) => p.component === "benchmark")!;
        assert.ok(run.spec.kind === "localCommand");
        const dir = mkdtempSync(join(tmpdir(), "fake-bench-"));
        writeFileSync(join(dir, "kubectl"), `#!/bin/sh\ncase "$*" in *job/bench-node-pod*) [ "$1" = wait ] && exit 1;; esac\n[ "$1" = get ] && printf 10.0.0.1\n[ "$1" = apply ] && cat >/dev/null\nexit 0\n`, { mode: 0o755 });
        const r = spawnSync("/bin/sh", ["-c", run.spec.create], { input: run.spec.stdin, encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}` } });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /job bench-node-pod did not complete within 900s/);
    });

    it("under the mock runtime: registered under NetworkBenchmark after the fabric; stdout public; the stack output parses it", async () => {
        const config = withBench({}, stackConfig("small"));
        config["calico:benchmark"].nodes = ["node-1", "node-2"];
        setCommandStdout("calico-network-benchmark", runStdout());
        try {
            const run = await runStack(() => runProgram(toPulumiConfig(config)));
            const reg = run.registrations.find((r) => r.name === "calico-network-benchmark")!;
            assert.equal(reg.parent, "calico-benchmark");
            assert.ok(reg.dependsOn.includes("calico-installation") && reg.dependsOn.includes("calico-bgpconfiguration-default"), reg.dependsOn.join(", "));
            assert.deepEqual(reg.opts.additionalSecretOutputs, ["stderr"]);
            assert.equal(unwrap(reg.inputs).environment.CALICO_BENCHMARK_RUN_KEY.length, 16);
            const out = run.outputs.benchmark;
            assert.deepEqual(out.nodes, ["node-1", "node-2"]);
            assert.deepEqual(out.results.map((r: any) => r.path), [...BENCH_PATHS]);
            assert.match(out.table, /\| guide, IPIP \| 0\.1891ms/);
        } finally {
            setCommandStdout("calico-network-benchmark", undefined);
        }
    });
    it("under the mock runtime with nodeSelector: plan names no node, the stack output names the nodes the run picked", async () => {
        const config = withBench({ nodes: undefined, nodeSelector: "node-role.kubernetes.io/worker" }, stackConfig("small"));
        assert.deepEqual(computeOutputs(settings(config), []).benchmark?.nodes, []);
        setCommandStdout("calico-network-benchmark", `${SECTION_MARK} nodes w-02 w-05\n${runStdout()}`);
        try {
            const run = await runStack(() => runProgram(toPulumiConfig(config)));
            assert.deepEqual(run.outputs.benchmark.nodes, ["w-02", "w-05"]);
            assert.deepEqual(run.outputs.benchmark.results.map((r: any) => r.path), [...BENCH_PATHS]);
        } finally {
            setCommandStdout("calico-network-benchmark", undefined);
        }
    });
});
