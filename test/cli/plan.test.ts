import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runPlan, OUT_MARKER } from "../../cli/plan";
import { STACK_NAMES, STACKS_DIR } from "../support/stacks";

function plan(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = runPlan(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

const readDir = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));

describe("plan command", () => {
    for (const stack of STACK_NAMES) {
        describe(`stack ${stack}`, () => {
            it("--json carries the contract fields", () => {
                const r = plan(["--stack", stack, "--json"]);
                assert.equal(r.code, 0, r.stderr);
                const j = JSON.parse(r.stdout);
                for (const k of ["calicoVersion", "operatorImage", "kubernetesVersion", "nodeCount", "warnings", "resources"]) assert.ok(k in j, k);
                assert.match(j.operatorImage, /^quay\.io\/tigera\/operator:v1\.(40\.3|32\.7)$/);
                assert.ok(["mesh", "routeReflector", "tor", "hybrid", "disabled"].includes(j.bgp.mode));
                assert.equal(typeof j.bgp.sessions, "number");
                assert.equal(typeof j.typha.expectedReplicas, "number");
                assert.ok(j.resources.every((x: { type: string; name: string }) => x.type && x.name));
            });

            it("--out writes one parseable object per file, identical on a second run, with no secret", () => {
                const a = mkdtempSync(join(tmpdir(), "plan-a-"));
                const b = mkdtempSync(join(tmpdir(), "plan-b-"));
                assert.equal(plan(["--stack", stack, "--out", a]).code, 0);
                assert.equal(plan(["--stack", stack, "--out", b]).code, 0);
                const filesA = readDir(a);
                assert.deepEqual(filesA, readDir(b), "plan --out is not deterministic");
                const json = JSON.parse(plan(["--stack", stack, "--json"]).stdout);
                const planned = json.resources.filter((r: { type: string }) => !r.type.startsWith("calico:index:") && !r.type.startsWith("pulumi:"));
                // One file per resource, plus the list of what plan wrote (so a later run deletes only those).
                assert.equal(Object.keys(filesA).filter((f) => f !== OUT_MARKER).length, planned.length);
                assert.deepEqual(filesA[OUT_MARKER].trim().split("\n").sort(), Object.keys(filesA).filter((f) => f !== OUT_MARKER).sort());
                for (const [f, text] of Object.entries(filesA)) {
                    assert.ok(!text.includes("v1:placeholder"), `${f} leaks a ciphertext`);
                    if (f.endsWith(".yaml") && !f.endsWith(".source.yaml") && !f.endsWith(".chart.yaml")) {
                        const o = parse(text);
                        assert.ok(o.apiVersion && o.kind && o.metadata?.name, f);
                    }
                }
            });
        });
    }

    it("the summary explains each decision and the Typha count", () => {
        const r = plan(["--stack", "large"]);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /bgp\.mode = routeReflector\n\s+because auto: 400 nodes > 100/);
        assert.match(r.stdout, /Typha: 4 replica\(s\) expected/);
        assert.match(r.stdout, /\[ok\] every client peers with 3 reflectors/);
    });

    it("warns, without failing, when a full mesh is forced on a large cluster", () => {
        const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.x.yaml");
        writeFileSync(file, readFileSync(join(STACKS_DIR, "Pulumi.small.yaml"), "utf8").replace("nodeCount: 40", "nodeCount: 150").replace("    mode: auto", "    mode: mesh"));
        const r = plan(["--stack-file", file, "--json"]);
        assert.equal(r.code, 0);
        assert.ok(JSON.parse(r.stdout).warnings.some((w: string) => w.includes("11175 BGP sessions")));
    });

    it("--format mermaid draws the racks", () => {
        const r = plan(["--stack", "tor", "--format", "mermaid"]);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /subgraph rack_r1\["rack r1"\]/);
        assert.match(r.stdout, /nodes_r2 --- tor_r2_b/);
    });

    it("usage errors exit 1", () => {
        assert.equal(plan([]).code, 1);
        assert.equal(plan(["--stack", "small", "--stack-file", "x"]).code, 1);
        assert.equal(plan(["--stack", "nope"]).code, 1);
        assert.equal(plan(["--stack", "small", "--format", "dot"]).code, 1);
        assert.equal(plan(["--bogus"]).code, 1);
    });

    it("runs as `npm run plan` in a real process: 0 for a valid stack, 2 for an invalid one", () => {
        const ok = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "dev", "--json"], { encoding: "utf8", cwd: join(__dirname, "..", "..") });
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(JSON.parse(ok.stdout).bgp.mode, "disabled");
        const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.bad.yaml");
        writeFileSync(file, "config:\n  calico:kubernetesVersion: '1.33'\n  calico:cluster: { name: x, nodeCount: 0, podCidr: 10.0.0.0/16, serviceCidr: 10.96.0.0/12 }\n");
        const bad = spawnSync("npm", ["run", "-s", "plan", "--", "--stack-file", file], { encoding: "utf8", cwd: join(__dirname, "..", "..") });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /calico:cluster\.nodeCount: a cluster has at least 1 node \(got 0\)/);
    });
});
