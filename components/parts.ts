/**
 * The sub-components. Each is a thin ComponentResource that registers its share of the plan; the
 * split exists so that `pulumi preview` groups resources the way an operator thinks about them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ComponentName, PlannedResource } from "../lib/render/plan";
import { registerAll, type RegistrationContext } from "./register";

/** Arguments shared by every sub-component. */
export interface PartArgs {
    /** The whole plan; each component takes its own entries. */
    readonly plan: readonly PlannedResource[];
    /** Provider, kubeconfig and the registry of resources so far. */
    readonly context: RegistrationContext;
}

abstract class Part extends pulumi.ComponentResource {
    /** Names of the resources this component registered. */
    readonly resourceNames: string[];

    protected constructor(type: string, component: ComponentName, name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const mine = args.plan.filter((p) => p.component === component);
        registerAll(this, mine, args.context);
        this.resourceNames = mine.map((p) => p.name);
        this.registerOutputs({});
    }
}

/** tigera-operator: CRDs, then the operator. */
export class TigeraOperator extends Part {
    constructor(name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:TigeraOperator", "operator", name, args, opts);
    }
}

/** Installation and APIServer, with their readiness waits and eBPF prerequisites. */
export class CalicoInstallation extends Part {
    constructor(name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:CalicoInstallation", "installation", name, args, opts);
    }
}

/** BGP configuration, peers, reflector labels and the hitless-migration wait. */
export class BgpFabric extends Part {
    constructor(name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:BgpFabric", "bgp", name, args, opts);
    }
}

/** Metrics Services, ServiceMonitors, alert rules, dashboards and optional Prometheus/Grafana. */
export class CalicoMonitoring extends Part {
    constructor(name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:CalicoMonitoring", "monitoring", name, args, opts);
    }
}

/** NetworkManager, sysctl and kernel-module preparation of the nodes. */
export class NodePreparation extends Part {
    constructor(name: string, args: PartArgs, opts?: pulumi.ComponentResourceOptions) {
        super("calico:index:NodePreparation", "nodePrep", name, args, opts);
    }
}
