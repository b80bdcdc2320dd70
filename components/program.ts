/**
 * The Pulumi program as a function, so that tests can run it for several stacks in one process.
 * main.ts (Pulumi.yaml `main:`) calls it with the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { fromPulumiConfig } from "../lib/config/raw";
import { CalicoCluster, stackConfigArgs, validateArgs, type CalicoClusterOutputs } from "./cluster";
import { LEGACY_NAME, PREVIOUS_DEPLOYMENT } from "../lib/render/resources";
import { versionChangeRefusal } from "../lib/model/versions";
import { topologyChangeRefusal } from "../lib/model/topology";
import { identityChangeRefusal } from "../lib/model/identity";
import { poolChangeRefusal } from "../lib/model/pool-changes";
import { computeOutputs } from "../lib/render/outputs";

/**
 * Validate config (throwing before any resource is registered), build the cluster component and
 * return the outputs to export.
 *
 * A config error is thrown as `pulumi.RunError`: @pulumi/pulumi's run script prints a RunError's
 * message alone, with no JavaScript stack trace and no "unhandled exception" banner
 * (node_modules/@pulumi/pulumi/cmd/run/run.js, the RunError branch of its error handler, at 3.248.0).
 * @param rawConfig `pulumi.runtime.allConfig()` form: `calico:<key>` → string
 * @param secretKeys the keys the engine marks secret (stored with `pulumi config set --secret`)
 */
export async function runProgram(rawConfig: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string> = new Set()): Promise<CalicoClusterOutputs> {
    const config = fromPulumiConfig(rawConfig, secretKeys);
    const { settings } = validateArgs(LEGACY_NAME, stackConfigArgs(config));
    // This stack's own last outputs: the cluster identity, Calico version, BGP mode and IP pools it
    // deployed. A change of identity (which would replace every resource), a downgrade, a topology
    // change that cannot be made hitlessly in one update, and a pool change the operator would not
    // carry to the IPPools (lib/model/pool-changes.ts), are refused here, as a RunError before CalicoCluster
    // registers anything, so preview and up print the reason alone.
    const self = new pulumi.StackReference(PREVIOUS_DEPLOYMENT.name, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` });
    const previous = (await self.getOutputDetails("calicoVersion")).value;
    const previousBgp = (await self.getOutputDetails("bgp")).value as { mode?: unknown } | undefined;
    const previousIdentity = (await self.getOutputDetails("clusterIdentifier")).value;
    const previousPools = (await self.getOutputDetails("ipPools")).value;
    const refusal =
        identityChangeRefusal(previousIdentity, settings.cluster.identifier, settings.cluster.name) ??
        versionChangeRefusal(previous, settings.calicoVersion) ??
        topologyChangeRefusal(previousBgp?.mode, settings.bgp.mode) ??
        poolChangeRefusal(previousPools, settings.network.ipPools, settings.calicoVersion, previous);
    if (refusal) throw new pulumi.RunError(refusal);
    const cluster = new CalicoCluster(LEGACY_NAME, stackConfigArgs(config, typeof previous === "string" ? previous : undefined));
    return outputsOf(cluster);
}

/** The outputs of a CalicoCluster as one object, for a program's exports. */
export function outputsOf(cluster: CalicoCluster): CalicoClusterOutputs {
    const o = cluster as unknown as Record<string, unknown>;
    // The keys are computeOutputs' own, so the exports can never miss one.
    return Object.fromEntries(Object.keys(computeOutputs(cluster.settings)).map((k) => [k, o[k]])) as unknown as CalicoClusterOutputs;
}

/**
 * The keys of `config` that the engine marks secret. The Node SDK keeps them in its config store
 * (PULUMI_CONFIG_SECRET_KEYS, set by the language host) and answers through `isConfigSecret`,
 * which runtime/config.js exports but the typings mark internal; it is read only here.
 */
export function configSecretKeys(config: Readonly<Record<string, string>>): Set<string> {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return new Set(Object.keys(config).filter((k) => runtime.isConfigSecret?.(k) === true));
}
