/**
 * Values the user stored with `pulumi config set --secret` stay secret even where the project does
 * not treat the field as secret by name (defect: calico:kubeContext reached the provider in plain
 * text). The engine tells the program which keys are secret (PULUMI_CONFIG_SECRET_KEYS).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { configSecretKeys, outputsOf, runProgram } from "../../components/program";
import { CalicoCluster } from "../../components/cluster";
import { loadSettings } from "../../lib/pipeline";
import { fromPulumiConfig } from "../../lib/config/raw";
import { runPlan } from "../../cli/plan";
import { isWrappedSecret, runStack, runStackSettled, unwrap, reachesCluster } from "../support/mocks";
import { stackArgs, stackConfig } from "../support/stacks";
import { toPulumiConfig, writeStackFile } from "../support/configs";

const CONTEXT = "prod-admin@secret-cluster-7f3k";

describe("secrets the user chose", () => {
    it("configSecretKeys reads the engine's secret-key list", () => {
        const config = toPulumiConfig({ ...stackConfig("small"), "calico:kubeContext": CONTEXT });
        pulumi.runtime.setAllConfig(config, ["calico:kubeContext"]);
        try {
            assert.deepEqual([...configSecretKeys(config)], ["calico:kubeContext"]);
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });

    it("a secret kubeContext is a secret provider input and a secret calicoctl environment value", async () => {
        const config = toPulumiConfig({ ...stackConfig("large"), "calico:kubeContext": CONTEXT });
        const run = await runStack(() => runProgram(config, new Set(["calico:kubeContext"])));
        const provider = run.registrations.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.ok(isWrappedSecret(provider.inputs.context), "provider context is not secret");
        assert.equal(unwrap(provider.inputs.context), CONTEXT);
        const commands = run.registrations.filter(reachesCluster);
        assert.ok(commands.length > 0);
        for (const c of commands) {
            const env = c.inputs.environment;
            assert.ok(isWrappedSecret(env) || isWrappedSecret(env.CALICO_KUBE_CONTEXT), `${c.name}: context not secret`);
            assert.equal(unwrap(env).CALICO_KUBE_CONTEXT, CONTEXT);
        }
        assert.ok(!JSON.stringify(run.outputs).includes(CONTEXT), "the context leaked into an output");
    });

    it("a plain kubeContext reaches the provider and every calicoctl command", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig({ ...stackConfig("large"), "calico:kubeContext": "ctx-b" })));
        assert.equal(unwrap(run.registrations.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs.context), "ctx-b");
        for (const c of run.registrations.filter(reachesCluster)) assert.equal(unwrap(c.inputs.environment).CALICO_KUBE_CONTEXT, "ctx-b", c.name);
    });

    it("a key that cannot be kept secret is refused by name, without its value", async () => {
        const config = toPulumiConfig({ ...stackConfig("small"), "calico:kubernetesVersion": "1.33" });
        const run = await runStackSettled(() => runProgram(config, new Set(["calico:kubernetesVersion"])));
        assert.ok(pulumi.RunError.isInstance(run.error));
        const msg = (run.error as Error).message;
        assert.match(msg, /calico:kubernetesVersion: is stored as a secret, but it cannot be kept secret/);
        assert.ok(!msg.includes('"1.33"'), msg);
        assert.equal(run.registrations.length, 0);
    });

    it("a structured key marked secret with no secret field is refused, without its values", async () => {
        const c = stackConfig("small");
        const run = await runStackSettled(() => runProgram(toPulumiConfig(c), new Set(["calico:network"])));
        assert.ok(pulumi.RunError.isInstance(run.error));
        assert.match((run.error as Error).message, /calico:network: is stored as a secret, but only its password/);
        assert.ok(!(run.error as Error).message.includes("192.168"), "a pool CIDR was printed");
    });

    it("a caller-supplied provider drives calicoctl and the gate only with its kubeconfig, which stays secret", async () => {
        const args = stackArgs("large");
        const missing = await runStackSettled(() => {
            const provider = new k8s.Provider("theirs", { kubeconfig: "x" });
            return outputsOf(new CalicoCluster("c", { ...args, provider }));
        });
        assert.ok(pulumi.RunError.isInstance(missing.error), String(missing.error));
        assert.match((missing.error as Error).message, /needs `kubeconfig`/);
        const ok = await runStack(() => {
            const provider = new k8s.Provider("theirs", { kubeconfig: "x" });
            return outputsOf(new CalicoCluster("c", { ...args, provider, kubeconfig: "their-kubeconfig-9q", kubeContext: "their-ctx" }));
        });
        const commands = ok.registrations.filter(reachesCluster);
        assert.ok(commands.length > 0);
        for (const c of commands) {
            const env = unwrap(c.inputs.environment);
            assert.equal(env.CALICO_KUBECONFIG, "their-kubeconfig-9q", c.name);
            assert.equal(env.CALICO_KUBE_CONTEXT, "their-ctx", c.name);
            assert.ok(isWrappedSecret(c.inputs.environment) || isWrappedSecret(c.inputs.environment.CALICO_KUBECONFIG), `${c.name}: kubeconfig not secret`);
        }
        assert.ok(!ok.registrations.some((r) => r.type === "pulumi:providers:kubernetes" && r.name !== "theirs"), "built a second provider");
    });

    it("plan accepts an encrypted kubeContext and never shows it", () => {
        let out = "";
        const code = runPlan(["--stack-file", writeStackFile({ ...stackConfig("small"), "calico:kubeContext": { secure: "v1:AAAA" } }), "--json"], { stdout: (t) => (out += t), stderr: (t) => (out += t) });
        assert.equal(code, 0, out);
        assert.ok(!out.includes("v1:AAAA"));
    });
});
