/**
 * Raw config as it comes from Pulumi (`pulumi.runtime.allConfig()`, every value a string) or from
 * a stack file (YAML values, encrypted ones as `{secure: ...}`), normalised into plain values with
 * secret fields wrapped in Secret.
 */
import { parse as parseYaml } from "yaml";
import { isEncrypted, Secret } from "./secret";
import { keyPath } from "./errors";
import { SECRET_FIELDS } from "./schema";

/** The namespace of this project's config keys (Pulumi.yaml `name`). */
export const NAMESPACE = "calico";

/**
 * Top-level keys whose whole value may be a secret the user chose (`pulumi config set --secret`).
 * Every other top-level string is public data of the cluster (it reaches image tags, object names and
 * stack outputs), so storing it as a secret is refused rather than silently made public.
 */
export const SECRET_CAPABLE_KEYS: ReadonlySet<string> = new Set(["kubeconfig", "kubeContext"]);

/** Top-level keys whose value is a boolean: the engine hands every top-level value over as text. */
const BOOLEAN_KEYS: ReadonlySet<string> = new Set([`${NAMESPACE}:protect`]);

/**
 * Turn Pulumi's string values back into JSON where they hold objects or arrays; Pulumi stores
 * structured config as JSON text.
 *
 * @param all `pulumi.runtime.allConfig()`: `calico:<key>` → string
 * @param secretKeys keys the engine marks secret (PULUMI_CONFIG_SECRET_KEYS): values the user stored
 *   with `--secret`. A secret top-level string is wrapped in Secret here, so it stays secret however
 *   the project uses it. (For a structured key the engine marks the whole key, whatever path was
 *   secret; fields that are secret by name are wrapped later, see wrapSecrets.)
 */
export function fromPulumiConfig(all: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string> = new Set()): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(all)) {
        const trimmed = text.trim();
        // A top-level boolean arrives as the text "true" or "false" (Pulumi.yaml `type: boolean`).
        if (BOOLEAN_KEYS.has(key) && (text === "true" || text === "false") && !secretKeys.has(key)) {
            out[key] = text === "true";
            continue;
        }
        // A kubeconfig may itself be JSON; it is one opaque string, never structured config.
        if (key !== `${NAMESPACE}:kubeconfig` && (trimmed.startsWith("{") || trimmed.startsWith("["))) {
            try {
                out[key] = parseJsonExact(trimmed);
                continue;
            } catch {
                // Leave it a string: the schema will say what it expected.
            }
        }
        out[key] = secretKeys.has(key) ? new Secret(key, text) : text;
    }
    for (const key of secretKeys) {
        const v = out[key];
        if (typeof v === "object" && v !== null && !(v instanceof Secret)) SECRET_STRUCTURED.add(v);
    }
    return out;
}

/**
 * Integers beyond 2^53 − 1 lose digits as JavaScript numbers (12345678901234567890 reads as
 * 12345678901234567000), so readers keep them as bigint and the hostile-input check reports them
 * with every digit. Safe integers become numbers again.
 */
export function exactIntegers(value: unknown): unknown {
    if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    if (Array.isArray(value)) return value.map(exactIntegers);
    if (value && typeof value === "object" && !(value instanceof Secret)) {
        // The prototype is kept: a `__proto__` key that set it must still reach the hostile-input check.
        const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value));
        for (const k of Reflect.ownKeys(value)) if (typeof k === "string") Object.defineProperty(out, k, { value: exactIntegers((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
        return out;
    }
    return value;
}

/**
 * JSON.parse, except that integers beyond 2^53 − 1 keep their digits (as bigint, see exactIntegers).
 * Only text holding such a long digit run takes the slower exact path; JSON is YAML 1.2, so the yaml
 * reader parses it with integers as bigint.
 */
export function parseJsonExact(text: string): unknown {
    const value = JSON.parse(text);
    if (!/\d{16,}/.test(text)) return value;
    return exactIntegers(parseYaml(text, { intAsBigInt: true, uniqueKeys: false }));
}

/** Structured values whose key the engine marked secret (see fromPulumiConfig). */
export const SECRET_STRUCTURED = new WeakSet<object>();

/** Whether a raw value holds a field that is secret by name (so a secret mark on its key is explained). */
export function holdsSecretField(value: unknown, field = ""): boolean {
    if (SECRET_FIELDS.has(field) && (typeof value === "string" || value instanceof Secret || isEncrypted(value))) return true;
    if (Array.isArray(value)) return value.some((v) => holdsSecretField(v));
    if (typeof value === "object" && value !== null && !(value instanceof Secret)) return Object.entries(value).some(([k, v]) => holdsSecretField(v, k));
    return false;
}

/**
 * Whether a top-level value is the "not set" default that Pulumi.yaml declares for optional keys
 * (`{}` or `""`). The Pulumi CLI requires every declared key without a default in every stack
 * (sdk/go/common/workspace/config.go, mergeConfig, at v3.248.0), so optional keys carry one, and
 * the program reads it as absent.
 */
export function isUnsetDefault(value: unknown): boolean {
    if (value === "") return true;
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Secret) && Object.keys(value).length === 0;
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
        if (isUnsetDefault(value)) continue;
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
