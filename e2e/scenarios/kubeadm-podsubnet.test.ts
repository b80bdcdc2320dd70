/**
 * The guide's podSubnet rule at deploy time, with the real kubectl against the real API server:
 * when kube-system/kubeadm-config names a podSubnet other than calico:cluster.podCidr, `pulumi up`
 * fails with both values and the fix, and no Installation is created; once they agree, the same
 * `up` completes. (Every other scenario runs without the ConfigMap, where the check only notes it.)
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";
import { PATHS } from "../simulator/kube";

const STACK = "dev";
const CONFIGMAPS = "/api/v1/namespaces/kube-system/configmaps";

/** kubeadm's ConfigMap as `kubeadm init` writes it (the part the check reads). */
const kubeadmConfig = (podSubnet: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kubeadm-config", namespace: "kube-system" },
    data: { ClusterConfiguration: `apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.34.4\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: ${podSubnet}\n  serviceSubnet: 10.96.0.0/12\n` },
});

describe("e2e: kubeadm's podSubnet must equal calico:cluster.podCidr", function () {
    this.timeout(20 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    before(async () => {
        requireToolchain();
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`));
        ws = new Workspace("kubeadm-podsubnet", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl("v3.31.3") });
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("a different podSubnet fails up before the Installation, naming both values and the fix", async () => {
        await cluster.kube.upsert(CONFIGMAPS, kubeadmConfig("10.99.0.0/16"));
        const r = await ws.pulumi("up (podSubnet differs)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        const out = r.stdout + r.stderr;
        assert.notEqual(r.code, 0, out.slice(-4000));
        assert.match(out, /calico:cluster\.podCidr is 192\.168\.0\.0\/16 but kubeadm's networking\.podSubnet \(kube-system\/kubeadm-config\) is 10\.99\.0\.0\/16/);
        assert.match(out, /Fix: set calico:cluster\.podCidr/);
        // The Installation's type may not even be served yet (the failed up stops the CRDs too).
        assert.equal(await cluster.kube.get(`${PATHS.operator("installations")}/default`), undefined, "the Installation was created");
    });

    it("once they agree, the same up completes", async () => {
        await cluster.kube.upsert(CONFIGMAPS, kubeadmConfig("192.168.0.0/16"));
        const r = await ws.ok("up (podSubnet matches)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        assert.match(r.stdout + r.stderr, /networking\.podSubnet 192\.168\.0\.0\/16 matches calico:cluster\.podCidr/);
        assert.equal((await cluster.kube.list(PATHS.operator("installations"))).length, 1);
        await ws.unprotectAndDestroy(STACK);
    });
});
