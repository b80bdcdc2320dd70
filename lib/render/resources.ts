/**
 * The full list of resources the Pulumi program registers (components and provider included), in
 * the form `plan --json` reports and the mock tests compare against.
 */
import { COMPONENTS, type ComponentName, type PlannedResource } from "./resource-spec";

/** One registered resource: its Pulumi type and name. */
export interface ResourceRef {
    readonly type: string;
    readonly name: string;
}

/** The Pulumi type of the top component. */
export const CALICO_CLUSTER_TYPE = "calico:index:CalicoCluster";

/**
 * The name of the program's CalicoCluster. Stacks deployed before resource names carried their
 * component's name registered every resource under its local name; this instance aliases them.
 */
export const LEGACY_NAME = "calico";

/** The registered name of the resource `local` of the CalicoCluster `top`: `<top>-<local>`. */
export function qualifiedName(top: string, local: string): string {
    return `${top}-${local}`;
}

/** Name of a sub-component resource under the top component `top`. */
export function componentResourceName(top: string, component: ComponentName): string {
    return qualifiedName(top, COMPONENTS.find((c) => c.component === component)!.suffix);
}

/** Name of the Kubernetes provider CalicoCluster builds. */
export function providerName(top: string): string {
    return qualifiedName(top, "k8s");
}

/**
 * The StackReference by which the program reads its own stack's last outputs (the Calico version it
 * deployed, so that a downgrade is refused). Registered by the program, not by CalicoCluster.
 */
export const PREVIOUS_DEPLOYMENT: ResourceRef = { type: "pulumi:pulumi:StackReference", name: "previous-deployment" };

/** The program's own resources: its StackReference, the top component, its provider and the sub-components. */
export function componentRefs(top = LEGACY_NAME): ResourceRef[] {
    return [
        PREVIOUS_DEPLOYMENT,
        { type: CALICO_CLUSTER_TYPE, name: top },
        { type: "pulumi:providers:kubernetes", name: providerName(top) },
        ...COMPONENTS.map((c) => ({ type: c.type, name: componentResourceName(top, c.component) })),
    ];
}

/** Every resource the program registers for a plan. */
export function allResourceRefs(plan: readonly PlannedResource[], top = LEGACY_NAME): ResourceRef[] {
    return [...componentRefs(top), ...plan.map((p) => ({ type: p.type, name: p.name }))];
}
