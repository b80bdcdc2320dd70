/**
 * The full list of resources the Pulumi program registers (components and provider included), in
 * the form `plan --json` reports and the mock tests compare against.
 */
import type { ComponentName, PlannedResource } from "./plan";

/** One registered resource: its Pulumi type and name. */
export interface ResourceRef {
    readonly type: string;
    readonly name: string;
}

/** Pulumi type and name suffix of each sub-component, in construction order. */
export const COMPONENTS: readonly { readonly component: ComponentName; readonly type: string; readonly suffix: string }[] = [
    { component: "nodePrep", type: "calico:index:NodePreparation", suffix: "nodeprep" },
    { component: "operator", type: "calico:index:TigeraOperator", suffix: "operator" },
    { component: "installation", type: "calico:index:CalicoInstallation", suffix: "installation" },
    { component: "bgp", type: "calico:index:BgpFabric", suffix: "bgp" },
    { component: "monitoring", type: "calico:index:CalicoMonitoring", suffix: "monitoring" },
];

/** Name of a sub-component resource under the top component `top`. */
export function componentResourceName(top: string, component: ComponentName): string {
    return `${top}-${COMPONENTS.find((c) => c.component === component)!.suffix}`;
}

/** Name of the Kubernetes provider CalicoCluster builds. */
export function providerName(top: string): string {
    return `${top}-k8s`;
}

/**
 * The StackReference by which the program reads its own stack's last outputs (the Calico version it
 * deployed, so that a downgrade is refused). Registered by the program, not by CalicoCluster.
 */
export const PREVIOUS_DEPLOYMENT: ResourceRef = { type: "pulumi:pulumi:StackReference", name: "previous-deployment" };

/** The program's own resources: its StackReference, the top component, its provider and the sub-components. */
export function componentRefs(top = "calico"): ResourceRef[] {
    return [
        PREVIOUS_DEPLOYMENT,
        { type: "calico:index:CalicoCluster", name: top },
        { type: "pulumi:providers:kubernetes", name: providerName(top) },
        ...COMPONENTS.map((c) => ({ type: c.type, name: componentResourceName(top, c.component) })),
    ];
}

/** Every resource the program registers for a plan. */
export function allResourceRefs(plan: readonly PlannedResource[], top = "calico"): ResourceRef[] {
    return [...componentRefs(top), ...plan.map((p) => ({ type: p.type, name: p.name }))];
}
