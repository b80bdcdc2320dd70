import { strict as assert } from "node:assert";
import { addressFamily, addressInCidr, cidrContains, cidrsOverlap, parseCidr, type Cidr } from "../../lib/model/cidr";

const c = (t: string) => parseCidr(t) as Cidr;

describe("CIDR helpers", () => {
    it("parses both families and explains failures", () => {
        assert.equal(c("10.0.0.0/8").family, 4);
        assert.equal(c("fd00::/48").family, 6);
        assert.match(parseCidr("10.0.0.1/8") as string, /host bits.*10\.0\.0\.0\/8/);
        assert.match(parseCidr("10.0.0.0") as string, /prefix length/);
        assert.equal(typeof parseCidr("10.0.0.0/33"), "string");
    });
    it("containment and overlap", () => {
        assert.ok(cidrContains(c("10.0.0.0/8"), c("10.1.0.0/16")));
        assert.ok(!cidrContains(c("10.1.0.0/16"), c("10.0.0.0/8")));
        assert.ok(!cidrContains(c("10.0.0.0/8"), c("fd00::/64")));
        assert.ok(cidrsOverlap(c("10.1.0.0/16"), c("10.0.0.0/8")));
        assert.ok(!cidrsOverlap(c("10.1.0.0/16"), c("10.2.0.0/16")));
    });
    it("addresses", () => {
        assert.ok(addressInCidr("10.96.0.10", c("10.96.0.0/12")));
        assert.ok(!addressInCidr("244.0.0.1", c("10.96.0.0/12")));
        assert.equal(addressFamily("244.0.0.1"), 4);
        assert.equal(addressFamily("fd00::1"), 6);
        assert.equal(addressFamily("10.1"), undefined);
        assert.equal(addressFamily("rr-1"), undefined);
    });
});
