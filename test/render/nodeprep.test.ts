/**
 * The node-preparation script run for real against a temporary root, with fake nsenter,
 * systemctl, sysctl and modprobe on PATH recording what would happen on the host.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../lib/pipeline";
import { planResources } from "../../lib/render";
import { kernelModules, networkManagerConf, renderNodePrepDaemonSet, renderNodePrepScript, sysctls } from "../../lib/render/nodeprep";
import { stackConfig } from "../support/stacks";

const settings = (stack: string, extra: Record<string, unknown> = {}) => loadSettings({ ...stackConfig(stack), ...extra }).settings;

interface Host {
    root: string;
    bin: string;
    log(): string[];
}

/** A fake host: a root directory, and tools that log instead of acting. */
function fakeHost(withNetworkManager: boolean, nmActive = true): Host {
    const root = mkdtempSync(join(tmpdir(), "host-root-"));
    const bin = mkdtempSync(join(tmpdir(), "host-bin-"));
    if (withNetworkManager) mkdirSync(join(root, "etc", "NetworkManager", "conf.d"), { recursive: true });
    const tool = (name: string, body: string) => {
        writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
        chmodSync(join(bin, name), 0o755);
    };
    const log = join(bin, "calls.log");
    // nsenter records its namespace flags, then runs the command after "--".
    tool("nsenter", `echo "nsenter $*" >> ${log}; while [ "$1" != "--" ]; do shift; done; shift; exec "$@"`);
    tool("systemctl", `echo "systemctl $*" >> ${log}; if [ "$1" = is-active ]; then ${nmActive ? "exit 0" : "exit 3"}; fi`);
    tool("sysctl", `echo "sysctl $*" >> ${log}`);
    tool("modprobe", `echo "modprobe $*" >> ${log}; [ "$1" != missing_mod ]`);
    return { root, bin, log: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter((l) => !l.startsWith("nsenter")) : []) };
}

function run(script: string, host: Host, hostExec = "nsenter --target 1 --mount --uts --ipc --net --pid --") {
    return spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { PATH: `${host.bin}:/usr/bin:/bin`, ROOT: host.root, HOST_EXEC: hostExec } });
}

describe("node preparation", () => {
    it("the keyfile leaves every Calico interface alone, WireGuard included", () => {
        assert.equal(
            networkManagerConf(),
            "[keyfile]\nunmanaged-devices=interface-name:cali*;interface-name:tunl*;interface-name:vxlan.calico;interface-name:vxlan-v6.calico;interface-name:wireguard.cali;interface-name:wg-v6.cali\n",
        );
    });

    it("modules follow the encapsulation: ipip for IPIP pools, vxlan for VXLAN, wireguard when enabled", () => {
        assert.deepEqual(kernelModules(settings("large")), ["nf_conntrack", "ipip"]);
        assert.deepEqual(kernelModules(settings("dev")), ["nf_conntrack", "vxlan"]);
        assert.deepEqual(kernelModules(settings("small", { "calico:nodePrep": { modules: ["br_netfilter"] }, "calico:network": { ...(stackConfig("small")["calico:network"] as object), wireguard: true } })), ["nf_conntrack", "wireguard", "br_netfilter"]);
    });

    it("sysctls: forwarding always, conntrack when configured", () => {
        assert.deepEqual(sysctls(settings("large")), [["net.ipv4.ip_forward", "1"], ["net.netfilter.nf_conntrack_max", "1048576"], ["net.netfilter.nf_conntrack_buckets", "262144"]]);
    });

    it("first run writes the files and restarts NetworkManager; the second run changes nothing", () => {
        const host = fakeHost(true);
        const script = renderNodePrepScript(settings("large"));
        const first = run(script, host);
        assert.equal(first.status, 0, first.stderr);
        assert.equal(readFileSync(join(host.root, "etc/NetworkManager/conf.d/calico.conf"), "utf8"), networkManagerConf());
        assert.equal(readFileSync(join(host.root, "etc/sysctl.d/90-calico.conf"), "utf8"), "net.ipv4.ip_forward = 1\nnet.netfilter.nf_conntrack_max = 1048576\nnet.netfilter.nf_conntrack_buckets = 262144\n");
        assert.equal(readFileSync(join(host.root, "etc/modules-load.d/calico.conf"), "utf8"), "nf_conntrack\nipip\n");
        // Modules before sysctls: net.netfilter.nf_conntrack_* exist only once nf_conntrack is loaded.
        const applied = ["modprobe nf_conntrack", "modprobe ipip", "sysctl -p /etc/sysctl.d/90-calico.conf"];
        assert.deepEqual(host.log(), ["systemctl is-active --quiet NetworkManager", "systemctl restart NetworkManager", ...applied]);
        const second = run(script, host);
        assert.equal(second.status, 0, second.stderr);
        // The second run writes nothing and restarts nothing; it re-applies modules and sysctls (idempotent).
        assert.deepEqual(host.log().slice(5), applied);
        assert.doesNotMatch(second.stdout, /wrote|restarted/);
    });

    it("a sysctl that cannot be applied fails the run, and the next run applies it", () => {
        const host = fakeHost(false);
        writeFileSync(join(host.bin, "sysctl"), `#!/bin/sh\necho "sysctl $*" >> ${join(host.bin, "calls.log")}\n[ -f ${join(host.bin, "sysctl-ok")} ]\n`);
        const script = renderNodePrepScript(settings("large"));
        const first = run(script, host);
        assert.notEqual(first.status, 0, "a failed sysctl -p was hidden");
        assert.match(first.stderr, /could not apply \/etc\/sysctl\.d\/90-calico\.conf/);
        assert.doesNotMatch(first.stdout, /node prepared/);
        writeFileSync(join(host.bin, "sysctl-ok"), "");
        const second = run(script, host);
        assert.equal(second.status, 0, second.stderr);
        assert.equal(host.log().filter((l) => l.startsWith("sysctl -p")).length, 2, "the second run did not retry the sysctls");
    });

    it("a failed NetworkManager restart fails the run and is retried next time", () => {
        const host = fakeHost(true);
        writeFileSync(join(host.bin, "systemctl"), `#!/bin/sh\necho "systemctl $*" >> ${join(host.bin, "calls.log")}\n[ "$1" = is-active ] || [ -f ${join(host.bin, "nm-ok")} ]\n`);
        const script = renderNodePrepScript(settings("large"));
        assert.notEqual(run(script, host).status, 0);
        writeFileSync(join(host.bin, "nm-ok"), "");
        const second = run(script, host);
        assert.equal(second.status, 0, second.stderr);
        assert.match(second.stdout, /restarted NetworkManager/);
    });

    it("calico:nodePrep.rootDir is where the DaemonSet mounts the host and what the script reads", () => {
        const { daemonSet } = renderNodePrepDaemonSet(settings("small", { "calico:nodePrep": { rootDir: "/hostfs" } }));
        const init = (daemonSet.spec as any).template.spec.initContainers[0];
        assert.deepEqual(init.env, [{ name: "ROOT", value: "/hostfs" }]);
        assert.ok(init.volumeMounts.some((m: any) => m.name === "host-etc" && m.mountPath === "/hostfs/etc"));
    });

    it("a changed setting rewrites only its file", () => {
        const host = fakeHost(true);
        run(renderNodePrepScript(settings("large")), host);
        const r = run(renderNodePrepScript(settings("large", { "calico:nodePrep": { conntrack: { max: 2097152 } } })), host);
        assert.equal(r.status, 0);
        assert.match(r.stdout, /wrote \/etc\/sysctl\.d\/90-calico\.conf/);
        assert.doesNotMatch(r.stdout, /NetworkManager/);
        assert.equal(host.log().filter((l) => l.includes("restart")).length, 1, "NetworkManager restarted again");
    });

    it("without NetworkManager it skips that part cleanly", () => {
        const host = fakeHost(false);
        const r = run(renderNodePrepScript(settings("large")), host);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /NetworkManager is not installed/);
        assert.ok(!existsSync(join(host.root, "etc/NetworkManager")));
        assert.ok(!host.log().some((l) => l.startsWith("systemctl")));
    });

    it("does not restart a NetworkManager that is installed but not running", () => {
        const host = fakeHost(true, false);
        assert.equal(run(renderNodePrepScript(settings("large")), host).status, 0);
        assert.ok(!host.log().includes("systemctl restart NetworkManager"));
    });

    it("a module that cannot load is a warning, not a failure", () => {
        const host = fakeHost(true);
        const r = run(renderNodePrepScript(settings("large", { "calico:nodePrep": { modules: ["missing_mod"] } })), host);
        assert.equal(r.status, 0);
        assert.match(r.stderr, /could not load kernel module missing_mod/);
    });

    it("the DaemonSet runs before the CNI: host network, every taint tolerated, privileged only in the init container", () => {
        const { daemonSet } = renderNodePrepDaemonSet(settings("small"));
        const spec = (daemonSet.spec as any).template.spec;
        assert.equal(spec.hostNetwork, true);
        assert.deepEqual(spec.tolerations, [{ operator: "Exists" }]);
        assert.equal(spec.initContainers[0].securityContext.privileged, true);
        assert.equal(spec.containers[0].securityContext.privileged, undefined);
        assert.equal(spec.containers[0].securityContext.allowPrivilegeEscalation, false);
        const plan = planResources(settings("small"));
        assert.ok(plan.find((p) => p.name === "calico-installation")!.dependsOn.includes("calico-node-prep"), "Installation waits for node preparation");
    });

    it("the DaemonSet image comes through calico:registry on air-gapped clusters", () => {
        const { daemonSet } = renderNodePrepDaemonSet(settings("small", { "calico:registry": { url: "registry.corp/", pullSecrets: ["corp-pull"] } }));
        const spec = (daemonSet.spec as any).template.spec;
        assert.equal(spec.initContainers[0].image, "registry.corp/library/busybox:1.36.1");
        assert.deepEqual(spec.imagePullSecrets, [{ name: "corp-pull" }]);
    });

    it("ssh mode: one remote command per node, running the same script as root on the host", () => {
        const s = settings("small", { "calico:nodePrep": { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }, { host: "10.0.0.2", user: "ops" }], privateKey: "KEY" } } });
        const plan = planResources(s).filter((p) => p.component === "nodePrep");
        assert.deepEqual(plan.map((p) => p.name), ["calico-node-prep-10-0-0-1", "calico-node-prep-10-0-0-2"]);
        const [root, ops] = plan.map((p) => p.spec as { create: string; script: string });
        assert.ok(root.create.startsWith("env ROOT= HOST_EXEC= sh -s <<'CALICO_NODE_PREP'\n"));
        assert.ok(ops.create.startsWith("sudo -n env ROOT= HOST_EXEC= sh -s"));
        assert.ok(!root.create.includes("KEY"));
        // The command as the remote login shell would run it: the heredoc delivers the script intact.
        const host = fakeHost(true);
        const r = spawnSync("/bin/sh", ["-c", root.create.replace("env ROOT= HOST_EXEC=", `env ROOT=${host.root} HOST_EXEC=`)], { encoding: "utf8", env: { PATH: `${host.bin}:/usr/bin:/bin` } });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(existsSync(join(host.root, "etc/NetworkManager/conf.d/calico.conf")));
    });
});
