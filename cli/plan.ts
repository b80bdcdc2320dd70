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
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadSettings } from "../lib/pipeline";
import { ConfigValidationError, escapeControl, formatIssue } from "../lib/config/errors";
import { plaintextSecretPaths, readStackConfig } from "../lib/config/stackfile";
import { SECRET_FIELDS } from "../lib/config/schema";
import type { ClusterSettings } from "../lib/config/settings";
import { planResources } from "../lib/render";
import { migrationText, planMigration } from "../lib/render/migration";
import { toYaml } from "../lib/render/objects";
import { isPatch, type PlannedResource } from "../lib/render/resource-spec";
import { allResourceRefs } from "../lib/render/resources";
import { computeOutputs } from "../lib/render/outputs";
import { plannedDashboards } from "../lib/render/monitoring";
import { renderMermaid, type TopologyCheck, type TopologyReport } from "../lib/render/topology-report";
import { planReport, planSettings } from "../lib/offline-plan";

/** Where `--stack NAME` looks. */
export const STACKS_DIR = resolve(__dirname, "..", "stacks");

/** Output sinks, injectable for tests. */
export interface PlanIO {
    stdout(text: string): void;
    stderr(text: string): void;
}

const USAGE = "usage: npm run plan -- (--stack NAME | --stack-file PATH) [--from OLD_STACK_FILE] [--json] [--out DIR] [--format text|json|mermaid]";

function summary(s: ClusterSettings, plan: readonly PlannedResource[], topology: TopologyReport, policyChecks: readonly TopologyCheck[]): string {
    const lines = [
        `Calico ${s.calicoVersion} (operator ${s.release.operatorImage}) on Kubernetes ${s.kubernetesVersion}, cluster "${s.cluster.name}" with ${s.cluster.nodeCount} node(s)`,
        `Pod CIDR ${s.cluster.podCidrs.join(", ")}, Service CIDR ${s.cluster.serviceCidrs.join(", ")}, dataplane ${s.network.dataplane}`,
        "",
        "Decisions:",
        ...s.decisions.map((d) => `  ${d.topic} = ${d.choice}\n      because ${d.reason}`),
        "",
        `BGP: ${s.bgp.mode}${s.bgp.mode === "disabled" ? "" : `, AS ${s.bgp.asNumber}, ${topology.sessions} session(s) in total`}`,
        ...topology.checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.message}`),
        ...(s.policy.baseline.enabled ? [`Baseline policy: ${s.policy.baseline.mode === "staged" ? "staged (reports what it would deny)" : "enforced"}, order ${s.policy.baseline.order}`, ...policyChecks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.message}`)] : []),
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

/** The file in an `--out` folder that lists what plan wrote there, so a later run removes only those. */
export const OUT_MARKER = ".calico-plan";

/** Thrown when `--out` names a folder plan must not write into. */
export class OutRefused extends Error {}

/**
 * Write one file per object into `dir`. The folder ends up holding exactly this plan, but plan only
 * ever deletes files it wrote before (listed in OUT_MARKER): it refuses a non-empty folder it did
 * not create, rather than delete someone's files.
 */
export function writeOut(dir: string, plan: readonly PlannedResource[]): string[] {
    if (existsSync(dir)) {
        if (!statSync(dir).isDirectory()) throw new OutRefused(`--out ${dir} exists and is not a folder`);
        const marker = join(dir, OUT_MARKER);
        const entries = readdirSync(dir);
        if (entries.length && !existsSync(marker)) throw new OutRefused(`--out ${dir} is not empty and was not written by plan; give an empty or new folder`);
        if (existsSync(marker)) {
            for (const f of readFileSync(marker, "utf8").split("\n")) if (f && !f.includes("/") && f !== OUT_MARKER) rmSync(join(dir, f), { force: true });
        }
    }
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
                text = (isPatch(p) ? "# server-side apply patch of an existing object\n" : "") + toYaml(spec.object);
                break;
            case "manifest":
                file = `${base}.source.yaml`;
                text = `# ${spec.description}\n# applied by Pulumi from this source (not fetched by the offline plan):\nsource: ${JSON.stringify(spec.source)}\n`;
                break;
            case "localCommand":
                if (spec.object) {
                    file = `${base}.yaml`;
                    // calicoctl apply takes the object on stdin; `ipam configure` takes flags, and this is what it leaves.
                    text = spec.stdin !== undefined ? `# applied with: calicoctl apply -f -\n${spec.stdin}` : `# set with: ${spec.create.split("\n").pop()!.replace('"$calicoctl"', "calicoctl")}\n${toYaml(spec.object)}`;
                } else if (spec.script) {
                    file = `${base}.sh`;
                    text = `#!/bin/sh\n# runs after cluster access is set up (the provider's kubeconfig and context)\n${spec.script}\n`;
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
    writeFileSync(join(dir, OUT_MARKER), written.join("\n") + "\n");
    return written;
}

/** Largest stack file plan reads. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

/** `--from OLD`: the migration from the deployed config (a stack file) to this one; exit 2 when refused. */
function planFrom(oldPath: string, settings: ClusterSettings, format: string, io: PlanIO): number {
    let old: ClusterSettings;
    try {
        const st = statSync(oldPath);
        if (!st.isFile() || st.size > MAX_STACK_FILE_BYTES) throw new Error(`${oldPath} is not a regular file of at most ${MAX_STACK_FILE_BYTES} bytes`);
        old = loadSettings(readStackConfig(oldPath)).settings;
    } catch (e) {
        if (e instanceof ConfigValidationError) {
            io.stderr(`--from ${escapeControl(oldPath)} is not a valid stack config:\n${e.message}\n`);
            return 2;
        }
        io.stderr(`cannot read --from: ${escapeControl((e as Error).message)}\n`);
        return 1;
    }
    // The new config as the program applies it over the old one (it reads the deployed version back).
    const next: ClusterSettings = { ...settings, deployedCalicoVersion: old.calicoVersion };
    const report = planMigration(old, planResources(old), next, planResources(next));
    if (format === "json") io.stdout(JSON.stringify({ valid: !report.refused, migration: report }, null, 2) + "\n");
    else io.stdout(migrationText(report));
    if (report.refused) io.stderr(report.steps.filter((s) => s.error).map((s) => `${s.error}\n`).join(""));
    return report.refused ? 2 : 0;
}

/** Stack names `--stack` accepts: a file name inside stacks/, never a path. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Run the plan command; returns the exit code. */
export function runPlan(argv: readonly string[], io: PlanIO): number {
    let args;
    try {
        const parsed = parseArgs({
            args: [...argv],
            tokens: true,
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                json: { type: "boolean", default: false },
                out: { type: "string" },
                format: { type: "string" },
                from: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
        });
        const seen = new Set<string>();
        for (const t of parsed.tokens ?? []) {
            if (t.kind !== "option") continue;
            if (seen.has(t.name)) throw new Error(`--${t.name} is given more than once`);
            seen.add(t.name);
        }
        args = parsed.values;
    } catch (e) {
        io.stderr(`${escapeControl((e as Error).message)}\n${USAGE}\n`);
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
    if (args.stack !== undefined && (!STACK_NAME.test(args.stack) || args.stack.includes(".."))) {
        io.stderr(`--stack ${JSON.stringify(args.stack)}: a stack name is a file name in stacks/ (letters, digits, . _ -); use --stack-file for a path\n`);
        return 1;
    }
    const path = args["stack-file"] ? resolve(args["stack-file"]) : join(STACKS_DIR, `Pulumi.${args.stack}.yaml`);
    let raw: Record<string, unknown>;
    try {
        const st = statSync(path);
        if (!st.isFile()) throw new Error(`${path} is not a regular file`);
        if (st.size > MAX_STACK_FILE_BYTES) throw new Error(`${path} is ${st.size} bytes; a stack file is at most ${MAX_STACK_FILE_BYTES}`);
        raw = readStackConfig(path);
    } catch (e) {
        // A file the Pulumi CLI would read otherwise is invalid config (exit 2, like a bad value).
        if (e instanceof ConfigValidationError) return invalid(e, format, io);
        io.stderr(`cannot read stack config: ${escapeControl((e as Error).message)}\n`);
        return 1;
    }
    let settings: ClusterSettings;
    try {
        settings = loadSettings(raw).settings;
    } catch (e) {
        if (!(e instanceof ConfigValidationError)) throw e;
        return invalid(e, format, io);
    }
    for (const path of plaintextSecretPaths(raw, SECRET_FIELDS)) {
        settings = {
            ...settings,
            warnings: [...settings.warnings, { path, value: "[secret]", message: `is stored in plain text in ${path.startsWith("calico:") ? "the stack file" : "config"}; encrypt it: pulumi config set --secret --path '${path}' <value>` }],
        };
    }
    const planned = planSettings({ settings, warnings: settings.warnings });
    const plan = planned.resources;
    if (args.from !== undefined) return planFrom(resolve(args.from), settings, format, io);
    const topology = planned.topology;
    if (args.out) {
        try {
            writeOut(resolve(args.out), plan);
        } catch (e) {
            const err = e as NodeJS.ErrnoException;
            io.stderr(`cannot write --out ${escapeControl(args.out)}: ${escapeControl(e instanceof OutRefused ? err.message : `${err.code ?? ""} ${err.message}`.trim())}\n`);
            return 1;
        }
    }
    if (format === "json") io.stdout(JSON.stringify({ valid: true, ...planReport(planned) }, null, 2) + "\n");
    else if (format === "mermaid") io.stdout(renderMermaid(settings, topology));
    else io.stdout(summary(settings, plan, topology, planned.policyChecks));
    return 0;
}

/** Report invalid config: every issue on stderr, the JSON report with --json; exit code 2. */
function invalid(e: ConfigValidationError, format: string, io: PlanIO): number {
    io.stderr(`${escapeControl(e.message)}\n`);
    if (format === "json") io.stdout(JSON.stringify({ valid: false, errors: e.issues.map((i) => ({ path: i.path, message: i.message, text: formatIssue(i) })) }, null, 2) + "\n");
    return 2;
}

if (require.main === module) {
    process.exitCode = runPlan(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
}
