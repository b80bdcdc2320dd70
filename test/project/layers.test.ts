/**
 * The import graph runs one way: model ← config ← render ← pipeline ← (components, cli). A module
 * never imports a layer above its own (issue: "config no longer imports render"). Read from the
 * source files' import statements.
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const LIB = join(ROOT, "lib");

/** Layer of a file under lib/, lowest first. */
function layer(file: string): number {
    const rel = relative(LIB, file);
    if (rel.startsWith("model/")) return 0;
    if (rel.startsWith("config/")) return 1;
    if (rel.startsWith("render/")) return 2;
    return 3; // lib/pipeline.ts, lib/offline-plan.ts
}

function tsFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
    });
}

describe("layers of lib/", () => {
    it("no module imports a layer above its own (model < config < render < pipeline)", () => {
        const upward: string[] = [];
        for (const file of tsFiles(LIB)) {
            for (const m of readFileSync(file, "utf8").matchAll(/^import[^"]*from "(\.[^"]+)";/gm)) {
                const target = resolve(dirname(file), m[1]);
                if (!target.startsWith(LIB)) continue;
                if (layer(`${target}.ts`) > layer(file)) upward.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
            }
        }
        assert.deepEqual(upward, []);
    });
});
