import { strict as assert } from "node:assert";
import { parseSelector, SelectorSyntaxError } from "../../lib/model/selector";

const L = { app: "web", tier: "front", env: "prod", empty: "", "projectcalico.org/name": "n1", "k8s-app": "calico-node" };

describe("Calico selectors", () => {
    const truth: [string, boolean][] = [
        ["", true],
        ["all()", true],
        ["global()", true],
        ["has(app)", true],
        ["has(missing)", false],
        ["!has(missing)", true],
        ["has(empty)", true],
        ["app == 'web'", true],
        ['app == "db"', false],
        ["missing == ''", false],
        ["app != 'db'", true],
        ["missing != 'x'", true],
        ["env in {'prod', 'staging'}", true],
        ["env in {}", false],
        ["missing in {'a'}", false],
        ["env not in {'prod'}", false],
        ["missing not in {'a'}", true],
        ["env notin {'dev'}", true],
        ["app contains 'e'", true],
        ["app contains 'x'", false],
        ["missing contains ''", false],
        ["app starts with 'we'", true],
        ["app startswith 'eb'", false],
        ["app ends with 'eb'", true],
        ["app endswith 'we'", false],
        ["!app == 'web'", false],
        ["!!has(app)", true],
        ["app == 'web' && tier == 'back'", false],
        ["app == 'web' || tier == 'back'", true],
        ["app == 'db' || tier == 'back' && env == 'prod'", false],
        ["(app == 'db' || tier == 'front') && env == 'prod'", true],
        ["projectcalico.org/name == 'n1'", true],
        ["k8s-app == 'calico-node'", true],
        ["has( app )", true],
        ["all( )", true],
        ["app\t==\t'web'", true],
        ["env in {'prod',}", true],
    ];
    for (const [text, want] of truth) {
        it(`${JSON.stringify(text)} is ${want}`, () => assert.equal(parseSelector(text).matches(L), want));
    }

    it("labels may be called like operators", () => {
        assert.equal(parseSelector("contains == 'x'").matches({ contains: "x" }), true);
        assert.equal(parseSelector("startswith in {'a'}").matches({ startswith: "a" }), true);
    });

    const canonical: [string, string][] = [
        ["", "all()"],
        ["app=='web'", 'app == "web"'],
        ["a == 'x' && b == 'y'", '(a == "x" && b == "y")'],
        ["a == 'x' || b == 'y' && c == 'z'", '(a == "x" || (b == "y" && c == "z"))'],
        ["a in {'z','y','z'}", 'a in {"y", "z"}'],
        ["a startswith 'p'", 'a starts with "p"'],
        ["a endswith 'p'", 'a ends with "p"'],
        ["a notin {'x'}", 'a not in {"x"}'],
        ["! has(a)", "!has(a)"],
        [`a == 'say "hi"'`, `a == 'say "hi"'`],
        ["route-reflector == 'true'", 'route-reflector == "true"'],
    ];
    for (const [text, want] of canonical) {
        it(`canonical form of ${JSON.stringify(text)}`, () => {
            assert.equal(parseSelector(text).toString(), want);
            // The canonical form parses back to itself.
            assert.equal(parseSelector(want).toString(), want);
        });
    }

    const invalid: [string, number][] = [
        ["(", 1],
        [")", 0],
        ["()", 1],
        ["(a == 'foo'", 11],
        ["a", 1],
        ["a ", 2],
        ["b == b", 5],
        ["'b1' == b", 0],
        ["has()", 4],
        ["a = 'x'", 2],
        ["a & b", 2],
        ["has(foo) &&", 11],
        ["foo == 'bar' |", 13],
        ["%", 0],
        ["a == 'x", 5],
        ["foo in ''", 7],
        ["label inf 'v'", 6],
        ["label ends withs 'v'", 6],
        ["a == 'x'\n&& b == 'y'", 8],
        ["x".repeat(513) + " == 'a'", 0],
    ];
    for (const [text, pos] of invalid) {
        it(`rejects ${JSON.stringify(text.length > 30 ? text.slice(0, 30) + "…" : text)} at position ${pos}`, () => {
            assert.throws(
                () => parseSelector(text),
                (e: unknown) => e instanceof SelectorSyntaxError && e.position === pos && e.message.includes(`position ${pos}`),
            );
        });
    }
});
