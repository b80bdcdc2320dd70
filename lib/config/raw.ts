/**
 * Raw config as it comes from Pulumi (`pulumi.runtime.allConfig()`, every value a string) or from
 * a stack file (YAML values, encrypted ones as `{secure: ...}`), normalised into plain values with
 * secret fields wrapped in Secret.
 */
import { isEncrypted, Secret } from "./secret";
import { keyPath } from "./errors";
import { SECRET_FIELDS } from "./schema";

/** The namespace of this project's config keys (Pulumi.yaml `name`). */
export const NAMESPACE = "calico";

/**
 * Turn Pulumi's string values back into JSON where they hold objects or arrays; Pulumi stores
 * structured config as JSON text.
 */
export function fromPulumiConfig(all: Readonly<Record<string, string>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(all)) {
        const trimmed = text.trim();
        // A kubeconfig may itself be JSON; it is one opaque string, never structured config.
        if (key !== `${NAMESPACE}:kubeconfig` && (trimmed.startsWith("{") || trimmed.startsWith("["))) {
            try {
                out[key] = JSON.parse(trimmed);
                continue;
            } catch {
                // Leave it a string: the schema will say what it expected.
            }
        }
        out[key] = text;
    }
    return out;
}

/**
 * Wrap every secret in Secret: encrypted stack values anywhere, and plaintext values of fields that
 * are secret by name. The path recorded in each Secret is the user's key path.
 */
export function wrapSecrets(value: unknown, path: string, field: string): unknown {
    if (value instanceof Secret) return value;
    if (isEncrypted(value)) return new Secret(path, undefined);
    if (SECRET_FIELDS.has(field) && typeof value === "string") return new Secret(path, value);
    if (Array.isArray(value)) return value.map((v, i) => wrapSecrets(v, `${path}[${i}]`, ""));
    if (typeof value === "object" && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = wrapSecrets(v, `${path}.${k}`, k);
        return out;
    }
    return value;
}

/** Split `calico:x` keys from other namespaces (kubernetes:*, pulumi:*), which this project ignores. */
export function ownKeys(raw: Readonly<Record<string, unknown>>): Map<string, unknown> {
    const own = new Map<string, unknown>();
    for (const [key, value] of Object.entries(raw)) {
        const colon = key.indexOf(":");
        const ns = colon < 0 ? NAMESPACE : key.slice(0, colon);
        if (ns !== NAMESPACE) continue;
        const name = colon < 0 ? key : key.slice(colon + 1);
        own.set(name, wrapSecrets(value, keyPath(name, []), name));
    }
    return own;
}

/** Read the value at a zod path inside a raw value, for error messages; secrets stay masked. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = root;
    for (const seg of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[seg as string];
    }
    return cur;
}
