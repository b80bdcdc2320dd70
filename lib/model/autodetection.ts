/**
 * Node address autodetection as calico-node reads it. `interface=` and `skip-interface=` take a
 * list of Go regular expressions separated by commas: calico-node splits the text on `\s*,\s*`
 * (node/pkg/lifecycle/startup/autodetection/autodetection_methods.go, AutoDetectCIDR) and compiles
 * `(r1)|(r2)|…` with Go's regexp package (interfaces.go, GetInterfaces), so a pattern Go cannot
 * compile stops calico-node on every node. Go's regexp is RE2 syntax; re2js is a port of RE2/J,
 * which follows the same syntax (no lookaround, no backreferences, repeat counts ≤ 1000).
 */
import { RE2JS } from "re2js";

/** The regexes calico-node builds from an `interface`/`skipInterface` value. */
export function interfaceRegexes(text: string): string[] {
    return text.split(/\s*,\s*/);
}

/** Why calico-node could not compile an interface value, or undefined when it can. */
export function interfaceRegexError(text: string): string | undefined {
    const joined = "(" + interfaceRegexes(text).join(")|(") + ")";
    try {
        RE2JS.compile(joined);
        return undefined;
    } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        return `is not a regular expression Go (RE2) can compile: ${msg.replace(/^error parsing regexp: /, "")}; calico-node splits the value on commas and compiles (part1)|(part2)|… with Go's regexp (no lookahead, lookbehind or backreferences)`;
    }
}
