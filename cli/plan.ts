/**
 * Offline plan: what a stack would deploy, without a cluster or the Pulumi CLI.
 *
 *   npm run plan -- --stack small                 readable summary
 *   npm run plan -- --stack-file path --json      one JSON object on stdout
 *   npm run plan -- --stack large --out out/large one YAML file per object
 *   npm run plan -- --stack tor --format mermaid  BGP topology as a Mermaid graph
 *
 * Exit codes: 0 valid, 2 invalid config (errors on stderr), 1 usage or I/O error.
 * Shares load → render with the Pulumi program; nothing here decides anything on its own.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadSettings } from "../lib/config/load";
import { ConfigValidationError, formatIssue } from "../lib/config/errors";
import { plaintextSecretPaths, readStackConfig } from "../lib/config/stackfile";
import { SECRET_FIELDS } from "../lib/config/schema";
import type { ClusterSettings } from "../lib/config/settings";
import { buildPlan } from "../lib/render";
import { toYaml } from "../lib/render/objects";
import type { PlannedResource } from "../lib/render/plan";
import { allResourceRefs } from "../lib/render/resources";
import { computeOutputs } from "../lib/render/outputs";
import { plannedDashboards } from "../lib/render/monitoring";
import { planTopology, renderMermaid, type TopologyReport } from "../lib/model/planner";

/** Where `--stack NAME` looks. */
export const STACKS_DIR = resolve(__dirname, "..", "stacks");

/** Output sinks, injectable for tests. */
export interface PlanIO {
    stdout(text: string): void;
    stderr(text: string): void;
}

const USAGE = "usage: npm run plan -- (--stack NAME | --stack-file PATH) [--json] [--out DIR] [--format text|json|mermaid]";

/** Everything `--json` prints for a valid stack. */
export function planReport(s: ClusterSettings, plan: readonly PlannedResource[], topology: TopologyReport): Record<string, unknown> {
    return {
        calicoVersion: s.calicoVersion,
        operatorImage: s.release.operatorImage,
        kubernetesVersion: s.kubernetesVersion,
        nodeCount: s.cluster.nodeCount,
        bgp: {
            mode: s.bgp.mode,
            meshEnabled: s.bgp.mode !== "disabled" && s.bgp.meshEnabled,
            asNumber: s.bgp.asNumber,
            sessions: topology.sessions,
            routeReflectors: [...s.bgp.routeReflectors.nodes],
            peers: s.bgp.peers.map((p) => p.name),
        },
        typha: { expectedReplicas: s.typha.expectedReplicas },
        decisions: s.decisions,
        warnings: s.warnings.map(formatIssue),
        topology: { checks: topology.checks },
        resources: allResourceRefs(plan).map((r) => ({ type: r.type, name: r.name })),
        outputs: computeOutputs(s, plannedDashboards(s)),
    };
}

function summary(s: ClusterSettings, plan: readonly PlannedResource[], topology: TopologyReport): string {
    const lines = [
        `Calico ${s.calicoVersion} (operator ${s.release.operatorImage}) on Kubernetes ${s.kubernetesVersion}, cluster "${s.cluster.name}" with ${s.cluster.nodeCount} node(s)`,
        `Pod CIDR ${s.cluster.podCidrs.join(", ")}, Service CIDR ${s.cluster.serviceCidrs.join(", ")}, dataplane ${s.network.dataplane}`,
        "",
        "Decisions:",
        ...s.decisions.map((d) => `  ${d.topic} = ${d.choice}\n      because ${d.reason}`),
        "",
        `BGP: ${s.bgp.mode}${s.bgp.mode === "disabled" ? "" : `, AS ${s.bgp.asNumber}, ${topology.sessions} session(s) in total`}`,
        ...topology.checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.message}`),
        `Typha: ${s.typha.expectedReplicas} replica(s) expected`,
        "",
        `Resources (${plan.length}):`,
        ...plan.map((p) => `  ${p.type} ${p.name}${p.dependsOn.length ? `  (after ${p.dependsOn.join(", ")})` : ""}`),
    ];
    if (s.warnings.length) lines.push("", "Warnings:", ...s.warnings.map((w) => `  ! ${formatIssue(w)}`));
    return lines.join("\n") + "\n";
}

/** File name of a planned resource in `--out`: order, component and name keep `ls` readable. */
function fileFor(index: number, p: PlannedResource): string {
    return `${String(index + 1).padStart(3, "0")}-${p.component}-${p.name}`;
}

/** Write one file per object into `dir` (emptied first, so the directory is exactly this plan). */
export function writeOut(dir: string, plan: readonly PlannedResource[]): string[] {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    plan.forEach((p, i) => {
        const base = fileFor(i, p);
        const spec = p.spec;
        let file: string;
        let text: string;
        switch (spec.kind) {
            case "object":
                file = `${base}.yaml`;
                text = (spec.patch ? "# server-side apply patch of an existing object\n" : "") + toYaml(spec.object);
                break;
            case "manifest":
                file = `${base}.source.yaml`;
                text = `# ${spec.description}\n# applied by Pulumi from this source (not fetched by the offline plan):\nsource: ${JSON.stringify(spec.source)}\n`;
                break;
            case "localCommand":
                if (spec.object) {
                    file = `${base}.yaml`;
                    text = `# applied with: calicoctl apply -f -\n${spec.stdin ?? ""}`;
                } else if (spec.script) {
                    file = `${base}.sh`;
                    text = `#!/bin/sh\n# runs after calicoctl is resolved ($calicoctl)\n${spec.script}\n`;
                } else {
                    file = `${base}.patch.json`;
                    text = `${spec.stdin ?? ""}\n`;
                }
                break;
            case "remoteCommand":
                file = `${base}.sh`;
                text = `#!/bin/sh\n# runs on ${spec.user}@${spec.host}:${spec.port}\n${spec.script}\n`;
                break;
            case "chart":
                file = `${base}.chart.yaml`;
                text = toYaml({ chart: spec.chart, version: spec.version, repo: spec.repo, namespace: spec.namespace, values: spec.values });
                break;
        }
        writeFileSync(join(dir, file), text);
        written.push(file);
    });
    return written;
}

/** Run the plan command; returns the exit code. */
export function runPlan(argv: readonly string[], io: PlanIO): number {
    let args;
    try {
        args = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                json: { type: "boolean", default: false },
                out: { type: "string" },
                format: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
        }).values;
    } catch (e) {
        io.stderr(`${(e as Error).message}\n${USAGE}\n`);
        return 1;
    }
    if (args.help) {
        io.stdout(`${USAGE}\n`);
        return 0;
    }
    const format = args.format ?? (args.json ? "json" : "text");
    if (!["text", "json", "mermaid"].includes(format) || (!args.stack === !args["stack-file"])) {
        io.stderr(`${USAGE}\n`);
        return 1;
    }
    const path = args["stack-file"] ? resolve(args["stack-file"]) : join(STACKS_DIR, `Pulumi.${args.stack}.yaml`);
    let raw: Record<string, unknown>;
    try {
        raw = readStackConfig(path);
    } catch (e) {
        io.stderr(`cannot read stack config: ${(e as Error).message}\n`);
        return 1;
    }
    let settings: ClusterSettings;
    try {
        settings = loadSettings(raw).settings;
    } catch (e) {
        if (!(e instanceof ConfigValidationError)) throw e;
        io.stderr(`${e.message}\n`);
        if (format === "json") io.stdout(JSON.stringify({ valid: false, errors: e.issues.map((i) => ({ path: i.path, message: i.message, text: formatIssue(i) })) }, null, 2) + "\n");
        return 2;
    }
    for (const path of plaintextSecretPaths(raw, SECRET_FIELDS)) {
        settings = {
            ...settings,
            warnings: [...settings.warnings, { path, value: "[secret]", message: `is stored in plain text in ${path.startsWith("calico:") ? "the stack file" : "config"}; encrypt it: pulumi config set --secret --path '${path}' <value>` }],
        };
    }
    const plan = buildPlan(settings);
    const topology = planTopology(settings);
    if (args.out) writeOut(resolve(args.out), plan);
    if (format === "json") io.stdout(JSON.stringify({ valid: true, ...planReport(settings, plan, topology) }, null, 2) + "\n");
    else if (format === "mermaid") io.stdout(renderMermaid(settings, topology));
    else io.stdout(summary(settings, plan, topology));
    return 0;
}

if (require.main === module) {
    process.exitCode = runPlan(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
}
