/**
 * The Calico label-selector language (libcalico-go/lib/selector), parsed and evaluated in
 * TypeScript so that every selector in config is checked at preview time and the topology planner
 * can tell which declared nodes a BGPPeer selects. Grammar and canonical form follow upstream's
 * tokenizer, parser and AST as summarised in shared/upstream/README.md.
 */

/** A parsed selector. */
export interface Selector {
    /** Whether a resource with these labels is selected. */
    matches(labels: Readonly<Record<string, string>>): boolean;
    /** Upstream's canonical string form (`Selector.String()`). */
    toString(): string;
}

/** Invalid selector text; `position` is the 0-based character offset of the problem. */
export class SelectorSyntaxError extends Error {
    constructor(
        /** Human description of what was expected. */
        public readonly reason: string,
        /** 0-based offset into the text. */
        public readonly position: number,
        /** The full selector text. */
        public readonly text: string,
    ) {
        super(`invalid selector at position ${position}: ${reason} in ${JSON.stringify(text)}`);
        this.name = "SelectorSyntaxError";
    }
}

type Token =
    | { kind: "label"; value: string; pos: number }
    | { kind: "string"; value: string; pos: number }
    | { kind: "op"; value: "==" | "!=" | "contains" | "starts with" | "ends with" | "in" | "not in"; pos: number }
    | { kind: "sym"; value: "(" | ")" | "{" | "}" | "," | "!" | "&&" | "||"; pos: number }
    | { kind: "fn"; value: "all" | "global"; pos: number }
    | { kind: "has"; value: string; pos: number }
    | { kind: "eof"; pos: number };

const LABEL_CHAR = /[A-Za-z0-9_./-]/;
const MAX_LABEL = 512;

/** Characters that may separate tokens: spaces and tabs only (upstream rejects newlines). */
function isBlank(c: string | undefined): boolean {
    return c === " " || c === "\t";
}

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const fail = (reason: string, at = i): never => {
        throw new SelectorSyntaxError(reason, at, text);
    };
    const skipBlanks = (): void => {
        while (isBlank(text[i])) i++;
    };
    const readLabel = (): string => {
        const start = i;
        while (i < text.length && LABEL_CHAR.test(text[i])) i++;
        if (i - start > MAX_LABEL) fail(`label longer than ${MAX_LABEL} characters`, start);
        return text.slice(start, i);
    };
    /** Match a keyword (words separated by blanks) ending at a word boundary; returns the end offset. */
    const keyword = (words: string[]): number | undefined => {
        let j = i;
        for (let w = 0; w < words.length; w++) {
            if (w > 0) {
                const before = j;
                while (isBlank(text[j])) j++;
                if (j === before) return undefined;
            }
            if (text.slice(j, j + words[w].length) !== words[w]) return undefined;
            j += words[w].length;
        }
        if (j < text.length && LABEL_CHAR.test(text[j])) return undefined;
        return j;
    };
    /** An opening function parenthesis, allowing blanks inside: `all( )`. */
    const emptyParens = (): boolean => {
        let j = i;
        while (isBlank(text[j])) j++;
        if (text[j] !== "(") return false;
        j++;
        while (isBlank(text[j])) j++;
        if (text[j] !== ")") return false;
        i = j + 1;
        return true;
    };

    while (true) {
        skipBlanks();
        if (i >= text.length) break;
        const c = text[i];
        const pos = i;
        const prev = tokens[tokens.length - 1];
        // Operator keywords only count straight after a label, so a label may be called "contains".
        if (prev?.kind === "label") {
            const ops: [string[], Token & { kind: "op" }][] = [
                [["not", "in"], { kind: "op", value: "not in", pos }],
                [["notin"], { kind: "op", value: "not in", pos }],
                [["in"], { kind: "op", value: "in", pos }],
                [["contains"], { kind: "op", value: "contains", pos }],
                [["starts", "with"], { kind: "op", value: "starts with", pos }],
                [["startswith"], { kind: "op", value: "starts with", pos }],
                [["ends", "with"], { kind: "op", value: "ends with", pos }],
                [["endswith"], { kind: "op", value: "ends with", pos }],
            ];
            const hit = ops.find(([words]) => keyword(words) !== undefined);
            if (hit) {
                i = keyword(hit[0])!;
                tokens.push(hit[1]);
                continue;
            }
        }
        if (c === '"' || c === "'") {
            const end = text.indexOf(c, i + 1);
            if (end < 0) fail("unterminated string");
            tokens.push({ kind: "string", value: text.slice(i + 1, end), pos });
            i = end + 1;
            continue;
        }
        const two = text.slice(i, i + 2);
        if (two === "==" || two === "!=") {
            tokens.push({ kind: "op", value: two, pos });
            i += 2;
            continue;
        }
        if (two === "&&" || two === "||") {
            tokens.push({ kind: "sym", value: two, pos });
            i += 2;
            continue;
        }
        if ("(){},!".includes(c)) {
            tokens.push({ kind: "sym", value: c as "(", pos });
            i++;
            continue;
        }
        if (LABEL_CHAR.test(c)) {
            for (const fn of ["all", "global"] as const) {
                if (text.startsWith(fn, i)) {
                    const save = i;
                    i += fn.length;
                    if (emptyParens()) {
                        tokens.push({ kind: "fn", value: fn, pos });
                        break;
                    }
                    i = save;
                }
            }
            if (i !== pos) continue;
            if (text.startsWith("has", i)) {
                let j = i + 3;
                while (isBlank(text[j])) j++;
                if (text[j] === "(") {
                    j++;
                    while (isBlank(text[j])) j++;
                    i = j;
                    const label = readLabel();
                    if (!label) fail("expected a label inside has( )");
                    skipBlanks();
                    if (text[i] !== ")") fail("expected ')' to close has(");
                    i++;
                    tokens.push({ kind: "has", value: label, pos });
                    continue;
                }
            }
            tokens.push({ kind: "label", value: readLabel(), pos });
            continue;
        }
        if (c === "=" || c === "&" || c === "|") fail(`lone '${c}' (did you mean '${c}${c}'?)`);
        fail(`unexpected character ${JSON.stringify(c)}`);
    }
    tokens.push({ kind: "eof", pos: text.length });
    return tokens;
}

type Node =
    | { t: "all" }
    | { t: "global" }
    | { t: "has"; label: string }
    | { t: "cmp"; op: "==" | "!=" | "contains" | "starts with" | "ends with"; label: string; value: string }
    | { t: "set"; op: "in" | "not in"; label: string; values: string[] }
    | { t: "not"; x: Node }
    | { t: "and"; xs: Node[] }
    | { t: "or"; xs: Node[] };

/** Deepest parenthesis nesting accepted: far beyond any real selector, far below the call stack's limit. */
export const MAX_SELECTOR_NESTING = 64;

class Parser {
    private i = 0;
    private depth = 0;
    constructor(
        private readonly tokens: Token[],
        private readonly text: string,
    ) {}

    private peek(): Token {
        return this.tokens[this.i];
    }
    private next(): Token {
        return this.tokens[this.i++];
    }
    private fail(reason: string, tok = this.peek()): never {
        throw new SelectorSyntaxError(reason, tok.pos, this.text);
    }
    private isSym(v: string): boolean {
        const t = this.peek();
        return t.kind === "sym" && t.value === v;
    }

    parseAll(): Node {
        if (this.peek().kind === "eof") return { t: "all" };
        const n = this.or();
        if (this.peek().kind !== "eof") this.fail("unexpected token after expression");
        return n;
    }

    private or(): Node {
        const xs = [this.and()];
        while (this.isSym("||")) {
            this.next();
            xs.push(this.and());
        }
        return xs.length === 1 ? xs[0] : { t: "or", xs };
    }

    private and(): Node {
        const xs = [this.term()];
        while (this.isSym("&&")) {
            this.next();
            xs.push(this.term());
        }
        return xs.length === 1 ? xs[0] : { t: "and", xs };
    }

    private term(): Node {
        let negations = 0;
        while (this.isSym("!")) {
            this.next();
            negations++;
        }
        let n = this.primary();
        // Each "!" toggles; an even count cancels out, as upstream's parser does.
        if (negations % 2 === 1) n = { t: "not", x: n };
        return n;
    }

    private primary(): Node {
        const tok = this.next();
        switch (tok.kind) {
            case "fn":
                return { t: tok.value };
            case "has":
                return { t: "has", label: tok.value };
            case "sym":
                if (tok.value === "(") {
                    if (this.isSym(")")) this.fail("empty parentheses");
                    if (++this.depth > MAX_SELECTOR_NESTING) this.fail(`parentheses nest deeper than ${MAX_SELECTOR_NESTING} levels`, tok);
                    const n = this.or();
                    this.depth--;
                    if (!this.isSym(")")) this.fail("expected ')'");
                    this.next();
                    return n;
                }
                return this.fail(`unexpected '${tok.value}'`, tok);
            case "label":
                return this.comparison(tok.value);
            case "string":
                return this.fail("a string literal cannot stand on the left of a comparison", tok);
            case "eof":
                return this.fail("unexpected end of selector", tok);
            default:
                return this.fail(`unexpected operator '${tok.value}'`, tok);
        }
    }

    private comparison(label: string): Node {
        const op = this.next();
        if (op.kind !== "op") return this.fail(`expected an operator after label '${label}'`, op);
        if (op.value === "in" || op.value === "not in") {
            if (!this.isSym("{")) this.fail(`expected '{' after '${op.value}'`);
            this.next();
            const values: string[] = [];
            while (!this.isSym("}")) {
                const s = this.next();
                if (s.kind !== "string") return this.fail("expected a string literal in set", s);
                values.push(s.value);
                if (this.isSym(",")) this.next();
                else if (!this.isSym("}")) this.fail("expected ',' or '}' in set");
            }
            this.next();
            return { t: "set", op: op.value, label, values: [...new Set(values)].sort() };
        }
        const v = this.next();
        if (v.kind !== "string") return this.fail(`expected a string literal after '${op.value}'`, v);
        return { t: "cmp", op: op.value, label, value: v.value };
    }
}

function quote(s: string): string {
    return s.includes('"') ? `'${s}'` : `"${s}"`;
}

function render(n: Node): string {
    switch (n.t) {
        case "all":
            return "all()";
        case "global":
            return "global()";
        case "has":
            return `has(${n.label})`;
        case "cmp":
            return `${n.label} ${n.op} ${quote(n.value)}`;
        case "set":
            return `${n.label} ${n.op} {${n.values.map(quote).join(", ")}}`;
        case "not":
            return `!${render(n.x)}`;
        case "and":
            return `(${n.xs.map(render).join(" && ")})`;
        case "or":
            return `(${n.xs.map(render).join(" || ")})`;
    }
}

function evaluate(n: Node, labels: Readonly<Record<string, string>>): boolean {
    const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(labels, k);
    switch (n.t) {
        case "all":
        case "global":
            return true;
        case "has":
            return has(n.label);
        case "cmp": {
            if (!has(n.label)) return n.op === "!=";
            const v = labels[n.label];
            switch (n.op) {
                case "==":
                    return v === n.value;
                case "!=":
                    return v !== n.value;
                case "contains":
                    return v.includes(n.value);
                case "starts with":
                    return v.startsWith(n.value);
                case "ends with":
                    return v.endsWith(n.value);
            }
            return false;
        }
        case "set":
            if (!has(n.label)) return n.op === "not in";
            return n.values.includes(labels[n.label]) === (n.op === "in");
        case "not":
            return !evaluate(n.x, labels);
        case "and":
            return n.xs.every((x) => evaluate(x, labels));
        case "or":
            return n.xs.some((x) => evaluate(x, labels));
    }
}

/**
 * Parse a Calico selector.
 * @throws SelectorSyntaxError with the offending position for invalid input.
 */
export function parseSelector(text: string): Selector {
    const ast = new Parser(tokenize(text), text).parseAll();
    const canonical = render(ast);
    return {
        matches: (labels) => evaluate(ast, labels),
        toString: () => canonical,
    };
}
