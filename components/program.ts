/**
 * The Pulumi program as a function, so that tests can run it for several stacks in one process.
 * index.ts calls it with the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../lib/config/load";
import { formatIssue } from "../lib/config/errors";
import { fromPulumiConfig } from "../lib/config/raw";
import { CalicoCluster } from "./cluster";
import type { CalicoOutputs } from "../lib/render/outputs";

/**
 * Validate config (throwing before any resource is registered), build the cluster component and
 * return the outputs to export.
 * @param rawConfig `pulumi.runtime.allConfig()` form: `calico:<key>` → string
 */
export function runProgram(rawConfig: Readonly<Record<string, string>>): CalicoOutputs {
    const { settings, warnings } = loadSettings(fromPulumiConfig(rawConfig));
    for (const w of warnings) pulumi.log.warn(formatIssue(w));
    const cluster = new CalicoCluster("calico", { settings });
    return cluster.outputs;
}
