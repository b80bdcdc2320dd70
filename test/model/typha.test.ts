import { strict as assert } from "node:assert";
import { expectedTyphaReplicas } from "../../lib/model/typha";

describe("expectedTyphaReplicas", () => {
    // Reference values worked by hand from the operator's rule.
    const table: [number, number][] = [
        [0, 1], [1, 1], [2, 1], [3, 2], [4, 2], [5, 3], [199, 3], [200, 3], [399, 3], [400, 4], [599, 4], [600, 5], [1000, 7], [5000, 27],
    ];
    for (const [nodes, want] of table) {
        it(`${nodes} nodes → ${want}`, () => assert.equal(expectedTyphaReplicas(nodes), want));
    }
    it("never runs fewer Typhas as the cluster grows", () => {
        let prev = 0;
        for (let n = 0; n <= 3000; n++) {
            const t = expectedTyphaReplicas(n);
            assert.ok(t >= prev, `drops at ${n}`);
            prev = t;
        }
    });
    it("rejects impossible counts", () => {
        assert.throws(() => expectedTyphaReplicas(-1), RangeError);
        assert.throws(() => expectedTyphaReplicas(1.5), RangeError);
    });
});
