/**
 * Every rendered custom resource validated against the real upstream CRD schema of its Calico
 * version, with unknown fields rejected (the API server would prune them silently).
 */
import { strict as assert } from "node:assert";
import { objectsOf } from "../support/objects";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import { readStackConfig } from "../../lib/config/stackfile";
import { stackConfigWithSecrets } from "../support/stacks";
import { planResources } from "../../lib/render";
import { isPatch } from "../../lib/render/resource-spec";
import { felixPatch } from "../../lib/render/bgp";
import type { K8sObject } from "../../lib/render/objects";
import { CrdValidators, goPatternToJs, upstreamDir } from "../support/upstream";

const STACKS = join(__dirname, "..", "..", "stacks");
const stackNames = readdirSync(STACKS).map((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1]).filter((x): x is string => !!x);

/** The CRD file that defines an object's schema (projectcalico.org/v3 objects use the crd.projectcalico.org schema). */
function crdFile(o: K8sObject): string | undefined {
    const group = o.apiVersion.split("/")[0];
    const k = o.kind.toLowerCase();
    const plural = k.endsWith("s") ? `${k}es` : k.endsWith("y") ? `${k.slice(0, -1)}ies` : `${k}s`;
    if (group === "operator.tigera.io") return `operator.tigera.io_${plural}.yaml`;
    if (group === "projectcalico.org" || group === "crd.projectcalico.org") return `crd.projectcalico.org_${plural}.yaml`;
    return undefined;
}

/** Config for a stack, rewritten to a Calico version and a Kubernetes version it supports. */
function settingsFor(stack: string, version: "v3.27.3" | "v3.31.3") {
    // With the secrets the runbook says to set, so that every object the stack can render is checked.
    const raw = stackConfigWithSecrets(stack);
    raw["calico:version"] = version;
    raw["calico:kubernetesVersion"] = version === "v3.27.3" ? "1.28" : "1.34";
    const net = raw["calico:network"] as Record<string, unknown> | undefined;
    if (version === "v3.27.3" && net?.dataplane === "nftables") net.dataplane = "iptables";
    // calicoctl v3.27.3 cannot set it (checked in test/config/upstream-agreement.ts).
    if (version === "v3.27.3") delete (net?.ipam as Record<string, unknown> | undefined)?.maxBlocksPerHost;
    return loadSettings(raw).settings;
}


describe("rendered objects against upstream schemas", function () {
    const found = upstreamDir();
    before(function () {
        if (!found.dir) {
            console.warn(`SKIPPED schema tests: ${found.reason}`);
            this.skip();
        }
    });

    it("translates Go's (?i) flag", () => {
        const re = new RegExp(goPatternToJs("(?i)^(none|ab[c-d])$"));
        assert.ok(re.test("NONE") && re.test("AbD") && !re.test("abe"));
        const mid = new RegExp(goPatternToJs("^(?i)(abort|warn)?$"), "u");
        assert.ok(mid.test("Abort") && mid.test("") && !mid.test("stop"));
    });

    for (const version of ["v3.27.3", "v3.31.3"] as const) {
        describe(`Calico ${version}`, () => {
            let crds: CrdValidators;
            before(() => (crds = new CrdValidators(join(found.dir!, "calico", version, "crds"))));

            for (const stack of stackNames) {
                it(`${stack}: every custom resource is valid and has no unknown field`, () => {
                    const objects = objectsOf(planResources(settingsFor(stack, version)));
                    const custom = objects.filter((o) => crdFile(o));
                    assert.ok(custom.some((o) => o.kind === "Installation") && custom.some((o) => o.kind === "APIServer"));
                    for (const o of custom) assert.deepEqual(crds.check(crdFile(o)!, o), [], `${o.kind}/${o.metadata.name}`);
                });
            }

            it("the baseline policy, enforced and (where the release has staged policies) staged", () => {
                const modes = version === "v3.31.3" ? ["enforce", "staged"] : ["enforce"];
                for (const mode of modes) {
                    const raw = stackConfigWithSecrets("small");
                    Object.assign(raw, { "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34", "calico:policy": { baseline: { enabled: true, mode, excludeNamespaces: ["ingress-nginx"], selector: "!has(policy-exempt)" } } });
                    if (version === "v3.27.3") delete ((raw["calico:network"] as any)?.ipam ?? {}).maxBlocksPerHost;
                    const policies = objectsOf(planResources(loadSettings(raw).settings)).filter((o) => /GlobalNetworkPolicy$/.test(o.kind));
                    assert.deepEqual(policies.map((o) => o.kind), [mode === "staged" ? "StagedGlobalNetworkPolicy" : "GlobalNetworkPolicy"]);
                    assert.deepEqual(crds.check(crdFile(policies[0])!, policies[0]), [], `${mode}`);
                }
            });

            it("covers the eBPF and dual-stack shapes too", () => {
                const raw = readStackConfig(join(STACKS, "Pulumi.small.yaml"));
                Object.assign(raw, { "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34" });
                (raw["calico:cluster"] as any).podCidr = ["172.20.64.0/18", "fd00:20::/56"];
                (raw["calico:cluster"] as any).apiServer = { host: "10.0.0.10", port: 6443 };
                // Operator v1.32.7 refuses eBPF with dual stack, so v3.27.3 covers eBPF in a single-stack plan below.
                (raw["calico:network"] as any).dataplane = version === "v3.27.3" ? "iptables" : "bpf";
                (raw["calico:network"] as any).mtu = 1440;
                (raw["calico:network"] as any).ipPools.push({ name: "v6", cidr: "fd00:20::/64", encapsulation: "VXLAN", blockSize: 122 });
                raw["calico:registry"] = { url: "registry.example.com/", imagePath: "calico", pullSecrets: ["regcred"] };
                raw["calico:bgp"] = { advertise: { serviceClusterIPs: ["10.96.0.0/12"], serviceExternalIPs: ["203.0.113.0/24"] }, peers: [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000, maxRestartTime: "120s" }] };
                (raw["calico:network"] as any).wireguard = true;
                const settings = loadSettings(raw).settings;
                const objects = objectsOf(planResources(settings));
                for (const o of objects.filter((x) => crdFile(x))) assert.deepEqual(crds.check(crdFile(o)!, o), [], `${o.kind}/${o.metadata.name}`);
                const felix = { apiVersion: "projectcalico.org/v3", kind: "FelixConfiguration", metadata: { name: "default" }, spec: felixPatch(settings)!.spec };
                assert.deepEqual(felix.spec, { wireguardEnabled: true, wireguardEnabledV6: true });
                assert.deepEqual(crds.check("crd.projectcalico.org_felixconfigurations.yaml", felix), []);
                const bpf = readStackConfig(join(STACKS, "Pulumi.small.yaml"));
                Object.assign(bpf, { "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34" });
                (bpf["calico:cluster"] as any).apiServer = { host: "10.0.0.10", port: 6443 };
                (bpf["calico:network"] as any).dataplane = "bpf";
                const bpfObjects = objectsOf(planResources(loadSettings(bpf).settings));
                for (const o of bpfObjects.filter((x) => crdFile(x))) assert.deepEqual(crds.check(crdFile(o)!, o), [], `${o.kind}/${o.metadata.name}`);
                assert.ok(bpfObjects.some((o) => o.kind === "ConfigMap" && o.metadata.name === "kubernetes-services-endpoint"));
            });

            it("rejects a wrong enum value and an unknown field, so the check cannot pass vacuously", () => {
                const install = objectsOf(planResources(settingsFor("small", version))).find((o) => o.kind === "Installation")!;
                const badEnum = structuredClone(install) as any;
                badEnum.spec.calicoNetwork.ipPools[0].encapsulation = "GRE";
                assert.notDeepEqual(crds.check("operator.tigera.io_installations.yaml", badEnum), []);
                const unknown = structuredClone(install) as any;
                unknown.spec.calicoNetwork.ipPools[0].ipipMode = "Always";
                assert.ok(crds.check("operator.tigera.io_installations.yaml", unknown).some((e) => e.includes("ipipMode")));
                const peer = { apiVersion: "projectcalico.org/v3", kind: "BGPPeer", metadata: { name: "x" }, spec: { peerIP: "192.0.2.1", asNumber: "not-a-number" } };
                assert.notDeepEqual(crds.check("crd.projectcalico.org_bgppeers.yaml", peer), []);
            });

            it(version === "v3.27.3" ? "v3.27.3 has no pool names, so none are rendered" : "v3.31.3 pools carry their names, except the operator's own default name", () => {
                const install = objectsOf(planResources(settingsFor("small", version))).find((o) => o.kind === "Installation")! as any;
                // small has one pool named default-ipv4-ippool: what the operator names it anyway.
                assert.equal(install.spec.calicoNetwork.ipPools[0].name, undefined);
                const raw = readStackConfig(join(STACKS, "Pulumi.small.yaml"));
                Object.assign(raw, { "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34" });
                (raw["calico:network"] as any).ipPools[0].name = "pool-a";
                const named = objectsOf(planResources(loadSettings(raw).settings)).find((o) => o.kind === "Installation")! as any;
                assert.equal(named.spec.calicoNetwork.ipPools[0].name, version === "v3.27.3" ? undefined : "pool-a");
                const withName = structuredClone(install);
                withName.spec.calicoNetwork.ipPools[0].name = "default-ipv4-ippool";
                assert.equal(crds.check("operator.tigera.io_installations.yaml", withName).length === 0, version !== "v3.27.3");
            });
        });
    }

    it("core objects validate with kubernetes-models", () => {
        const { ConfigMap, Secret, Service, Namespace } = require("kubernetes-models/v1");
        const { Role, RoleBinding } = require("kubernetes-models/rbac.authorization.k8s.io/v1");
        const { DaemonSet } = require("kubernetes-models/apps/v1");
        const classes: Record<string, any> = { ConfigMap, Secret, Role, RoleBinding, Service, Namespace, DaemonSet };
        const bpf = readStackConfig(join(STACKS, "Pulumi.small.yaml"));
        (bpf["calico:cluster"] as any).apiServer = { host: "10.0.0.10" };
        (bpf["calico:network"] as any).dataplane = "bpf";
        const plans = [...stackNames.map((stack) => planResources(settingsFor(stack, "v3.31.3"))), planResources(loadSettings(bpf).settings)];
        let checked = 0;
        const kinds = new Set<string>();
        for (const plan of plans) {
            for (const o of objectsOf(plan).filter((x) => !(plan.find((p) => p.spec.kind === "object" && p.spec.object.metadata === x.metadata && isPatch(p))))) {
                const cls = classes[o.kind];
                if (!cls || crdFile(o)) continue;
                new cls(o).validate();
                kinds.add(o.kind);
                checked++;
            }
        }
        assert.ok(checked > 0, "no core object was checked");
        assert.deepEqual([...kinds].sort(), ["ConfigMap", "DaemonSet", "Namespace", "Role", "RoleBinding", "Secret", "Service"]);
        assert.throws(() => new Role({ metadata: { name: "x" }, rules: [{ verbs: "get" }] }).validate());
    });
});
