/**
 * Pulumi entry point: read this stack's config, build Calico, export what other stacks need.
 */
import * as pulumi from "@pulumi/pulumi";
import { configSecretKeys, runProgram } from "./components/program";

// An async program (its outputs are the object it resolves to): it reads this stack's last outputs
// before it registers Calico, to refuse a downgrade.
export = (async () => {
    const config = pulumi.runtime.allConfig();
    const o = await runProgram(config, configSecretKeys(config));
    return {
        calicoVersion: o.calicoVersion,
        operatorVersion: o.operatorVersion,
        kubernetesVersion: o.kubernetesVersion,
        operatorNamespace: o.operatorNamespace,
        calicoNamespace: o.calicoNamespace,
        podCidrs: o.podCidrs,
        serviceCidrs: o.serviceCidrs,
        ipPools: o.ipPools,
        bgp: o.bgp,
        expectedTyphaReplicas: o.expectedTyphaReplicas,
        metrics: o.metrics,
        dashboards: o.dashboards,
    };
})();
