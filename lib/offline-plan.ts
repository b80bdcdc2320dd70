/**
 * The offline plan as a function: what a CalicoCluster would register and export, validated and
 * rendered without Pulumi, a cluster or the network. The `plan` command prints the same report.
 */
import { configFromArgs, type CalicoConfig } from "./config/args";
import { argumentErrorMessage, ConfigValidationError, formatIssue } from "./config/errors";
import { loadSettings, type LoadResult } from "./pipeline";
import type { ClusterSettings } from "./config/settings";
import { planResources } from "./render";
import type { PlannedResource } from "./render/resource-spec";
import { allResourceRefs, LEGACY_NAME, type ResourceRef } from "./render/resources";
import { computeOutputs, type CalicoOutputs } from "./render/outputs";
import { plannedDashboards } from "./render/monitoring";
import type { TopologyReport } from "./render/topology-report";
import { fabricObjects } from "./render/bgp";
import { reportTopology, type TopologyCheck } from "./render/topology-report";
import { renderBaselinePolicy } from "./render/policy";
import { checkBaselinePolicy } from "./render/policy-check";

/** What a CalicoCluster would do, as plain data. */
export interface CalicoPlan {
    /** The resolved settings: defaults, size profile and the decisions taken. */
    readonly settings: ClusterSettings;
    /** Every resource the component registers under its own name, in registration order. */
    readonly resources: readonly PlannedResource[];
    /** Every resource of the program that registers it (component, provider, sub-components included). */
    readonly registered: readonly ResourceRef[];
    /** BGP sessions and the topology checks. */
    readonly topology: TopologyReport;
    /** The baseline policy's checks (empty when it is off). */
    readonly policyChecks: readonly TopologyCheck[];
    /** The outputs the component will have. */
    readonly outputs: CalicoOutputs;
    /** Non-fatal findings, formatted. */
    readonly warnings: readonly string[];
}

/**
 * Validate a cluster's Calico config given in code and plan it.
 * @param config CalicoCluster's arguments (without `provider`); secret fields as plain strings
 * @param name the CalicoCluster's name (resource names start with it)
 * @throws ConfigValidationError whose message names each bad argument path (`network.ipPools[1].cidr`)
 */
export function plan(config: CalicoConfig<string>, name: string = LEGACY_NAME): CalicoPlan {
    return planSettings(loadArgs(name, config as unknown as Record<string, unknown>, () => false), name);
}

/**
 * Validate arguments given in code. Errors carry argument paths.
 * @param isDeferred whether a value is known only at deployment (allowed in secret fields only)
 * @throws ConfigValidationError
 */
export function loadArgs(name: string, args: Readonly<Record<string, unknown>>, isDeferred: (v: unknown) => boolean): LoadResult {
    try {
        const { raw, issues } = configFromArgs(args, isDeferred);
        if (issues.length) throw new ConfigValidationError(issues);
        return loadSettings(raw);
    } catch (e) {
        if (e instanceof ConfigValidationError) throw new ArgumentsError(name, e);
        throw e;
    }
}

/** Invalid CalicoCluster arguments given in code: the message names argument paths. */
export class ArgumentsError extends ConfigValidationError {
    constructor(name: string, cause: ConfigValidationError) {
        super(cause.issues);
        this.name = "ArgumentsError";
        this.message = argumentErrorMessage(name, cause.issues);
    }
}

/** Plan validated settings for the CalicoCluster `name`. */
export function planSettings(loaded: LoadResult, name: string = LEGACY_NAME): CalicoPlan {
    const s = loaded.settings;
    const resources = planResources(s, name);
    return {
        settings: s,
        resources,
        registered: allResourceRefs(resources, name),
        topology: reportTopology(s, fabricObjects(resources)),
        policyChecks: checkBaselinePolicy(s, renderBaselinePolicy(s)),
        outputs: computeOutputs(s, plannedDashboards(s)),
        warnings: s.warnings.map(formatIssue),
    };
}

/** Everything `plan --json` prints for a valid stack. */
export function planReport(p: CalicoPlan): Record<string, unknown> {
    const s = p.settings;
    return {
        calicoVersion: s.calicoVersion,
        operatorImage: s.release.operatorImage,
        kubernetesVersion: s.kubernetesVersion,
        nodeCount: s.cluster.nodeCount,
        bgp: {
            mode: s.bgp.mode,
            meshEnabled: s.bgp.mode !== "disabled" && s.bgp.meshEnabled,
            asNumber: s.bgp.asNumber,
            sessions: p.topology.sessions,
            routeReflectors: [...s.bgp.routeReflectors.nodes],
            peers: s.bgp.peers.map((x) => x.name),
        },
        typha: { expectedReplicas: s.typha.expectedReplicas },
        decisions: s.decisions,
        warnings: p.warnings,
        topology: { checks: p.topology.checks },
        policy: s.policy.baseline.enabled ? { mode: s.policy.baseline.mode, checks: p.policyChecks } : null,
        resources: p.registered.map((r) => ({ type: r.type, name: r.name })),
        outputs: p.outputs,
    };
}
