/**
 * `npm run bench`: how planning scales with cluster size. For generated configs from 10 to 5,000
 * nodes it reports the in-process planning time, the whole `plan --json` command's wall time, and
 * the resources the program registers (the plan's list, which the mock tests prove equal to the
 * program's registrations), then checks the budget:
 * - resources grow with reflectors and peers, never with nodeCount;
 * - planning itself takes under 1 s for 5,000 nodes;
 * - the whole plan command for 5,000 nodes costs less than 1.5× the 10-node one.
 * A measurement, not a test: it prints numbers and exits 1 only if the budget is broken.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { loadSettings } from "../lib/pipeline";
import { planReport, planSettings } from "../lib/offline-plan";

/** A stack's config keyed `calico:<key>`. */
type RawConfig = Record<string, any>;

/** Write a config as a stack file for the plan command. */
function writeStackFile(c: RawConfig): string {
    const file = join(mkdtempSync(join(tmpdir(), "calico-bench-")), "Pulumi.bench.yaml");
    writeFileSync(file, stringify({ config: c }));
    return file;
}

interface Scenario {
    readonly name: string;
    readonly nodes: number;
    readonly layout: string;
    readonly config: RawConfig;
}

function base(nodes: number): RawConfig {
    return {
        "calico:kubernetesVersion": "1.34",
        "calico:cluster": { name: "bench", nodeCount: nodes, podCidr: "10.0.0.0/9", serviceCidr: "10.200.0.0/16" },
        "calico:network": { ipPools: [{ name: "pool", cidr: "10.0.0.0/9", blockSize: 26, encapsulation: "IPIPCrossSubnet" }] },
        "calico:monitoring": { serviceMonitors: { crdsPresent: true } },
    };
}

function mesh(nodes: number): Scenario {
    return { name: `mesh-${nodes}`, nodes, layout: "full mesh", config: base(nodes) };
}

function rr(nodes: number, reflectors: number): Scenario {
    const c = base(nodes);
    c["calico:bgp"] = { mode: "routeReflector", routeReflectors: { nodes: Array.from({ length: reflectors }, (_, i) => `rr-${i + 1}`), clusterId: "244.0.0.1" } };
    return { name: `rr${reflectors}-${nodes}`, nodes, layout: `${reflectors} route reflectors`, config: c };
}

function tor(nodes: number, racks: number): Scenario {
    const c = base(nodes);
    c["calico:network"].ipPools[0].encapsulation = "None";
    c["calico:bgp"] = {
        mode: "tor",
        tor: {
            racks: Array.from({ length: racks }, (_, i) => ({
                name: `r${i + 1}`,
                switches: [
                    { peerIP: `192.168.${i}.1`, asNumber: 65000 + i },
                    { peerIP: `192.168.${i}.2`, asNumber: 65000 + i },
                ],
            })),
        },
    };
    return { name: `tor${racks}-${nodes}`, nodes, layout: `${racks} racks × 2 switches`, config: c };
}

const SCENARIOS: Scenario[] = [mesh(10), mesh(100), rr(1000, 3), rr(1000, 12), rr(5000, 3), rr(5000, 12), tor(1000, 100), tor(5000, 100)];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Planning after process start: load, render, plan topology, build the JSON report. */
function planOnce(config: RawConfig): number {
    const t0 = performance.now();
    const s = loadSettings(config).settings;
    JSON.stringify(planReport(planSettings({ settings: s, warnings: [] })));
    return performance.now() - t0;
}

/** The whole command as a user runs it (a fresh Node process). */
function commandOnce(file: string): number {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "..", "cli", "plan.ts"), "--stack-file", file, "--json"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`plan failed: ${r.stderr}`);
    return performance.now() - t0;
}

async function main(): Promise<void> {
    const rows: { s: Scenario; planMs: number; cmdMs: number; resources: number; sessions: number }[] = [];
    for (const s of SCENARIOS) {
        for (let i = 0; i < 3; i++) planOnce(s.config);
        const planMs = median(Array.from({ length: 15 }, () => planOnce(s.config)));
        const file = writeStackFile(s.config);
        const cmdMs = median(Array.from({ length: 3 }, () => commandOnce(file)));
        // The plan's resource list is what the program registers (test/pulumi/program.test.ts proves it under mocks).
        const planned = planSettings(loadSettings(s.config));
        rows.push({ s, planMs, cmdMs, resources: planned.registered.length, sessions: planned.topology.sessions });
    }
    console.log(`calico-pulumi plan benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}\n`);
    console.log("| config | nodes | layout | BGP sessions | planning (ms, median of 15) | `plan --json` command (ms, median of 3) | resources under mocks |");
    console.log("|---|---:|---|---:|---:|---:|---:|");
    for (const r of rows) console.log(`| ${r.s.name} | ${r.s.nodes} | ${r.s.layout} | ${r.sessions} | ${r.planMs.toFixed(1)} | ${r.cmdMs.toFixed(0)} | ${r.resources} |`);

    const by = (name: string) => rows.find((r) => r.s.name === name)!;
    const checks: [string, boolean][] = [
        ["resources do not grow with nodeCount (3 reflectors: 1,000 vs 5,000 nodes)", by("rr3-1000").resources === by("rr3-5000").resources],
        ["resources do not grow with nodeCount (12 reflectors: 1,000 vs 5,000 nodes)", by("rr12-1000").resources === by("rr12-5000").resources],
        ["resources do not grow with nodeCount (100 racks: 1,000 vs 5,000 nodes)", by("tor100-1000").resources === by("tor100-5000").resources],
        ["resources do not grow with nodeCount (mesh: 10 vs 100 nodes)", by("mesh-10").resources === by("mesh-100").resources],
        [`planning 5,000 nodes < 1,000 ms (worst: ${Math.max(...rows.filter((r) => r.s.nodes === 5000).map((r) => r.planMs)).toFixed(1)} ms)`, rows.filter((r) => r.s.nodes === 5000).every((r) => r.planMs < 1000)],
        [
            `plan command for 5,000 nodes < 1.5 × the 10-node one (${(Math.max(...rows.filter((r) => r.s.nodes === 5000).map((r) => r.cmdMs)) / by("mesh-10").cmdMs).toFixed(2)}×)`,
            rows.filter((r) => r.s.nodes === 5000).every((r) => r.cmdMs < 1.5 * by("mesh-10").cmdMs),
        ],
    ];
    console.log("\nBudget:");
    for (const [what, ok] of checks) console.log(`  ${ok ? "within" : "OVER  "}  ${what}`);
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
