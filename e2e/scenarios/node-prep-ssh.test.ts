/**
 * Node preparation over SSH (calico:nodePrep.mode ssh): the real command provider's remote Command
 * connects to the real OpenSSH server (e2e/support/ssh-node.ts: its own network and mount
 * namespaces, reached through a forwarder on 127.0.0.1) with the key set as a secret, runs the
 * preparation script as root, and the files and sysctls it sets are there afterwards, inside the
 * node's namespaces; the Installation waits for it; a second preview is empty; the key is in no
 * plain state, output or CLI text.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, ROOT, Workspace, requireToolchain } from "../support/harness";
import { SshNode } from "../support/ssh-node";
import { PATHS } from "../simulator/kube";

const STACK = "dev";

describe("e2e: node preparation over SSH (remote Command against a real sshd)", function () {
    this.timeout(20 * 60_000);
    let cluster: Cluster;
    let ws: Workspace;
    let node: SshNode;
    let sshDir: string;
    const texts: string[] = [];

    before(async () => {
        requireToolchain();
        sshDir = mkdtempSync(join(tmpdir(), "calico-e2e-sshd-"));
        node = await SshNode.start(sshDir);
        cluster = Cluster.up(join(ROOT, "stacks", `Pulumi.${STACK}.yaml`));
        ws = new Workspace("node-prep-ssh", cluster.kubeconfig);
        await ws.initStack(STACK, {
            "calico:calicoctl.path": cluster.calicoctl("v3.31.3"),
            "calico:nodePrep.mode": "ssh",
            "calico:nodePrep.ssh.nodes[0].host": "127.0.0.1",
            "calico:nodePrep.ssh.nodes[0].port": String(node.port),
            "calico:nodePrep.ssh.nodes[0].user": "root",
            "calico:nodePrep.modules[0]": "br_netfilter",
        });
        await ws.setSecret(STACK, "calico:nodePrep.ssh.privateKey", node.privateKey);
    });
    after(async () => {
        ws?.report();
        ws?.remove();
        cluster?.down();
        await node?.stop();
        // The server (and with it its namespaces) must be gone before the scenario ends.
        assert.ok(!node || node.stopped, "sshd is still running");
        if (!process.env.E2E_KEEP && sshDir) rmSync(sshDir, { recursive: true, force: true });
    });

    it("up prepares the node over SSH before the Installation: the files and sysctls are there, inside the node", async () => {
        const r = await ws.ok("up (node preparation over SSH)", ["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutSeconds: 900 });
        texts.push(r.stdout, r.stderr);
        const sysctl = node.inside(["cat", "/etc/sysctl.d/90-calico.conf"]);
        assert.equal(sysctl.status, 0, sysctl.stderr);
        assert.match(sysctl.stdout, /^net\.ipv4\.ip_forward = 1$/m);
        const modules = node.inside(["cat", "/etc/modules-load.d/calico.conf"]);
        assert.match(modules.stdout, /^nf_conntrack$/m);
        assert.match(modules.stdout, /^br_netfilter$/m);
        // `sysctl -p` ran in the node's network namespace.
        assert.equal(node.inside(["cat", "/proc/sys/net/ipv4/ip_forward"]).stdout.trim(), "1");
        // The host's own files were never written.
        assert.equal(spawnFile("/etc/sysctl.d/90-calico.conf"), false, "the script wrote the host's /etc/sysctl.d");
        assert.ok(await cluster.kube.get(`${PATHS.operator("installations")}/default`), "no Installation");
        const state = JSON.parse(ws.stateText(STACK));
        const prep = state.checkpoint.latest.resources.find((x: any) => x.type === "command:remote:Command");
        assert.ok(prep, "no remote Command in the state");
        const install = state.checkpoint.latest.resources.find((x: any) => x.type === "kubernetes:operator.tigera.io/v1:Installation");
        assert.ok((install.dependencies ?? []).includes(prep.urn), "the Installation does not wait for node preparation");
    });

    it("a second preview is empty, and the private key is in no plain state, output or CLI text", async () => {
        const r = await ws.ok("preview --expect-no-changes", ["preview", "--expect-no-changes", "--stack", STACK], { timeoutSeconds: 600 });
        texts.push(r.stdout, r.stderr);
        const keyBody = node.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"))[1];
        assert.ok(keyBody && keyBody.length > 20);
        for (const t of [...texts, ws.stateText(STACK), (await ws.ok("stack output", ["stack", "output", "--json", "--show-secrets", "--stack", STACK])).stdout]) assert.ok(!t.includes(keyBody), "the private key leaked");
    });
});

/** Whether a file exists on the host (outside the node's namespaces). */
function spawnFile(path: string): boolean {
    return require("node:fs").existsSync(path);
}
