/**
 * The stacks under stacks/, as the Pulumi engine would hand them to the program: encrypted values
 * replaced by known plaintext (so tests can look for leaks), everything as allConfig strings.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readStackConfig } from "../../lib/config/stackfile";
import { isEncrypted } from "../../lib/config/secret";
import { setPath, toPulumiConfig, type RawConfig } from "./configs";
import type { CalicoClusterArgs } from "../../components/cluster";

export const STACKS_DIR = join(__dirname, "..", "..", "stacks");

/** Names of every stack file. */
export const STACK_NAMES = readdirSync(STACKS_DIR)
    .map((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1])
    .filter((x): x is string => !!x)
    .sort();

/** Plaintext given to each encrypted value: recognisable, unique per key path. */
export function secretValue(path: string): string {
    return `PLAINTEXT-SECRET<${path}>`;
}

function decrypt(v: unknown, path: string): unknown {
    if (isEncrypted(v)) return secretValue(path);
    if (Array.isArray(v)) return v.map((x, i) => decrypt(x, `${path}[${i}]`));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decrypt(x, `${path}.${k}`)]));
    return v;
}

/** A stack's config with secrets "decrypted" to known plaintext. */
export function stackConfig(name: string, dir: string = STACKS_DIR): RawConfig {
    const raw = readStackConfig(join(dir, `Pulumi.${name}.yaml`));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decrypt(v, k)]));
}

/**
 * The secrets each stack's runbook comments tell the user to set with
 * `pulumi config set --secret --path`, plus the switch that uses them where the committed file
 * leaves it off (a committed stack file carries no ciphertext).
 */
export const RUNBOOK_SECRETS: Readonly<Record<string, { readonly secrets: readonly string[]; readonly set?: Readonly<Record<string, unknown>> }>> = {
    tor: { secrets: [0, 1].flatMap((r) => [0, 1].map((sw) => `calico:bgp.tor.racks[${r}].switches[${sw}].password`)) },
    large: { secrets: ["calico:monitoring.install.grafanaAdminPassword"], set: { "calico:monitoring.install.grafana": true } },
};

/** A stack's config with its runbook secrets set to known plaintext (see secretValue). */
export function stackConfigWithSecrets(name: string): RawConfig {
    const c = stackConfig(name);
    const extra = RUNBOOK_SECRETS[name];
    for (const path of extra?.secrets ?? []) setPath(c, path, secretValue(path));
    for (const [path, value] of Object.entries(extra?.set ?? {})) setPath(c, path, value);
    return c;
}

/** The same, in allConfig form. */
export function stackPulumiConfig(name: string, dir: string = STACKS_DIR): Record<string, string> {
    return toPulumiConfig(stackConfig(name, dir));
}

/** A stack's config as CalicoCluster arguments (keys without `calico:`), as a program would write them. */
export function stackArgs(name: string): CalicoClusterArgs {
    const args = Object.entries(stackConfig(name)).filter(([k]) => k.startsWith("calico:")).map(([k, v]) => [k.slice("calico:".length), v]);
    return Object.fromEntries(args) as unknown as CalicoClusterArgs;
}
