/**
 * The opt-in baseline policy: what is rendered, where it sits in the plan, and the checks that refuse
 * a policy that would cut BGP, Typha, health, metrics, DNS, the API or the node preparation. The
 * checks are shown to fail on policies broken on purpose, so they cannot pass vacuously.
 */
import { strict as assert } from "node:assert";
import { loadSettings } from "../../lib/pipeline";
import { ConfigValidationError } from "../../lib/config/errors";
import { planResources } from "../../lib/render";
import { baselineResourceName, excludedNamespaces, renderBaselinePolicy } from "../../lib/render/policy";
import { checkBaselinePolicy, egressAction } from "../../lib/render/policy-check";
import { parseSelector } from "../../lib/model/selector";
import { planSettings, planReport } from "../../lib/offline-plan";
import type { K8sObject } from "../../lib/render/objects";
import { baseConfig, type RawConfig } from "../support/configs";
import { stackConfig } from "../support/stacks";

const withBaseline = (baseline: Record<string, unknown>, base: RawConfig = baseConfig()): RawConfig => ({ ...base, "calico:policy": { baseline: { enabled: true, ...baseline } } });
const settings = (c: RawConfig) => loadSettings(c).settings;
const spec = (o: K8sObject) => o.spec as { selector: string; order: number; egress: Record<string, any>[]; types: string[]; stagedAction?: string };
/** A copy of the policy with its spec changed. */
const broken = (o: K8sObject, f: (s: ReturnType<typeof spec>) => void): K8sObject => {
    const copy = structuredClone(o);
    f(spec(copy));
    return copy;
};

describe("baseline policy", () => {
    it("is off unless enabled: nothing is rendered or planned", () => {
        const s = settings(baseConfig());
        assert.equal(renderBaselinePolicy(s), undefined);
        assert.ok(!planResources(s).some((p) => p.component === "policy"));
        assert.equal(planReport(planSettings({ settings: s, warnings: [] })).policy, null);
    });

    it("enforced: one GlobalNetworkPolicy, applied with calicoctl once the Installation and APIServer are ready", () => {
        const s = settings(withBaseline({}));
        const planned = planResources(s).filter((p) => p.component === "policy");
        assert.deepEqual(planned.map((p) => p.name), ["calico-globalnetworkpolicy-baseline"]);
        assert.deepEqual(planned[0].dependsOn, ["calico-installation", "calico-apiserver"]);
        const o = renderBaselinePolicy(s)!;
        assert.equal(o.kind, "GlobalNetworkPolicy");
        assert.equal(spec(o).order, 10000);
        assert.deepEqual(spec(o).types, ["Ingress", "Egress"]);
        assert.equal(spec(o).stagedAction, undefined);
        assert.ok(planned[0].spec.kind === "localCommand" && planned[0].spec.stdin!.includes("kind: GlobalNetworkPolicy"));
    });

    it("staged (v3.31.3): a StagedGlobalNetworkPolicy with stagedAction Set, under a resource name of its own kind", () => {
        const o = renderBaselinePolicy(settings(withBaseline({ mode: "staged" })))!;
        assert.equal(o.kind, "StagedGlobalNetworkPolicy");
        assert.equal(spec(o).stagedAction, "Set");
        // Switching modes creates the new kind before it deletes the old: two names, never an in-place apply of another kind.
        assert.notEqual(baselineResourceName("StagedGlobalNetworkPolicy"), baselineResourceName("GlobalNetworkPolicy"));
    });

    it("selects workloads outside the system and excluded namespaces, and no host endpoint", () => {
        const s = settings(withBaseline({ excludeNamespaces: ["ingress-nginx"], selector: "!has(policy-exempt)" }));
        const sel = parseSelector(spec(renderBaselinePolicy(s)!).selector);
        const pod = (ns: string, labels: Record<string, string> = {}) => ({ ...labels, "projectcalico.org/namespace": ns, "projectcalico.org/orchestrator": "k8s" });
        assert.ok(sel.matches(pod("shop", { app: "web" })));
        for (const ns of ["kube-system", "calico-system", "calico-apiserver", "tigera-operator", "ingress-nginx"]) assert.ok(!sel.matches(pod(ns)), ns);
        assert.ok(!sel.matches(pod("shop", { "policy-exempt": "" })), "the caller's selector is ANDed in");
        assert.ok(!sel.matches({}) && !sel.matches({ "kubernetes.io/hostname": "node-1" }), "a host endpoint is selected");
    });

    it("leaves the monitoring namespace alone when this stack installs Prometheus or Grafana there", () => {
        const base = baseConfig();
        assert.ok(!excludedNamespaces(settings(withBaseline({}, base))).includes("monitoring"));
        const installs = { ...base, "calico:monitoring": { enabled: true, install: { prometheus: true } } };
        assert.ok(excludedNamespaces(settings(withBaseline({}, installs))).includes("monitoring"));
    });

    it("allows DNS, the Kubernetes API and every Calico metrics port from the monitoring namespace, and denies the rest", () => {
        const s = settings(withBaseline({}));
        const o = renderBaselinePolicy(s)!;
        const checks = checkBaselinePolicy(s, o);
        assert.deepEqual(checks.map((c) => [c.id, c.ok]), [["policy-protected", true], ["policy-allows", true]]);
        const rules = spec(o).egress;
        const dns = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
        assert.equal(egressAction(rules, { protocol: "UDP", srcNamespace: "shop", dst: dns, port: 53 }), "Allow");
        assert.equal(egressAction(rules, { protocol: "UDP", srcNamespace: "shop", dst: dns, port: 5353 }), "Deny");
        assert.equal(egressAction(rules, { protocol: "UDP", srcNamespace: "shop", dst: { namespace: "shop", labels: { "k8s-app": "kube-dns" } }, port: 53 }), "Deny", "a fake kube-dns in another namespace");
        assert.equal(egressAction(rules, { protocol: "TCP", srcNamespace: "shop", dst: {}, port: 9091 }), "Deny", "metrics from outside the monitoring namespace");
        assert.equal(egressAction(rules, { protocol: "TCP", srcNamespace: "monitoring", dst: {}, port: 9091 }), "Allow");
        assert.equal(egressAction(rules, { protocol: "TCP", srcNamespace: "shop", dst: { service: { name: "kubernetes", namespace: "default" } }, port: 443 }), "Allow");
    });

    describe("refuses a policy that would cut what Calico and the cluster need", () => {
        const s = settings(withBaseline({}, { ...stackConfig("tor") }));
        const good = renderBaselinePolicy(s)!;

        it("a selector without has(projectcalico.org/namespace) selects host endpoints: BGP, Typha, health, metrics", () => {
            const c = checkBaselinePolicy(s, broken(good, (x) => (x.selector = x.selector.replace(/^has\(projectcalico\.org\/namespace\) && /, ""))));
            const failed = c.find((x) => !x.ok)!;
            assert.equal(failed.id, "policy-protected");
            assert.match(failed.message, /selects a host endpoint \(host network: BGP 179, Typha 5473, Felix health 9099, felix metrics 9091/);
            assert.match(failed.message, /node node-r1-a's host endpoint/, "racked nodes' host endpoints are checked with their labels");
        });

        it("names the BGP listen port when calico:bgp.listenPort moves it", () => {
            const moved = settings({ ...withBaseline({}), "calico:bgp": { listenPort: 1790 } });
            const c = checkBaselinePolicy(moved, broken(renderBaselinePolicy(moved)!, (x) => (x.selector = "all()")));
            assert.match(c[0].message, /BGP 1790/);
        });

        it("all() also takes in Calico's pods, the node preparation and kube-dns", () => {
            const c = checkBaselinePolicy(s, broken(good, (x) => (x.selector = "all()")));
            for (const what of ["calico-kube-controllers", "the Calico API server", "the tigera-operator", "the node-preparation pods", "kube-dns"]) assert.ok(c[0].message.includes(what), what);
        });

        it("without the DNS rules, DNS is denied", () => {
            const c = checkBaselinePolicy(s, broken(good, (x) => (x.egress = x.egress.filter((r) => r.destination?.ports?.[0] !== 53))));
            assert.match(c.find((x) => !x.ok)!.message, /would deny DNS over UDP 53, DNS over TCP 53/);
        });

        it("a metrics rule that misses a port denies that port", () => {
            const c = checkBaselinePolicy(s, broken(good, (x) => (x.egress.at(-1)!.destination.ports = [9091])));
            assert.match(c.find((x) => !x.ok)!.message, /would deny typha metrics \(TCP 9093\).*kube-controllers metrics \(TCP 9094\)/);
        });

        it("a rule it cannot evaluate fails the check rather than pass it", () => {
            const c = checkBaselinePolicy(s, broken(good, (x) => x.egress.unshift({ action: "Deny", destination: { nets: ["0.0.0.0/0"] } })));
            assert.match(c.find((x) => !x.ok)!.message, /uses nets, which this check cannot evaluate/);
        });

        it("loadSettings runs the checks: every committed stack with the baseline on passes them", () => {
            for (const stack of ["dev", "small", "large", "tor", "hybrid"]) {
                const raw = withBaseline({}, stackConfig(stack));
                assert.doesNotThrow(() => loadSettings(raw), stack);
                assert.ok(checkBaselinePolicy(settings(raw), renderBaselinePolicy(settings(raw))).every((c) => c.ok), stack);
            }
        });

        it("an invalid extra selector is a config error naming its key", () => {
            assert.throws(() => loadSettings(withBaseline({ selector: "has(" })), (e: unknown) => e instanceof ConfigValidationError && e.issues.some((i) => i.path === "calico:policy.baseline.selector"));
        });
    });
});
