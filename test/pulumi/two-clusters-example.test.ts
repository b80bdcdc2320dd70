/**
 * examples/two-clusters under mocks: the program builds Calico for two clusters from code, with no
 * stack config, and each cluster's resources, commands and outputs are its own.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runStack, unwrap, isWrappedSecret, reachesCluster } from "../support/mocks";

describe("examples/two-clusters (mock runtime)", () => {
    it("registers two CalicoClusters, each on its own cluster, with no stack config", async () => {
        const dir = mkdtempSync(join(tmpdir(), "two-clusters-"));
        for (const c of ["east", "west"]) writeFileSync(join(dir, c), `${c}-kubeconfig-contents`);
        process.env.EAST_KUBECONFIG = join(dir, "east");
        process.env.WEST_KUBECONFIG = join(dir, "west");
        pulumi.runtime.setAllConfig({});
        const run = await runStack(() => {
            for (const k of Object.keys(require.cache)) if (k.includes("/examples/two-clusters/")) delete require.cache[k];
            return require("../../examples/two-clusters/index");
        });
        const tops = run.registrations.filter((r) => r.type === "calico:index:CalicoCluster").map((r) => r.name);
        assert.deepEqual(tops, ["east", "west"]);
        const urns = run.registrations.map((r) => r.urn);
        assert.equal(new Set(urns).size, urns.length, "two resources share a URN");
        // east uses the program's provider; west builds its own.
        const providers = run.registrations.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name).sort();
        assert.deepEqual(providers, ["east-cluster", "west-k8s"]);
        for (const top of ["east", "west"]) {
            const commands = run.registrations.filter((r) => reachesCluster(r) && r.name.startsWith(`${top}-`));
            assert.ok(commands.length > 0, `${top} runs no calicoctl`);
            for (const c of commands) {
                assert.equal(unwrap(c.inputs.environment).CALICO_KUBECONFIG, `${top}-kubeconfig-contents`, c.name);
                assert.ok(isWrappedSecret(c.inputs.environment) || isWrappedSecret(c.inputs.environment.CALICO_KUBECONFIG), `${c.name}: kubeconfig not secret`);
            }
        }
        const eastPeer = run.registrations.find((r) => r.name === "east-bgppeer-edge-1");
        assert.ok(eastPeer, "east's edge peer");
        assert.ok(!run.registrations.some((r) => r.name.startsWith("west-bgppeer-edge")), "west got east's peer");
        assert.equal(run.outputs.eastBgp.mode, "mesh");
        assert.equal(run.outputs.westBgp.mode, "routeReflector");
        assert.deepEqual(run.outputs.westBgp.routeReflectorNodes, ["rr-1", "rr-2", "rr-3"]);
        assert.equal(typeof run.outputs.eastTyphaReplicas, "number");
    });
});
