/**
 * The eBPF kube-proxy handover on an upgrade, with the real engine, provider and API server.
 *
 * v3.27.3's operator cannot manage kube-proxy, so the program moves it off Calico's nodes with the
 * eBPF guide's nodeSelector (`non-calico: "true"`). v3.31.3's operator does it itself
 * (`kubeProxyManagement: Enabled`; key `operator.tigera.io/disable-kube-proxy`). The upgrade keeps
 * the guide's way (the old Installation CRD has no kubeProxyManagement, and the preview's dry run
 * would fail on it: this scenario found that); the next `up` hands over, and the guide's key is
 * removed at the end of that update. The REAL operator (v1.32.7, then v1.40.3) does its part: v1.40.3
 * sets FelixConfiguration bpfEnabled only once calico-node has rolled out with eBPF, and its kubeproxy
 * controller (pkg/controller/kubeproxy/controller.go) then sets its key; only a program that waits
 * for that key before removing its own keeps kube-proxy off throughout.
 *
 * The cluster is a kubeadm-like kube-proxy DaemonSet on kwok's nodes. Test-only fake, as in
 * `upgrade`: the control plane is 1.34 while the stack declares 1.28 for v3.27.3.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Cluster, ROOT, WatchRecorder, Workspace, requireToolchain, sleep } from "../support/harness";
import type { KubeObject } from "../simulator/kube";

const STACK = "dev";
const OPERATOR_KEY = "operator.tigera.io/disable-kube-proxy";
const DS = "/apis/apps/v1/namespaces/kube-system/daemonsets";
const PODS = "/api/v1/namespaces/kube-system/pods";

/** kube-proxy as kubeadm deploys it (no managed-by label, so the operator may patch it). */
const KUBE_PROXY: KubeObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "kube-proxy", namespace: "kube-system", labels: { "k8s-app": "kube-proxy" } },
    spec: {
        selector: { matchLabels: { "k8s-app": "kube-proxy" } },
        template: {
            metadata: { labels: { "k8s-app": "kube-proxy" } },
            spec: { hostNetwork: true, nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [{ operator: "Exists" }], containers: [{ name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.34.4" }] },
        },
    },
};

describe("e2e: eBPF kube-proxy handover (v3.27.3 → v3.31.3)", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const kubeProxyPods = async () => (await cluster.kube.list(`${PODS}?labelSelector=k8s-app%3Dkube-proxy`)).filter((p) => !p.metadata["deletionTimestamp"]);
    const selector = async () => (await cluster.kube.get(`${DS}/kube-proxy`))?.spec?.template?.spec?.nodeSelector ?? {};

    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "3" });
        await cluster.kube.request("POST", DS, KUBE_PROXY);
        const deadline = Date.now() + 60_000;
        while ((await kubeProxyPods()).filter((p) => p.status?.phase === "Running").length < 3 && Date.now() < deadline) await sleep(500);
        assert.equal((await kubeProxyPods()).length, 3, "kube-proxy runs on every node before Calico");
        ws = new Workspace("ebpf-kube-proxy", cluster.kubeconfig);
        await ws.initStack(STACK, {
            "calico:calicoctl.cacheDir": cluster.calicoctlCache(["v3.27.3", "v3.31.3"]),
            "calico:network.dataplane": "bpf",
            "calico:cluster.apiServer.host": "10.0.0.10",
            "calico:cluster.apiServer.port": "6443",
        });
        await ws.useRelease(STACK, "v3.27.3");
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("v3.27.3: up moves kube-proxy off Calico's nodes with the guide's nodeSelector, keeping kubeadm's", async () => {
        await ws.ok("up v3.27.3 (eBPF)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.deepEqual(await selector(), { "kubernetes.io/os": "linux", "non-calico": "true" });
        const inst = await cluster.kube.get("/apis/operator.tigera.io/v1/installations/default");
        assert.equal(inst?.spec?.calicoNetwork?.linuxDataplane, "BPF");
        assert.equal(inst?.spec?.calicoNetwork?.kubeProxyManagement, undefined);
        const deadline = Date.now() + 60_000;
        while ((await kubeProxyPods()).length > 0 && Date.now() < deadline) await sleep(500);
        assert.deepEqual((await kubeProxyPods()).map((p) => p.spec?.nodeName), [], "kube-proxy pods left on Calico's nodes");
    });

    it("the upgrade to v3.31.3 (preview, then up) keeps the guide's way and touches no kube-proxy resource", async () => {
        await ws.useRelease(STACK, "v3.31.3");
        const r = await ws.ok("preview upgrade", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        const steps: { op: string; urn: string }[] = JSON.parse(r.stdout).steps ?? [];
        const op = (suffix: string) => steps.filter((s) => s.urn.endsWith(suffix)).map((s) => s.op);
        assert.deepEqual(op("::calico-installation"), ["update"], "the Installation is updated, not replaced");
        // preview --json lists no step for an unchanged resource.
        assert.deepEqual(op("::calico-kube-proxy-off-calico-nodes").filter((o) => o !== "same"), [], "the guide's command is not run again");
        assert.deepEqual(op("::calico-wait-kube-proxy-off"), []);
        await ws.ok("up v3.31.3 (eBPF, upgrade)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.deepEqual(await selector(), { "kubernetes.io/os": "linux", "non-calico": "true" });
        assert.equal((await cluster.kube.get("/apis/operator.tigera.io/v1/installations/default"))?.spec?.calicoNetwork?.kubeProxyManagement, undefined);
    });

    it("the next up hands kube-proxy to the operator: its key is there before the guide's goes, and kube-proxy never starts", async () => {
        const r = await ws.ok("preview handover", ["preview", "--json", "--stack", STACK], { timeoutSeconds: 600 });
        const steps: { op: string; urn: string }[] = JSON.parse(r.stdout).steps ?? [];
        const op = (suffix: string) => steps.filter((s) => s.urn.endsWith(suffix)).map((s) => s.op);
        assert.deepEqual(op("::calico-installation"), ["update"]);
        assert.deepEqual(op("::calico-wait-kube-proxy-off"), ["create"]);
        assert.deepEqual(op("::calico-kube-proxy-off-calico-nodes"), ["delete"]);
        const watch = new WatchRecorder(cluster.kube, [DS, PODS]);
        const t0 = Date.now();
        try {
            await ws.ok("up (kube-proxy handover)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        } finally {
            await sleep(1000);
            watch.stop();
        }
        const seconds = (Date.now() - t0) / 1000;
        const selectors = watch.events.filter((e) => e.path === DS && e.object.metadata.name === "kube-proxy").map((e) => (e.object.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>);
        const off = (s: Record<string, string>) => s["non-calico"] === "true" || s[OPERATOR_KEY] === "true";
        assert.deepEqual(selectors.filter((s) => !off(s)), [], "a kube-proxy DaemonSet revision that lets kube-proxy onto Calico's nodes");
        const operatorAt = selectors.findIndex((s) => s[OPERATOR_KEY] === "true");
        const guideGoneAt = selectors.findIndex((s) => s["non-calico"] === undefined);
        assert.ok(operatorAt >= 0 && guideGoneAt > operatorAt, `operator's key at event ${operatorAt}, guide's gone at ${guideGoneAt}: ${JSON.stringify(selectors)}`);
        assert.deepEqual(await selector(), { "kubernetes.io/os": "linux", [OPERATOR_KEY]: "true" });
        const started = watch.events.filter((e) => e.path === PODS && e.type === "ADDED" && e.object.metadata.labels?.["k8s-app"] === "kube-proxy");
        assert.deepEqual(started.map((e) => e.object.metadata.name), [], "kube-proxy pods created during the handover");
        const keyAt = watch.events.find((e) => e.path === DS && e.object.spec?.template?.spec?.nodeSelector?.[OPERATOR_KEY] === "true")!.t;
        console.log(`      [e2e] handover up: ${seconds.toFixed(1)} s; the operator's key came ${((keyAt - t0) / 1000).toFixed(1)} s in; kube-proxy DaemonSet revisions: ${selectors.length}`);
        await ws.ok("preview after the handover", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
    });
});
