/**
 * Kubernetes label selectors as `kubectl get -l` takes them (apimachinery labels.Parse's grammar):
 * what calico:benchmark.nodeSelector accepts and what it refuses before anything runs.
 */
import { strict as assert } from "node:assert";
import { labelSelectorProblem } from "../../lib/model/label-selector";

describe("Kubernetes label selectors (calico:benchmark.nodeSelector)", () => {
    for (const ok of [
        "node-role.kubernetes.io/worker",
        "!node-role.kubernetes.io/control-plane",
        "rack=r1",
        "rack==r1",
        "rack!=r1",
        "kubernetes.io/os=linux,rack in (r1, r2),env notin (lab)",
        "rack in (r1,r2,)".replace(",)", ")"),
        "team=",
    ]) {
        it(`accepts ${ok}`, () => assert.equal(labelSelectorProblem(ok), undefined));
    }
    for (const [bad, why] of [
        ["", /empty/],
        ["rack in (r1, r2", /parentheses/],
        ["rack in ((r1))", /parentheses/],
        ["role == 'worker'", /requirement "role == 'worker'"/],
        ["rack=$(id)", /requirement "rack=\$\(id\)"/],
        ["rack=`id`", /requirement/],
        ["-rack", /requirement "-rack"/],
        ["rack in r1", /requirement/],
        ["a,,b", /requirement ""/],
    ] as const) {
        it(`refuses ${JSON.stringify(bad)}`, () => assert.match(labelSelectorProblem(bad) ?? "", why));
    }
});
