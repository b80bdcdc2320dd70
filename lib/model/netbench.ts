/**
 * The network benchmark's numbers: parsers for the real output of ping (iputils) and iperf3 (its
 * `-J` JSON), and the table in the shape of the best-practice guide's tables 2 and 3 (latency and
 * bandwidth for node → remote node, node → remote pod and pod → remote pod), with the guide's own
 * figures beside ours for reference. Pure functions: the benchmark Jobs print raw output, and these
 * turn it into the table, the ConfigMap's JSON and the stack output.
 */

/** The three paths of the guide's tables. */
export const BENCH_PATHS = ["node-node", "node-pod", "pod-pod"] as const;
/** One path: the host network of one node to the other node, to a pod on it, or pod to pod. */
export type BenchPath = (typeof BENCH_PATHS)[number];

/** How the guide labels each path. */
export const PATH_TITLES: Readonly<Record<BenchPath, string>> = { "node-node": "Node to Remote Node", "node-pod": "Node to Remote Pod", "pod-pod": "Pod to Remote Pod" };

/**
 * The guide's figures (reference/calico-optimization-best-practice.txt, tables 2 and 3): ping
 * average in ms and iperf bandwidth in Gbit/s, IPIP and BGP without encapsulation; the guide has no
 * BGP pod → pod figure.
 */
export const GUIDE_FIGURES: Readonly<Record<"IPIP" | "BGP", Readonly<Record<BenchPath, { readonly latencyMs?: number; readonly gbitPerSecond?: number }>>>> = {
    IPIP: { "node-node": { latencyMs: 0.1891, gbitPerSecond: 5.07 }, "node-pod": { latencyMs: 0.2973, gbitPerSecond: 4.43 }, "pod-pod": { latencyMs: 0.312, gbitPerSecond: 4.76 } },
    BGP: { "node-node": { latencyMs: 0.1888, gbitPerSecond: 5.08 }, "node-pod": { latencyMs: 0.268, gbitPerSecond: 4.67 }, "pod-pod": {} },
};

/** ping's summary. */
export interface PingResult {
    readonly transmitted: number;
    readonly received: number;
    /** Packet loss in percent. */
    readonly lossPercent: number;
    readonly minMs: number;
    readonly avgMs: number;
    readonly maxMs: number;
    readonly mdevMs: number;
}

/** Thrown when a tool's output is not what the parser knows. */
export class BenchOutputError extends Error {}

/**
 * Parse ping's summary lines (iputils `ping -q`, and busybox's, which reports no mdev):
 * `N packets transmitted, M received, L% packet loss` and `rtt min/avg/max/mdev = a/b/c/d ms`.
 */
export function parsePing(text: string): PingResult {
    const counts = text.match(/(\d+) packets transmitted, (\d+) (?:packets )?received(?:, \+\d+ errors)?, ([\d.]+)% packet loss/);
    if (!counts) throw new BenchOutputError("ping output has no 'packets transmitted' summary");
    const [transmitted, received, lossPercent] = [Number(counts[1]), Number(counts[2]), Number(counts[3])];
    if (received === 0) throw new BenchOutputError(`ping: no reply to ${transmitted} packets (100% loss)`);
    const rtt = text.match(/(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/([\d.]+))? ms/);
    if (!rtt) throw new BenchOutputError("ping output has no 'min/avg/max' line");
    return { transmitted, received, lossPercent, minMs: Number(rtt[1]), avgMs: Number(rtt[2]), maxMs: Number(rtt[3]), mdevMs: rtt[4] === undefined ? 0 : Number(rtt[4]) };
}

/** iperf3's result for one TCP run. */
export interface IperfResult {
    /** Throughput the receiver saw (what the guide's tables report). */
    readonly receivedBitsPerSecond: number;
    readonly sentBitsPerSecond: number;
    /** TCP retransmissions on the sender. */
    readonly retransmits: number;
    readonly seconds: number;
}

/** Parse `iperf3 -c … -J` output (its `end.sum_sent` and `end.sum_received`); an `error` field is an error. */
export function parseIperf3(json: string): IperfResult {
    let doc: { error?: string; end?: { sum_sent?: Record<string, number>; sum_received?: Record<string, number> } };
    try {
        doc = JSON.parse(json);
    } catch {
        throw new BenchOutputError("iperf3 output is not JSON (run it with -J)");
    }
    if (doc.error) throw new BenchOutputError(`iperf3: ${doc.error}`);
    const sent = doc.end?.sum_sent;
    const received = doc.end?.sum_received;
    if (!sent || !received || typeof received.bits_per_second !== "number") throw new BenchOutputError("iperf3 output has no end.sum_sent/sum_received (a UDP run, or an interrupted one)");
    return { receivedBitsPerSecond: received.bits_per_second, sentBitsPerSecond: sent.bits_per_second, retransmits: sent.retransmits ?? 0, seconds: received.seconds };
}

/** One measured path. */
export interface PathResult {
    readonly path: BenchPath;
    readonly ping: PingResult;
    readonly iperf: IperfResult;
}

/** Gbit/s, as the guide writes bandwidth. */
export const gbit = (bitsPerSecond: number) => bitsPerSecond / 1e9;

/** The measured/baseline ratio of each path's latency and bandwidth (e.g. encapsulated over native). */
export function ratios(measured: readonly PathResult[], baseline: readonly PathResult[]): { path: BenchPath; latency: number; bandwidth: number }[] {
    return measured.flatMap((m) => {
        const b = baseline.find((x) => x.path === m.path);
        return b ? [{ path: m.path, latency: m.ping.avgMs / b.ping.avgMs, bandwidth: m.iperf.receivedBitsPerSecond / b.iperf.receivedBitsPerSecond }] : [];
    });
}

/**
 * The two tables in the guide's shape, one row for this run (labelled `label`, e.g. "this cluster
 * (VXLAN)") and the guide's IPIP and BGP rows beside it.
 */
export function benchTable(label: string, results: readonly PathResult[]): string {
    const cols = BENCH_PATHS.map((p) => PATH_TITLES[p]);
    const row = (name: string, cells: (string | undefined)[]) => `| ${name} | ${cells.map((c) => c ?? "-").join(" | ")} |`;
    const of = (p: BenchPath) => results.find((r) => r.path === p);
    const header = (title: string) => [`| ${title} | ${cols.join(" | ")} |`, `|---|${cols.map(() => "---").join("|")}|`];
    const guide = (mode: "IPIP" | "BGP", f: (x: { latencyMs?: number; gbitPerSecond?: number }) => string | undefined) => row(`guide, ${mode}`, BENCH_PATHS.map((p) => f(GUIDE_FIGURES[mode][p])));
    return [
        ...header("ping latency (avg)"),
        row(label, BENCH_PATHS.map((p) => of(p) && `${of(p)!.ping.avgMs.toFixed(4)}ms`)),
        guide("IPIP", (x) => x.latencyMs?.toFixed(4).concat("ms")),
        guide("BGP", (x) => x.latencyMs?.toFixed(4).concat("ms")),
        "",
        ...header("iperf3 bandwidth"),
        row(label, BENCH_PATHS.map((p) => of(p) && `${gbit(of(p)!.iperf.receivedBitsPerSecond).toFixed(2)}Gbits/sec`)),
        guide("IPIP", (x) => x.gbitPerSecond?.toFixed(2).concat("Gbits/sec")),
        guide("BGP", (x) => x.gbitPerSecond?.toFixed(2).concat("Gbits/sec")),
    ].join("\n");
}

/** The line that starts each part of the benchmark run's output (lib/render/benchmark.ts prints it). */
export const SECTION_MARK = "### calico-benchmark";

/** The word after SECTION_MARK on the line where the run names its client and server nodes. */
export const NODES_MARK = "nodes";

/** The client and server nodes the run printed (`### calico-benchmark nodes <client> <server>`), if it did. */
export function parseRunNodes(stdout: string): [string, string] | undefined {
    const m = stdout.match(new RegExp(`^${SECTION_MARK} ${NODES_MARK} (\\S+) (\\S+)$`, "m"));
    return m ? [m[1], m[2]] : undefined;
}

/** What the stack exports of a run. */
export interface BenchmarkOutput {
    /** The client node, then the server node (empty in `plan` when `nodeSelector` picks them at run time). */
    readonly nodes: readonly string[];
    /** The key of the settings measured (a change runs the benchmark again). */
    readonly runKey: string;
    /** Per path: ping latency in ms and iperf3 bandwidth in Gbit/s. */
    readonly results: readonly { path: BenchPath; latencyMs: { min: number; avg: number; max: number; mdev: number }; lossPercent: number; gbitPerSecond: number; retransmits: number }[];
    /** The guide-shaped table, with the guide's figures beside. */
    readonly table: string;
}

/**
 * Parse the run's stdout: for each path a `### calico-benchmark <path>` line, then that Job's log
 * (ping's output, a `### calico-benchmark iperf3` line, iperf3's JSON).
 */
export function parseRunOutput(stdout: string, label: string): PathResult[] {
    // split() with a capture group yields [before, path, body, path, body, …].
    const pieces = stdout.split(new RegExp(`^${SECTION_MARK} (${BENCH_PATHS.join("|")})\\n`, "m"));
    const results: PathResult[] = [];
    for (let i = 1; i + 1 < pieces.length; i += 2) {
        const path = pieces[i] as BenchPath;
        const [ping, iperf] = pieces[i + 1].split(new RegExp(`^${SECTION_MARK} iperf3$`, "m"));
        if (iperf === undefined) throw new BenchOutputError(`${label}: the ${path} output has no iperf3 part`);
        results.push({ path, ping: parsePing(ping), iperf: parseIperf3(iperf) });
    }
    const missing = BENCH_PATHS.filter((p) => !results.some((r) => r.path === p));
    if (missing.length) throw new BenchOutputError(`${label}: no output for ${missing.join(", ")}`);
    return results;
}

/** The stack output of a run. */
export function benchmarkOutput(results: readonly PathResult[], nodes: readonly string[], runKey: string, label: string): BenchmarkOutput {
    return {
        nodes: [...nodes],
        runKey,
        results: results.map((r) => ({ path: r.path, latencyMs: { min: r.ping.minMs, avg: r.ping.avgMs, max: r.ping.maxMs, mdev: r.ping.mdevMs }, lossPercent: r.ping.lossPercent, gbitPerSecond: Number(gbit(r.iperf.receivedBitsPerSecond).toFixed(3)), retransmits: r.iperf.retransmits })),
        table: benchTable(label, results),
    };
}
