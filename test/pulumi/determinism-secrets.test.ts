/**
 * Same config, same bytes: every stack registers identical inputs on every run. And known secret
 * values appear nowhere they must not: plan files, plan JSON, command text, plain outputs.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "../../components/program";
import { runPlan } from "../../cli/plan";
import { runStack, unwrap, isWrappedSecret } from "../support/mocks";
import { toPulumiConfig, writeStackFile, type RawConfig } from "../support/configs";
import { STACK_NAMES, stackPulumiConfig, stackConfig } from "../support/stacks";

/** A config with every kind of secret set to a recognisable plaintext. */
function configWithSecrets(): { config: RawConfig; secrets: string[] } {
    const secrets = ["bgp-pw-5a1t", "grafana-pw-9x2k", "-----BEGIN OPENSSH PRIVATE KEY----- ssh-key-7q", "kubeconfig-token-3z8v"];
    const c = stackConfig("tor");
    const racks = (c["calico:bgp"] as any).tor.racks;
    racks[0].switches[0].password = secrets[0];
    c["calico:monitoring"] = { install: { prometheus: true, grafana: true, grafanaAdminPassword: secrets[1] } };
    c["calico:nodePrep"] = { mode: "ssh", ssh: { nodes: [{ host: "10.1.0.1" }], privateKey: secrets[2] } };
    c["calico:kubeconfig"] = `apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: ${secrets[3]}}}]`;
    return { config: c, secrets };
}

describe("determinism", () => {
    for (const stack of STACK_NAMES) {
        it(`${stack}: two runs register byte-identical inputs`, async () => {
            const a = await runStack(() => runProgram(stackPulumiConfig(stack)));
            const b = await runStack(() => runProgram(stackPulumiConfig(stack)));
            const text = (r: typeof a) => JSON.stringify(r.registrations.map((x) => [x.type, x.name, x.parent, x.dependsOn, unwrap(x.inputs)]));
            assert.equal(text(a), text(b));
            assert.equal(JSON.stringify(a.outputs), JSON.stringify(b.outputs));
        });
    }
});

describe("secrets stay secret", () => {
    const { config, secrets } = configWithSecrets();
    const leaks = (text: string) => secrets.filter((s) => text.includes(s) || text.includes(s.split(" ").pop()!));

    it("not in plan --out files, plan --json or the summary, and plan warns that they are in plain text", () => {
        const file = writeStackFile(config);
        const out = mkdtempSync(join(tmpdir(), "plan-secrets-"));
        let json = "";
        let text = "";
        assert.equal(runPlan(["--stack-file", file, "--json", "--out", out], { stdout: (t) => (json += t), stderr: () => undefined }), 0);
        assert.equal(runPlan(["--stack-file", file], { stdout: (t) => (text += t), stderr: () => undefined }), 0);
        const files = readdirSync(out).map((f) => readFileSync(join(out, f), "utf8")).join("\n");
        assert.deepEqual(leaks(files), []);
        assert.deepEqual(leaks(json), []);
        assert.deepEqual(leaks(text), []);
        const warnings: string[] = JSON.parse(json).warnings;
        for (const path of ["calico:bgp.tor.racks[0].switches[0].password", "calico:monitoring.install.grafanaAdminPassword", "calico:nodePrep.ssh.privateKey", "calico:kubeconfig"]) {
            assert.ok(warnings.some((w) => w.startsWith(`${path}: is stored in plain text`)), path);
        }
        assert.ok(files.includes("<secret calico:bgp.tor.racks[0].switches[0].password>"), "the Secret object names where its value comes from");
    });

    it("not in any command's create, update, delete or stdin, and only as secrets in resource inputs", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig(config)));
        for (const r of run.registrations) {
            if (r.type.startsWith("command:")) {
                const i = unwrap(r.inputs);
                assert.deepEqual(leaks([i.create, i.update, i.delete, i.stdin].join("\n")), [], r.name);
            }
            // Wherever a secret value is an input, it must arrive wrapped as a secret.
            const plain = JSON.stringify(r.inputs, (_k, v) => (isWrappedSecret(v) ? "[wrapped]" : v));
            assert.deepEqual(leaks(plain), [], `${r.type} ${r.name} carries a secret in plain text`);
        }
        assert.ok(run.registrations.some((r) => JSON.stringify(unwrap(r.inputs)).includes(secrets[0])), "the BGP password does reach the cluster");
    });

    it("not in the stack outputs", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig(config)));
        assert.deepEqual(leaks(JSON.stringify(run.outputs)), []);
    });
});
