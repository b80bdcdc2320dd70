/**
 * CalicoCluster: the top component. It owns the Kubernetes provider and builds the sub-components
 * in dependency order from one plan.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterSettings } from "../lib/config/settings";
import { Secret } from "../lib/config/secret";
import { buildPlan } from "../lib/render";
import type { PlannedResource } from "../lib/render/plan";
import { computeOutputs, type CalicoOutputs } from "../lib/render/outputs";
import { plannedDashboards } from "../lib/render/monitoring";
import { componentResourceName, providerName } from "../lib/render/resources";
import { BgpFabric, CalicoInstallation, CalicoMonitoring, NodePreparation, TigeraOperator } from "./parts";
import type { RegistrationContext } from "./register";

/** Arguments of CalicoCluster. */
export interface CalicoClusterArgs {
    /** Resolved settings (see lib/config/load.ts). */
    readonly settings: ClusterSettings;
    /**
     * Use this provider instead of building one from calico:kubeconfig / calico:kubeContext. The
     * commands the program runs (calicoctl, the session gate) cannot read a provider's kubeconfig,
     * so give the same one as `kubeconfig` (and `kubeContext`) whenever the plan runs commands.
     */
    readonly provider?: k8s.Provider;
    /** With `provider`: the kubeconfig that provider uses, for calicoctl and the session gate (kept secret). */
    readonly kubeconfig?: pulumi.Input<string>;
    /** With `provider`: the context that provider uses. */
    readonly kubeContext?: pulumi.Input<string>;
}

/** Calico on one cluster: operator, Installation, BGP fabric, monitoring and node preparation. */
export class CalicoCluster extends pulumi.ComponentResource {
    /** The resolved plan that was registered. */
    readonly plan: readonly PlannedResource[];
    /** Plain (non-secret) outputs for StackReference consumers. */
    readonly outputs: CalicoOutputs;

    constructor(name: string, args: CalicoClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:CalicoCluster", name, {}, opts);
        const s = args.settings;
        const plan = buildPlan(s);
        const runsCommands = plan.some((p) => p.spec.kind === "localCommand");
        if (args.provider && runsCommands && args.kubeconfig === undefined) {
            throw new pulumi.RunError(
                `CalicoCluster ${name}: a caller-supplied provider needs \`kubeconfig\` (and \`kubeContext\` if it uses one) in the arguments too: calicoctl and the BGP session gate run as commands and must target the provider's cluster, and a provider does not expose its kubeconfig.`,
            );
        }
        const kubeconfig = args.provider ? (args.kubeconfig !== undefined ? pulumi.secret(args.kubeconfig) : undefined) : s.kubeconfig ? pulumi.secret(s.kubeconfig.reveal()) : undefined;
        // A context the user stored with --secret stays a secret in every input that carries it.
        const kubeContext = args.provider ? args.kubeContext : s.kubeContext instanceof Secret ? pulumi.secret(s.kubeContext.reveal()) : s.kubeContext;
        const provider =
            args.provider ??
            new k8s.Provider(
                providerName(name),
                {
                    kubeconfig,
                    context: kubeContext,
                    // Only a different cluster replaces the provider (and so every resource); a rotated kubeconfig is an update.
                    clusterIdentifier: s.cluster.name,
                    enableServerSideApply: true,
                },
                { parent: this },
            );
        const context: RegistrationContext = { provider, kubeconfig, kubeContext, registered: new Map() };
        this.plan = plan;
        const part = { parent: this };
        const args2 = { plan: this.plan, context };
        // Construction order matters: each part's dependsOn names resources of the parts before it.
        new NodePreparation(componentResourceName(name, "nodePrep"), args2, part);
        new TigeraOperator(componentResourceName(name, "operator"), args2, part);
        new CalicoInstallation(componentResourceName(name, "installation"), args2, part);
        new BgpFabric(componentResourceName(name, "bgp"), args2, part);
        new CalicoMonitoring(componentResourceName(name, "monitoring"), args2, part);
        this.outputs = computeOutputs(s, plannedDashboards(s));
        this.registerOutputs({ outputs: this.outputs });
    }
}
