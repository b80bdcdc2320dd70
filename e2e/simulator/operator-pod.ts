/**
 * The kubelet's part for ONE pod: the tigera-operator's. kwok plays every kubelet here, so no
 * container runs; this runs the REAL tigera-operator (built from ../shared/upstream/src by
 * e2e/toolchain/build.sh as bin/tigera-operator-<version>) as a local process, the way the kubelet
 * would run the container of the `tigera-operator` Deployment that the program applied:
 *
 * - the binary is the one the Deployment's image tag names (quay.io/tigera/operator:v1.40.3 runs
 *   bin/tigera-operator-v1.40.3), so an upgrade that changes the manifest restarts the operator at
 *   the new version, as a rollout does; a deleted Deployment stops it;
 * - its arguments are the container's `args`; its environment is the container's `env` (literal
 *   values, and POD_NAME from the running pod's name), its optional `envFrom` ConfigMap
 *   `kubernetes-services-endpoint`, and the variables a kubelet adds for the `kubernetes` Service
 *   (KUBERNETES_SERVICE_HOST/PORT, which the operator renders into Calico's pods);
 * - its credentials are a token of its own ServiceAccount (TokenRequest), so the RBAC of the
 *   manifest decides what it may do, as in a cluster.
 *
 * Only what out-of-cluster running requires is added, and each is what the in-cluster pod would
 * have found by itself: `--kubeconfig` (the token, in place of the mounted service-account files),
 * OPERATOR_NAMESPACE and OPERATOR_SERVICEACCOUNT (both read from those files in a pod:
 * pkg/common/operator_namespace.go, operator_serviceaccount.go), and `--enable-leader-election=false`
 * (leader election needs the in-cluster namespace file, and one operator runs at a time here).
 * Nothing here writes a status or any object the operator owns.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Kube, PATHS, type KubeObject } from "./kube";
import { imageTag, LocalProcess, serviceAccountKubeconfig } from "./pod-process";

const NS = "tigera-operator";
const NAME = "tigera-operator";

/** What decides the operator process: a change of any of it restarts the process. */
interface PodSpec {
    readonly version: string;
    readonly args: string[];
    readonly env: Record<string, string>;
    readonly serviceAccount: string;
}

/** Runs the real operator for the cluster's tigera-operator Deployment. */
export class OperatorPod {
    private proc?: LocalProcess;
    private running?: string;
    private lastStart = 0;

    constructor(private readonly kube: Kube, private readonly kubeconfig: string, private readonly dir: string, private readonly bin: string, private readonly log: (m: string) => void) {}

    /** One pass: start, restart or stop the operator to match the Deployment. */
    async reconcile(): Promise<void> {
        const want = await this.desired();
        const key = want ? JSON.stringify(want) : undefined;
        if (key === this.running && (!want || this.proc?.running)) return;
        await this.stop();
        if (!want) return;
        // The kubelet restarts an exited container with a back-off; 5 s here.
        if (Date.now() - this.lastStart < 5000) return;
        this.lastStart = Date.now();
        await this.start(want);
        this.running = key;
    }

    private async desired(): Promise<PodSpec | undefined> {
        const d = await this.kube.get(`${PATHS.deployments(NS)}/${NAME}`);
        if (!d || d.metadata["deletionTimestamp"]) return undefined;
        const c = d.spec?.template?.spec?.containers?.find((x: any) => x.name === NAME) ?? d.spec?.template?.spec?.containers?.[0];
        const pods = ((await this.kube.request("GET", `/api/v1/namespaces/${NS}/pods?labelSelector=name%3D${NAME}`)) as { items: KubeObject[] }).items;
        // The kubelet starts a container only once its pod is bound to a node and not terminating.
        const pod = pods.find((p) => p.spec?.nodeName && !p.metadata["deletionTimestamp"] && p.spec?.containers?.[0]?.image === c.image);
        if (!pod) return undefined;
        const env: Record<string, string> = {};
        const svc = await this.kube.get(`${PATHS.services("default")}/kubernetes`);
        if (svc) {
            env.KUBERNETES_SERVICE_HOST = svc.spec.clusterIP;
            env.KUBERNETES_SERVICE_PORT = String(svc.spec.ports?.[0]?.port ?? 443);
        }
        for (const from of c.envFrom ?? []) {
            const ref = from.configMapRef;
            if (!ref) continue;
            const cm = await this.kube.get(`/api/v1/namespaces/${NS}/configmaps/${ref.name}`);
            if (!cm && !ref.optional) return undefined; // the kubelet would not start the container
            Object.assign(env, cm?.data ?? {});
        }
        for (const e of c.env ?? []) {
            if (e.value !== undefined) env[e.name] = e.value;
            else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = pod.metadata.name;
        }
        return { version: imageTag(c), args: c.args ?? [], env, serviceAccount: d.spec.template.spec.serviceAccountName ?? "default" };
    }

    private async start(want: PodSpec): Promise<void> {
        const binary = join(this.bin, `tigera-operator-${want.version}`);
        if (!existsSync(binary)) {
            this.log(`tigera-operator ${want.version}: ${binary} is missing (e2e/toolchain/build.sh builds it); the operator does not run`);
            return;
        }
        const kubeconfig = await serviceAccountKubeconfig(this.kube, this.kubeconfig, NS, want.serviceAccount, join(this.dir, "tigera-operator.kubeconfig"));
        const args = [...want.args, `--kubeconfig=${kubeconfig}`, "--enable-leader-election=false"];
        // A clean environment, as a container has: only what the pod spec and the kubelet give it.
        const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.dir, ...want.env, OPERATOR_NAMESPACE: NS, OPERATOR_SERVICEACCOUNT: want.serviceAccount };
        this.proc = new LocalProcess(`tigera-operator-${want.version}`, binary, args, env, this.dir, this.log);
        this.log(`tigera-operator ${want.version}: started (pid ${this.proc.pid}, args ${want.args.join(" ") || "none"})`);
    }

    /** Stops the operator (the pod's grace period, bounded at 20 s here). */
    async stop(): Promise<void> {
        const proc = this.proc;
        this.proc = undefined;
        this.running = undefined;
        await proc?.stop();
    }
}
