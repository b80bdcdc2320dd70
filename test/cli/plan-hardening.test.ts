/**
 * The plan command against hostile use (issue: bad input, class 12): it never deletes what it did
 * not write, reads only bounded regular files, keeps --stack inside stacks/, refuses repeated flags,
 * escapes control characters and reports an unwritable --out cleanly.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_STACK_FILE_BYTES, OUT_MARKER, runPlan } from "../../cli/plan";
import { stackConfig } from "../support/stacks";
import { writeStackFile } from "../support/configs";

function plan(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = runPlan(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

describe("plan command hardening", () => {
    it("--out refuses a non-empty folder it did not write, and deletes nothing there", () => {
        const dir = mkdtempSync(join(tmpdir(), "out-"));
        writeFileSync(join(dir, "precious.txt"), "keep me");
        const r = plan(["--stack", "small", "--out", dir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /is not empty and was not written by plan/);
        assert.deepEqual(readdirSync(dir), ["precious.txt"]);
    });

    it("--out rewrites its own folder, removing only the files it wrote before", () => {
        const dir = join(mkdtempSync(join(tmpdir(), "out-")), "plan");
        assert.equal(plan(["--stack", "large", "--out", dir]).code, 0);
        const first = readdirSync(dir);
        assert.ok(first.includes(OUT_MARKER));
        assert.equal(plan(["--stack", "small", "--out", dir]).code, 0);
        const second = readdirSync(dir);
        assert.ok(!second.some((f) => f.includes("rr-node")), "a file of the earlier plan survived");
        assert.ok(second.some((f) => f.includes("bgpconfiguration")));
    });

    it("an unwritable --out is a clean error, not a stack trace", () => {
        const file = join(mkdtempSync(join(tmpdir(), "out-")), "a-file");
        writeFileSync(file, "");
        const r = plan(["--stack", "small", "--out", join(file, "sub")]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^cannot write --out .*ENOTDIR/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    it("reads only a regular file of bounded size", () => {
        const dev = plan(["--stack-file", "/dev/zero"]);
        assert.equal(dev.code, 1);
        assert.match(dev.stderr, /is not a regular file/);
        const dir = plan(["--stack-file", tmpdir()]);
        assert.equal(dir.code, 1);
        const big = join(mkdtempSync(join(tmpdir(), "big-")), "Pulumi.big.yaml");
        writeFileSync(big, "config: {}\n#" + "x".repeat(MAX_STACK_FILE_BYTES));
        const r = plan(["--stack-file", big]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /a stack file is at most 1048576/);
    });

    it("--stack stays inside stacks/", () => {
        for (const name of ["../package", "../../etc/passwd", "/etc/passwd", "a/b", ".."]) {
            const r = plan(["--stack", name]);
            assert.equal(r.code, 1, name);
            assert.match(r.stderr, /a stack name is a file name in stacks\//, name);
        }
    });

    it("a repeated flag is an error", () => {
        const r = plan(["--stack", "small", "--stack", "large"]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /--stack is given more than once/);
    });

    it("control characters from input are escaped in messages", () => {
        const c = stackConfig("small");
        (c["calico:cluster"] as any)["evil\u001b[31mkey\nforged: line"] = 1;
        const r = plan(["--stack-file", writeStackFile(c)]);
        assert.equal(r.code, 2);
        assert.ok(!r.stderr.includes("\u001b"), "an escape sequence reached the terminal");
        assert.match(r.stderr, /evil\\u001b\[31mkey\\u000aforged: line/);
        assert.equal(r.stderr.trim().split("\n").filter((l) => l.includes("forged")).length, 1);
    });

    it("a failed topology check exits 2", () => {
        const c = stackConfig("tor");
        (c["calico:cluster"] as any).nodes = [{ name: "stray-1" }];
        (c["calico:cluster"] as any).nodeCount = 9;
        const r = plan(["--stack-file", writeStackFile(c), "--json"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /calico:bgp\.tor\.racks: topology check failed/);
        assert.equal(JSON.parse(r.stdout).valid, false);
    });

    it("an empty folder given as --out is fine", () => {
        const dir = mkdtempSync(join(tmpdir(), "out-"));
        mkdirSync(join(dir, "x"));
        assert.equal(plan(["--stack", "small", "--out", join(dir, "x")]).code, 0);
        assert.ok(existsSync(join(dir, "x", OUT_MARKER)));
    });
});
