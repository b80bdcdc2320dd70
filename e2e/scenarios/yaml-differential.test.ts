/**
 * `plan` and the real Pulumi CLI read a stack file identically, or `plan` refuses it (bad input,
 * third pass, class 2). For every tricky scalar of the corpus (test/config/yaml-corpus.ts:
 * the ones the two readers take differently, the ones they take alike, each also quoted), a stack
 * file is written and read twice: by the CLI (`pulumi config --json`, gopkg.in/yaml.v3, with a file
 * backend and no engine run) and by plan's reader (lib/config/stackfile.ts). Every value plan accepts
 * must equal the CLI's; every value plan refuses must be one the YAML 1.2 core schema reads
 * otherwise than the CLI (no needless refusal). Plus a `%YAML 1.1` document and control characters.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { BIN, requireToolchain } from "../support/harness";
import { readStackConfig } from "../../lib/config/stackfile";
import { AGREEING, CLI_REFUSES, DISAGREEING } from "../../test/config/yaml-corpus";

describe("e2e: plan reads stack files as the real Pulumi CLI does, or refuses them", function () {
    this.timeout(10 * 60_000);
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const cli = (args: string[]) => spawnSync(join(BIN, "pulumi"), [...args, "--non-interactive"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });

    before(() => {
        requireToolchain();
        dir = mkdtempSync(join(tmpdir(), "calico-e2e-yaml-"));
        env = { PATH: `${BIN}:${process.env.PATH}`, HOME: process.env.HOME, PULUMI_HOME: join(dir, ".pulumi-home"), PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: "e2e", PULUMI_SKIP_UPDATE_CHECK: "true" };
        // A project of the product's name and nothing else: only the CLI's YAML reader is under test.
        writeFileSync(join(dir, "Pulumi.yaml"), "name: calico\nruntime: nodejs\n");
        const r = cli(["stack", "init", "t"]);
        assert.equal(r.status, 0, r.stderr);
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    /** The CLI's reading of `calico:t.v`, or its error. */
    function cliReads(text: string): { value?: unknown; error?: string } {
        writeFileSync(join(dir, "Pulumi.t.yaml"), text);
        const r = cli(["config", "--json", "--stack", "t"]);
        if (r.status !== 0) return { error: `${r.stdout}${r.stderr}`.trim() };
        return { value: JSON.parse(r.stdout)["calico:t"]?.objectValue?.v };
    }
    /** plan's reading of `calico:t.v`, or its refusal. */
    function planReads(text: string): { value?: unknown; error?: string } {
        writeFileSync(join(dir, "Pulumi.t.yaml"), text);
        try {
            const v = (readStackConfig(join(dir, "Pulumi.t.yaml"))["calico:t"] as Record<string, unknown>).v;
            return { value: typeof v === "bigint" ? Number(v) : v };
        } catch (e) {
            return { error: (e as Error).message };
        }
    }

    it("every scalar of the corpus: plan's reading equals the CLI's, or plan refuses one the readers take differently", () => {
        const scalars = [...DISAGREEING.map(([s]) => s), ...AGREEING, ...DISAGREEING.map(([s]) => `"${s}"`), ...AGREEING.map((s) => `'${s}'`)];
        let refused = 0;
        const wrong: string[] = [];
        for (const s of scalars) {
            const text = `config:\n  calico:t:\n    v: ${s}\n`;
            const theirs = cliReads(text);
            const ours = planReads(text);
            assert.equal(theirs.error, undefined, `the CLI could not read ${s}: ${theirs.error}`);
            if (ours.error) {
                refused++;
                // A refusal is right only where the YAML 1.2 core schema reads otherwise than the CLI.
                const core = parse(text).config["calico:t"].v;
                if (JSON.stringify(core) === JSON.stringify(theirs.value)) wrong.push(`${s}: refused, though both read ${JSON.stringify(core)}`);
            } else if (JSON.stringify(ours.value) !== JSON.stringify(theirs.value)) {
                wrong.push(`${s}: plan reads ${JSON.stringify(ours.value)}, the CLI ${JSON.stringify(theirs.value)}`);
            }
        }
        console.log(`      [e2e] ${scalars.length} scalars: ${refused} refused by plan (each read otherwise by the CLI), ${scalars.length - refused} read alike`);
        assert.deepEqual(wrong, []);
        assert.equal(refused, DISAGREEING.length, "plan refuses exactly the corpus's disagreeing scalars");
    });

    it("infinity and NaN: the CLI refuses the file (it cannot pass them to a program), and so does plan", () => {
        for (const s of CLI_REFUSES) {
            const text = `config:\n  calico:t:\n    v: ${s}\n`;
            assert.match(cliReads(text).error ?? "", /unsupported value/, s);
            assert.match(planReads(text).error ?? "", /infinity or NaN/, s);
        }
    });

    it("a %YAML 1.1 document: the CLI ignores the directive (yes stays text), and plan refuses it", () => {
        const text = "%YAML 1.1\n---\nconfig:\n  calico:t:\n    v: yes\n";
        assert.equal(cliReads(text).value, "yes");
        assert.equal(parse(text).config["calico:t"].v, true, "the yaml package follows the directive");
        assert.match(planReads(text).error ?? "", /%YAML: at .*, the file declares YAML 1\.1/);
    });

    for (const ch of ["\u007f", "\u0001"]) {
        it(`a raw control character U+${ch.charCodeAt(0).toString(16).padStart(4, "0")}: the CLI refuses the file, and so does plan`, () => {
            const text = `config:\n  calico:t:\n    v: a${ch}b\n`;
            assert.match(cliReads(text).error ?? "", /control characters are not allowed/);
            assert.match(planReads(text).error ?? "", /control character/);
        });
    }
});
