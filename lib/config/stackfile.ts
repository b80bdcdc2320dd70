/**
 * Reading a Pulumi stack file (`stacks/Pulumi.<stack>.yaml`) for the offline plan: the `config:`
 * map, with encrypted values left encrypted (they become Secrets whose value is unknown).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The config map of a stack file. */
export function readStackConfig(path: string): Record<string, unknown> {
    const doc = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) throw new Error(`${path}: not a Pulumi stack file (expected a mapping with a config: section)`);
    return doc?.config ?? {};
}
