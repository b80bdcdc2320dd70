/**
 * Raw config to ClusterSettings, the config half of lib/pipeline.ts (which the Pulumi program, the
 * component and the plan command call): parse each top-level key with its schema, run the
 * cross-field rules on what parsed, and resolve the profile. Throws ConfigValidationError with
 * every problem at once.
 */
import { z } from "zod";
import { ConfigValidationError, IssueCollector, keyPath, type ConfigIssue } from "./errors";
import { topLevelSchemas, type ParsedConfig } from "./schema";
import { holdsSecretField, ownKeys, SECRET_CAPABLE_KEYS, SECRET_STRUCTURED, valueAt } from "./raw";
import { Secret } from "./secret";
import { FORBIDDEN_KEYS, rawProblems } from "./hostile";
import { validateConfig, type PartialConfig } from "./validate";
import { resolveProfile } from "./profiles";
import type { ClusterSettings } from "./settings";

type TopKey = keyof typeof topLevelSchemas;
const TOP_KEYS = Object.keys(topLevelSchemas) as TopKey[];

/** Turn one zod issue into issues with user key paths (one per unknown key). */
function toIssues(top: string, raw: unknown, issue: z.core.$ZodIssue): ConfigIssue[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => {
            const path = keyPath(top, [...issue.path, k]);
            const container = issue.path.length ? keyPath(top, issue.path) : keyPath(top, []);
            // The value is not shown: a misspelt key may hold a secret (a password under a typo).
            return { path, value: "[not shown]", message: `unknown key${suggestion(k, knownKeysAt(top, issue.path))}; ${container} accepts only the keys documented in the README (check the spelling)` };
        });
    }
    let path = issue.path;
    let value = valueAt(raw, path);
    // A CIDR list written as one string is split before validation; point at the string itself.
    if (value === undefined && typeof path[path.length - 1] === "number" && typeof valueAt(raw, path.slice(0, -1)) === "string") {
        path = path.slice(0, -1);
        value = valueAt(raw, path);
    }
    let message = issue.message;
    if (issue.code === "invalid_type" && value === undefined) message = `required (${issue.message.replace(/^Invalid input: /, "")})`;
    else if (issue.code === "invalid_value" && "values" in issue) {
        message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        // YAML reads an unquoted 1.30 as the number 1.3: say so.
        if (typeof value === "number") message += `; YAML read it as the number ${value} (an unquoted 1.30 loses its trailing zero), so write it in quotes`;
    }
    else message = message.replace(/^Invalid input: /, "");
    return [{ path: keyPath(top, path), value, message }];
}

/** The raw (pre-wrapping) value of a top-level key. */
function rawOf(raw: Readonly<Record<string, unknown>>, key: string): object {
    return raw[`calico:${key}`] as object;
}

/** The keys an object of the schema accepts at `path` below top-level key `top` (none when it is no object). */
function knownKeysAt(top: string, path: readonly PropertyKey[]): string[] {
    let s: unknown = topLevelSchemas[top as TopKey];
    const step = (x: unknown): unknown => {
        // Wrappers (optional, default, prefault, nullable, pipe) hold the schema that decides the shape.
        const def = (x as { def?: { type?: string; innerType?: unknown; in?: unknown; out?: unknown } }).def;
        if (!def) return undefined;
        if (def.innerType) return step(def.innerType);
        if (def.type === "pipe") return step(def.out) ?? step(def.in);
        return x;
    };
    s = step(s);
    for (const seg of path) {
        if (typeof seg === "number") s = step((s as { def?: { element?: unknown } })?.def?.element);
        else s = step((s as { shape?: Record<string, unknown> })?.shape?.[seg as string]);
        if (!s) return [];
    }
    return Object.keys((s as { shape?: Record<string, unknown> })?.shape ?? {});
}

/** ` (did you mean "x"?)` for the nearest known key, when one is close. */
function suggestion(key: string, known: readonly string[]): string {
    const best = known.map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k.toLowerCase(), key.toLowerCase().replace(/[-_]/g, "")) })).sort((a, b) => a.d - b.d)[0];
    return best && best.d <= Math.max(2, Math.floor(best.k.length / 4)) ? ` (did you mean "${best.k}"?)` : "";
}

/** Levenshtein distance, for namespace typos. */
function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
}

/** Result of loading: settings plus anything worth a warning. */
export interface LoadResult {
    /** The resolved settings. */
    readonly settings: ClusterSettings;
    /** Non-fatal findings (also inside settings.warnings). */
    readonly warnings: readonly ConfigIssue[];
}

/**
 * Parse, validate and resolve raw config: the config half of the pipeline (lib/pipeline.ts adds
 * the checks that need rendered objects, the topology and the baseline policy).
 * @param raw config keyed `calico:<key>` (other namespaces are ignored), values already JSON-decoded
 * @throws ConfigValidationError listing every error
 */
export function parseSettings(raw: Readonly<Record<string, unknown>>): LoadResult {
    const out = new IssueCollector();
    for (const key of Object.keys(raw)) {
        // A mis-cased or misspelt namespace would be silently ignored as another project's config.
        const colon = key.indexOf(":");
        const ns = colon < 0 ? "" : key.slice(0, colon);
        if (ns && ns !== "calico" && (ns.toLowerCase() === "calico" || editDistance(ns.toLowerCase(), "calico") <= 2)) {
            out.error(key, undefined, `namespace "${ns}" is not "calico", so this key would be ignored; write calico:${key.slice(colon + 1)}`);
        }
    }
    for (const [key, value] of Object.entries(raw)) {
        if (FORBIDDEN_KEYS.has(key.replace(/^calico:/, ""))) out.error(key, undefined, `"${key}" is not a config key; remove it`);
    }
    const own = ownKeys(raw);
    // Hostile shapes first: a key that reaches an object's prototype, or nesting that would overflow.
    let hostile = false;
    for (const [key, value] of own) {
        for (const p of rawProblems(key, value)) {
            out.error(p.path, p.value ?? "[not shown]", p.message);
            hostile = true;
        }
    }
    if (hostile) throw new ConfigValidationError(out.errors);
    for (const key of own.keys()) {
        if (!(TOP_KEYS as string[]).includes(key)) {
            // The value is not shown: `calico:kube-config` holds a kubeconfig, and the key is not known to be secret.
            out.error(keyPath(key, []), "[not shown]", `unknown key${suggestion(key, TOP_KEYS)}; known keys are ${TOP_KEYS.map((k) => `calico:${k}`).join(", ")}`);
        }
    }
    const parsed: PartialConfig = {};
    for (const key of TOP_KEYS) {
        const value = own.get(key);
        if (value instanceof Secret && !SECRET_CAPABLE_KEYS.has(key)) {
            out.error(keyPath(key, []), value, `is stored as a secret, but it cannot be kept secret: it is public data of the cluster (it reaches object names, image tags or stack outputs). Store it in plain text: pulumi config set calico:${key} <value>`);
            continue;
        }
        if (typeof value === "object" && value !== null && SECRET_STRUCTURED.has(rawOf(raw, key)) && !holdsSecretField(value)) {
            out.error(keyPath(key, []), "[secret]", `is stored as a secret, but only its password, privateKey, grafanaAdminPassword and kubeconfig fields can be kept secret: the rest becomes Calico objects and stack outputs. Store calico:${key} in plain text and set only those fields with pulumi config set --secret --path`);
            continue;
        }
        const result = (topLevelSchemas[key] as z.ZodType).safeParse(value);
        if (result.success) (parsed as Record<string, unknown>)[key] = result.data;
        else for (const issue of result.error.issues) out.errors.push(...toIssues(key, value, issue));
    }
    validateConfig(parsed, out);
    if (out.errors.length) throw new ConfigValidationError(out.errors);
    const warnings = [...out.warnings];
    const settings = resolveProfile(parsed as ParsedConfig, warnings);
    return { settings, warnings };
}
