/**
 * Config problems: each names the key path as a user types it (`calico:network.ipPools[1].cidr`),
 * the offending value and what is allowed, so that the fix is obvious from the message alone.
 */

/** One problem with the config. */
export interface ConfigIssue {
    /** Full key path, e.g. `calico:network.ipPools[1].cidr`. */
    readonly path: string;
    /** The value found there (undefined when missing); secrets are never included. */
    readonly value: unknown;
    /** What is wrong and what is allowed. */
    readonly message: string;
}

/** Thrown before any resource is registered when the config has one or more errors. */
export class ConfigValidationError extends Error {
    /** Every error found, in a stable order. */
    readonly issues: readonly ConfigIssue[];

    constructor(issues: readonly ConfigIssue[]) {
        const safe = issues.map((i) => ({ ...i, value: safeValue(i.path, i.value) }));
        super(`invalid calico config (${safe.length} error${safe.length === 1 ? "" : "s"}):\n` + safe.map((i) => `  - ${formatIssue(i)}`).join("\n"));
        this.name = "ConfigValidationError";
        this.issues = safe;
    }
}

/**
 * An issue as CalicoCluster's caller sees it in code: the argument path (`network.ipPools[1].cidr`)
 * instead of the config key (`calico:network.ipPools[1].cidr`), in the path and the message.
 */
export function asArgumentIssue(i: ConfigIssue): ConfigIssue {
    return { ...i, path: i.path.replace(/^calico:/, ""), message: i.message.replace(/\bcalico:(?=[A-Za-z])/g, "") };
}

/** The message of argument errors found in code, headed by the component's name. */
export function argumentErrorMessage(name: string, issues: readonly ConfigIssue[]): string {
    const mine = issues.map(asArgumentIssue);
    return `CalicoCluster ${name}: invalid arguments (${mine.length} error${mine.length === 1 ? "" : "s"}):\n` + mine.map((i) => `  - ${formatIssue(i)}`).join("\n");
}

/** Join path segments the way users write them: `calico:network.ipPools[1].cidr`. */
export function keyPath(topKey: string, segments: readonly (string | number | symbol)[]): string {
    let out = topKey.startsWith("calico:") ? topKey : `calico:${topKey}`;
    for (const s of segments) {
        out += typeof s === "number" ? `[${s}]` : `.${String(s)}`;
    }
    return out;
}

/** Render a value for a message: short JSON, with long values cut. */
export function showValue(value: unknown): string {
    if (value === undefined) return "(missing)";
    // JSON would print these as null, which misleads: say what was written.
    if (typeof value === "number" && !Number.isFinite(value)) return String(value).replace("Infinity", ".inf").replace("NaN", ".nan");
    if (typeof value === "bigint") return String(value);
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Key names that hold, or look like they hold, a secret: a value under such a key is never shown
 * in a message, whatever its type (a misspelt `passwd`, a password given as a number or a list).
 */
const SECRET_LOOKING = /pass|pas+w(or)?d|pwd|secret|token|private|credential|kubeconfig|cert|key$|auth/i;

/** Whether a raw value holds anything that is or may be a secret. */
function holdsSecret(value: unknown, key = ""): boolean {
    if (SECRET_LOOKING.test(key)) return true;
    if (value === null || typeof value !== "object") return false;
    if (value.constructor?.name === "Secret") return true;
    if (!Array.isArray(value) && "secure" in (value as object)) return true;
    return Object.entries(value as object).some(([k, v]) => holdsSecret(v, Array.isArray(value) ? "" : k));
}

/** A value as messages may show it: secrets, and anything at or under a secret-looking key, redacted to their type. */
export function safeValue(path: string, value: unknown): unknown {
    if (value === undefined || value === "[secret]" || value === "[not shown]") return value;
    const keys = path.replace(/\[\d+\]/g, "").split(/[.:]/);
    if (keys.some((k) => SECRET_LOOKING.test(k)) || holdsSecret(value)) {
        const type = value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : `a ${typeof value}`;
        return `[redacted: ${type}]`;
    }
    return value;
}

/** Escape control characters, so that input cannot rewrite the terminal or forge lines. */
export function escapeControl(text: string): string {
    return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One line: `path: message (got value)`. */
export function formatIssue(issue: ConfigIssue): string {
    const shown = safeValue(issue.path, issue.value);
    return escapeControl(`${issue.path}: ${issue.message} (got ${typeof shown === "string" && shown.startsWith("[") ? shown : showValue(shown)})`);
}

/** Collects issues while validating; warnings are kept apart because they never stop a run. */
export class IssueCollector {
    readonly errors: ConfigIssue[] = [];
    readonly warnings: ConfigIssue[] = [];

    /** Record an error. */
    error(path: string, value: unknown, message: string): void {
        this.errors.push({ path, value, message });
    }

    /** Record a warning. */
    warn(path: string, value: unknown, message: string): void {
        this.warnings.push({ path, value, message });
    }
}
