/**
 * Reading a Pulumi stack file (`stacks/Pulumi.<stack>.yaml`) for the offline plan: the `config:`
 * map, with encrypted values left encrypted (they become Secrets whose value is unknown).
 */
import { readFileSync } from "node:fs";
import { parseDocument, YAMLError } from "yaml";
import { yamlDisagreements } from "./yaml-agreement";
import { ConfigValidationError } from "./errors";
import { isEncrypted } from "./secret";
import { exactIntegers } from "./raw";

/**
 * The YAML document of a stack file. A syntax error names the file, line and column and what is
 * wrong, and never quotes the source: the lines around a fault can hold a password, a token or a
 * `secure:` value.
 */
function parseStackYaml(path: string, text: string): unknown {
    const doc = parseDocument(text, { merge: true, intAsBigInt: true });
    const e: YAMLError | undefined = doc.errors[0];
    if (e) {
        const at = e.linePos?.[0];
        // The library's message is "<what> at line L, column C:" followed by the source lines.
        const what = e.message.split(/ at line \d+, column \d+/)[0].split("\n")[0].replace(/[\u0000-\u001f\u007f]/g, " ");
        throw new Error(`${path}${at ? `:${at.line}:${at.col}` : ""}: YAML syntax error (${e.code}): ${what}. Fix the YAML there; the Pulumi CLI cannot read this file either.`);
    }
    // A value the Pulumi CLI would read otherwise is refused, as invalid config naming its key: plan
    // must plan what the program gets. The value is not shown (it may be a secret).
    const differ = yamlDisagreements(doc, text);
    if (differ.length) throw new ConfigValidationError(differ.map((d) => ({ path: d.path, value: "[not shown]", message: `at ${path}:${d.line}:${d.col}, ${d.message}` })));
    return doc.toJS({ maxAliasCount: 100 });
}

/** The config map of a stack file. */
export function readStackConfig(path: string): Record<string, unknown> {
    // `<<` merge keys are resolved, as the Pulumi CLI's YAML parser (go-yaml v3) resolves them.
    // Integers beyond 2^53 − 1 keep their digits, so that the error about them can show them.
    const doc = exactIntegers(parseStackYaml(path, readFileSync(path, "utf8"))) as { config?: unknown } | null;
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) throw new Error(`${path}: not a Pulumi stack file (expected a mapping with a config: section)`);
    const config = doc?.config ?? {};
    if (config === null || typeof config !== "object" || Array.isArray(config)) throw new Error(`${path}: config: must be a mapping of calico:<key> to values, not ${Array.isArray(config) ? "a list" : typeof config}`);
    return config as Record<string, unknown>;
}

/**
 * Key paths of secret fields written in plain text in a stack file: they work, but anyone who can
 * read the repository can read them. `plan` warns about each.
 */
export function plaintextSecretPaths(raw: Readonly<Record<string, unknown>>, secretFields: ReadonlySet<string>): string[] {
    const out: string[] = [];
    const walk = (v: unknown, path: string, field: string): void => {
        if (typeof v === "string" && secretFields.has(field)) out.push(path);
        else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, ""));
        else if (v && typeof v === "object" && !isEncrypted(v)) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, k);
    };
    for (const [k, v] of Object.entries(raw)) walk(v, k, k.replace(/^calico:/, ""));
    return out;
}
