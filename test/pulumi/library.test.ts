/**
 * CalicoCluster as a library (mock runtime): the package entry registers nothing, two instances in
 * one program never share a URN, existing stacks keep every URN (compared with the program as it
 * was before names were prefixed, taken from git history), typed arguments validate with argument
 * paths, and secrets given as Outputs stay secrets.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runStack, runStackSettled, isWrappedSecret, unwrap, type StackRun, reachesCluster } from "../support/mocks";
import { STACK_NAMES, stackArgs, stackPulumiConfig } from "../support/stacks";
import { runProgram } from "../../components/program";
import { ADDED_SINCE_UNPREFIXED, UNPREFIXED_NAMES_COMMIT } from "../support/history";

const ROOT = resolve(__dirname, "..", "..");

/** Check out `commit`'s program into a temporary folder that shares this checkout's node_modules. */
function checkoutOf(commit: string): { dir?: string; reason?: string } {
    const has = spawnSync("git", ["-C", ROOT, "cat-file", "-e", `${commit}^{commit}`]);
    if (has.status !== 0) return { reason: `commit ${commit.slice(0, 7)} is not in this clone's history (a shallow clone?)` };
    const dir = mkdtempSync(join(tmpdir(), "calico-before-"));
    execFileSync("sh", ["-c", `git -C "$1" archive "$2" components lib stacks | tar -x -C "$3"`, "sh", ROOT, commit, dir]);
    // One node_modules, so the old program registers through the same @pulumi/pulumi and its mocks.
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    return { dir };
}

describe("CalicoCluster as a library (mock runtime)", () => {
    it("importing the package entry registers nothing and exports the component, its types' values and plan", async () => {
        const run = await runStack(() => {
            const lib = require("../../index");
            assert.equal(typeof lib.CalicoCluster, "function");
            assert.equal(typeof lib.plan, "function");
            return {};
        });
        assert.deepEqual(run.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
    });

    it("two CalicoClusters in one program: every URN unique, every name prefixed by its component, no alias", async () => {
        const run = await runStack(() => {
            const { CalicoCluster } = require("../../index");
            const east = new CalicoCluster("east", { ...stackArgs("small"), kubeconfig: "east-kubeconfig" });
            const west = new CalicoCluster("west", { ...stackArgs("large"), kubeconfig: pulumi.secret("west-kubeconfig") });
            return { east: east.calicoVersion, west: west.bgp };
        });
        const urns = run.registrations.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length, `duplicate URNs: ${urns.filter((u, i) => urns.indexOf(u) !== i).join(", ")}`);
        for (const r of run.registrations.filter((x) => x.type !== "pulumi:pulumi:Stack")) {
            assert.match(r.name, /^(east|west)(-|$)/, `${r.type} ${r.name}`);
            assert.deepEqual(r.aliasUrns, [], `${r.name} aliases an old name: two instances would claim the same old URN`);
        }
        // Each instance drives its own cluster: its own provider, and its kubeconfig in its commands.
        for (const [top, kc] of [["east", "east-kubeconfig"], ["west", "west-kubeconfig"]] as const) {
            const provider = run.registrations.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === `${top}-k8s`);
            assert.ok(provider, `${top} has no provider`);
            assert.equal(unwrap(provider.inputs).kubeconfig, kc);
            const commands = run.registrations.filter((r) => reachesCluster(r) && r.name.startsWith(`${top}-`));
            assert.ok(commands.length > 0);
            for (const c of commands) assert.equal(unwrap(c.inputs.environment).CALICO_KUBECONFIG, kc, c.name);
        }
        assert.equal(run.outputs.east, "v3.31.3");
        assert.equal(run.outputs.west.mode, "routeReflector");
    });

    describe("existing stacks keep every URN (the program before names were prefixed, from git history)", () => {
        const before = checkoutOf(UNPREFIXED_NAMES_COMMIT);
        after(() => before.dir && rmSync(before.dir, { recursive: true, force: true }));
        // The stacks that existed at that commit.
        for (const stack of STACK_NAMES.filter((s) => ["dev", "large", "small", "tor"].includes(s))) {
            it(`${stack}: every old URN is the new URN or an alias of exactly one resource, and nothing is new`, async function () {
                if (!before.dir) {
                    console.warn(`SKIPPED URN comparison with the unprefixed program: ${before.reason}`);
                    return this.skip();
                }
                // Both programs with the stack file as it was then: an existing stack's config.
                const config = stackPulumiConfig(stack, join(before.dir!, "stacks"));
                const old: StackRun = await runStack(() => require(join(before.dir!, "components", "program")).runProgram(config));
                const now = await runStack(() => runProgram(config));
                const oldUrns = new Set(old.registrations.map((r) => r.urn));
                for (const urn of oldUrns) {
                    const claim = now.registrations.filter((r) => r.urn === urn || r.aliasUrns.includes(urn));
                    assert.equal(claim.length, 1, `${urn} is claimed by ${claim.length} resources (0 = deleted and recreated)`);
                }
                for (const r of now.registrations) {
                    const matched = oldUrns.has(r.urn) || r.aliasUrns.some((u) => oldUrns.has(u));
                    // A resource added since that commit is new, and must not claim an old one.
                    assert.equal(matched, !ADDED_SINCE_UNPREFIXED.includes(r.name), `${r.urn} ${matched ? "claims an old resource" : "would be created: it matches no old resource"}`);
                }
                assert.ok(now.registrations.some((r) => r.aliasUrns.length > 0), "no resource carries an alias");
            });
        }
    });

    it("provider-side components (ConfigFile, Chart) get their old names from their part's transform, which the provider's own registration passes through", async () => {
        const run = await runStack(() => runProgram(stackPulumiConfig("large")));
        const parts = run.registrations.filter((r) => r.type.startsWith("calico:index:") && r.type !== "calico:index:CalicoCluster");
        const withTransform = parts.filter((r) => (r.opts.transforms ?? []).length > 0).map((r) => r.name).sort();
        assert.deepEqual(withTransform, ["calico-monitoring", "calico-operator"], "the parts that hold ConfigFiles or Charts");
        const operator = parts.find((r) => r.name === "calico-operator")!;
        const t = operator.opts.transforms![0] as (a: pulumi.ResourceTransformArgs) => pulumi.ResourceTransformResult | undefined;
        const r = t({ type: "kubernetes:yaml/v2:ConfigFile", name: "calico-tigera-operator", custom: false, props: { file: "x" }, opts: {} });
        assert.deepEqual(r?.opts.aliases, [{ name: "tigera-operator" }]);
        assert.deepEqual(r?.props, { file: "x" });
        // Children keep their names (the engine's inherited aliases move them), other types are left alone.
        assert.equal(t({ type: "kubernetes:apps/v1:Deployment", name: "calico-tigera-operator:tigera-operator/tigera-operator", custom: true, props: {}, opts: {} }), undefined);
        assert.equal(t({ type: "kubernetes:core/v1:ConfigMap", name: "calico-tigera-operator", custom: true, props: {}, opts: {} }), undefined);
        // A library instance has no old names, so no transform.
        const lib = await runStack(() => new (require("../../index").CalicoCluster)("east", stackArgs("large")));
        assert.ok(lib.registrations.every((x) => !(x.opts.transforms ?? []).length || x.type === "kubernetes:yaml/v2:ConfigFile"), "a library instance carries alias transforms");
    });

    it("arguments are validated before anything is registered, with argument paths (not config keys)", async () => {
        const args = stackArgs("small");
        const run = await runStackSettled(() => {
            const { CalicoCluster } = require("../../index");
            return new CalicoCluster("c", { ...args, network: { ipPools: [{ name: "a", cidr: "10.244.0.0/17" }, { name: "b", cidr: "10.244.0.0/33" }] } });
        });
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        const message = (run.error as Error).message;
        assert.match(message, /^CalicoCluster c: invalid arguments \(1 error\):\n  - network\.ipPools\[1\]\.cidr: invalid CIDR/);
        assert.doesNotMatch(message, /calico:/);
        assert.deepEqual(run.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack"), []);
    });

    it("an Output in a plain field is refused by path; in a secret field it stays a secret", async () => {
        const args = stackArgs("tor");
        const bad = await runStackSettled(() => {
            const { CalicoCluster } = require("../../index");
            return new CalicoCluster("c", { ...args, cluster: { ...(args.cluster as object), name: pulumi.output("x") } });
        });
        assert.ok(pulumi.RunError.isInstance(bad.error), String(bad.error));
        assert.match((bad.error as Error).message, /cluster\.name: must be a plain value: only secret fields/);
        const tor = args.bgp as { tor: { racks: { switches: { password?: unknown }[] }[] } };
        tor.tor.racks[0].switches[0].password = pulumi.output("from-a-secret-store-7k");
        const run = await runStack(() => {
            const { CalicoCluster } = require("../../index");
            return new CalicoCluster("c", args).bgp;
        });
        const secret = run.registrations.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "c-bgp-passwords");
        assert.ok(secret, "no BGP password Secret");
        const data = secret.inputs.stringData;
        assert.equal(unwrap(data)["tor-r1-a"], "from-a-secret-store-7k");
        assert.ok(isWrappedSecret(data) || isWrappedSecret(data["tor-r1-a"]), "the password is not a secret input");
        for (const r of run.registrations) if (r !== secret) assert.ok(!JSON.stringify(unwrap(r.inputs)).includes("from-a-secret-store-7k"), `${r.name} carries the password`);
    });
});
