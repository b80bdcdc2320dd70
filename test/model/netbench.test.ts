/**
 * The benchmark's parsers against real ping and iperf3 output captured on this project's machine by
 * test/fixtures/netbench/capture.sh: two "nodes" and a "pod" on each, in network namespaces joined
 * by veth, once natively routed and once encapsulated. The encapsulated runs use VXLAN, not IPIP:
 * these machines cannot create an ipip link (the module is not loaded and cannot be). The numbers
 * the parsers report are checked against the raw samples in the same files (ping's per-packet
 * times, iperf3's per-interval rates), and the VXLAN/native ratio comes out of them. Where root,
 * iproute2, ping and iperf3 are present (CI installs them), a fresh capture is parsed too.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_PATHS, BenchOutputError, benchTable, gbit, parseIperf3, parsePing, ratios, type PathResult } from "../../lib/model/netbench";

const FIXTURES = join(__dirname, "..", "fixtures", "netbench");
const DATA = join(FIXTURES, "data");

function results(dir: string, mode: "native" | "vxlan"): PathResult[] {
    return BENCH_PATHS.map((path) => ({
        path,
        ping: parsePing(readFileSync(join(dir, `${mode}-${path}.ping.txt`), "utf8")),
        iperf: parseIperf3(readFileSync(join(dir, `${mode}-${path}.iperf3.json`), "utf8")),
    }));
}

describe("network benchmark parsers, on real output (VXLAN stands in for IPIP: no ipip link on these machines)", () => {
    for (const mode of ["native", "vxlan"] as const) {
        for (const path of BENCH_PATHS) {
            it(`${mode} ${path}: ping's summary matches its own per-packet times`, () => {
                const text = readFileSync(join(DATA, `${mode}-${path}.ping.txt`), "utf8");
                const p = parsePing(text);
                const times = [...text.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
                assert.equal(p.transmitted, 20);
                assert.equal(p.received, times.length);
                assert.equal(p.lossPercent, 0);
                assert.equal(p.minMs, Math.min(...times));
                assert.equal(p.maxMs, Math.max(...times));
                const mean = times.reduce((a, b) => a + b, 0) / times.length;
                assert.ok(Math.abs(p.avgMs - mean) <= 0.0015, `avg ${p.avgMs} vs mean of samples ${mean}`);
            });

            it(`${mode} ${path}: iperf3's received rate is the bytes over the seconds of its intervals`, () => {
                const json = readFileSync(join(DATA, `${mode}-${path}.iperf3.json`), "utf8");
                const r = parseIperf3(json);
                const intervals: { sum: { bytes: number; seconds: number } }[] = JSON.parse(json).intervals;
                const bytes = intervals.reduce((a, i) => a + i.sum.bytes, 0);
                const seconds = intervals.reduce((a, i) => a + i.sum.seconds, 0);
                assert.ok(r.seconds > 1.5 && r.receivedBitsPerSecond > 1e8);
                // The sender's interval bytes over time; the receiver's total can differ by what was in flight.
                assert.ok(Math.abs(r.sentBitsPerSecond / ((bytes * 8) / seconds) - 1) < 0.05, `${r.sentBitsPerSecond} vs ${(bytes * 8) / seconds}`);
                assert.ok(Math.abs(r.receivedBitsPerSecond / r.sentBitsPerSecond - 1) < 0.05);
            });
        }
    }

    it("the VXLAN/native ratio: node → node does not cross the tunnel, node → pod and pod → pod pay for it", () => {
        const native = results(DATA, "native");
        const vxlan = results(DATA, "vxlan");
        const r = Object.fromEntries(ratios(vxlan, native).map((x) => [x.path, x]));
        assert.ok(r["node-node"].bandwidth > 0.85 && r["node-node"].bandwidth < 1.15, JSON.stringify(r["node-node"]));
        assert.ok(r["node-pod"].bandwidth < 0.9, JSON.stringify(r["node-pod"]));
        assert.ok(r["pod-pod"].bandwidth < 0.9, JSON.stringify(r["pod-pod"]));
        const table = benchTable("this machine (VXLAN)", vxlan);
        console.log(`      ${table.split("\n").join("\n      ")}`);
        console.log(`      bandwidth VXLAN/native: ${ratios(vxlan, native).map((x) => `${x.path} ${x.bandwidth.toFixed(2)}`).join(", ")}`);
    });

    it("the table has the guide's shape and the guide's figures beside ours", () => {
        const table = benchTable("this cluster", results(DATA, "native"));
        assert.match(table, /^\| ping latency \(avg\) \| Node to Remote Node \| Node to Remote Pod \| Pod to Remote Pod \|$/m);
        assert.match(table, /^\| guide, IPIP \| 0\.1891ms \| 0\.2973ms \| 0\.3120ms \|$/m);
        assert.match(table, /^\| guide, BGP \| 5\.08Gbits\/sec \| 4\.67Gbits\/sec \| - \|$/m);
        const nodePod = results(DATA, "native")[1];
        assert.ok(table.includes(`${gbit(nodePod.iperf.receivedBitsPerSecond).toFixed(2)}Gbits/sec`));
    });

    it("refuses output it cannot read, saying why", () => {
        assert.throws(() => parsePing("PING 10.0.0.1\n\n--- 10.0.0.1 ping statistics ---\n5 packets transmitted, 0 received, 100% packet loss, time 4000ms\n"), (e: unknown) => e instanceof BenchOutputError && /no reply to 5 packets/.test(e.message));
        assert.throws(() => parsePing("ping: connect: Network is unreachable"), /no 'packets transmitted' summary/);
        assert.throws(() => parseIperf3('{"start":{},"intervals":[],"end":{},"error":"unable to connect to server: Connection refused"}'), /iperf3: unable to connect/);
        assert.throws(() => parseIperf3("iperf3: error - unable to connect"), /not JSON/);
        // busybox ping (small images) prints round-trip and no mdev.
        const bb = parsePing("4 packets transmitted, 4 packets received, 0% packet loss\nround-trip min/avg/max = 0.051/0.062/0.080 ms\n");
        assert.deepEqual([bb.avgMs, bb.mdevMs], [0.062, 0]);
    });

    it("a fresh capture on this machine parses the same way (needs root, ip, ping and iperf3)", function () {
        this.timeout(120_000);
        const missing = ["ip", "ping", "iperf3"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
        if (process.getuid?.() !== 0 || missing.length) {
            console.warn(`      SKIPPED fresh capture: ${process.getuid?.() !== 0 ? "not root" : `missing ${missing.join(", ")}`}`);
            return this.skip();
        }
        const out = mkdtempSync(join(tmpdir(), "netbench-"));
        const r = spawnSync("bash", [join(FIXTURES, "capture.sh"), out, "5", "1"], { encoding: "utf8", timeout: 110_000 });
        assert.equal(r.status, 0, r.stderr);
        for (const mode of ["native", "vxlan"] as const) for (const x of results(out, mode)) assert.ok(x.ping.avgMs > 0 && x.iperf.receivedBitsPerSecond > 0, `${mode} ${x.path}`);
    });
});
