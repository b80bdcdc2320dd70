import { strict as assert } from "node:assert";
import { fromPulumiConfig, ownKeys } from "../../lib/config/raw";
import { Secret } from "../../lib/config/secret";

describe("raw config", () => {
    it("decodes structured values, keeps a JSON kubeconfig as one secret string", () => {
        const kubeconfig = '{"apiVersion":"v1","kind":"Config"}';
        const raw = fromPulumiConfig({ "calico:cluster": '{"name":"a"}', "calico:version": "v3.31.3", "calico:kubeconfig": kubeconfig, "kubernetes:context": "x" });
        assert.deepEqual(raw["calico:cluster"], { name: "a" });
        const own = ownKeys(raw);
        assert.ok(!own.has("context"), "other namespaces are ignored");
        const secret = own.get("kubeconfig") as Secret;
        assert.ok(secret instanceof Secret);
        assert.equal(secret.reveal(), kubeconfig);
        assert.equal(JSON.stringify({ secret }), '{"secret":"[secret]"}');
        assert.equal(String(secret), "[secret]");
    });
    it("encrypted stack values become secrets whose value is unknown", () => {
        const own = ownKeys({ "calico:bgp": { peers: [{ password: { secure: "v1:abc" } }] } });
        const p = (own.get("bgp") as any).peers[0].password as Secret;
        assert.equal(p.known, false);
        assert.equal(p.placeholder(), "<secret calico:bgp.peers[0].password>");
        assert.throws(() => p.reveal(), /encrypted/);
    });
});
