/**
 * What the e2e tier's kubelet stand-ins (operator-pod.ts, apiserver-pod.ts) share: a real program
 * run as a local process in place of a pod's container, and the credentials a pod has mounted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Kube } from "./kube";

/** One local process: started with its own log file and pid file, stopped by pid with a bounded wait. */
export class LocalProcess {
    private readonly child: ChildProcess;
    private readonly exited: Promise<void>;

    constructor(readonly name: string, command: string, args: string[], env: NodeJS.ProcessEnv, private readonly dir: string, log: (m: string) => void) {
        const out = createWriteStream(join(dir, `${name}.log`), { flags: "a" });
        this.child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], cwd: dir });
        this.child.stdout!.pipe(out);
        this.child.stderr!.pipe(out);
        this.exited = new Promise((r) =>
            this.child.on("exit", (code, signal) => {
                log(`${name}: exited (${signal ?? code})`);
                r();
            }),
        );
        // e2e/cluster.sh down stops every *.child.pid left behind if the simulator itself was killed.
        writeFileSync(join(dir, `${name}.child.pid`), `${this.child.pid}\n`);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    /** SIGTERM, then SIGKILL after `graceMs`. */
    async stop(graceMs = 20_000): Promise<void> {
        if (this.running) {
            this.child.kill("SIGTERM");
            const done = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
            if (!done) this.child.kill("SIGKILL");
            await this.exited;
        }
        rmSync(join(this.dir, `${this.name}.child.pid`), { force: true });
    }
}

/**
 * A kubeconfig holding a token of ServiceAccount `ns/serviceAccount` (TokenRequest): what a pod has
 * mounted, so the RBAC the operator or the manifest grants decides what the process may do.
 */
export async function serviceAccountKubeconfig(kube: Kube, adminKubeconfig: string, ns: string, serviceAccount: string, file: string): Promise<string> {
    const r = await kube.request("POST", `/api/v1/namespaces/${ns}/serviceaccounts/${serviceAccount}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 86400 } });
    const cluster = parse(readFileSync(adminKubeconfig, "utf8")).clusters[0];
    writeFileSync(
        file,
        JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [cluster], users: [{ name: serviceAccount, user: { token: r.status.token } }], contexts: [{ name: serviceAccount, context: { cluster: cluster.name, user: serviceAccount } }], "current-context": serviceAccount }),
        { mode: 0o600 },
    );
    return file;
}

/** A container's environment variables that have a literal value (valueFrom ones are left out). */
export function literalEnv(container: { env?: { name: string; value?: unknown }[] } | undefined): Record<string, string> {
    return Object.fromEntries((container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}

/** The image tag of a container: the release whose binary plays it. */
export function imageTag(container: { image?: string } | undefined): string {
    return String(container?.image ?? "").split(":").pop() ?? "";
}
