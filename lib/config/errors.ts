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
        super(`invalid calico config (${issues.length} error${issues.length === 1 ? "" : "s"}):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join("\n"));
        this.name = "ConfigValidationError";
        this.issues = issues;
    }
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
    let text: string;
    try {
        text = JSON.stringify(value) ?? String(value);
    } catch {
        text = String(value);
    }
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line: `path: message (got value)`. */
export function formatIssue(issue: ConfigIssue): string {
    return `${issue.path}: ${issue.message} (got ${showValue(issue.value)})`;
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
