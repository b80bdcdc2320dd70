/**
 * One source for the config reference: every field of the schema has TSDoc (what CalicoClusterArgs
 * shows in an editor), every TSDoc `@default` is the schema's default, and the README section and
 * Pulumi.yaml descriptions are exactly what `npm run docs` generates from them.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configFields, pulumiDescription, pulumiYamlWithDescriptions, readmeWithReference, type ConfigField } from "../../scripts/config-docs";
import { topLevelSchemas } from "../../lib/config/schema";

const ROOT = join(__dirname, "..", "..");

describe("config reference generated from the schema", function () {
    this.timeout(120_000);
    let fields: ConfigField[];
    before(() => (fields = configFields()));

    it("covers every top-level key and nested field, with a type", () => {
        assert.deepEqual(fields.filter((f) => !f.path.includes(".")).map((f) => f.path), Object.keys(topLevelSchemas));
        assert.ok(fields.length > 100, `${fields.length} fields`);
        assert.deepEqual(fields.filter((f) => f.type === "?").map((f) => f.path), [], "fields CalicoConfig does not declare");
    });

    it("every field has TSDoc", () => {
        assert.deepEqual(fields.filter((f) => !f.description).map((f) => f.path), []);
    });

    it("every TSDoc @default is the schema's default, and every scalar or list default is documented", () => {
        const wrong: string[] = [];
        for (const f of fields) {
            const objectDefault = f.container && typeof f.default === "object" && f.default !== null && !Array.isArray(f.default);
            if (f.default === undefined || objectDefault) {
                if (f.defaultTag !== undefined) wrong.push(`${f.path}: @default ${f.defaultTag}, but the schema has ${objectDefault ? "only its fields' defaults" : "none"}`);
                continue;
            }
            if (f.defaultTag === undefined) wrong.push(`${f.path}: no @default (the schema's is ${JSON.stringify(f.default)})`);
            else if (f.defaultTag !== JSON.stringify(f.default)) wrong.push(`${f.path}: @default ${f.defaultTag}, the schema's is ${JSON.stringify(f.default)}`);
        }
        assert.deepEqual(wrong, []);
    });

    it("README.md's reference is the generated one (run `npm run docs`)", () => {
        const text = readFileSync(join(ROOT, "README.md"), "utf8");
        assert.equal(readmeWithReference(text, fields), text);
    });

    it("Pulumi.yaml's descriptions are the generated ones (run `npm run docs`)", () => {
        const text = readFileSync(join(ROOT, "Pulumi.yaml"), "utf8");
        assert.equal(pulumiYamlWithDescriptions(text, fields), text);
        const config = parse(text).config as Record<string, { description?: string }>;
        for (const top of fields.filter((f) => !f.path.includes("."))) assert.equal(config[`calico:${top.path}`]?.description, pulumiDescription(top), top.path);
    });
});
