/**
 * The Pulumi program as a function, so that tests can run it for several stacks in one process.
 * index.ts calls it with the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSettings, type LoadResult } from "../lib/config/load";
import { ConfigValidationError, formatIssue } from "../lib/config/errors";
import { fromPulumiConfig } from "../lib/config/raw";
import { CalicoCluster } from "./cluster";
import { PREVIOUS_DEPLOYMENT } from "../lib/render/resources";
import { versionChangeRefusal } from "../lib/model/versions";
import type { CalicoOutputs } from "../lib/render/outputs";

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
export async function runProgram(rawConfig: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string> = new Set()): Promise<CalicoOutputs> {
    let loaded: LoadResult;
    try {
        loaded = loadSettings(fromPulumiConfig(rawConfig, secretKeys));
    } catch (e) {
        if (e instanceof ConfigValidationError) throw new pulumi.RunError(e.message);
        throw e;
    }
    // This stack's own last outputs: the Calico version it deployed. A downgrade is refused here, as
    // a RunError before CalicoCluster registers anything, so preview and up print the reason alone.
    const self = new pulumi.StackReference(PREVIOUS_DEPLOYMENT.name, { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` });
    const previous = (await self.getOutputDetails("calicoVersion")).value;
    const refusal = versionChangeRefusal(previous, loaded.settings.calicoVersion);
    if (refusal) throw new pulumi.RunError(refusal);
    const cluster = new CalicoCluster("calico", { settings: loaded.settings });
    // Warnings belong to the component, so the CLI shows them under the resource they concern.
    for (const w of loaded.warnings) pulumi.log.warn(formatIssue(w), cluster);
    return cluster.outputs;
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
