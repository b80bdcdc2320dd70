/**
 * The operator's custom resources are deleted in the background at both Calico versions, and their
 * updates take back the fields the program sets: under the provider's defaults the real operator
 * never lets the Installation (v1.40.3) or the APIServer go, and a change of a pool conflicts with
 * the operator's written-back defaults (found by the e2e tier's real operator;
 * lib/render/installation.ts OPERATOR_CR_ANNOTATIONS says why).
 */
import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/config/load";
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
