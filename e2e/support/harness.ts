/**
 * The e2e harness: the real Pulumi CLI (and its plugins from e2e/toolchain/build.sh) run against a
 * local control plane (e2e/cluster.sh), on a file backend, from a scratch copy of the project so
 * that `pulumi stack init` and `pulumi config set` never touch the checkout.
 */
import { setMaxListeners } from "node:events";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { Kube, type KubeObject, type WatchEvent } from "../simulator/kube";
import { CALICO_RELEASES, CALICO_VERSIONS } from "../../lib/model/versions";

/** The checkout. */
export const ROOT = resolve(__dirname, "..", "..");
/** Upstream reference data beside the checkout (read-only). */
export const UPSTREAM = resolve(ROOT, "..", "shared", "upstream");
/** Where build.sh puts the toolchain. */
export const BIN = process.env.E2E_BIN ?? join(process.env.CALICO_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "/root", ".cache"), "calico-pulumi-e2e"), "bin");

const TOOLS = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes", "pulumi-resource-command", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "kwok-crds/logs.yaml", /* the real calicoctl and calico-apiserver of each release, and the operator line of each */ ...CALICO_VERSIONS.flatMap((v) => [`calicoctl-${v}`, `calico-apiserver-${v}`, `tigera-operator-${CALICO_RELEASES[v].operatorVersion}`])];

/** Throws (so the scenario fails, never passes vacuously) when something the tier needs is missing. */
export function requireToolchain(): void {
    const missing = TOOLS.filter((t) => !existsSync(join(BIN, t)));
    if (missing.length) throw new Error(`e2e toolchain incomplete in ${BIN} (missing ${missing.join(", ")}): run e2e/toolchain/build.sh`);
    if (!existsSync(UPSTREAM)) throw new Error(`${UPSTREAM} is missing: the air-gapped manifests and charts come from ../shared/upstream`);
}

/** What one CLI call returned, with its wall time. */
export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** A scratch project directory with its own Pulumi home and file backend. */
export class Workspace {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
    /** Every CLI call's label and time, printed by `report()`. */
    readonly timings: { label: string; seconds: number }[] = [];

    constructor(readonly name: string, kubeconfig?: string) {
        this.dir = mkdtempSync(join(tmpdir(), `calico-e2e-${name}-`));
        for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "main.ts"]) cpSync(join(ROOT, f), join(this.dir, f));
        for (const d of ["components", "lib", "stacks", "examples"]) cpSync(join(ROOT, d), join(this.dir, d), { recursive: true });
        symlinkSync(join(ROOT, "node_modules"), join(this.dir, "node_modules"));
        mkdirSync(join(this.dir, ".state"));
        this.env = {
            PATH: `${BIN}:${process.env.PATH}`,
            HOME: process.env.HOME,
            PULUMI_HOME: join(this.dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${join(this.dir, ".state")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
        };
    }

    /** Run the real CLI to completion (async, so watchers in this process keep running). */
    async pulumi(label: string, args: string[], opts: { cwd?: string; timeoutSeconds?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
        const t0 = Date.now();
        const child = spawn(join(BIN, "pulumi"), [...args, "--non-interactive"], { cwd: opts.cwd ?? this.dir, env: { ...this.env, ...opts.env } });
        child.stdin.end(opts.input ?? "");
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const limit = (opts.timeoutSeconds ?? 600) * 1000;
        const timer = setTimeout(() => child.kill("SIGKILL"), limit);
        const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? 137)));
        clearTimeout(timer);
        const seconds = (Date.now() - t0) / 1000;
        this.timings.push({ label, seconds });
        console.log(`      [e2e] ${this.name}: ${label}: ${seconds.toFixed(1)} s (exit ${code})`);
        return { code, stdout, stderr, seconds };
    }

    /** Like pulumi(), but throws with the output when the command fails. */
    async ok(label: string, args: string[], opts: { cwd?: string; timeoutSeconds?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
        const r = await this.pulumi(label, args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
        return r;
    }

    /** `pulumi stack init` plus the air-gap overrides every scenario needs (this machine has no route to release URLs or chart repositories). */
    async initStack(stack: string, extra: Record<string, string> = {}): Promise<void> {
        await this.ok(`stack init ${stack}`, ["stack", "init", stack]);
        const version = this.stackValue(stack, "calico:version") ?? "v3.31.3";
        const manifests = join(UPSTREAM, "calico", version, "manifests");
        const overrides: Record<string, string> = {
            "calico:operator.manifest": join(manifests, "tigera-operator.yaml"),
            "calico:monitoring.install.prometheusChartPath": this.localChart("kube-prometheus-stack-65.1.1"),
            "calico:monitoring.install.grafanaChartPath": join(UPSTREAM, "charts", "grafana-8.5.2"),
            ...(version === "v3.31.3" ? { "calico:operator.crdsManifest": join(manifests, "operator-crds.yaml") } : {}),
            ...extra,
        };
        for (const [k, v] of Object.entries(overrides)) await this.ok(`config set ${k}`, ["config", "set", "--stack", stack, "--path", k, v]);
    }

    /**
     * Point the stack at a Calico release, air-gapped: `calico:version`, the Kubernetes minor the
     * support matrix pairs it with (1.28 for v3.27.3, 1.33 for v3.31.3), and its manifests from
     * ../shared/upstream (v3.27.3 has its CRDs inside tigera-operator.yaml, so no crdsManifest).
     */
    async useRelease(stack: string, version: "v3.27.3" | "v3.31.3"): Promise<void> {
        const manifests = join(UPSTREAM, "calico", version, "manifests");
        const set = (k: string, v: string) => this.ok(`config set ${k}`, ["config", "set", "--stack", stack, "--path", k, v]);
        await set("calico:version", version);
        await set("calico:kubernetesVersion", version === "v3.27.3" ? "1.28" : "1.33");
        await set("calico:operator.manifest", join(manifests, "tigera-operator.yaml"));
        if (version === "v3.31.3") await set("calico:operator.crdsManifest", join(manifests, "operator-crds.yaml"));
        else await this.ok("config rm crdsManifest", ["config", "rm", "--stack", stack, "--path", "calico:operator.crdsManifest"]);
    }

    /**
     * A chart from ../shared/upstream/charts, copied into the workspace. Helm refuses a chart whose
     * Chart.yaml names a dependency that is missing from charts/, whatever its condition; the shared
     * copy of kube-prometheus-stack 65.1.1 holds only its `crds` dependency (its README lists the
     * others, but they are not there), so the copy keeps only the dependencies that are present.
     * The chart's own templates and values are untouched.
     */
    localChart(name: string): string {
        const dest = join(this.dir, ".charts", name);
        if (existsSync(dest)) return dest;
        cpSync(join(UPSTREAM, "charts", name), dest, { recursive: true });
        const chartFile = join(dest, "Chart.yaml");
        const chart = parse(readFileSync(chartFile, "utf8"));
        const present = new Set(existsSync(join(dest, "charts")) ? readdirSync(join(dest, "charts")) : []);
        const dropped = (chart.dependencies ?? []).filter((d: { name: string }) => !present.has(d.name)).map((d: { name: string }) => d.name);
        chart.dependencies = (chart.dependencies ?? []).filter((d: { name: string }) => present.has(d.name));
        writeFileSync(chartFile, stringify(chart));
        if (dropped.length) console.log(`      [e2e] ${name}: dependencies missing from ../shared, left out: ${dropped.join(", ")}`);
        return dest;
    }

    /** A value from the stack file as committed (top-level key). */
    stackValue(stack: string, key: string): string | undefined {
        const text = readFileSync(join(this.dir, "stacks", `Pulumi.${stack}.yaml`), "utf8");
        return text.match(new RegExp(`^\\s+${key.replace(/[.:]/g, "\\$&")}:\\s*"?([^"\\s#]+)`, "m"))?.[1];
    }

    /**
     * Remove the stack the way the README's Safety section says: lift the protection
     * (`calico:protect false`, then an `up` that changes nothing in the cluster), then destroy.
     */
    async unprotectAndDestroy(stack: string): Promise<CliResult> {
        await this.ok("config set calico:protect false", ["config", "set", "--stack", stack, "calico:protect", "false"]);
        await this.ok("up (lift the protection)", ["up", "--yes", "--skip-preview", "--stack", stack], { timeoutSeconds: 900 });
        return this.ok("destroy", ["destroy", "--yes", "--skip-preview", "--stack", stack], { timeoutSeconds: 900 });
    }

    /** Set a secret the way a user does. */
    async setSecret(stack: string, path: string, value: string): Promise<void> {
        // A value that looks like a flag (a PEM key starts with "-----") goes through standard input, as a user pipes a key file in.
        if (value.startsWith("-")) await this.ok(`config set --secret ${path} (stdin)`, ["config", "set", "--stack", stack, "--secret", "--path", path], { input: value });
        else await this.ok(`config set --secret ${path}`, ["config", "set", "--stack", stack, "--secret", "--path", path, value]);
    }

    /** The stack's checkpoint (state file) as text. */
    stateText(stack: string): string {
        const dir = join(this.dir, ".state", ".pulumi", "stacks", "calico");
        const file = readdirSync(dir).find((f) => f === `${stack}.json`);
        return file ? readFileSync(join(dir, file), "utf8") : "";
    }

    /**
     * The plugin versions behind a CLI run, as the engine reports them: it names every plugin it
     * takes from PATH, and warns when a plugin's version differs from the one the SDK asked for.
     */
    static pluginReport(r: CliResult): string[] {
        const text = r.stdout + r.stderr;
        const found = new Set<string>();
        for (const m of text.matchAll(/using (pulumi-[a-z-]+) from \$PATH/g)) found.add(`${m[1]} from PATH`);
        for (const m of text.matchAll(/resource plugin (\S+) is expected to have version (\S+), but has (\S+);/g)) found.add(`${m[1]} ${m[3]} (SDK asked ${m[2]})`);
        return [...found].sort();
    }

    /** Print every timing of this workspace. */
    report(): void {
        const total = this.timings.reduce((a, t) => a + t.seconds, 0);
        console.log(`      [e2e] ${this.name}: ${this.timings.length} CLI calls, ${total.toFixed(1)} s in all`);
    }

    remove(): void {
        if (!process.env.E2E_KEEP) rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A local control plane from e2e/cluster.sh, with a Kube client for assertions. */
export class Cluster {
    readonly dir: string;
    readonly kubeconfig: string;
    private kubeClient?: Kube;

    private constructor(dir: string) {
        this.dir = dir;
        this.kubeconfig = join(dir, "kubeconfig");
    }

    /** Start a cluster whose fake nodes come from `stackFile`; `env` sets the scenario switches. */
    static up(stackFile: string | undefined, env: Record<string, string> = {}): Cluster {
        const dir = mkdtempSync(join(tmpdir(), "calico-e2e-cluster-"));
        const t0 = Date.now();
        const r = spawnSync("bash", [join(ROOT, "e2e", "cluster.sh"), "up", dir, ...(stackFile ? [stackFile] : [])], { env: { ...process.env, E2E_BIN: BIN, ...env }, encoding: "utf8", timeout: 300_000 });
        if (r.status !== 0) {
            spawnSync("bash", [join(ROOT, "e2e", "cluster.sh"), "down", dir], { timeout: 60_000 });
            throw new Error(`cluster.sh up failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
        }
        console.log(`      [e2e] cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
        return new Cluster(dir);
    }

    get kube(): Kube {
        return (this.kubeClient ??= new Kube(this.kubeconfig));
    }

    down(): void {
        const calls = existsSync(join(this.dir, "calicoctl-calls.log")) ? readFileSync(join(this.dir, "calicoctl-calls.log"), "utf8").trim().split("\n").filter(Boolean) : [];
        const byCommand = new Map<string, number>();
        // Each line is "<version> <arguments>" (calicoctl()).
        for (const c of calls) byCommand.set(c.split(" ")[1], (byCommand.get(c.split(" ")[1]) ?? 0) + 1);
        console.log(`      [e2e] calicoctl invocations: ${calls.length} (${[...byCommand].map(([k, v]) => `${k} ${v}`).join(", ") || "none"})`);
        spawnSync("bash", [join(ROOT, "e2e", "cluster.sh"), "down", this.dir], { timeout: 60_000, stdio: "inherit" });
        if (!process.env.E2E_KEEP) rmSync(this.dir, { recursive: true, force: true });
    }

    /**
     * What a cluster that already runs kube-prometheus-stack has (stacks that declare
     * `serviceMonitors.crdsPresent: true`): the prometheus-operator CRDs, from ../shared/upstream,
     * and the `monitoring` namespace.
     */
    async installPrometheusCrds(): Promise<void> {
        const dir = readdirSync(join(UPSTREAM, "prometheus-operator"))[0];
        const r = spawnSync(join(BIN, "kubectl"), ["apply", "--server-side", "-f", join(UPSTREAM, "prometheus-operator", dir, "crds")], { env: { ...process.env, KUBECONFIG: this.kubeconfig }, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`kubectl apply of the prometheus-operator CRDs failed: ${r.stderr}`);
        await this.kube.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } });
    }

    /** The simulator's log of every change of each node's BGP sessions. */
    bgpHistory(): { t: number; node: string; established: number; meshEnabled: boolean; sessions: { peerIP: string; type: string; state: string }[] }[] {
        const f = join(this.dir, "bgp-history.jsonl");
        return existsSync(f) ? readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    }

    /**
     * A calicoctl cache folder (calico:calicoctl.cacheDir) seeded with the real calicoctl of each
     * version, where the program's commands look for `<version>/calicoctl-<os>-<arch>` before
     * downloading: the air-gapped way to provide calicoctl, and the one that keeps the command text
     * free of any version across an upgrade. Each entry is the logging wrapper of calicoctl().
     */
    calicoctlCache(versions: readonly string[]): string {
        const cache = join(this.dir, "calicoctl-cache");
        const arch = process.arch === "arm64" ? "arm64" : "amd64";
        for (const v of versions) {
            mkdirSync(join(cache, v), { recursive: true });
            cpSync(this.calicoctl(v), join(cache, v, `calicoctl-linux-${arch}`));
        }
        return cache;
    }

    /**
     * The real calicoctl of `version` (built from ../shared/upstream/src by build.sh), behind a
     * two-line wrapper that appends each call's version and arguments to calicoctl-calls.log (the
     * per-scenario invocation count) and execs the binary: the wrapper decides nothing.
     */
    calicoctl(version: string): string {
        const real = join(BIN, `calicoctl-${version}`);
        if (!existsSync(real)) throw new Error(`${real} is missing: run e2e/toolchain/build.sh`);
        const path = join(this.dir, `calicoctl-${version}`);
        writeFileSync(path, `#!/bin/sh\necho "${version} $*" >> ${join(this.dir, "calicoctl-calls.log")}\nexec ${real} "$@"\n`, { mode: 0o755 });
        return path;
    }
}

/** Records watch events of some collections from now on, with arrival times. */
export class WatchRecorder {
    readonly events: { t: number; path: string; type: WatchEvent["type"]; object: KubeObject }[] = [];
    private readonly abort = new AbortController();

    constructor(kube: Kube, paths: readonly string[]) {
        // Each watch (and each of its reconnects) listens on this one signal; more than Node's default of 10 is expected.
        setMaxListeners(100, this.abort.signal);
        for (const path of paths) kube.watch(path, (e) => this.events.push({ t: Date.now(), path, type: e.type, object: e.object }), { signal: this.abort.signal });
    }

    stop(): void {
        this.abort.abort();
    }
}

/** Sleep. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
