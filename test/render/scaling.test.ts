import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { stackConfig } from "../support/stacks";

/** The resources planned for a stack with its nodeCount replaced. */
const planned = (stack: string, nodeCount: number) => {
    const c = stackConfig(stack);
    c["calico:cluster"] = { ...(c["calico:cluster"] as object), nodeCount };
    return planResources(loadSettings(c).settings).map((p) => `${p.type} ${p.name}`);
};

describe("scaling", () => {
    it("the number of resources never grows with nodeCount", () => {
        assert.deepEqual(planned("large", 5000), planned("large", 150));
        assert.deepEqual(planned("small", 100), planned("small", 3));
        assert.deepEqual(planned("tor", 5000), planned("tor", 8));
    });
    it("it grows with reflectors", () => {
        const c = stackConfig("large");
        (c["calico:bgp"] as any).routeReflectors.nodes.push("rr-4");
        const more = planResources(loadSettings(c).settings).length;
        // One NodePatch per reflector; the session gate probes live nodes at run time, not per declared node.
        assert.equal(more, planned("large", 400).length + 1, "one NodePatch per reflector");
    });
});
