/**
 * The full list of resources the Pulumi program registers (components and provider included), in
 * the form `plan --json` reports and the mock tests compare against.
 */
import type { PlannedResource } from "./plan";

/** One registered resource: its Pulumi type and name. */
export interface ResourceRef {
    readonly type: string;
    readonly name: string;
}

/** Names of the program's own component resources, as CalicoCluster builds them. */
export function componentRefs(top = "calico"): ResourceRef[] {
    return [
        { type: "calico:index:CalicoCluster", name: top },
        { type: "pulumi:providers:kubernetes", name: `${top}-k8s` },
        { type: "calico:index:NodePreparation", name: `${top}-nodeprep` },
        { type: "calico:index:TigeraOperator", name: `${top}-operator` },
        { type: "calico:index:CalicoInstallation", name: `${top}-installation` },
        { type: "calico:index:BgpFabric", name: `${top}-bgp` },
        { type: "calico:index:CalicoMonitoring", name: `${top}-monitoring` },
    ];
}

/** Every resource the program registers for a plan. */
export function allResourceRefs(plan: readonly PlannedResource[], top = "calico"): ResourceRef[] {
    return [...componentRefs(top), ...plan.map((p) => ({ type: p.type, name: p.name }))];
}
