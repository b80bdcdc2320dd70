/**
 * kube-proxy under eBPF: the guide's command (v3.27.3, and the update that upgrades from it), the
 * v3.31.3 gate on the operator's nodeSelector (scripts run with /bin/sh against kubectl stand-ins,
 * the gate with a clock that jumps), and the steps `plan --from` describes. That the engine removes
 * the guide's key only after the gate, with the real provider and API server, is
 * e2e/scenarios/ebpf-kube-proxy.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPlan } from "../../cli/plan";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { renderInstallation } from "../../lib/render/installation";
import { GUIDE_KUBE_PROXY_OFF, KUBE_PROXY_RESOURCES, kubeProxyMode, OPERATOR_KUBE_PROXY_OFF, renderKubeProxyGate, renderKubeProxyGuideCommand } from "../../lib/render/kubeproxy";
import { writeStackFile, type RawConfig } from "../support/configs";
import { baseFor } from "../config/upstream-agreement";
import type { CalicoVersion } from "../../lib/model/versions";
import type { PlannedResource } from "../../lib/render/resource-spec";

/** eBPF on a release (the API server's real address is required with it). */
function bpf(version: CalicoVersion): RawConfig {
    const c = baseFor(version);
    c["calico:network"].dataplane = "bpf";
    if (version === "v3.27.3") c["calico:network"].ipPools = [{ name: "p1", cidr: "10.244.0.0/16", encapsulation: "VXLAN" }];
    c["calico:cluster"].apiServer = { host: "10.0.0.10", port: 6443 };
    return c;
}
const settings = (c: RawConfig) => loadSettings(c).settings;

/**
 * Run the gate with a kubectl that answers from `answers` in turn (the last one repeats), `date`
 * that advances 100 s per call, and a `sleep` that returns at once.
 */
function runGate(script: string, answers: { stdout?: string; stderr?: string; code: number }[], tigerastatus = "") {
    const bin = mkdtempSync(join(tmpdir(), "kp-gate-"));
    writeFileSync(join(bin, "answers.json"), JSON.stringify(answers));
    writeFileSync(join(bin, "kubectl"), `#!/usr/bin/env node
const fs = require("fs"), dir = ${JSON.stringify(bin)};
const args = process.argv.slice(2);
fs.appendFileSync(dir + "/calls", args.join(" ") + "\\n");
if (args.includes("tigerastatus")) { process.stdout.write(${JSON.stringify(tigerastatus)}); process.exit(0); }
const all = JSON.parse(fs.readFileSync(dir + "/answers.json", "utf8"));
let n = 0; try { n = Number(fs.readFileSync(dir + "/n", "utf8")); } catch {}
fs.writeFileSync(dir + "/n", String(n + 1));
const a = all[Math.min(n, all.length - 1)];
process.stdout.write(a.stdout || ""); process.stderr.write(a.stderr || ""); process.exit(a.code);
`);
    writeFileSync(join(bin, "date"), `#!/bin/sh\nn=$(cat ${bin}/clock 2>/dev/null || echo 1000)\necho $((n + 100)) > ${bin}/clock\necho $n\n`);
    writeFileSync(join(bin, "sleep"), "#!/bin/sh\nexit 0\n");
    for (const f of ["kubectl", "date", "sleep"]) chmodSync(join(bin, f), 0o755);
    const r = spawnSync("/bin/sh", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
    const calls = spawnSync("cat", [join(bin, "calls")], { encoding: "utf8" }).stdout;
    return { code: r.status, stderr: r.stderr, calls };
}

describe("kube-proxy under eBPF", () => {
    const named = (plan: PlannedResource[], n: string) => plan.find((p) => p.name === `calico-${n}`);
    const withDeployed = (c: RawConfig, v: CalicoVersion) => ({ ...settings(c), deployedCalicoVersion: v });

    it("v3.27.3: the guide's command after the Installation, no gate, no kubeProxyManagement", () => {
        const s = settings(bpf("v3.27.3"));
        const plan = planResources(s);
        const guide = named(plan, KUBE_PROXY_RESOURCES.guide)!;
        assert.equal(guide.type, "command:local:Command");
        assert.deepEqual(guide.dependsOn, ["calico-installation"]);
        assert.ok(!named(plan, KUBE_PROXY_RESOURCES.gate));
        assert.equal(kubeProxyMode(s), "guide");
        assert.equal((renderInstallation(s) as any).spec.calicoNetwork.kubeProxyManagement, undefined);
    });

    it("v3.31.3 fresh, or already on v3.31.3: kubeProxyManagement Enabled and the gate after the Installation, no guide command", () => {
        for (const s of [settings(bpf("v3.31.3")), withDeployed(bpf("v3.31.3"), "v3.31.3")]) {
            const plan = planResources(s);
            assert.ok(!named(plan, KUBE_PROXY_RESOURCES.guide));
            assert.deepEqual(named(plan, KUBE_PROXY_RESOURCES.gate)!.dependsOn, ["calico-installation"]);
            assert.equal((renderInstallation(s) as any).spec.calicoNetwork.kubeProxyManagement, "Enabled");
        }
    });

    it("the update that upgrades from v3.27.3 keeps the guide's way: the old Installation CRD has no kubeProxyManagement", () => {
        const s = withDeployed(bpf("v3.31.3"), "v3.27.3");
        const plan = planResources(s);
        assert.equal(kubeProxyMode(s), "guide");
        assert.ok(named(plan, KUBE_PROXY_RESOURCES.guide) && !named(plan, KUBE_PROXY_RESOURCES.gate));
        assert.equal((renderInstallation(s) as any).spec.calicoNetwork.kubeProxyManagement, undefined);
        // The same command as on v3.27.3, so the upgrade does not run it again.
        assert.equal(JSON.stringify(named(plan, KUBE_PROXY_RESOURCES.guide)!.spec), JSON.stringify(named(planResources(settings(bpf("v3.27.3"))), KUBE_PROXY_RESOURCES.guide)!.spec));
    });

    it("iptables on either release: neither", () => {
        for (const v of ["v3.27.3", "v3.31.3"] as const) {
            const plan = planResources(settings(baseFor(v)));
            assert.ok(!named(plan, KUBE_PROXY_RESOURCES.guide) && !named(plan, KUBE_PROXY_RESOURCES.gate), v);
        }
    });

    describe("the guide's command", () => {
        const spec = renderKubeProxyGuideCommand(settings(bpf("v3.27.3")))!;
        /** Run a script with a kubectl that answers `get` from `selector` (or NotFound) and records the rest. */
        function run(script: string, selector: string | undefined) {
            const bin = mkdtempSync(join(tmpdir(), "kp-guide-"));
            writeFileSync(join(bin, "kubectl"), `#!/usr/bin/env node
const fs = require("fs"), dir = ${JSON.stringify(bin)};
const args = process.argv.slice(2);
const stdin = args.includes("-f") ? fs.readFileSync(0, "utf8") : "";
fs.appendFileSync(dir + "/calls", args.join(" ") + "\\n");
if (stdin) fs.writeFileSync(dir + "/applied", stdin);
const sel = ${JSON.stringify(selector ?? null)};
if (sel === null) { process.stderr.write('Error from server (NotFound): daemonsets.apps "kube-proxy" not found'); process.exit(1); }
if (args[0] === "get") process.stdout.write(sel);
`);
            chmodSync(join(bin, "kubectl"), 0o755);
            const r = spawnSync("/bin/sh", ["-c", script], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
            const read = (f: string) => spawnSync("cat", [join(bin, f)], { encoding: "utf8" }).stdout;
            return { code: r.status, stderr: r.stderr, calls: read("calls"), applied: read("applied") };
        }

        it("adds its key and keeps the rest of the selector (an atomic map under server-side apply), under its own field manager", () => {
            const r = run(spec.create, JSON.stringify({ "kubernetes.io/os": "linux" }));
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.calls, /^apply --server-side --force-conflicts --field-manager=calico-pulumi-kube-proxy -f -$/m);
            const applied = JSON.parse(r.applied);
            assert.deepEqual(applied.spec.template.spec.nodeSelector, { "kubernetes.io/os": "linux", [GUIDE_KUBE_PROXY_OFF.key]: "true" });
            assert.deepEqual(applied.metadata, { name: "kube-proxy", namespace: "kube-system" });
        });

        it("works on a DaemonSet with no selector, and does nothing where there is no kube-proxy", () => {
            assert.deepEqual(JSON.parse(run(spec.create, "").applied).spec.template.spec.nodeSelector, { [GUIDE_KUBE_PROXY_OFF.key]: "true" });
            const none = run(spec.create, undefined);
            assert.equal(none.code, 0, none.stderr);
            assert.match(none.stderr, /no kube-system\/kube-proxy DaemonSet: nothing to do/);
        });

        it("on delete removes only its key, with a JSON merge patch (whoever owns the map by then)", () => {
            const r = run(spec.delete!, "{}");
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.calls, /^patch daemonset kube-proxy -n kube-system --type merge -p \{"spec":\{"template":\{"spec":\{"nodeSelector":\{"non-calico":null\}\}\}\}\}$/m);
        });
    });

    describe("the gate's script", () => {
        const script = renderKubeProxyGate(settings(bpf("v3.31.3")))!.create;

        it("passes once the operator's key is on the DaemonSet, after waiting for it", () => {
            const r = runGate(script, [{ stdout: "", code: 0 }, { stdout: "", code: 0 }, { stdout: "true", code: 0 }]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, new RegExp(`nodeSelector ${OPERATOR_KUBE_PROXY_OFF.replace(/\./g, "\\.")}=true`));
            const gets = r.calls.split("\n").filter((c) => c.startsWith("get daemonset kube-proxy"));
            assert.equal(gets.length, 3);
            assert.match(gets[0], /-n kube-system -o jsonpath=\{\.spec\.template\.spec\.nodeSelector\.operator\\\.tigera\\\.io\/disable-kube-proxy\}/);
        });

        it("passes with a note where there is no kube-proxy DaemonSet", () => {
            const r = runGate(script, [{ stderr: 'Error from server (NotFound): daemonsets.apps "kube-proxy" not found', code: 1 }]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /no kube-system\/kube-proxy DaemonSet: nothing to hand over/);
        });

        it("fails after its timeout with the operator's own reason and the fix", () => {
            const r = runGate(script, [{ stdout: "", code: 0 }], "DaemonSet is likely managed by: Helm");
            assert.equal(r.code, 1);
            assert.match(r.stderr, /after 300s the operator has not set nodeSelector operator\.tigera\.io\/disable-kube-proxy=true/);
            assert.match(r.stderr, /TigeraStatus kubeproxy-monitor: DaemonSet is likely managed by: Helm/);
            assert.match(r.stderr, /disable kube-proxy through the tool that manages it/);
        });

        it("keeps waiting through an API error other than NotFound", () => {
            const r = runGate(script, [{ stderr: "Unable to connect to the server: EOF", code: 1 }, { stdout: "true", code: 0 }]);
            assert.equal(r.code, 0, r.stderr);
        });
    });

    it("plan --from v3.27.3 → v3.31.3 with eBPF: the guide's way stays for this update, and the step says what the next up does", () => {
        let stdout = "";
        let stderr = "";
        // The upgrade keeps the pools (a pool change waits for an update of its own).
        const next = bpf("v3.31.3");
        next["calico:network"].ipPools = bpf("v3.27.3")["calico:network"].ipPools;
        const code = runPlan(["--stack-file", writeStackFile(next), "--from", writeStackFile(bpf("v3.27.3")), "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        assert.equal(code, 0, stderr);
        const m = JSON.parse(stdout).migration;
        const titles: string[] = m.steps.map((s: { title: string }) => s.title);
        const step = m.steps.find((s: { title: string }) => /^kube-proxy \(eBPF\)/.test(s.title));
        assert.ok(step, titles.join("\n"));
        assert.match(step.details.join("\n"), /has no such field/);
        assert.match(step.details.join("\n"), /wait-kube-proxy-off waits/);
        const all = [...m.resources.create, ...m.resources.update, ...m.resources.delete];
        assert.ok(!all.some((n: string) => /kube-proxy/.test(n)), `the upgrade itself touches no kube-proxy resource: ${all.join(", ")}`);
        assert.equal(m.refused, false);
    });
});
