/**
 * `plan` reads a stack file as the Pulumi CLI does, or refuses it (bad input, third pass, class 2):
 * each value that gopkg.in/yaml.v3 would read otherwise than the YAML 1.2 core schema is refused
 * with the file, line, column and key path, and without the value. The readings below are the real
 * CLI's (`pulumi config --json`, v3.248.0); the e2e `yaml-differential` scenario re-checks them all.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackConfig } from "../../lib/config/stackfile";
import { runPlan } from "../../cli/plan";
import { ConfigValidationError } from "../../lib/config/errors";
import { AGREEING, CLI_REFUSES, DISAGREEING } from "./yaml-corpus";

function stackFile(text: string): string {
    const file = join(mkdtempSync(join(tmpdir(), "yaml-agree-")), "Pulumi.t.yaml");
    writeFileSync(file, text);
    return file;
}

const at = (scalar: string) => `config:\n  calico:kubernetesVersion: "1.33"\n  calico:network:\n    mtu: ${scalar}\n`;

describe("plan reads a stack file as the Pulumi CLI does (YAML 1.1 habits of gopkg.in/yaml.v3)", () => {
    for (const [scalar, cli] of DISAGREEING) {
        it(`refuses ${scalar} (the CLI reads ${cli}) at its line, column and key path, without the value`, () => {
            const file = stackFile(at(scalar));
            assert.throws(
                () => readStackConfig(file),
                (e: Error) => {
                    assert.ok(e instanceof ConfigValidationError, String(e));
                    assert.equal(e.issues.length, 1, e.message);
                    assert.equal(e.issues[0].path, "calico:network.mtu");
                    assert.ok(e.issues[0].message.startsWith(`at ${file}:4:10, the Pulumi CLI reads this value as `), e.issues[0].message);
                    assert.match(e.message, /quote it to mean the text, or write the number in plain decimal \(got \[not shown\]\)/);
                    assert.ok(!e.message.replace(file, "").includes(scalar), `the value is shown: ${e.message}`);
                    return true;
                },
            );
        });
    }

    for (const scalar of CLI_REFUSES) {
        it(`refuses ${scalar}, which the CLI cannot pass to a program`, () => {
            assert.throws(() => readStackConfig(stackFile(at(scalar))), /calico:network\.mtu: at .*, is infinity or NaN, which the Pulumi CLI cannot pass to a program/);
        });
    }

    it("accepts what both read alike, and any quoted value", () => {
        for (const scalar of [...AGREEING, ...DISAGREEING.map(([s]) => `"${s}"`), ...DISAGREEING.map(([s]) => `'${s}'`), ...CLI_REFUSES.map((s) => `"${s}"`)]) {
            assert.doesNotThrow(() => readStackConfig(stackFile(at(scalar))), scalar);
        }
    });

    it("names the path inside lists and nested maps, and every place at once", () => {
        const file = stackFile(`config:\n  calico:network:\n    ipPools:\n      - name: a\n        blockSize: 026\n      - name: b\n        cidr: 10.1.0.0/16\n        blockSize: 1_0\n  calico:bgp: { asNumber: 0b1 }\n`);
        assert.throws(
            () => readStackConfig(file),
            (e: ConfigValidationError) => {
                assert.deepEqual(
                    e.issues.map((i) => `${i.path} ${i.message.split(",")[0]}`),
                    [`calico:network.ipPools[0].blockSize at ${file}:5:20`, `calico:network.ipPools[1].blockSize at ${file}:8:20`, `calico:bgp.asNumber at ${file}:9:27`],
                );
                return true;
            },
        );
    });

    it("refuses a %YAML 1.1 document, which plan would read with YAML 1.1's booleans and the CLI does not", () => {
        assert.throws(() => readStackConfig(stackFile(`%YAML 1.1\n---\nconfig:\n  calico:protect: yes\n`)), /%YAML: at .*:1:1, the file declares YAML 1\.1.*remove the %YAML line/);
        assert.doesNotThrow(() => readStackConfig(stackFile(`%YAML 1.2\n---\nconfig:\n  calico:protect: "true"\n`)));
    });

    for (const ch of ["\u007f", "\u0001", "\u001b", "\u0085".replace("\u0085", "\u0086")]) {
        it(`refuses the control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0")} the CLI refuses, at its place`, () => {
            const file = stackFile(`config:\n  calico:cluster:\n    name: a${ch}b\n`);
            assert.throws(() => readStackConfig(file), (e: ConfigValidationError) => e.issues[0].path === "calico:cluster.name" && e.issues[0].message.startsWith(`at ${file}:3:12, holds the control character U+`) && !e.message.includes(ch));
        });
    }

    it("plan reports it as invalid config (exit 2), naming the key path", () => {
        let err = "";
        const code = runPlan(["--stack-file", stackFile(at("026"))], { stdout: () => undefined, stderr: (t) => (err += t) });
        assert.equal(code, 2);
        assert.match(err, /calico:network\.mtu: at .*:4:10, the Pulumi CLI reads this value as 22/);
    });
});
