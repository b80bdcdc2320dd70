import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import * as pulumi from "@pulumi/pulumi";
import { ConfigValidationError } from "../../lib/config/errors";
import { runPlan } from "../../cli/plan";
import { runProgram } from "../../components/program";
import { runStackSettled } from "../support/mocks";
import { jsonWithBigInts, toPulumiConfig, writeStackFile } from "../support/configs";
import { INVALID_CASES } from "./invalid-configs";

function errorsOf(config: Record<string, unknown>): ConfigValidationError {
    try {
        loadSettings(config);
    } catch (e) {
        if (e instanceof ConfigValidationError) return e;
        throw e;
    }
    assert.fail("config was accepted");
}

describe("invalid configs", () => {
    it(`has a large, distinct corpus`, () => {
        assert.ok(INVALID_CASES.length >= 80, `${INVALID_CASES.length} cases`);
        const keys = new Set(INVALID_CASES.map((c) => jsonWithBigInts(c.config)));
        assert.equal(keys.size, INVALID_CASES.length, "two cases share one config");
        const areas = new Set(INVALID_CASES.map((c) => c.path.split(/[.[]/)[0]));
        for (const area of ["calico:cluster", "calico:network", "calico:bgp", "calico:registry", "calico:monitoring", "calico:nodePrep", "calico:calicoctl", "calico:version", "calico:kubernetesVersion"]) {
            assert.ok(areas.has(area), `no case for ${area}`);
        }
    });

    for (const c of INVALID_CASES) {
        describe(c.title, () => {
            it(`names ${c.path} with the bad value`, () => {
                const err = errorsOf(c.config);
                const hit = err.issues.find((i) => i.path === c.path);
                assert.ok(hit, `expected an error at ${c.path}, got:\n${err.message}`);
                assert.ok(err.message.includes(`${c.path}:`), "the message names the key path");
                assert.match(err.message, /\(got /, "the message shows the value");
                if (c.secret) assert.ok(!err.message.includes(c.secret) && !JSON.stringify(err.issues).includes(c.secret), `a secret is in the message:\n${err.message}`);
            });
            it("plan exits 2 with the key path on stderr", () => {
                let stderr = "";
                let stdout = "";
                const code = runPlan(["--stack-file", writeStackFile(c.config), "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
                assert.equal(code, 2);
                assert.ok(stderr.includes(c.path), stderr);
                const json = JSON.parse(stdout);
                assert.equal(json.valid, false);
                assert.ok(json.errors.some((e: { path: string }) => e.path === c.path));
                if (c.secret) assert.ok(!stdout.includes(c.secret) && !stderr.includes(c.secret), "plan printed a secret");
                assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, "plan printed a stack trace");
            });
            it("the program registers no resource and fails with a RunError naming the key", async () => {
                const run = await runStackSettled(() => runProgram(toPulumiConfig(c.config)));
                // A RunError is what Pulumi prints as its message alone, without a stack trace.
                assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
                assert.ok((run.error as Error).message.includes(c.path), (run.error as Error).message);
                if (c.secret) assert.ok(!(run.error as Error).message.includes(c.secret), "the program's error shows a secret");
                assert.deepEqual(run.registrations.map((r) => `${r.type} ${r.name}`), []);
            });
        });
    }

    it("reports every error at once", () => {
        const err = errorsOf({
            "calico:kubernetesVersion": "1.33",
            "calico:cluster": { name: "Bad", nodeCount: 0, podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
            "calico:bgp": { asNumber: 0 },
            "calico:registry": { url: "https://r/" },
        });
        assert.deepEqual(
            err.issues.map((i) => i.path),
            ["calico:cluster.name", "calico:cluster.nodeCount", "calico:bgp.asNumber", "calico:registry.url"],
        );
    });
});
