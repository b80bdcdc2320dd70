/**
 * Regression tests for what the real Pulumi CLI checks before the program runs (defects found by
 * reading pulumi/pulumi at v3.248.0; the e2e tier proves them with the real CLI):
 *  - sdk/go/common/workspace/config.go, mergeConfig: a project-namespace key that Pulumi.yaml
 *    declares without `default` (or `value`) is required in every stack;
 *  - every `secure:` value is decrypted before the program starts, so a committed stack file that
 *    carries ciphertext without this stack's key (no encryptionsalt) stops every run.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { loadSettings } from "../../lib/pipeline";
import { fromPulumiConfig, isUnsetDefault } from "../../lib/config/raw";
import { topLevelSchemas } from "../../lib/config/schema";
import { STACK_NAMES, STACKS_DIR, stackConfig } from "../support/stacks";
import { toPulumiConfig } from "../support/configs";

const ROOT = join(__dirname, "..", "..");
const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, { default?: unknown; value?: unknown; type?: string }> };

describe("Pulumi.yaml and the committed stacks, as the Pulumi CLI reads them", () => {
    const required = Object.entries(project.config).filter(([, d]) => d.default === undefined && d.value === undefined).map(([k]) => k);

    it("declares as required only calico:kubernetesVersion and calico:cluster", () => {
        assert.deepEqual(required.sort(), ["calico:cluster", "calico:kubernetesVersion"]);
    });

    for (const stack of STACK_NAMES) {
        it(`${stack}: sets every key the CLI requires and carries no ciphertext`, () => {
            const text = readFileSync(join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8");
            const doc = parse(text) as { config: Record<string, unknown>; encryptionsalt?: string };
            for (const k of required) assert.ok(k in doc.config, `${stack} lacks ${k}, which Pulumi.yaml declares without a default`);
            assert.doesNotMatch(text, /^\s*[^#\n]*\bsecure:/m, "a committed stack file must not hold secure: values");
            assert.equal(doc.encryptionsalt, undefined);
        });
    }

    it("every optional key's default means the same as leaving the key out", () => {
        const base = stackConfig("small");
        const withDefaults = { ...base };
        for (const [k, d] of Object.entries(project.config)) {
            if (d.default === undefined || k in base) continue;
            // An "unset" value, or exactly the schema's own default (the version, calico:protect).
            const schemaDefault = (topLevelSchemas as Record<string, { safeParse(v: unknown): { data?: unknown } }>)[k.replace(/^calico:/, "")]?.safeParse(undefined).data;
            assert.ok(isUnsetDefault(d.default) || JSON.stringify(schemaDefault) === JSON.stringify(d.default), `${k}: default ${JSON.stringify(d.default)} is neither an "unset" value nor the schema's default`);
            withDefaults[k] = d.default;
        }
        const a = loadSettings(fromPulumiConfig(toPulumiConfig(base))).settings;
        const b = loadSettings(fromPulumiConfig(toPulumiConfig(withDefaults))).settings;
        assert.deepEqual(JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a)));
    });
});
