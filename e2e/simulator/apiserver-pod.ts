/**
 * The kubelet's part for the calico-apiserver pods: runs the REAL calico-apiserver (built from
 * ../shared/upstream/src as bin/calico-apiserver-<version>) for the Deployment the REAL operator
 * rendered, so that the aggregated API projectcalico.org/v3 is really served. Without it the
 * APIService stays unavailable, the operator's IP pool controller cannot write pools once the
 * APIServer is Ready, and namespace deletion stalls on the failed discovery: what a cluster with a
 * broken calico-apiserver does, not what the product meets in a healthy one.
 *
 * How a request reaches it, with nothing of the operator's objects changed: kube-apiserver runs with
 * --enable-aggregator-routing (e2e/cluster.sh), so the aggregator dials a Ready endpoint of the
 * operator's Service, i.e. a pod IP that kwok assigned and the real EndpointSlice controller
 * published. Those pod IPs are put on a veth inside a network namespace made for this (the pod's
 * network namespace, shared by the Deployment's replicas here), with a host route to each; the
 * process runs inside it and listens on the port its container args name. Its own calls to
 * kube-apiserver go to 127.0.0.1:<port> inside the namespace, piped to the host's through a Unix
 * socket (forward.ts), so its kubeconfig names the same https address and certificate.
 *
 * What the pod would have, given the way a kubelet gives it: the container's args and literal env;
 * its secret volumes written to files (args naming a mount path are pointed at them); its
 * ServiceAccount's token as the kubeconfig for the datastore (KUBECONFIG, read by libcalico-go) and
 * for delegated authentication and authorization (--kubeconfig, --authentication-kubeconfig,
 * --authorization-kubeconfig: the in-cluster configuration's out-of-cluster form). The kubelet's
 * KUBERNETES_SERVICE_* variables are left out: nothing routes the Service's ClusterIP here.
 * Readiness comes from kwok, not from the process's /readyz.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import { Kube, PATHS, type KubeObject } from "./kube";
import { imageTag, literalEnv, LocalProcess, serviceAccountKubeconfig } from "./pod-process";
import { unixToTcp } from "./forward";

/** The namespaces the operator lines put calico-apiserver in (v1.40.3, v1.32.7). */
const NAMESPACES = ["calico-system", "calico-apiserver"];
const NAME = "calico-apiserver";

interface PodSpec {
    readonly ns: string;
    readonly version: string;
    readonly args: string[];
    readonly env: Record<string, string>;
    readonly serviceAccount: string;
    readonly ips: string[];
    /** Secret volumes: mount path → file name → content (base64). */
    readonly secrets: Record<string, Record<string, string>>;
}

function ip(args: string[]): void {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
}

/** Runs calico-apiserver for the calico-apiserver Deployment, in a network namespace holding its pod IPs. */
export class ApiServerPod {
    private procs: LocalProcess[] = [];
    private running?: string;
    private hostPipe?: Server;
    private lastStart = 0;
    private readonly netns: string;
    private readonly veth: [string, string];
    private readonly socket: string;
    private readonly apiPort: number;

    constructor(private readonly kube: Kube, private readonly kubeconfig: string, private readonly dir: string, private readonly bin: string, private readonly log: (m: string) => void) {
        const id = createHash("sha256").update(dir).digest("hex").slice(0, 8);
        this.netns = `calapi-${id}`;
        this.veth = [`cva${id}`, `cvb${id}`];
        this.socket = join(dir, "kube-apiserver.sock");
        this.apiPort = Number(new URL(parse(readFileSync(kubeconfig, "utf8")).clusters[0].cluster.server).port);
    }

    async reconcile(): Promise<void> {
        const want = await this.desired();
        const key = want ? JSON.stringify(want) : undefined;
        if (key === this.running && (!want || this.procs.every((p) => p.running))) return;
        await this.stop();
        if (!want) return;
        if (Date.now() - this.lastStart < 5000) return; // the kubelet's restart back-off
        this.lastStart = Date.now();
        try {
            await this.start(want);
            this.running = key;
        } catch (e) {
            this.log(`calico-apiserver ${want.version}: not started: ${(e as Error).message}`);
            await this.stop();
        }
    }

    private async desired(): Promise<PodSpec | undefined> {
        for (const ns of NAMESPACES) {
            const d = await this.kube.get(`${PATHS.deployments(ns)}/${NAME}`);
            if (!d || d.metadata["deletionTimestamp"]) continue;
            const podSpec = d.spec.template.spec;
            const c = podSpec.containers.find((x: any) => x.name === NAME) ?? podSpec.containers[0];
            const selector = Object.entries(d.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
            const pods = ((await this.kube.request("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`)) as { items: KubeObject[] }).items;
            const ips = pods.filter((p) => p.status?.podIP && !p.metadata["deletionTimestamp"] && p.spec?.containers?.find((x: any) => x.name === c.name)?.image === c.image).map((p) => p.status.podIP as string).sort();
            if (!ips.length) continue;
            const secrets: Record<string, Record<string, string>> = {};
            for (const m of c.volumeMounts ?? []) {
                const vol = podSpec.volumes?.find((v: any) => v.name === m.name);
                if (!vol?.secret) continue;
                const s = await this.kube.get(`/api/v1/namespaces/${ns}/secrets/${vol.secret.secretName}`);
                if (!s) return undefined; // the kubelet waits for the secret
                secrets[m.mountPath] = (s.data ?? {}) as Record<string, string>;
            }
            const env = literalEnv(c);
            return { ns, version: imageTag(c), args: c.args ?? [], env, serviceAccount: podSpec.serviceAccountName ?? "default", ips, secrets };
        }
        return undefined;
    }

    private async start(want: PodSpec): Promise<void> {
        const binary = join(this.bin, `calico-apiserver-${want.version}`);
        if (!existsSync(binary)) throw new Error(`${binary} is missing (e2e/toolchain/build.sh builds it)`);
        // The pod's volumes.
        const volumes = join(this.dir, "calico-apiserver-volumes");
        rmSync(volumes, { recursive: true, force: true });
        const mounts: [string, string][] = [];
        for (const [mountPath, data] of Object.entries(want.secrets)) {
            const local = join(volumes, mountPath.replace(/[^A-Za-z0-9._-]/g, "_"));
            mkdirSync(local, { recursive: true, mode: 0o700 });
            for (const [k, v] of Object.entries(data)) writeFileSync(join(local, k), Buffer.from(v, "base64"), { mode: 0o600 });
            mounts.push([mountPath.replace(/\/$/, ""), local]);
        }
        const args = want.args.map((a) => {
            for (const [mp, local] of mounts) if (a.includes(`${mp}/`)) return a.replace(`${mp}/`, `${local}/`);
            return a;
        });
        const kubeconfig = await serviceAccountKubeconfig(this.kube, this.kubeconfig, want.ns, want.serviceAccount, join(this.dir, "calico-apiserver.kubeconfig"));
        // The pod's network namespace, holding its IPs.
        const [hostEnd, podEnd] = this.veth;
        ip(["netns", "add", this.netns]);
        writeFileSync(join(this.dir, "netns"), `${this.netns}\n`);
        ip(["link", "add", hostEnd, "type", "veth", "peer", "name", podEnd]);
        ip(["link", "set", podEnd, "netns", this.netns]);
        ip(["-n", this.netns, "link", "set", "lo", "up"]);
        for (const a of want.ips) ip(["-n", this.netns, "addr", "add", `${a}/32`, "dev", podEnd]);
        ip(["-n", this.netns, "link", "set", podEnd, "up"]);
        ip(["-n", this.netns, "route", "add", "default", "dev", podEnd]);
        ip(["link", "set", hostEnd, "up"]);
        for (const a of want.ips) ip(["route", "add", `${a}/32`, "dev", hostEnd]);
        // kube-apiserver at 127.0.0.1:<port> inside the namespace.
        this.hostPipe ??= await unixToTcp(this.socket, "127.0.0.1", this.apiPort);
        const tsNode = require.resolve("ts-node/register/transpile-only");
        const ready = join(this.dir, "calico-apiserver-forward.ready");
        rmSync(ready, { force: true });
        const forwardEnv = { PATH: process.env.PATH, TS_NODE_PROJECT: join(__dirname, "..", "..", "tsconfig.json") };
        this.procs.push(new LocalProcess("calico-apiserver-forward", "ip", ["netns", "exec", this.netns, process.execPath, "-r", tsNode, join(__dirname, "forward.ts"), "127.0.0.1", String(this.apiPort), this.socket, ready], forwardEnv, this.dir, this.log));
        for (let i = 0; !existsSync(ready); i++) {
            if (i >= 100 || !this.procs[0].running) throw new Error("the namespace's pipe to kube-apiserver did not start (calico-apiserver-forward.log)");
            await new Promise((r) => setTimeout(r, 100));
        }
        const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.dir, ...want.env, KUBECONFIG: kubeconfig };
        const flags = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`];
        const proc = new LocalProcess(`calico-apiserver-${want.version}`, "ip", ["netns", "exec", this.netns, binary, ...args, ...flags], env, this.dir, this.log);
        this.procs.push(proc);
        this.log(`calico-apiserver ${want.version}: started (pid ${proc.pid}) in ${this.netns} on ${want.ips.join(", ")}, args ${want.args.join(" ")}`);
    }

    /** Stops the processes and removes the namespace (and with it the veth pair and host routes). */
    async stop(): Promise<void> {
        const procs = this.procs;
        this.procs = [];
        this.running = undefined;
        for (const p of procs.reverse()) await p.stop(10_000);
        if (existsSync(join(this.dir, "netns"))) {
            spawnSync("ip", ["netns", "del", this.netns]);
            rmSync(join(this.dir, "netns"), { force: true });
        }
    }

    /** Stops everything, the host side of the pipe included. */
    async close(): Promise<void> {
        await this.stop();
        await new Promise<void>((r) => (this.hostPipe ? this.hostPipe.close(() => r()) : r()));
        this.hostPipe = undefined;
    }
}
