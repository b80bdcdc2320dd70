import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../components/program";
import { loadSettings } from "../../lib/pipeline";
import { fromPulumiConfig } from "../../lib/config/raw";
import { planResources } from "../../lib/render";
import { allResourceRefs } from "../../lib/render/resources";
import { isWrappedSecret, runStack, unwrap, type Registration, type StackRun, reachesCluster } from "../support/mocks";
import { STACK_NAMES, stackConfig, stackConfigWithSecrets, stackPulumiConfig, secretValue } from "../support/stacks";
import { toPulumiConfig, type RawConfig } from "../support/configs";

/** The registration named `name`; a leaf resource before a sub-component of the same name (calico-installation). */
const byName = (run: StackRun, name: string): Registration => {
    const named = run.registrations.filter((x) => x.name === name);
    const r = named.find((x) => !x.type.startsWith("calico:index:")) ?? named[0];
    assert.ok(r, `${name} was not registered`);
    return r;
};
const runConfig = (c: RawConfig) => runStack(() => runProgram(toPulumiConfig(c)));

/** Names a resource transitively depends on. */
function ancestors(run: StackRun, name: string, seen = new Set<string>()): Set<string> {
    for (const d of byName(run, name).dependsOn) if (!seen.has(d)) (seen.add(d), ancestors(run, d, seen));
    return seen;
}

describe("Pulumi program under mocks", () => {
    for (const stack of STACK_NAMES) {
        describe(`stack ${stack}`, () => {
            let run: StackRun;
            let plan: ReturnType<typeof planResources>;
            before(async () => {
                run = await runStack(() => runProgram(stackPulumiConfig(stack)));
                plan = planResources(loadSettings(fromPulumiConfig(stackPulumiConfig(stack))).settings);
            });

            it("registers exactly the resources plan reports", () => {
                const got = run.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => `${r.type} ${r.name}`);
                assert.deepEqual(got.sort(), allResourceRefs(plan).map((r) => `${r.type} ${r.name}`).sort());
                assert.equal(new Set(got).size, got.length, "two resources share a type and name");
            });

            it("parents every resource to its component and every component to the cluster", () => {
                const component = { operator: "calico-operator", installation: "calico-installation", bgp: "calico-bgp", policy: "calico-policy", monitoring: "calico-monitoring", benchmark: "calico-benchmark", nodePrep: "calico-nodeprep", safety: "calico-safety" };
                for (const p of plan) assert.equal(byName(run, p.name).parent, component[p.component], p.name);
                for (const c of Object.values(component)) assert.equal(run.registrations.find((r) => r.name === c && r.type.startsWith("calico:index:"))!.parent, "calico");
                assert.equal(byName(run, "calico-k8s").parent, "calico");
            });

            it("wires dependsOn as planned", () => {
                for (const p of plan) assert.deepEqual(byName(run, p.name).dependsOn, p.dependsOn, p.name);
            });

            it("installs CRDs, then the operator, then the Installation; calicoctl only after Calico is ready", () => {
                const install = ancestors(run, "calico-installation");
                assert.ok(install.has("calico-tigera-operator"));
                if (run.registrations.some((r) => r.name === "calico-operator-crds")) assert.ok(ancestors(run, "calico-tigera-operator").has("calico-operator-crds"));
                // The kubeadm podSubnet check runs first: the Installation waits for it.
                assert.ok(install.has("calico-check-kubeadm-podsubnet"));
                for (const r of run.registrations.filter((x) => x.type === "command:local:Command" && x.name !== "calico-check-kubeadm-podsubnet")) {
                    const a = ancestors(run, r.name);
                    assert.ok(a.has("calico-installation") && a.has("calico-apiserver"), `${r.name} runs before Calico is ready`);
                }
            });

            it("waits for the operator's Ready condition", () => {
                const i = unwrap(byName(run, "calico-installation").inputs);
                assert.deepEqual(JSON.parse(i.metadata.annotations["pulumi.com/waitFor"]), ["condition=Ready", `jsonpath={.status.calicoVersion}=${stackConfig(stack)["calico:version"] ?? "v3.31.3"}`]);
                assert.equal(byName(run, "calico-installation").type, "kubernetes:operator.tigera.io/v1:Installation");
            });

            it("runs calicoctl safely: apply/delete on stdin, no triggers, no previous output, quiet, secret output", () => {
                for (const r of run.registrations.filter(reachesCluster)) {
                    const i = unwrap(r.inputs);
                    assert.equal(i.triggers, undefined);
                    assert.equal(i.addPreviousOutputInEnv, false);
                    assert.equal(i.logging, "stderr");
                    assert.deepEqual(r.opts.additionalSecretOutputs, ["stdout", "stderr"]);
                    assert.equal(i.environment.DATASTORE_TYPE, "kubernetes");
                    if (i.stdin && !i.stdin.startsWith("{")) {
                        assert.match(i.create, /"\$calicoctl" apply -f -$/);
                        assert.match(i.delete, /"\$calicoctl" delete --skip-not-exists -f -$/);
                    }
                }
            });

            it("exports outputs without secrets", () => {
                const text = JSON.stringify(run.outputs);
                assert.ok(!text.includes("PLAINTEXT-SECRET"));
                assert.equal(run.outputs.calicoVersion, stackConfig(stack)["calico:version"] ?? "v3.31.3");
            });
        });
    }

    it("the provider is identified by cluster name, so a rotated kubeconfig never replaces resources", async () => {
        const c = stackConfig("small");
        c["calico:kubeconfig"] = "apiVersion: v1\nkind: Config\n# token abc";
        const run = await runConfig(c);
        const p = byName(run, "calico-k8s");
        assert.equal(unwrap(p.inputs).clusterIdentifier, "small");
        assert.ok(isWrappedSecret(p.inputs.kubeconfig), "kubeconfig must be a secret input");
        const cmd = byName(run, "calico-bgpconfiguration-default");
        assert.ok(isWrappedSecret(cmd.inputs.environment) || isWrappedSecret(cmd.inputs.environment?.CALICO_KUBECONFIG), "kubeconfig reaches calicoctl only as a secret");
        assert.ok(!String(unwrap(cmd.inputs).create).includes("token abc"));
    });

    it("v3.27.3 installs one manifest with embedded CRDs; v3.31.3 applies operator-crds.yaml first", async () => {
        const old = stackConfig("small");
        Object.assign(old, { "calico:version": "v3.27.3", "calico:kubernetesVersion": "1.28" });
        const a = await runConfig(old);
        assert.ok(!a.registrations.some((r) => r.name === "calico-operator-crds"));
        assert.match(unwrap(byName(a, "calico-tigera-operator").inputs).files?.[0] ?? unwrap(byName(a, "calico-tigera-operator").inputs).file, /v3\.27\.3\/manifests\/tigera-operator\.yaml$/);
        // Upgrading to v3.31.3: the new CRDs are applied before the new operator, the Installation after both.
        const b = await runStack(() => runProgram(stackPulumiConfig("small")));
        assert.match(unwrap(byName(b, "calico-operator-crds").inputs).file, /v3\.31\.3\/manifests\/operator-crds\.yaml$/);
        assert.deepEqual(byName(b, "calico-tigera-operator").dependsOn, ["calico-operator-crds"]);
        assert.ok(ancestors(b, "calico-installation").has("calico-operator-crds"));
        // Destroy runs dependents first: the Installation (which depends on the operator) goes before it.
        assert.ok(!ancestors(b, "calico-tigera-operator").has("calico-installation"));
    });

    it("mesh → route reflectors: labels, peers and the session wait come before the mesh is turned off", async () => {
        const run = await runStack(() => runProgram(stackPulumiConfig("large")));
        const cfg = byName(run, "calico-bgpconfiguration-default");
        assert.match(unwrap(cfg.inputs).stdin, /nodeToNodeMeshEnabled: false/);
        assert.ok(cfg.dependsOn.includes("calico-wait-bgp-sessions"));
        const before = ancestors(run, "calico-bgpconfiguration-default");
        for (const n of ["rr-node-rr-1", "rr-node-rr-2", "rr-node-rr-3", "bgppeer-peer-with-route-reflectors", "wait-bgp-sessions"]) assert.ok(before.has(`calico-${n}`), n);
        // A cluster ID takes a node out of the mesh at once (confd bird.cfg.template): the reflector
        // BGPPeer must exist before any reflector gets its cluster ID.
        for (const n of ["calico-rr-node-rr-1", "calico-rr-node-rr-2", "calico-rr-node-rr-3"]) assert.ok(ancestors(run, n).has("calico-bgppeer-peer-with-route-reflectors"), `${n} is patched before the reflector BGPPeer exists`);
        assert.ok(!run.registrations.some((r) => r.name.startsWith("bgp-status-")), "CalicoNodeStatus through calicoctl (which has no manager for it)");
        const rr1 = unwrap(byName(run, "calico-rr-node-rr-1").inputs);
        assert.equal(rr1.metadata.labels["route-reflector"], "true");
        assert.equal(rr1.metadata.annotations["projectcalico.org/RouteReflectorClusterID"], "244.0.0.1");
        assert.equal(byName(run, "calico-rr-node-rr-1").type, "kubernetes:core/v1:NodePatch");
    });

    it("hybrid: reflector peers, rack labels and cluster IDs, the first gate, the switch peers, the second gate, then the mesh off", async () => {
        const run = await runStack(() => runProgram(stackPulumiConfig("hybrid")));
        const gateA = ancestors(run, "calico-wait-bgp-sessions");
        for (const n of ["bgppeer-rack-r1-reflectors", "rr-node-rr-r1-a", "rack-node-node-r1-01", "node-as-node-r1-01"]) assert.ok(gateA.has(`calico-${n}`), n);
        // The switch peers narrow to the reflectors (clients lose their switch sessions): after the first gate only.
        for (const sw of ["tor-r1-a", "tor-r2-b", "tor-r3-a"]) {
            assert.ok(byName(run, `calico-bgppeer-${sw}`).dependsOn.includes("calico-wait-bgp-sessions"), sw);
            assert.ok(!gateA.has(`calico-bgppeer-${sw}`), `${sw} before the first gate`);
            assert.match(unwrap(byName(run, `calico-bgppeer-${sw}`).inputs).stdin, /nodeSelector: .*route-reflector == "true"/);
        }
        assert.ok(ancestors(run, "calico-wait-bgp-switch-sessions").has("calico-bgppeer-tor-r1-a"));
        assert.ok(byName(run, "calico-bgpconfiguration-default").dependsOn.includes("calico-wait-bgp-switch-sessions"));
        // A reflector gets its cluster ID (leaving any mesh) only once its rack label and its rack's reflector BGPPeer exist.
        assert.ok(ancestors(run, "calico-rr-node-rr-r2-a").has("calico-rack-node-rr-r2-a") && ancestors(run, "calico-rr-node-rr-r2-a").has("calico-bgppeer-rack-r2-reflectors"));
    });

    it("route reflectors → mesh: the mesh BGPConfiguration depends on nothing the reflector topology had", async () => {
        const rr = await runStack(() => runProgram(stackPulumiConfig("large")));
        const c = stackConfig("large");
        (c["calico:bgp"] as any).mode = "mesh";
        delete (c["calico:bgp"] as any).routeReflectors;
        const mesh = await runConfig(c);
        const cfg = byName(mesh, "calico-bgpconfiguration-default");
        assert.match(unwrap(cfg.inputs).stdin, /nodeToNodeMeshEnabled: true/);
        // Same resource name in both programs: an in-place update (calicoctl apply), never a replace.
        assert.ok(rr.registrations.some((r) => r.name === "calico-bgpconfiguration-default"));
        const gone = rr.registrations.filter((r) => !mesh.registrations.some((m) => m.name === r.name)).map((r) => r.name);
        assert.ok(gone.includes("calico-bgppeer-peer-with-route-reflectors") && gone.includes("calico-rr-node-rr-1"));
        // Pulumi runs creates and updates before deletes; nothing removed is a dependency of the update.
        for (const g of gone) assert.ok(!ancestors(mesh, "calico-bgpconfiguration-default").has(g));
        // The gate follows the mesh BGPConfiguration, so the deletes wait until every node has its mesh sessions.
        assert.ok(ancestors(mesh, "calico-wait-bgp-sessions").has("calico-bgpconfiguration-default"));
        assert.match(unwrap(byName(mesh, "calico-wait-bgp-sessions").inputs).environment.CALICO_GATE_REQUIREMENT, /"mode":"mesh"/);
    });

    it("BGP passwords reach the cluster only as a secret Secret, referenced by secretKeyRef", async () => {
        const run = await runConfig(stackConfigWithSecrets("tor"));
        const secret = byName(run, "calico-bgp-passwords");
        assert.equal(secret.type, "kubernetes:core/v1:Secret");
        const data = secret.inputs.stringData;
        assert.ok(isWrappedSecret(data) || Object.values(data).every(isWrappedSecret));
        assert.equal(unwrap(data)["tor-r1-a"], secretValue("calico:bgp.tor.racks[0].switches[0].password"));
        const peer = unwrap(byName(run, "calico-bgppeer-tor-r1-a").inputs);
        assert.match(peer.stdin, /secretKeyRef:\n\s+name: bgp-passwords\n\s+key: tor-r1-a/);
        for (const r of run.registrations.filter(reachesCluster)) {
            const i = unwrap(r.inputs);
            assert.ok(![i.create, i.update, i.delete, i.stdin].join("\n").includes("PLAINTEXT-SECRET"), r.name);
        }
        const binding = unwrap(byName(run, "calico-bgp-passwords-reader-binding").inputs);
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "calico-node", namespace: "calico-system" }]);
        assert.ok(ancestors(run, "calico-bgppeer-tor-r1-a").has("calico-bgp-passwords"));
    });

    it("the Grafana admin password is a secret input, and ServiceMonitors wait for the Prometheus chart", async () => {
        const run = await runConfig(stackConfigWithSecrets("large"));
        const secret = byName(run, "calico-grafana-admin");
        const data = secret.inputs.stringData;
        assert.ok(isWrappedSecret(data) || isWrappedSecret(data["admin-password"]));
        assert.equal(unwrap(data)["admin-password"], secretValue("calico:monitoring.install.grafanaAdminPassword"));
        assert.equal(byName(run, "calico-prometheus").type, "kubernetes:helm.sh/v4:Chart");
        assert.ok(!JSON.stringify(unwrap(byName(run, "calico-grafana").inputs)).includes("PLAINTEXT-SECRET"), "the password is not in chart values");
        for (const sm of run.registrations.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")) assert.ok(ancestors(run, sm.name).has("calico-prometheus"));
        assert.deepEqual(run.outputs.dashboards, ["Calico / Felix", "Calico / Typha", "Calico / kube-controllers and IPAM"]);
    });

    it("ssh node preparation: the private key is a secret connection input, the output is not logged", async () => {
        const c = stackConfig("small");
        c["calico:nodePrep"] = { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], privateKey: "-----BEGIN KEY----- PLAINTEXT-SECRET" } };
        const run = await runConfig(c);
        const r = byName(run, "calico-node-prep-10-0-0-1");
        assert.equal(r.type, "command:remote:Command");
        assert.ok(isWrappedSecret(r.inputs.connection) || isWrappedSecret(r.inputs.connection.privateKey));
        assert.equal(unwrap(r.inputs).logging, "none");
        for (const o of ["stdout", "stderr", "connection"]) assert.ok(r.opts.additionalSecretOutputs!.includes(o), o);
        assert.ok(!unwrap(r.inputs).create.includes("PLAINTEXT-SECRET"));
        assert.ok(byName(run, "calico-installation").dependsOn.includes("calico-node-prep-10-0-0-1"));
    });

    it("main.ts (Pulumi.yaml main:) reads the stack config and exports the outputs", async () => {
        pulumi.runtime.setAllConfig(stackPulumiConfig("large"));
        const run = await runStack(() => {
            for (const k of Object.keys(require.cache)) if (k.endsWith("/main.ts") && !k.includes("node_modules")) delete require.cache[k];
            // main.ts exports a promise of the outputs (an async program).
            return require("../../main");
        });
        assert.equal(run.outputs.bgp.mode, "routeReflector");
        assert.deepEqual(run.outputs.bgp.routeReflectorNodes, ["rr-1", "rr-2", "rr-3"]);
        assert.equal(run.outputs.expectedTyphaReplicas, 4);
        assert.deepEqual(run.outputs.podCidrs, ["10.240.0.0/12"]);
    });
});
