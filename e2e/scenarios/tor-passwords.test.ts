/**
 * Top of rack with BGP passwords set the way a user sets them (`pulumi config set --secret --path`):
 * the Secret, the Role and RoleBinding and the BGPPeers' secretKeyRef are in the API server, the
 * session gate waits for every rack node's switch sessions, and no password plaintext appears in the
 * state file, the CLI output or the stack outputs.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";
import { PATHS } from "../simulator/kube";

const STACK = "tor";
const PASSWORDS: Record<string, string> = {
    "calico:bgp.tor.racks[0].switches[0].password": "md5-r1a-Q7xk2p",
    "calico:bgp.tor.racks[0].switches[1].password": "md5-r1b-Wm4z9c",
    "calico:bgp.tor.racks[1].switches[0].password": "md5-r2a-Hv8n3s",
    "calico:bgp.tor.racks[1].switches[1].password": "md5-r2b-Ld5t6y",
};

describe("e2e: top of rack with BGP passwords", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    const outputs: string[] = [];
    before(async () => {
        requireToolchain();
        // Exactly the rack nodes of the stack: every live node has a rack, as the gate requires.
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`), { E2E_NODES: "8" });
        ws = new Workspace("tor", cluster.kubeconfig);
        await ws.initStack(STACK, { "calico:calicoctl.path": cluster.calicoctl("v3.31.3") });
        await ws.ok("config set", ["config", "set", "--stack", STACK, "--path", "calico:bgp.migration.pollIntervalSeconds", "2"]);
        for (const [path, value] of Object.entries(PASSWORDS)) await ws.setSecret(STACK, path, value);
        // The stack declares kube-prometheus-stack present (crdsPresent: true).
        await cluster.installPrometheusCrds();
    });
    after(() => {
        ws?.report();
        ws?.remove();
        cluster?.down();
    });

    it("up creates the Secret, its reader Role and RoleBinding, and BGPPeers that reference it", async () => {
        const r = await ws.ok("up", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        outputs.push(r.stdout, r.stderr);
        const secret = await cluster.kube.get("/api/v1/namespaces/calico-system/secrets/bgp-passwords");
        assert.ok(secret, "no bgp-passwords Secret");
        assert.deepEqual(Object.keys(secret!["data"] as object).sort(), ["tor-r1-a", "tor-r1-b", "tor-r2-a", "tor-r2-b"]);
        assert.equal(Buffer.from((secret!["data"] as Record<string, string>)["tor-r1-a"], "base64").toString(), PASSWORDS["calico:bgp.tor.racks[0].switches[0].password"]);
        const role = await cluster.kube.get("/apis/rbac.authorization.k8s.io/v1/namespaces/calico-system/roles/bgp-passwords-reader");
        assert.deepEqual(role?.["rules"], [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["bgp-passwords"], verbs: ["watch", "list", "get"] }]);
        const binding = await cluster.kube.get("/apis/rbac.authorization.k8s.io/v1/namespaces/calico-system/rolebindings/bgp-passwords-reader");
        assert.deepEqual(binding?.["subjects"], [{ kind: "ServiceAccount", name: "calico-node", namespace: "calico-system" }]);
        for (const sw of ["tor-r1-a", "tor-r1-b", "tor-r2-a", "tor-r2-b"]) {
            const peer = await cluster.kube.get(`${PATHS.calico("bgppeers")}/${sw}`);
            assert.deepEqual(peer?.spec?.password, { secretKeyRef: { name: "bgp-passwords", key: sw } }, sw);
        }
        const cfg = await cluster.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        assert.equal(cfg?.spec?.nodeToNodeMeshEnabled, false);
        // calico:network.ipam of the tor stack, through calicoctl ipam configure (v3.31.3 takes --max-blocks-per-host).
        const ipam = await cluster.kube.get(`${PATHS.calico("ipamconfigs")}/default`);
        assert.deepEqual(ipam?.spec, { autoAllocateBlocks: true, strictAffinity: true, maxBlocksPerHost: 8 });
    });

    it("no password plaintext in the state file, the CLI output or the stack outputs", async () => {
        const plain = await ws.ok("stack output", ["stack", "output", "--json", "--stack", STACK]);
        const preview = await ws.ok("preview", ["preview", "--diff", "--stack", STACK]);
        outputs.push(plain.stdout, preview.stdout, preview.stderr);
        const state = ws.stateText(STACK);
        const stackFile = readFileSync(join(ws.dir, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
        for (const [path, pw] of Object.entries(PASSWORDS)) {
            assert.ok(!state.includes(pw), `${path} is in the state file in plain text`);
            assert.ok(!outputs.some((o) => o.includes(pw)), `${path} was printed by the CLI`);
            assert.ok(!stackFile.includes(pw), `${path} is in the stack file in plain text`);
        }
        assert.match(state, /"ciphertext"/, "the state holds no encrypted values at all");
    });
});
