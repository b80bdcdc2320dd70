/**
 * calico:protect (README "Safety"): the destroy guard's script, run by /bin/sh, and what the program
 * registers under mocks: the guard after every other resource, `protect` on what pod networking
 * depends on, and the transform that protects the operator manifests' CRDs, Namespace and Deployment.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import type * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../components/program";
import { protectChildrenTransform } from "../../components/register";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { DESTROY_GUARD, renderDestroyGuard } from "../../lib/render/safety";
import { toPulumiConfig } from "../support/configs";
import { runStack, unwrap, type StackRun } from "../support/mocks";
import { stackConfig } from "../support/stacks";

function runGuard(protect: boolean) {
    const spec = renderDestroyGuard(loadSettings({ ...stackConfig("small"), "calico:protect": protect }).settings);
    return spec.delete === undefined ? undefined : spawnSync("/bin/sh", ["-c", spec.delete], { env: { PATH: process.env.PATH, ...spec.environment }, encoding: "utf8" });
}

/** The resource (not the component: the Installation shares its component's name) called `name`. */
const byName = (run: StackRun, name: string) => run.registrations.find((r) => r.name === name && !r.type.startsWith("calico:index:"));

describe("calico:protect", () => {
    it("the guard's delete fails with the way out while the stack is protected, and passes once it is not", () => {
        const on = runGuard(true)!;
        assert.equal(on.status, 1);
        assert.match(on.stderr, /this stack is protected \(calico:protect is true\), so nothing was deleted/);
        assert.match(on.stderr, /pulumi config set calico:protect false, then\npulumi up .*then pulumi destroy/);
        const off = runGuard(false)!;
        assert.equal(off.status, 0, off.stderr);
    });

    for (const stack of ["small", "tor"]) {
        it(`${stack}: the guard depends on every other resource, so a destroy deletes it first`, async () => {
            const plan = planResources(loadSettings(stackConfig(stack)).settings);
            const guard = plan.find((p) => p.name === `calico-${DESTROY_GUARD}`)!;
            assert.deepEqual([...guard.dependsOn].sort(), plan.filter((p) => p !== guard).map((p) => p.name).sort());
            const run = await runStack(() => runProgram(toPulumiConfig(stackConfig(stack))));
            const registered = byName(run, `calico-${DESTROY_GUARD}`)!;
            assert.deepEqual([...registered.dependsOn].sort(), plan.filter((p) => p !== guard).map((p) => p.name).sort());
            assert.equal(unwrap(registered.inputs).environment.CALICO_PROTECT, "true");
        });
    }

    it("protects the Installation, the APIServer and, through a transform, the operator manifests' CRDs, Namespace and Deployment", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig(stackConfig("small"))));
        for (const name of ["calico-installation", "calico-apiserver"]) assert.equal(byName(run, name)!.opts.protect, true, name);
        for (const name of ["calico-operator-crds", "calico-tigera-operator"]) {
            const file = byName(run, name)!;
            // Not on the ConfigFile: the provider would pass it on to every child.
            assert.equal(file.opts.protect, undefined, name);
            assert.ok((file.opts.transforms ?? []).includes(protectChildrenTransform), name);
        }
        // Nothing a migration deletes is protected: BGP objects, node patches, the guard.
        const protectedNames = run.registrations.filter((r) => r.opts.protect === true).map((r) => r.name).sort();
        assert.deepEqual(protectedNames, ["calico-apiserver", "calico-installation"]);
    });

    it("the transform protects CRDs (and keeps them on delete) and the operator's Namespace and Deployment, nothing else", () => {
        const apply = (type: string, name: string) => protectChildrenTransform({ type, name, props: {}, opts: {}, custom: true } as unknown as pulumi.ResourceTransformArgs) as pulumi.ResourceTransformResult | undefined;
        assert.deepEqual(apply("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "calico-operator-crds:ippools.crd.projectcalico.org")?.opts, { protect: true, retainOnDelete: true });
        assert.deepEqual(apply("kubernetes:core/v1:Namespace", "calico-tigera-operator:tigera-operator")?.opts, { protect: true });
        assert.deepEqual(apply("kubernetes:apps/v1:Deployment", "calico-tigera-operator:tigera-operator/tigera-operator")?.opts, { protect: true });
        assert.equal(apply("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "calico-tigera-operator:tigera-operator"), undefined);
        assert.equal(apply("kubernetes:core/v1:ServiceAccount", "calico-tigera-operator:tigera-operator/tigera-operator"), undefined);
    });

    it("calico:protect false: nothing is protected and the guard lets a destroy go on", async () => {
        const run = await runStack(() => runProgram(toPulumiConfig({ ...stackConfig("small"), "calico:protect": false })));
        assert.deepEqual(run.registrations.filter((r) => r.opts.protect === true).map((r) => r.name), []);
        for (const name of ["calico-operator-crds", "calico-tigera-operator"]) assert.ok(!(byName(run, name)!.opts.transforms ?? []).includes(protectChildrenTransform), name);
        assert.equal(unwrap(byName(run, `calico-${DESTROY_GUARD}`)!.inputs).environment.CALICO_PROTECT, "false");
    });
});
