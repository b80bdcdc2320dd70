/**
 * Day-2 Installation changes on both operator lines, with the REAL operator: each change the
 * program accepts on a deployed stack arrives where calico-node reads it (the IPPool, the calico-node
 * DaemonSet, read back from the API server after `up`), and each change the operator would not carry
 * to the IPPool is refused at preview with the key, the reason and the runbook, leaving the cluster
 * as it was (lib/model/pool-changes.ts). The `dev` stack (VXLAN, no BGP), two fake nodes.
 *
 * What the operators do with each setting, read at the pinned tags: MTU becomes FELIX_*MTU on
 * calico-node (tigera/operator pkg/render/node.go, both lines), address autodetection becomes
 * IP_AUTODETECTION_METHOD, the registry goes into every image reference the operator renders; pool
 * fields reach the IPPool on v1.40.3 (pkg/controller/ippool) and only calico-node's environment on
 * v1.32.7, where calico-node creates a pool once (e2e/simulator/calico-startup.ts plays that
 * start-up: kwok runs no container).
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";
import { PATHS, type KubeObject } from "../simulator/kube";

const STACK = "dev";

function env(ds: KubeObject | undefined): Record<string, string> {
    const c = ds?.spec?.template?.spec?.containers?.find((x: any) => x.name === "calico-node");
    return Object.fromEntries((c?.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

for (const version of ["v3.31.3", "v3.27.3"] as const) {
    describe(`e2e: day-2 Installation changes, Calico ${version} (real operator)`, function () {
        this.timeout(30 * 60_000);
        let cluster: Cluster;
        let ws: Workspace;
        const set = (k: string, v: string) => ws.ok(`config set ${k}`, ["config", "set", "--stack", STACK, "--path", k, v]);
        const nodeDs = () => cluster.kube.get(`${PATHS.daemonsets("calico-system")}/calico-node`);
        const pools = async () => (await cluster.kube.list(PATHS.calico("ippools"))).map((p) => ({ name: p.metadata.name, ...p.spec }));

        before(async () => {
            requireToolchain();
            cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "2" });
            ws = new Workspace(`day2-${version}`, cluster.kubeconfig);
            await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl(version), "calico:protect": "false" });
            if (version === "v3.27.3") await ws.useRelease(STACK, version);
            await ws.ok("up", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        });
        after(async () => {
            try {
                if (ws) await ws.ok("destroy", ["destroy", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
            } finally {
                ws?.report();
                ws?.remove();
                cluster?.down();
            }
        });

        it("the deployed pool is the configured one, written by the operator line's own path", async () => {
            const p = await pools();
            assert.equal(p.length, 1, JSON.stringify(p));
            assert.equal(p[0].cidr, "192.168.0.0/16");
            assert.equal(p[0].vxlanMode, "Always");
            assert.equal(p[0].natOutgoing, true);
            // v1.40.3 labels the pools it owns; v1.32.7 writes none (calico-node's start-up does). Read
            // through the real calico-apiserver (projectcalico.org/v3): libcalico-go keeps a v3 object's
            // labels in the CRD object's projectcalico.org/metadata annotation.
            const v3 = await cluster.kube.get(`/apis/projectcalico.org/v3/ippools/${p[0].name}`);
            assert.ok(v3, "the IPPool is served by the aggregated API");
            const labels = v3!.metadata.labels ?? {};
            assert.equal(labels["app.kubernetes.io/managed-by"], version === "v3.31.3" ? "tigera-operator" : undefined);
        });

        it("MTU, address autodetection and the registry reach calico-node's DaemonSet", async () => {
            await set("calico:network.mtu", "1400");
            await set("calico:network.autodetection.interface", "eth.*");
            await set("calico:registry.url", version === "v3.27.3" ? "mirror.example.com/" : "mirror.example.com");
            await ws.ok("up (mtu, autodetection, registry)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
            const ds = await nodeDs();
            const e = env(ds);
            assert.equal(e.FELIX_VXLANMTU, "1400", JSON.stringify(e));
            assert.equal(e.IP_AUTODETECTION_METHOD, "interface=eth.*");
            const images: string[] = ds!.spec.template.spec.containers.map((c: any) => c.image);
            assert.ok(images.every((i) => i.startsWith("mirror.example.com/")), images.join(", "));
            await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
        });

        if (version === "v3.31.3") {
            it("natOutgoing and nodeSelector reach the IPPool (operator v1.40.3 updates it through the Calico API server)", async () => {
                await set("calico:network.ipPools[0].natOutgoing", "false");
                await set("calico:network.ipPools[0].nodeSelector", "kubernetes.io/os == 'linux'");
                await ws.ok("up (pool fields)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
                const deadline = Date.now() + 60_000;
                let p = await pools();
                // natOutgoing false is stored by leaving the field out (omitempty).
                while ((p[0]?.natOutgoing ?? false) !== false && Date.now() < deadline) {
                    await new Promise((r) => setTimeout(r, 1000));
                    p = await pools();
                }
                assert.equal(p.length, 1);
                assert.equal(p[0].natOutgoing ?? false, false, JSON.stringify(p));
                assert.match(p[0].nodeSelector, /^kubernetes\.io\/os == ["']linux["']$/);
            });
        }

        it("a pool change the operator would not carry through is refused at preview and changes nothing", async () => {
            const before = await pools();
            const [key, value, reason] =
                version === "v3.31.3"
                    ? ["calico:network.ipPools[0].blockSize", "24", /changing pool "default-ipv4-ippool" \(blockSize 26 → 24\) is refused: Calico's API refuses/]
                    : ["calico:network.ipPools[0].natOutgoing", "false", /changing the IPv4 pool "192\.168\.0\.0\/16" \(natOutgoing true → false\) is refused: operator v1\.32\.7 hands the pool to calico-node/];
            await set(key, value);
            const r = await ws.pulumi("preview (refused pool change)", ["preview", "--stack", STACK], { timeoutSeconds: 600 });
            assert.notEqual(r.code, 0);
            assert.match(r.stdout + r.stderr, reason);
            assert.match(r.stdout + r.stderr, /README "Runbook: changing an IP pool"/);
            assert.deepEqual(await pools(), before);
        });
    });
}
