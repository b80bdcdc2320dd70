/**
 * The operator's custom resources are deleted in the background at both Calico versions, and their
 * updates take back the fields the program sets: under the provider's defaults the real operator
 * never lets the Installation (v1.40.3) or the APIServer go, and a change of a pool conflicts with
 * the operator's written-back defaults (found by the e2e tier's real operator;
 * lib/render/installation.ts OPERATOR_CR_ANNOTATIONS says why).
 */
import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { CALICO_VERSIONS } from "../../lib/model/versions";
import { objectsOf } from "../support/objects";
import { baseConfig } from "../support/configs";

describe("operator custom resources on destroy", () => {
    for (const version of CALICO_VERSIONS) {
        it(`${version}: Installation and APIServer carry background deletion propagation and take back the fields they set`, () => {
            const config = baseConfig();
            config["calico:version"] = version;
            config["calico:kubernetesVersion"] = version === "v3.27.3" ? "1.28" : "1.33";
            // v1.32.7 takes one pool per IP family.
            config["calico:network"].ipPools = config["calico:network"].ipPools.slice(0, 1);
            const objects = objectsOf(planResources(loadSettings(config).settings));
            const crs = objects.filter((o) => o.apiVersion === "operator.tigera.io/v1");
            assert.deepEqual(crs.map((o) => o.kind).sort(), ["APIServer", "Installation"]);
            for (const o of crs) {
                assert.equal(o.metadata.annotations?.["pulumi.com/deletionPropagationPolicy"], "background", `${o.kind} would be deleted in the foreground`);
                assert.equal(o.metadata.annotations?.["pulumi.com/patchForce"], "true", `${o.kind}: a change of a field the operator defaulted would conflict`);
            }
        });
    }
});

describe("the Installation's IPv4 address autodetection is always the program's", () => {
    const installation = (edit: (c: ReturnType<typeof baseConfig>) => void) => {
        const c = baseConfig();
        edit(c);
        return objectsOf(planResources(loadSettings(c).settings)).find((o) => o.kind === "Installation") as any;
    };

    it("unset, with an IPv4 pool: the operator's own default, firstFound, rendered by the program", () => {
        assert.deepEqual(installation(() => undefined).spec.calicoNetwork.nodeAddressAutodetectionV4, { firstFound: true });
    });

    it("another method: firstFound: false beside it, so the operator's written-back default cannot stay and make two methods", () => {
        assert.deepEqual(installation((c) => (c["calico:network"].autodetection = { interface: "eth.*" })).spec.calicoNetwork.nodeAddressAutodetectionV4, { interface: "eth.*", firstFound: false });
        assert.deepEqual(installation((c) => (c["calico:network"].autodetection = { kubernetes: "NodeInternalIP" })).spec.calicoNetwork.nodeAddressAutodetectionV4, { kubernetes: "NodeInternalIP", firstFound: false });
    });

    it("pools managed out of band and nothing set: left to the operator (it defaults only for the pools it finds)", () => {
        assert.equal(installation((c) => (c["calico:network"].ipPools = [])).spec.calicoNetwork.nodeAddressAutodetectionV4, undefined);
    });
});
