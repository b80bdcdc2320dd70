import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { interfaceRegexError, interfaceRegexes } from "../../lib/model/autodetection";

/**
 * Interface regexes reach calico-node, which compiles them with Go's regexp. re2js decides for us;
 * where Go is installed (CI and developer machines), its verdict is compared with Go's own.
 */
const CORPUS = [
    "eth0", "eth.*", "ens[0-9]+", "^(en|eth).*$", "bond0\\.100", "(?i)ETH0", "(?P<name>eth)0", "(?<name>eth)0",
    "[[:alpha:]]+", "\\pL+", "\\Qeth.0\\E", "eth{1,3}", "x{1000}", "x{1001}", "x{2,1}", "a**", "a++", "a*?", "(?s).",
    "eth(?=0)", "eth(?!0)", "(?<=e)th", "(veth)\\1", "\\k<n>", "(eth", "eth)", "[eth", "eth]", "\\", "\\8", "\\z", "\\Z",
    "(?x) eth 0", "(?U)a+", "(?m)^eth$", "[a-\\d]", "[z-a]", "\\C", "\\b\\B", "(?i:eth)", "(?#comment)", "\\x{10FFFF}", "\\x{110000}",
    "ens1, eno2", "docker.*,veth.*", "  lo  ,  eth0 ", "eth{1,3}0", "a{,3}", "é+", "\\p{Greek}", "\\p{Nope}", "[[:word:]]", "[[:nope:]]",
];

describe("interface autodetection regexes (Go RE2 rules)", () => {
    it("splits like calico-node (on commas with surrounding spaces)", () => {
        assert.deepEqual(interfaceRegexes("  lo  ,  eth0 "), ["  lo", "eth0 "]);
        assert.deepEqual(interfaceRegexes("ens1, eno2"), ["ens1", "eno2"]);
    });

    it("rejects what RE2 cannot compile and accepts what it can", () => {
        assert.equal(interfaceRegexError("ens[0-9]+, eth(0|1)"), undefined);
        for (const bad of ["eth(?=0)", "(veth)\\1", "x{1001}", "(eth"]) assert.ok(interfaceRegexError(bad), bad);
    });

    it("agrees with Go's regexp.Compile on every pattern of the corpus", function () {
        const go = spawnSync("go", ["version"], { encoding: "utf8" });
        if (go.status !== 0) {
            console.warn("SKIPPED Go regexp agreement: no go binary on PATH");
            this.skip();
        }
        this.timeout(180_000);
        // calico-node compiles the joined form, so that is what Go is asked about.
        const joined = CORPUS.map((p) => "(" + interfaceRegexes(p).join(")|(") + ")");
        const run = spawnSync("go", ["run", join(__dirname, "../support/go-regexp/main.go")], {
            input: joined.map((p) => JSON.stringify(p)).join("\n") + "\n",
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        const verdicts = run.stdout.trim().split("\n");
        assert.equal(verdicts.length, CORPUS.length);
        const disagreements = CORPUS.flatMap((p, i) => ((verdicts[i] === "ok") === (interfaceRegexError(p) === undefined) ? [] : [`${p}: Go says ${verdicts[i]}, we say ${interfaceRegexError(p) ?? "ok"}`]));
        assert.deepEqual(disagreements, []);
        // The corpus has both kinds, so agreement cannot hold vacuously.
        assert.ok(verdicts.filter((v) => v === "ok").length >= 10 && verdicts.filter((v) => v !== "ok").length >= 10, verdicts.join("\n"));
    });
});
