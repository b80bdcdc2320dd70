import { strict as assert } from "node:assert";
import { objectsOf } from "../support/objects";
import { loadSettings } from "../../lib/pipeline";
import { ConfigValidationError } from "../../lib/config/errors";
import { planResources } from "../../lib/render";
import { CALICO_VERSIONS } from "../../lib/model/versions";
import { AGREEMENT_ROWS, baseFor } from "./upstream-agreement";


describe("agreement with upstream validation (operator v1.32.7/v1.40.3, calicoctl v3.27.3/v3.31.3)", () => {
    it("covers both versions in every row, with a source for each", () => {
        for (const row of AGREEMENT_ROWS) {
            assert.deepEqual(Object.keys(row.verdict).sort(), [...CALICO_VERSIONS].sort(), row.title);
            assert.match(row.source, /(projectcalico\/calico|tigera\/operator) v\d|^ours: |Go src\//, row.title);
            if (row.source.startsWith("ours: ")) {
                for (const v of Object.values(row.verdict)) assert.ok(v !== "accept" && v.reason, `${row.title}: a rule of ours must check that its error names the reason`);
            }
        }
        assert.ok(AGREEMENT_ROWS.length >= 40, `${AGREEMENT_ROWS.length} rows`);
    });

    for (const row of AGREEMENT_ROWS) {
        for (const version of CALICO_VERSIONS) {
            const verdict = row.verdict[version];
            it(`${version}: ${row.title} → ${verdict === "accept" ? "accepted" : `rejected at ${verdict.path}`}`, () => {
                const config = baseFor(version);
                row.edit(config, version);
                let result: ReturnType<typeof loadSettings> | undefined;
                let error: ConfigValidationError | undefined;
                try {
                    result = loadSettings(config);
                } catch (e) {
                    if (!(e instanceof ConfigValidationError)) throw e;
                    error = e;
                }
                if (verdict === "accept") {
                    assert.equal(error, undefined, `upstream accepts this (${row.source}), we refused:\n${error?.message}`);
                    const plan = planResources(result!.settings);
                    row.rendered?.(objectsOf(plan), plan);
                } else {
                    assert.ok(error, `upstream rejects this or the cluster would fail (${row.source}), we accepted it`);
                    const hit = error.issues.find((i) => i.path === verdict.path);
                    assert.ok(hit, `expected an error at ${verdict.path}, got:\n${error.message}`);
                    if (verdict.reason) assert.match(hit.message, verdict.reason, "the error names the reason");
                }
            });
        }
    }
});
