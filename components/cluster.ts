/**
 * CalicoCluster: the top component. It validates its arguments, owns the Kubernetes provider (or
 * uses the caller's) and builds the sub-components in dependency order from one plan.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterSettings } from "../lib/config/settings";
import { isCalicoVersion } from "../lib/model/versions";
import { Secret } from "../lib/config/secret";
import type { CalicoConfig } from "../lib/config/args";
import { asArgumentIssue, ConfigValidationError, formatIssue } from "../lib/config/errors";
import { loadSettings, type LoadResult } from "../lib/pipeline";
import { loadArgs } from "../lib/offline-plan";
import { planResources } from "../lib/render";
import { COMPONENTS, type PlannedResource } from "../lib/render/resource-spec";
import { computeOutputs, type CalicoOutputs } from "../lib/render/outputs";
import { BENCHMARK_RESOURCES } from "../lib/render/benchmark";
import { benchmarkOutput, parseRunNodes, parseRunOutput } from "../lib/model/netbench";
import * as command from "@pulumi/command";
import { plannedDashboards } from "../lib/render/monitoring";
import { CALICO_CLUSTER_TYPE, componentResourceName, providerName, qualifiedName } from "../lib/render/resources";
import { ClusterPart } from "./parts";
import { secretOutput, type RegistrationContext } from "./register";

/**
 * Arguments of CalicoCluster: the stack config's keys without the `calico:` prefix, with their
 * defaults (see CalicoConfig and the README's config reference), plus `provider`.
 *
 * Secret fields (`kubeconfig`, `kubeContext`, BGP `password`s, `monitoring.install.grafanaAdminPassword`,
 * `nodePrep.ssh.privateKey`) take a `pulumi.Input<string>` and stay secrets; every other field is a
 * plain value, checked in the constructor before anything is registered.
 */
export interface CalicoClusterArgs extends CalicoConfig<pulumi.Input<string>> {
    /**
     * Use this provider instead of building one from `kubeconfig` / `kubeContext`. A provider does not
     * expose its kubeconfig, and calicoctl and the BGP session gate run as commands against the same
     * cluster, so give that provider's `kubeconfig` (and `kubeContext`) too whenever the plan runs
     * commands (any BGP or monitoring setting that calicoctl applies); the constructor says so if not.
     * @default a provider built from `kubeconfig` and `kubeContext` (or the ambient KUBECONFIG)
     */
    readonly provider?: k8s.Provider;
    /**
     * The Calico version this cluster runs before this update, if Calico is installed (e.g. the
     * stack's last `calicoVersion` output; the project's own program passes it). With eBPF, an
     * upgrade from v3.27.3 keeps kube-proxy off Calico's nodes the v3.27.3 way for that update,
     * and hands it to the operator in the next (see README, "Upgrading Calico").
     * @default unknown: treated as a fresh install
     */
    readonly deployedCalicoVersion?: string;
}

/** CalicoCluster's outputs, each a `pulumi.Output` of the plain value in CalicoOutputs. */
export type CalicoClusterOutputs = { readonly [K in keyof CalicoOutputs]: pulumi.Output<CalicoOutputs[K]> };

/** Marks arguments that are a stack's config (the program), so errors name `calico:` config keys. */
const STACK_CONFIG = Symbol("calico stack config");

/**
 * Arguments that carry a stack's raw config (`calico:<key>` → value, secrets as Secret), for the
 * program: validation then reads exactly what the stack holds and names config keys in errors.
 */
export function stackConfigArgs(raw: Readonly<Record<string, unknown>>, deployedCalicoVersion?: string): CalicoClusterArgs {
    return { [STACK_CONFIG]: raw, ...(deployedCalicoVersion ? { deployedCalicoVersion } : {}) } as unknown as CalicoClusterArgs;
}

/** The stack's raw config, when these arguments are the program's (stackConfigArgs). */
function isStackConfig(args: CalicoClusterArgs): Readonly<Record<string, unknown>> | undefined {
    return (args as unknown as Record<symbol, Record<string, unknown> | undefined>)[STACK_CONFIG];
}

/** Whether a value is known only at deployment (an Output or a promise). */
function isDeferred(v: unknown): boolean {
    return pulumi.Output.isInstance(v) || (typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function");
}

/**
 * Validate CalicoCluster's arguments. Errors name config keys (`calico:network.ipPools[1].cidr`)
 * for the program's stack config and argument paths (`network.ipPools[1].cidr`) in code.
 * @throws pulumi.RunError listing every problem, before anything is registered
 */
export function validateArgs(name: string, args: CalicoClusterArgs): LoadResult {
    const fromStack = isStackConfig(args);
    try {
        if (fromStack) return loadSettings(fromStack);
        const { provider: _provider, deployedCalicoVersion: _deployed, ...config } = args;
        return loadArgs(name, config, isDeferred);
    } catch (e) {
        // One message, no stack trace (see runProgram); ArgumentsError's names argument paths.
        if (e instanceof ConfigValidationError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/** Calico on one cluster: operator, Installation, BGP fabric, monitoring and node preparation. */
export interface CalicoCluster extends CalicoClusterOutputs {}
export class CalicoCluster extends pulumi.ComponentResource {
    /** The resolved settings (defaults and size profile applied). */
    readonly settings: ClusterSettings;
    /** The resources registered, in order, as plain data (what `plan` prints). */
    readonly plan: readonly PlannedResource[];

    /**
     * @param name the component's name; every child's name starts with it, so several CalicoClusters
     *   can share a program (one per cluster, each with its own provider)
     * @param args the cluster's Calico config (see CalicoClusterArgs)
     * @throws pulumi.RunError naming each bad argument, before anything is registered
     */
    constructor(name: string, args: CalicoClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validation comes before super(): a bad argument registers nothing, not even this component.
        const loaded = validateArgs(name, args);
        const deployed = args.deployedCalicoVersion;
        const s: ClusterSettings = isCalicoVersion(deployed) ? { ...loaded.settings, deployedCalicoVersion: deployed } : loaded.settings;
        const plan = planResources(s, name);
        const runsCommands = plan.some((p) => p.spec.kind === "localCommand");
        if (args.provider && runsCommands && s.kubeconfig === undefined) {
            throw new pulumi.RunError(
                `CalicoCluster ${name}: a caller-supplied provider needs \`kubeconfig\` (and \`kubeContext\` if it uses one) in the arguments too: calicoctl and the BGP session gate run as commands and must target the provider's cluster, and a provider does not expose its kubeconfig.`,
            );
        }
        super(CALICO_CLUSTER_TYPE, name, {}, opts);
        this.settings = s;
        this.plan = plan;
        // Warnings belong to the component, so the CLI shows them under the resource they concern.
        const fromStack = isStackConfig(args);
        for (const w of loaded.warnings) pulumi.log.warn(formatIssue(fromStack ? w : asArgumentIssue(w)), this);

        const kubeconfig = s.kubeconfig ? secretOutput(s.kubeconfig) : undefined;
        // A context the user stored as a secret stays a secret in every input that carries it.
        const kubeContext = s.kubeContext instanceof Secret ? secretOutput(s.kubeContext) : s.kubeContext;
        const provider =
            args.provider ??
            new k8s.Provider(
                providerName(name),
                {
                    kubeconfig,
                    context: kubeContext,
                    // Only a different cluster replaces the provider (and so every resource); a rotated kubeconfig is an
                    // update, and a renamed cluster keeps its identifier (the program refuses a change of it).
                    clusterIdentifier: s.cluster.identifier,
                    enableServerSideApply: true,
                },
                { parent: this },
            );
        // calicoctl, the session gate and every Kubernetes resource reach the same cluster.
        const context: RegistrationContext = { provider, kubeconfig, kubeContext, registered: new Map() };
        // Construction order matters: each part's dependsOn names resources of the parts before it.
        for (const info of COMPONENTS) new ClusterPart(componentResourceName(name, info.component), { info, plan, context }, { parent: this });

        const outputs = computeOutputs(s, plannedDashboards(s));
        const out = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, pulumi.output(v)])) as unknown as CalicoClusterOutputs;
        // The benchmark's results exist only once its run has printed them.
        const run = context.registered.get(qualifiedName(name, BENCHMARK_RESOURCES.run)) as command.local.Command | undefined;
        if (run && outputs.benchmark) {
            const planned = outputs.benchmark;
            (out as { benchmark: pulumi.Output<CalicoOutputs["benchmark"]> }).benchmark = run.stdout.apply((stdout) =>
                stdout ? benchmarkOutput(parseRunOutput(stdout, "calico:benchmark"), parseRunNodes(stdout) ?? planned.nodes, planned.runKey, `this cluster (${s.network.ipPools.map((p) => p.encapsulation).join("/") || "pools out of band"}, ${s.network.dataplane})`) : planned,
            );
        }
        Object.assign(this, out);
        this.registerOutputs(out);
    }
}
