/**
 * Checks on the raw config before any schema runs: keys that would reach an object's prototype,
 * and depth and size limits, so that hostile or broken input gets an error naming its key instead
 * of a silent change of meaning or a stack overflow.
 */
import { keyPath } from "./errors";
import { Secret } from "./secret";

/** Keys that mean something to JavaScript objects and are never config. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Limits on the shape of one top-level value (documented in README "Config reference"). */
export const RAW_LIMITS = {
    /** Nesting of mappings and lists. */
    depth: 16,
    /** Entries in one list or mapping. */
    entries: 1000,
    /** Characters in one string (a kubeconfig is the largest legitimate value). */
    stringLength: 262_144,
} as const;

/**
 * Addresses with credentials in them: a URL's userinfo (`https://user:pass@host/...`, `https://token@host`),
 * and a registry host written as `user:pass@host[/path]`. A plain string holding an `@` elsewhere
 * (an e-mail address, a selector) matches neither.
 */
const CREDENTIALS_IN_URL: readonly RegExp[] = [/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]+@/i, /^[^\s/@:]+:[^\s/@]+@[a-z0-9.-]+(:[0-9]+)?(\/|$)/i];

/** One problem found in the raw shape. */
export interface RawProblem {
    readonly path: string;
    readonly message: string;
    /** The value to show, where showing it is safe (never for shapes that may hold secrets). */
    readonly value?: unknown;
}

/** Problems in one top-level value `value` of key `top` (without the `calico:` prefix). */
export function rawProblems(top: string, value: unknown): RawProblem[] {
    const out: RawProblem[] = [];
    const walk = (v: unknown, segs: (string | number)[], depth: number): void => {
        if (out.length >= 20) return;
        if (typeof v === "bigint") {
            out.push({ path: keyPath(top, segs), value: v, message: `is beyond 2^53 − 1 (${Number.MAX_SAFE_INTEGER}), where JSON and YAML readers lose digits; no calico setting takes a number this large` });
            return;
        }
        if (v instanceof Secret || v === null || typeof v !== "object") {
            if (typeof v === "string" && v.length > RAW_LIMITS.stringLength) out.push({ path: keyPath(top, segs), message: `is ${v.length} characters long; the limit is ${RAW_LIMITS.stringLength}` });
            // Reported without its value: the part before "@" is a credential.
            else if (typeof v === "string" && CREDENTIALS_IN_URL.some((re) => re.test(v))) {
                out.push({ path: keyPath(top, segs), message: "holds credentials in an address (user:password@host): they would sit in plain text in the stack's config and state and in every command line that uses it. Remove the user:password@ part; give a registry's credentials as an image pull Secret (calico:registry.pullSecrets), a mirror's through the machine's ~/.netrc or the mirror's own access control" });
            }
            return;
        }
        if (depth > RAW_LIMITS.depth) {
            out.push({ path: keyPath(top, segs), message: `nests deeper than ${RAW_LIMITS.depth} levels; no calico setting is that deep` });
            return;
        }
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
            // Reported at the key that did it, the same path as when the key arrives as an own property.
            out.push({ path: keyPath(top, [...segs, "__proto__"]), message: `"__proto__" is not a config key (it would change how the config object behaves); remove it` });
            return;
        }
        const keys = Array.isArray(v) ? v.map((_, i) => i) : Reflect.ownKeys(v).filter((k): k is string => typeof k === "string");
        if (keys.length > RAW_LIMITS.entries) {
            out.push({ path: keyPath(top, segs), message: `has ${keys.length} entries; the limit is ${RAW_LIMITS.entries}` });
            return;
        }
        for (const k of keys) {
            if (typeof k === "string" && FORBIDDEN_KEYS.has(k)) {
                out.push({ path: keyPath(top, [...segs, k]), message: `"${k}" is not a config key (it would change how the config object behaves); remove it` });
                continue;
            }
            walk((v as Record<string | number, unknown>)[k], [...segs, k], depth + 1);
        }
    };
    walk(value, [], 1);
    return out;
}
