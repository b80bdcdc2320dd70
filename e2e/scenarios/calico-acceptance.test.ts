/**
 * What the program accepts, Calico accepts: every valid config the tests hold (the committed stacks,
 * the accepted rows of the upstream-agreement table, and a seeded corpus of generated configs that
 * sets every field reaching Calico, at both versions) is rendered by the plan pipeline, and every
 * calicoctl invocation the plan's commands end with is handed, with its input, to the real calicoctl
 * of that version against a local API server that holds that release's CRDs. The Installation and
 * APIServer go to the API server as a server-side dry run, so the operator CRD schema judges them.
 * No Pulumi engine runs: this is the differential test of the renderer against Calico.
 *
 * Counted as a refusal: calicoctl exiting non-zero on a create (or on a delete the script does not
 * ignore), and the API server refusing the Installation or APIServer. Each one is a product defect.
 *
 * Test-only stand-ins, named: ClusterInformation `default` with the release's calicoVersion (what
 * calico-node writes at start-up, and what calicoctl's version check reads), FelixConfiguration and
 * KubeControllersConfiguration `default` (what the operator and kube-controllers create, and what the
 * program's patches expect), and the Kubernetes Nodes a per-node patch names (kubelets register them).
 * The operator's own judgement of the Installation (its Degraded conditions) is not part of this test.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render/index";
import type { CalicoctlCall, PlannedResource } from "../../lib/render/resource-spec";
import type { CalicoVersion } from "../../lib/model/versions";
import { BIN, Cluster, UPSTREAM, requireToolchain } from "../support/harness";
import { CALICO_FIELDS, VERSION_ONLY, fieldPaths, generatedConfigs, tableConfigs, type ValidConfig } from "../support/valid-configs";

/** Generated configs per version (the issue asks for at least 300 in all). */
const PER_VERSION = Number(process.env.E2E_ACCEPTANCE_PER_VERSION ?? 160);

/** One refusal: which config, which call, what Calico said. */
interface Refusal {
    readonly config: string;
    readonly what: string;
    readonly message: string;
}

describe("e2e: Calico accepts what the program accepts (real calicoctl, the releases' CRD schemas)", function () {
    this.timeout(60 * 60_000);
    let cluster: Cluster;
    const generated = generatedConfigs(PER_VERSION);
    const corpus: ValidConfig[] = [...tableConfigs(), ...generated.configs];
    const refusals: Refusal[] = [];
    let calls = 0;

    before(() => {
        requireToolchain();
        cluster = Cluster.up(undefined, { E2E_NODES: "1" });
    });
    after(() => cluster?.down());

    const run = (bin: string, args: readonly string[], stdin?: string) => {
        calls++;
        const r = spawnSync(bin, [...args], { input: stdin ?? "", env: { ...process.env, KUBECONFIG: cluster.kubeconfig, DATASTORE_TYPE: "kubernetes" }, encoding: "utf8", timeout: 60_000 });
        return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
    };
    const kubectl = (args: readonly string[], stdin?: string) => run(join(BIN, "kubectl"), args, stdin);

    /** The cluster as calico-node, the operator and kube-controllers leave it, for `version`'s calicoctl. */
    function prepare(version: CalicoVersion): void {
        const manifests = join(UPSTREAM, "calico", version, "manifests");
        for (const f of ["crds.yaml", "operator-crds.yaml"]) {
            const r = kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(manifests, f)]);
            assert.ok(r.ok, `CRDs of ${version} (${f}): ${r.out}`);
        }
        const w = kubectl(["wait", "--for", "condition=established", "--timeout", "60s", "crd", "--all"]);
        assert.ok(w.ok, w.out);
        const standIns = [
            { apiVersion: "crd.projectcalico.org/v1", kind: "ClusterInformation", metadata: { name: "default" }, spec: { calicoVersion: version, clusterType: "k8s,bgp,kubeadm,kdd,operator", datastoreReady: true } },
            { apiVersion: "crd.projectcalico.org/v1", kind: "FelixConfiguration", metadata: { name: "default" }, spec: {} },
            { apiVersion: "crd.projectcalico.org/v1", kind: "KubeControllersConfiguration", metadata: { name: "default" }, spec: { controllers: {} } },
        ];
        const r = kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], standIns.map((o) => stringify(o)).join("---\n"));
        assert.ok(r.ok, r.out);
    }

    /** Nodes a `calicoctl patch node NAME` of the plan names, registered as a kubelet would. */
    function ensureNodes(plan: readonly PlannedResource[]): void {
        const names = plan.flatMap((p) => (p.spec.kind === "localCommand" && p.spec.calicoctl?.create.args[0] === "patch" && p.spec.calicoctl.create.args[1] === "node" ? [p.spec.calicoctl.create.args[2]] : []));
        if (!names.length) return;
        const r = kubectl(["apply", "-f", "-"], names.map((n) => stringify({ apiVersion: "v1", kind: "Node", metadata: { name: n } })).join("---\n"));
        assert.ok(r.ok, r.out);
    }

    /** Apply one config's plan with the real parts, then remove what it applied; record every refusal. */
    function check(c: ValidConfig): void {
        checkPlan(c.title, c.version, planResources(loadSettings(c.config).settings), refusals);
    }

    /** check() for a plan as given, recording into `into`. */
    function checkPlan(title: string, version: CalicoVersion, plan: readonly PlannedResource[], into: Refusal[]): void {
        const calicoctl = join(BIN, `calicoctl-${version}`);
        const refuse = (what: string, message: string) => into.push({ config: title, what, message: message.slice(0, 600) });
        ensureNodes(plan);
        for (const p of plan) {
            if (p.spec.kind !== "object" || !p.spec.object.apiVersion.startsWith("operator.tigera.io/")) continue;
            const r = kubectl(["apply", "--server-side", "--dry-run=server", "--field-manager", "acceptance", "-f", "-"], stringify(p.spec.object));
            if (!r.ok) refuse(`${p.spec.object.kind} (dry run)`, r.out);
        }
        const commands = plan.flatMap((p) => (p.spec.kind === "localCommand" && p.spec.calicoctl ? [{ name: p.name, calls: p.spec.calicoctl }] : []));
        const applies = commands.filter((x) => x.calls.create.args[0] === "apply");
        const others = commands.filter((x) => x.calls.create.args[0] !== "apply");
        // The objects one after another in one apply, as calicoctl takes a multi-document file; on a
        // refusal, each one alone, to name it.
        if (applies.length) {
            const r = run(calicoctl, ["apply", "-f", "-"], applies.map((x) => x.calls.create.stdin).join("---\n"));
            if (!r.ok) {
                for (const x of applies) {
                    const one = run(calicoctl, x.calls.create.args, x.calls.create.stdin);
                    if (!one.ok) refuse(`calicoctl ${x.calls.create.args.join(" ")} (${x.name})`, one.out);
                }
            }
        }
        for (const x of others) {
            const r = run(calicoctl, x.calls.create.args, x.calls.create.stdin);
            if (!r.ok) refuse(`calicoctl ${callText(x.calls.create)} (${x.name})`, r.out);
        }
        // Remove in reverse, as a destroy does.
        for (const x of [...others].reverse()) {
            const r = run(calicoctl, x.calls.delete.args, x.calls.delete.stdin);
            if (!r.ok && !x.calls.delete.mayFail) refuse(`calicoctl ${callText(x.calls.delete)} (delete ${x.name})`, r.out);
        }
        if (applies.length) {
            const r = run(calicoctl, ["delete", "--skip-not-exists", "-f", "-"], [...applies].reverse().map((x) => x.calls.delete.stdin).join("---\n"));
            if (!r.ok) refuse("calicoctl delete --skip-not-exists -f - (every applied object)", r.out);
        }
    }
    const callText = (call: CalicoctlCall) => call.args.map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(" ");

    it(`the corpus sets every field that reaches Calico, at both versions, with at least 300 generated configs`, () => {
        assert.ok(generated.configs.length >= 300, `${generated.configs.length} generated configs`);
        for (const version of ["v3.27.3", "v3.31.3"] as const) {
            const seen = new Set<string>();
            for (const c of generated.configs.filter((x) => x.version === version)) for (const p of fieldPaths(c.config)) seen.add(p);
            const missing = CALICO_FIELDS.filter((f) => (!VERSION_ONLY[f] || VERSION_ONLY[f] === version) && ![...seen].some((p) => p === f || p.startsWith(`${f}.`)));
            assert.deepEqual(missing, [], `${version}: fields no generated config sets`);
        }
        console.log(`      [e2e] corpus: ${corpus.length} configs (${corpus.length - generated.configs.length} from the stacks and tables, ${generated.configs.length} generated; the program refused ${generated.refusedByProgram} other candidates)`);
    });

    it("negative control: objects and flags Calico refuses are counted, each named", () => {
        prepare("v3.31.3");
        const plan = planResources(loadSettings({ ...tableConfigs().find((c) => c.title === "stack tor")!.config }).settings);
        // The same plan with three things Calico refuses: a log level outside its enum, a peer
        // address that is no IP, and a block limit without strict affinity.
        const broken = plan.map((p): PlannedResource => {
            const spec = p.spec;
            if (spec.kind !== "localCommand" || !spec.calicoctl) return p;
            const calls = spec.calicoctl;
            const withCreate = (create: CalicoctlCall): PlannedResource => ({ ...p, spec: { ...spec, calicoctl: { ...calls, create } } });
            const editObject = (f: (o: any) => void) => {
                const o = parse(calls.create.stdin!);
                f(o);
                return withCreate({ ...calls.create, stdin: stringify(o) });
            };
            if (calls.create.args[0] === "apply" && spec.object?.kind === "BGPConfiguration") return editObject((o) => (o.spec.logSeverityScreen = "Loud"));
            if (calls.create.args[0] === "apply" && spec.object?.metadata.name === "tor-r1-a") return editObject((o) => (o.spec.peerIP = "switch-a"));
            if (calls.create.args[0] === "ipam") return withCreate({ args: ["ipam", "configure", "--strictaffinity=false", "--max-blocks-per-host=4"] });
            return p;
        });
        const found: Refusal[] = [];
        checkPlan("broken tor", "v3.31.3", broken, found);
        assert.deepEqual(found.map((f) => f.what.replace(/ \(.*$/, "")).sort(), ["calicoctl apply -f -", "calicoctl apply -f -", "calicoctl ipam configure --strictaffinity=false --max-blocks-per-host=4"]);
        assert.ok(found.some((f) => /tor-r1-a/.test(f.what) && /peerIP/i.test(f.message)), JSON.stringify(found));
        assert.ok(found.some((f) => /bgpconfiguration-default/.test(f.what) && /logSeverityScreen|LogSeverityScreen/.test(f.message)), JSON.stringify(found));
        // The unbroken plan is accepted.
        const clean: Refusal[] = [];
        checkPlan("tor", "v3.31.3", plan, clean);
        assert.deepEqual(clean, []);
    });

    for (const version of ["v3.27.3", "v3.31.3"] as const) {
        it(`every valid ${version} config is accepted by calicoctl ${version} and the ${version} CRDs`, () => {
            prepare(version);
            const before = refusals.length;
            const t0 = Date.now();
            const mine = corpus.filter((c) => c.version === version);
            for (const c of mine) check(c);
            const found = refusals.slice(before);
            console.log(`      [e2e] ${version}: ${mine.length} configs, ${calls} calls so far, ${found.length} refusals, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
            for (const f of found.slice(0, 40)) console.log(`        REFUSED ${f.config}: ${f.what}: ${f.message.replace(/\s+/g, " ")}`);
            assert.equal(found.length, 0, `${found.length} refusals by Calico ${version} of configs the program accepts`);
        });
    }
});
