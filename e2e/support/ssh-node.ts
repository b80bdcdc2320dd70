/**
 * A "node" reachable over SSH for node preparation's remote Command: the real OpenSSH server
 * (Debian's openssh-server) in a network and mount namespace of its own, so that what the script
 * does stays inside: sysctls land in that network namespace, and /etc/sysctl.d, /etc/modules-load.d
 * and /run are private tmpfs mounts there (the host's files are never written). Kernel modules are
 * global and cannot be loaded on this machine anyway; the script only warns about them.
 *
 * The server listens on 127.0.0.1 inside its namespace; a forwarder in this process listens on
 * 127.0.0.1 of the host and joins each connection to it through `nsenter --net`. Nothing listens
 * anywhere else. stop() ends the server by pid (the namespaces go with it) and the forwarder.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";

/** The port sshd listens on inside its own network namespace. */
const INNER_PORT = 2222;

export class SshNode {
    private constructor(
        /** Folder with the keys, the config and the server's log. */
        readonly dir: string,
        /** The sshd process (its pid is the namespaces' owner). */
        private readonly sshd: ChildProcess,
        private readonly forwarder: Server,
        /** The host port of the forwarder (127.0.0.1). */
        readonly port: number,
        /** The client's private key (OpenSSH format), for calico:nodePrep.ssh.privateKey. */
        readonly privateKey: string,
        private readonly sockets: Set<Socket>,
    ) {}

    /** Start sshd in new namespaces and a forwarder to it; waits until a connection gets the SSH banner. */
    static async start(dir: string): Promise<SshNode> {
        mkdirSync(dir, { recursive: true });
        for (const [file, type] of [["host_key", "ed25519"], ["client_key", "ed25519"]]) {
            const r = spawnSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "calico-e2e", "-f", join(dir, file)], { encoding: "utf8" });
            if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
        }
        writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o600 });
        writeFileSync(
            join(dir, "sshd_config"),
            [
                `Port ${INNER_PORT}`,
                "ListenAddress 127.0.0.1",
                `HostKey ${join(dir, "host_key")}`,
                `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                `PidFile ${join(dir, "sshd.pid")}`,
                "",
            ].join("\n"),
        );
        // Inside the new namespaces: loopback up, private tmpfs over what the script writes and over
        // /run (sshd's privilege-separation folder), then sshd in the foreground.
        const inner = ["ip link set lo up", "mount -t tmpfs tmpfs /etc/sysctl.d", "mount -t tmpfs tmpfs /etc/modules-load.d", "mount -t tmpfs tmpfs /run", "mkdir -p /run/sshd", `exec /usr/sbin/sshd -D -e -f ${join(dir, "sshd_config")}`].join(" && ");
        const sshd = spawn("unshare", ["--mount", "--net", "--propagation", "private", "--", "sh", "-c", inner], { stdio: ["ignore", "ignore", "pipe"] });
        let log = "";
        sshd.stderr!.on("data", (c) => (log += c));
        const sockets = new Set<Socket>();
        const forwarder = createServer((socket) => {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
            // node is on PATH wherever the tests run; it connects inside the server's network namespace.
            const pipe = spawn("nsenter", ["--target", String(sshd.pid), "--net", "--", process.execPath, "-e", `const s=require("net").connect(${INNER_PORT},"127.0.0.1");process.stdin.pipe(s);s.pipe(process.stdout);s.on("close",()=>process.exit(0));s.on("error",()=>process.exit(1));`], { stdio: ["pipe", "pipe", "ignore"] });
            socket.pipe(pipe.stdin!);
            pipe.stdout!.pipe(socket);
            socket.on("close", () => pipe.kill());
            pipe.on("exit", () => socket.destroy());
            socket.on("error", () => pipe.kill());
        });
        await new Promise<void>((r) => forwarder.listen(0, "127.0.0.1", r));
        const port = (forwarder.address() as { port: number }).port;
        const node = new SshNode(dir, sshd, forwarder, port, readFileSync(join(dir, "client_key"), "utf8"), sockets);
        // Ready when a connection through the forwarder gets the server's banner (bounded wait).
        const deadline = Date.now() + 20_000;
        for (;;) {
            if (sshd.exitCode !== null) throw new Error(`sshd exited ${sshd.exitCode}: ${log}`);
            if (await node.banner()) return node;
            if (Date.now() > deadline) {
                await node.stop();
                throw new Error(`sshd did not answer within 20 s: ${log}`);
            }
            await new Promise((r) => setTimeout(r, 300));
        }
    }

    private banner(): Promise<boolean> {
        return new Promise((resolve) => {
            const s = new (require("node:net").Socket)() as Socket;
            const timer = setTimeout(() => (s.destroy(), resolve(false)), 2000);
            s.connect(this.port, "127.0.0.1");
            s.once("data", (d) => (clearTimeout(timer), s.destroy(), resolve(d.toString().startsWith("SSH-2.0-"))));
            s.once("error", () => (clearTimeout(timer), resolve(false)));
        });
    }

    /** Run `args` in the server's mount and network namespaces (to read what the script left there). */
    inside(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
        return spawnSync("nsenter", ["--target", String(this.sshd.pid), "--mount", "--net", "--", ...args], { encoding: "utf8" });
    }

    /** Stop the forwarder and sshd (by pid, bounded); its namespaces end with it. */
    async stop(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        await new Promise<void>((r) => this.forwarder.close(() => r()));
        if (this.sshd.exitCode === null && this.sshd.signalCode === null) {
            this.sshd.kill("SIGTERM");
            const deadline = Date.now() + 10_000;
            while (this.sshd.exitCode === null && this.sshd.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
            if (this.sshd.exitCode === null && this.sshd.signalCode === null) this.sshd.kill("SIGKILL");
        }
    }

    /** Whether the sshd process is gone (checked by the scenario before it ends). */
    get stopped(): boolean {
        return this.sshd.pid === undefined || spawnSync("kill", ["-0", String(this.sshd.pid)]).status !== 0;
    }
}
