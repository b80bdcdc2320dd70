/**
 * The sub-components. Each is a thin ComponentResource that registers its share of the plan; the
 * split exists so that `pulumi preview` groups resources the way an operator thinks about them.
 * Which sub-components exist, their types and their order are COMPONENTS (lib/render/resource-spec.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ComponentInfo, PlannedResource } from "../lib/render/resource-spec";
import { providerComponentAliasTransform, PROVIDER_COMPONENT_TYPES, registerAll, type RegistrationContext } from "./register";

/** Arguments of a sub-component. */
export interface ClusterPartArgs {
    /** Which sub-component this is (its type token and share of the plan). */
    readonly info: ComponentInfo;
    /** The whole plan; the component takes its own entries. */
    readonly plan: readonly PlannedResource[];
    /** Provider, kubeconfig and the registry of resources so far. */
    readonly context: RegistrationContext;
}

/** One sub-component of CalicoCluster (TigeraOperator, CalicoInstallation, BgpFabric, …). */
export class ClusterPart extends pulumi.ComponentResource {
    constructor(name: string, args: ClusterPartArgs, opts?: pulumi.ComponentResourceOptions) {
        const mine = args.plan.filter((p) => p.component === args.info.component);
        const renamed = new Map(mine.filter((p) => p.aliases?.length && PROVIDER_COMPONENT_TYPES.has(p.type)).map((p) => [p.name, p.aliases!]));
        const transforms = renamed.size ? [...(opts?.transforms ?? []), providerComponentAliasTransform(renamed)] : opts?.transforms;
        super(args.info.type, name, {}, { ...opts, transforms });
        registerAll(this, mine, args.context);
        this.registerOutputs({});
    }
}
