/**
 * Where `plan`'s YAML reader (the `yaml` package, YAML 1.2 core schema) and the Pulumi CLI's
 * (gopkg.in/yaml.v3, which keeps some YAML 1.1 habits) would read the same stack file differently.
 * `plan` refuses each such place, so that it never plans a value the program will not get. The e2e
 * `yaml-differential` scenario checks this model against the real CLI (`pulumi config --json`).
 *
 * yaml.v3's resolve() for a plain scalar that starts with a digit, a sign or a dot (resolve.go, v3.0.1):
 * a timestamp if it starts with four digits and a dash and parses as one of its layouts; otherwise,
 * with every `_` removed, an integer by Go's strconv.ParseInt(s, 0, 64) (so `026` is octal 22,
 * `0b101` is 5, `1_000` is 1000), else a float by its yamlStyleFloat pattern; else a string. The
 * YAML 1.2 core schema reads `026` as 26 and `1_000`, `0b101` and `0x_1A` as strings, and leaves
 * dates as strings. yaml.v3 also refuses control characters anywhere in the file ("control
 * characters are not allowed"), and ignores a `%YAML 1.1` directive that makes the `yaml` package
 * switch to YAML 1.1 (where `yes` is true).
 */
import { isMap, isPair, isScalar, isSeq, Scalar, type Document, type Node } from "yaml";

/** One place where the two readers disagree. */
export interface YamlDisagreement {
    /** Key path, e.g. `calico:network.ipPools[0].blockSize`. */
    readonly path: string;
    /** 1-based line and column in the file. */
    readonly line: number;
    readonly col: number;
    /** What differs and how to write it so both agree (never the value itself: it may be secret). */
    readonly message: string;
}

/** yaml.v3's timestamp layouts need four digits and a dash first (resolve.go parseTimestamp). */
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(([Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?([ \t]*(Z|[-+]\d{1,2}(:\d{2})?))?)?$/;
/** Go's strconv.ParseInt(s, 0, 64) syntax, after yaml.v3 removed the underscores. */
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]+|[1-9][0-9]*|0)$/;
/** yaml.v3's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** What yaml.v3 makes of a plain scalar: a number, a timestamp, or undefined when it leaves it as the core schema does. */
export function goYamlPlain(text: string): { number: number } | { timestamp: true } | undefined {
    if (!/^[-+.0-9]/.test(text)) return undefined;
    if (TIMESTAMP.test(text)) return { timestamp: true };
    const plain = text.replace(/_/g, "");
    if (GO_INT.test(plain)) {
        const sign = plain.startsWith("-") ? -1 : 1;
        const body = plain.replace(/^[-+]/, "");
        const radix = /^0[xX]/.test(body) ? 16 : /^0[bB]/.test(body) ? 2 : /^0[oO]/.test(body) || /^0[0-7]/.test(body) ? 8 : 10;
        const digits = radix === 10 ? body : body.replace(/^0[xXbBoO]?/, "") || "0";
        return { number: sign * parseInt(digits, radix) };
    }
    if (GO_FLOAT.test(plain)) return { number: Number(plain) };
    return undefined;
}

function describe(go: { number: number } | { timestamp: true }, ours: unknown): string {
    const cli = "timestamp" in go ? "a timestamp (a date and time text)" : String(go.number);
    const plan = typeof ours === "string" ? "a string" : typeof ours === "bigint" ? String(ours) : JSON.stringify(ours);
    return `the Pulumi CLI reads this value as ${cli} (YAML 1.1 rules) and plan as ${plan}; quote it to mean the text, or write the number in plain decimal`;
}

/** Every place in `doc` (parsed from `text`) that the Pulumi CLI would read differently from plan. */
export function yamlDisagreements(doc: Document, text: string): YamlDisagreement[] {
    const out: YamlDisagreement[] = [];
    const lineCol = (offset: number) => {
        const before = text.slice(0, offset);
        const line = before.split("\n").length;
        return { line, col: offset - before.lastIndexOf("\n") };
    };
    const at = (offset: number, path: string, message: string) => out.push({ path, ...lineCol(offset), message });
    const version = doc.directives?.yaml?.explicit ? doc.directives.yaml.version : undefined;
    if (version && version !== "1.2") at(0, "%YAML", `the file declares YAML ${version}, which plan would follow (yes/no/on/off as booleans, 12:30 as a number) and the Pulumi CLI ignores; remove the %YAML line`);
    // eslint-disable-next-line no-control-regex
    const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
    const controlAt = (offset: number, path: string, ch: string) => at(offset, path, `holds the control character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}, which the Pulumi CLI refuses ("control characters are not allowed"); remove it, or write it as an escape inside double quotes`);
    let controlInScalar = false;
    const walk = (node: Node | null | undefined, path: string): void => {
        if (!node) return;
        if (isMap(node)) {
            for (const pair of node.items) {
                if (!isPair(pair)) continue;
                const key = isScalar(pair.key) ? String(pair.key.value) : "?";
                walk(pair.value as Node, path ? `${path}.${key}` : key);
            }
        } else if (isSeq(node)) {
            node.items.forEach((item, i) => walk(item as Node, `${path}[${i}]`));
        } else if (isScalar(node) && node.range && CONTROL.test(text.slice(node.range[0], node.range[1]))) {
            const m = CONTROL.exec(text.slice(node.range[0], node.range[1]))!;
            controlInScalar = true;
            controlAt(node.range[0] + m.index, path, m[0]);
        } else if (isScalar(node) && node.type === Scalar.PLAIN && node.source !== undefined && node.range) {
            // Both readers take these as floats, but the CLI cannot turn them into JSON for the program
            // ("json: unsupported value: +Inf"), so it refuses the whole file.
            if (typeof node.value === "number" && !Number.isFinite(node.value)) {
                at(node.range[0], path, "is infinity or NaN, which the Pulumi CLI cannot pass to a program (it refuses the file); quote it to mean the text, or write a number");
                return;
            }
            const go = goYamlPlain(String(node.source));
            if (!go) return;
            const ours = node.value;
            const same = "number" in go && (typeof ours === "number" || typeof ours === "bigint") && Number(ours) === go.number;
            if (!same) at(node.range[0], path, describe(go, ours));
        }
    };
    const contents = doc.contents as Node | null;
    // The stack file's own keys start below `config:`.
    if (isMap(contents)) {
        for (const pair of contents.items) if (isPair(pair) && isScalar(pair.key)) walk(pair.value as Node, String(pair.key.value) === "config" ? "" : String(pair.key.value));
    }
    const control = CONTROL.exec(text);
    if (control && !controlInScalar) controlAt(control.index, "(file)", control[0]);
    return out;
}
