/**
 * Kubernetes label selectors in their string form (`kubectl get -l`), as apimachinery's
 * `labels.Parse` reads them: comma-separated requirements `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (v1,v2)` and `key notin (v1,v2)`. Only checked here, never evaluated: the
 * API server evaluates them. A valid selector has no quote, `$` or backquote, so it is safe inside a
 * single-quoted shell word.
 */

/** A label name part: 63 characters at most, alphanumeric at both ends, `-_.` inside. */
const NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
/** A label key: an optional DNS subdomain prefix and `/`, then a name. */
const KEY = `([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?${NAME}`;
const VALUE = `(${NAME})?`;
const REQUIREMENT = new RegExp(`^\\s*(!\\s*${KEY}|${KEY}\\s*(==?|!=)\\s*${VALUE}|${KEY}|${KEY}\\s+(in|notin)\\s*\\(\\s*${VALUE}(\\s*,\\s*${VALUE})*\\s*\\))\\s*$`);

/** Why `text` is not a Kubernetes label selector, or undefined when it is one. */
export function labelSelectorProblem(text: string): string | undefined {
    if (!text.trim()) return "is empty; name at least one label requirement, e.g. node-role.kubernetes.io/worker";
    // Commas also separate the values inside `in (…)`: split only outside parentheses.
    const parts: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        if (text[i] === "(") depth++;
        else if (text[i] === ")") depth--;
        else if (text[i] === "," && depth === 0) {
            parts.push(text.slice(start, i));
            start = i + 1;
        }
        if (depth < 0 || depth > 1) return "has unbalanced parentheses";
    }
    if (depth !== 0) return "has unbalanced parentheses";
    parts.push(text.slice(start));
    const bad = parts.find((p) => !REQUIREMENT.test(p));
    return bad === undefined ? undefined : `requirement "${bad.trim()}" is not key, !key, key=value, key!=value, key in (a,b) or key notin (a,b) with Kubernetes label keys and values`;
}
