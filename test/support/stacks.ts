/**
 * The stacks under stacks/, as the Pulumi engine would hand them to the program: encrypted values
 * replaced by known plaintext (so tests can look for leaks), everything as allConfig strings.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readStackConfig } from "../../lib/config/stackfile";
import { isEncrypted } from "../../lib/config/secret";
import { toPulumiConfig, type RawConfig } from "./configs";

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
export function stackConfig(name: string): RawConfig {
    const raw = readStackConfig(join(STACKS_DIR, `Pulumi.${name}.yaml`));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decrypt(v, k)]));
}

/** The same, in allConfig form. */
export function stackPulumiConfig(name: string): Record<string, string> {
    return toPulumiConfig(stackConfig(name));
}
