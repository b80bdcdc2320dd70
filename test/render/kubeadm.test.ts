/**
 * The kubeadm podSubnet check's script, run with /bin/sh against a kubectl stand-in on PATH that
 * answers like kubectl does (the ConfigMap's ClusterConfiguration on stdout, or its error on stderr
 * with exit 1). The real kubectl against a real API server is in e2e/scenarios/kubeadm-podsubnet.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import { renderPodSubnetCheck, podSubnetText } from "../../lib/render/kubeadm";
import { stackConfig } from "../support/stacks";

const clusterConfiguration = (podSubnet: string) => `apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: ${podSubnet}\n  serviceSubnet: 10.96.0.0/12\n`;

/** POSIX tools the script uses besides kubectl. */
const TOOLS = ["sed", "grep", "head", "tr", "sort", "paste", "mktemp", "rm", "cat"];

/** Run the check with a kubectl that prints `stdout`/`stderr` and exits `code` (no kubectl when undefined). */
function run(script: string, kubectl?: { stdout?: string; stderr?: string; code: number }): { code: number; stderr: string; args: string } {
    const bin = mkdtempSync(join(tmpdir(), "kubeadm-check-"));
    const log = join(bin, "args");
    if (kubectl) {
        writeFileSync(join(bin, "out"), kubectl.stdout ?? "");
        writeFileSync(join(bin, "err"), kubectl.stderr ?? "");
        writeFileSync(join(bin, "kubectl"), `#!/bin/sh\necho "$@" >> ${log}\ncat ${join(bin, "out")}\ncat ${join(bin, "err")} >&2\nexit ${kubectl.code}\n`);
        chmodSync(join(bin, "kubectl"), 0o755);
    }
    // Only the tools the script may use, so a kubectl installed on this machine cannot answer.
    const tools = join(bin, "tools");
    mkdirSync(tools);
    for (const t of TOOLS) symlinkSync(`/usr/bin/${t}`, join(tools, t));
    const r = spawnSync("/bin/sh", ["-c", script], { env: { PATH: `${bin}:${tools}`, CALICO_KUBE_CONTEXT: "ctx-a" }, encoding: "utf8" });
    const args = spawnSync("cat", [log], { encoding: "utf8" }).stdout ?? "";
    return { code: r.status ?? -1, stderr: r.stderr, args };
}

describe("kubeadm podSubnet check (script with a kubectl stand-in)", () => {
    const small = loadSettings(stackConfig("small")).settings;
    const script = renderPodSubnetCheck(small).create;
    const want = podSubnetText(small);

    it("passes when kubeadm's podSubnet equals calico:cluster.podCidr, and asks the configured context", () => {
        const r = run(script, { stdout: clusterConfiguration(want), code: 0 });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /matches calico:cluster\.podCidr/);
        assert.match(r.args, /^--context ctx-a get configmap kubeadm-config -n kube-system -o jsonpath=\{\.data\.ClusterConfiguration\}/);
    });

    it("fails with both values and the fix when they differ (quoted values too)", () => {
        const r = run(script, { stdout: clusterConfiguration('"10.244.0.0/16"'), code: 0 });
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`calico:cluster\\.podCidr is ${want.replace(/[./]/g, "\\$&")} but kubeadm's networking\\.podSubnet \\(kube-system/kubeadm-config\\) is 10\\.244\\.0\\.0/16\\. .*Fix: set calico:cluster\\.podCidr .*The Installation was not created\\.`));
    });

    it("compares a dual-stack podSubnet as a set", () => {
        const raw = stackConfig("small");
        (raw["calico:cluster"] as Record<string, unknown>).podCidr = ["172.20.0.0/16", "fd00:10::/56"];
        (raw["calico:network"] as Record<string, unknown>).ipPools = undefined;
        delete (raw["calico:network"] as Record<string, unknown>).ipPools;
        const dual = renderPodSubnetCheck(loadSettings(raw).settings).create;
        assert.equal(run(dual, { stdout: clusterConfiguration("fd00:10::/56,172.20.0.0/16"), code: 0 }).code, 0);
        assert.equal(run(dual, { stdout: clusterConfiguration("172.20.0.0/16"), code: 0 }).code, 1);
    });

    it("only notes it where the ConfigMap is absent or unreadable, or kubectl is missing", () => {
        for (const [what, kubectl] of [
            ["absent", { stderr: 'Error from server (NotFound): configmaps "kubeadm-config" not found', code: 1 }],
            ["forbidden", { stderr: 'Error from server (Forbidden): configmaps "kubeadm-config" is forbidden: User "ci" cannot get resource "configmaps"', code: 1 }],
            ["no podSubnet", { stdout: "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n", code: 0 }],
            ["no kubectl", undefined],
        ] as const) {
            const r = run(script, kubectl);
            assert.equal(r.code, 0, `${what}: ${r.stderr}`);
            assert.match(r.stderr, /^note: kubeadm podSubnet check: .*was not compared/m, what);
        }
    });

    it("fails on any other read error, with kubectl's message", () => {
        const r = run(script, { stderr: "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused", code: 1 });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /cannot read kube-system\/kubeadm-config: Unable to connect/);
    });
});
