/**
 * Upgrading v3.27.3 → v3.31.3 (and back) never deletes a CRD: v3.27.3 ships its CRDs inside the
 * `tigera-operator` manifest, v3.31.3 in `operator-crds`, and the CRD-holding ConfigFile's transform
 * gives each CRD child an alias to its name under the other holder. A CRD child's URN is
 * `…$<parent types>$CustomResourceDefinition::<holder>:<crd name>`, and both ConfigFiles have the
 * same parent, so "the same resource" is "the new child's name or one of its aliases equals the old
 * child's name". The real engine's behaviour (no CRD DELETED in the API server's watch) is proven
 * in e2e/scenarios/upgrade.test.ts.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../components/program";
import { CRD_TYPE } from "../../lib/render/operator";
import { runStack, runStackSettled, setStackReferenceOutputs, unwrap, type StackRun } from "../support/mocks";
import { versionChangeRefusal } from "../../lib/model/versions";
import { toPulumiConfig } from "../support/configs";
import { baseFor } from "../config/upstream-agreement";
import { upstreamDir } from "../support/upstream";
import type { CalicoVersion } from "../../lib/model/versions";

/** CRD names in a release's operator install (from the upstream manifests at the pinned tag). */
function crdNames(dir: string, version: CalicoVersion): string[] {
    const file = join(dir, "calico", version, "manifests", version === "v3.27.3" ? "tigera-operator.yaml" : "operator-crds.yaml");
    return parseAllDocuments(readFileSync(file, "utf8"))
        .map((d) => d.toJS())
        .filter((o) => o?.kind === "CustomResourceDefinition")
        .map((o) => o.metadata.name as string);
}

/** The names (own name plus aliases) each CRD child of `run` answers to, keyed by CRD. */
function crdIdentities(run: StackRun, crds: readonly string[]): { parent: string | undefined; byCrd: Map<string, string[]> } {
    const files = run.registrations.filter((r) => r.type === "kubernetes:yaml/v2:ConfigFile");
    // The holder carries the alias transform (and, protected, the protect transform beside it).
    const holders = files.filter((f) => ((f.opts as pulumi.ResourceOptions).transforms ?? []).some((t) => t.toString().includes("crdAliasNames")));
    assert.equal(holders.length, 1, "exactly one ConfigFile holds the CRDs");
    const holder = holders[0];
    assert.ok(new Set(files.map((f) => f.parent)).size === 1, "every ConfigFile has the same parent, so their children's URNs differ only by name");
    const byCrd = new Map<string, string[]>();
    for (const crd of crds) {
        const name = `${holder.name}:${crd}`;
        let opts: pulumi.ResourceOptions = {};
        for (const t of (holder.opts as pulumi.ResourceOptions).transforms!) {
            const r = (t as (a: pulumi.ResourceTransformArgs) => pulumi.ResourceTransformResult | undefined)({ type: CRD_TYPE, name, custom: true, props: {}, opts });
            if (r) opts = r.opts;
        }
        const aliases = (opts.aliases ?? []).map((a) => (a as { name: string }).name);
        byCrd.set(crd, [name, ...aliases]);
    }
    return { parent: holder.parent, byCrd };
}

describe("upgrades keep every CRD (mock runtime: names and aliases)", () => {
    const found = upstreamDir();
    let runs: Record<CalicoVersion, StackRun>;
    before(async function () {
        if (!found.dir) {
            console.warn(`SKIPPED CRD upgrade tests: ${found.reason}`);
            this.skip();
        }
        runs = {
            "v3.27.3": await runStack(() => runProgram(toPulumiConfig(baseFor("v3.27.3")))),
            "v3.31.3": await runStack(() => runProgram(toPulumiConfig(baseFor("v3.31.3")))),
        };
    });

    // The other direction is refused outright (see below): v3.27.3 lacks CRDs v3.31.3 installed.
    for (const [from, to] of [["v3.27.3", "v3.31.3"]] as const) {
        it(`${from} → ${to}: every CRD of ${from} is the same resource after the change (no delete, no replace)`, () => {
            const crds = crdNames(found.dir!, from);
            assert.ok(crds.length >= 20, `${crds.length} CRDs`);
            const before = crdIdentities(runs[from], crds);
            const after = crdIdentities(runs[to], crds);
            assert.equal(before.parent, after.parent);
            for (const crd of crds) {
                const oldName = before.byCrd.get(crd)![0];
                assert.ok(after.byCrd.get(crd)!.includes(oldName), `${crd}: ${to} registers ${after.byCrd.get(crd)!.join(" / ")}, none of which is ${oldName}`);
            }
        });
    }

    it("aliases only CRDs, and only the holder's own children", () => {
        const holder = runs["v3.31.3"].registrations.find((r) => r.type === "kubernetes:yaml/v2:ConfigFile" && ((r.opts as pulumi.ResourceOptions).transforms ?? []).length)!;
        const t = (holder.opts as pulumi.ResourceOptions).transforms![0] as (a: pulumi.ResourceTransformArgs) => pulumi.ResourceTransformResult | undefined;
        assert.equal(t({ type: "kubernetes:apps/v1:Deployment", name: `${holder.name}:tigera-operator/tigera-operator`, custom: true, props: {}, opts: {} }), undefined);
        assert.equal(t({ type: CRD_TYPE, name: "something-else:ippools.crd.projectcalico.org", custom: true, props: {}, opts: {} }), undefined);
        const r = t({ type: CRD_TYPE, name: `${holder.name}:ippools.crd.projectcalico.org`, custom: true, props: { a: 1 }, opts: { aliases: ["urn:keep"] } })!;
        assert.deepEqual(r.props, { a: 1 });
        // The other release's holder under this component's name, and (for the program's `calico`
        // component) every holder's name from before names were prefixed.
        assert.deepEqual(r.opts.aliases, ["urn:keep", ...["calico-tigera-operator", "operator-crds", "tigera-operator"].map((h) => ({ name: `${h}:ippools.crd.projectcalico.org` }))]);
    });
});

describe("the downgrade guard's inputs (mock runtime)", () => {
    const self = "organization/calico/test";
    afterEach(() => setStackReferenceOutputs(self, {}));

    it("reads the stack's own last outputs through a StackReference named for them", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig(baseFor("v3.31.3"))));
        const ref = run.registrations.find((r) => r.type === "pulumi:pulumi:StackReference");
        assert.equal(ref?.name, "previous-deployment");
        assert.equal(ref?.inputs.name, self);
    });

    for (const [previous, next] of [["v3.27.3", "v3.31.3"], ["v3.31.3", "v3.31.3"], [undefined, "v3.27.3"]] as const) {
        it(`${previous ?? "a new stack"} → ${next} is allowed: the operator manifests are registered`, async () => {
            setStackReferenceOutputs(self, previous ? { calicoVersion: previous } : {});
            const run = await runStackSettled(() => runProgram(toPulumiConfig(baseFor(next))));
            assert.equal(run.error, undefined, String(run.error));
            assert.ok(run.registrations.some((r) => r.type === "kubernetes:yaml/v2:ConfigFile"));
        });
    }
    it("v3.31.3 deployed, v3.27.3 configured: a RunError with the reason, and nothing of Calico registered", async () => {
        setStackReferenceOutputs(self, { calicoVersion: "v3.31.3" });
        const run = await runStackSettled(() => runProgram(toPulumiConfig(baseFor("v3.27.3"))));
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        assert.match((run.error as Error).message, /^calico:version: .*going back to v3\.27\.3 is refused/);
        assert.deepEqual(run.registrations.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), ["pulumi:pulumi:StackReference"]);
    });

    it("a stack that manages cluster t refuses to become cluster t2 (a new clusterIdentifier would replace everything), and takes the rename with identifier t", async () => {
        setStackReferenceOutputs(self, { clusterIdentifier: "t", calicoVersion: "v3.31.3" });
        const renamed = baseFor("v3.31.3");
        renamed["calico:cluster"].name = "t2";
        const run = await runStackSettled(() => runProgram(toPulumiConfig(renamed)));
        assert.ok(pulumi.RunError.isInstance(run.error), String(run.error));
        assert.match((run.error as Error).message, /^calico:cluster\.name: this stack manages the cluster "t" .*set calico:cluster\.identifier to "t"/);
        assert.deepEqual(run.registrations.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"), ["pulumi:pulumi:StackReference"]);
        renamed["calico:cluster"].identifier = "t";
        const kept = await runStackSettled(() => runProgram(toPulumiConfig(renamed)));
        assert.equal(kept.error, undefined, String(kept.error));
        const provider = kept.registrations.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal(unwrap(provider?.inputs).clusterIdentifier, "t");
    });

    it("eBPF: the program passes the deployed version on, so the upgrade keeps the guide's kube-proxy command and the next update hands over", async () => {
        const bpf = () => {
            const c = baseFor("v3.31.3");
            c["calico:network"].dataplane = "bpf";
            c["calico:cluster"].apiServer = { host: "10.0.0.10", port: 6443 };
            return toPulumiConfig(c);
        };
        const kubeProxy = (run: StackRun) => ({
            management: unwrap(run.registrations.find((r) => r.type === "kubernetes:operator.tigera.io/v1:Installation")?.inputs)?.spec?.calicoNetwork?.kubeProxyManagement,
            commands: run.registrations.filter((r) => /kube-proxy/.test(r.name)).map((r) => r.name).sort(),
        });
        setStackReferenceOutputs(self, { calicoVersion: "v3.27.3" });
        assert.deepEqual(kubeProxy(await runStack(() => runProgram(bpf()))), { management: undefined, commands: ["calico-kube-proxy-off-calico-nodes"] });
        setStackReferenceOutputs(self, { calicoVersion: "v3.31.3" });
        assert.deepEqual(kubeProxy(await runStack(() => runProgram(bpf()))), { management: "Enabled", commands: ["calico-wait-kube-proxy-off"] });
    });

    // The real engine's side (preview and up fail with the message alone, nothing changes) is in
    // e2e/scenarios/upgrade.test.ts.
    it("refuses only a downgrade, with the reason and the key", () => {
        assert.match(versionChangeRefusal("v3.31.3", "v3.27.3")!, /^calico:version: .*going back to v3\.27\.3 is refused: .*delete those CRDs/);
        for (const [a, b] of [["v3.27.3", "v3.31.3"], ["v3.31.3", "v3.31.3"], [undefined, "v3.27.3"], ["garbage", "v3.27.3"]] as const) assert.equal(versionChangeRefusal(a, b), undefined, `${a} → ${b}`);
    });
});
