/**
 * A small Kubernetes API client for the e2e tier's own tools (the simulator and the calicoctl
 * stand-in). It reads only the kubeconfig that e2e/cluster.sh writes (client certificates on disk,
 * one cluster) and speaks plain HTTPS with JSON; it is test tooling, not part of the product.
 */
import { readFileSync } from "node:fs";
import * as https from "node:https";
import { parse } from "yaml";

/** An object as the API server returns it. */
export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; uid?: string; [k: string]: unknown };
    spec?: any;
    status?: any;
    [k: string]: unknown;
}

/** One watch event. */
export interface WatchEvent {
    type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
    object: KubeObject;
}

/** An HTTP error from the API server. */
export class KubeError extends Error {
    constructor(readonly status: number, readonly body: string, what: string) {
        super(`${what}: HTTP ${status}: ${body.slice(0, 300)}`);
    }
}

/** Client for the cluster named by a kubeconfig file. */
export class Kube {
    private readonly server: URL;
    private readonly agent: https.Agent;

    constructor(kubeconfigPath: string) {
        const kc = parse(readFileSync(kubeconfigPath, "utf8"));
        const ctxName = process.env.K8S_CURRENT_CONTEXT || kc["current-context"];
        const ctx = kc.contexts.find((c: any) => c.name === ctxName)?.context;
        if (!ctx) throw new Error(`kubeconfig ${kubeconfigPath} has no context ${ctxName}`);
        const cluster = kc.clusters.find((c: any) => c.name === ctx.cluster).cluster;
        const user = kc.users.find((u: any) => u.name === ctx.user).user;
        const pem = (file?: string, data?: string) => (data ? Buffer.from(data, "base64") : readFileSync(file!));
        this.server = new URL(cluster.server);
        this.agent = new https.Agent({
            ca: pem(cluster["certificate-authority"], cluster["certificate-authority-data"]),
            cert: pem(user["client-certificate"], user["client-certificate-data"]),
            key: pem(user["client-key"], user["client-key-data"]),
            keepAlive: true,
        });
    }

    /** One request; resolves with the parsed JSON body (undefined for 404 when `allow404`). */
    request(method: string, path: string, body?: unknown, contentType = "application/json", allow404 = false): Promise<any> {
        return new Promise((resolve, reject) => {
            const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
            const req = https.request(
                { host: this.server.hostname, port: this.server.port, path, method, agent: this.agent, timeout: 30_000, headers: { Accept: "application/json", ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}) } },
                (res) => {
                    let text = "";
                    res.setEncoding("utf8");
                    res.on("data", (c) => (text += c));
                    res.on("end", () => {
                        if (allow404 && res.statusCode === 404) return resolve(undefined);
                        if ((res.statusCode ?? 500) >= 300) return reject(new KubeError(res.statusCode ?? 0, text, `${method} ${path}`));
                        resolve(text ? JSON.parse(text) : undefined);
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
            req.on("error", reject);
            if (data) req.write(data);
            req.end();
        });
    }

    get(path: string): Promise<KubeObject | undefined> {
        return this.request("GET", path, undefined, undefined, true);
    }

    async list(path: string): Promise<KubeObject[]> {
        return ((await this.request("GET", path)) as { items: KubeObject[] }).items;
    }

    /** Create, or replace (keeping the resourceVersion) when it exists. */
    async upsert(collection: string, obj: KubeObject): Promise<KubeObject> {
        const current = await this.get(`${collection}/${obj.metadata.name}`);
        if (!current) return this.request("POST", collection, obj);
        return this.request("PUT", `${collection}/${obj.metadata.name}`, { ...obj, metadata: { ...current.metadata, ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
    }

    mergePatch(path: string, patch: unknown): Promise<KubeObject> {
        return this.request("PATCH", path, patch, "application/merge-patch+json");
    }

    /**
     * Watch a collection (its path may carry a query, e.g. a labelSelector) from `resourceVersion` (or now), calling `onEvent` for each event until
     * `signal` aborts; reconnects when the server closes the stream.
     */
    watch(collection: string, onEvent: (e: WatchEvent) => void, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): void {
        let rv = opts.resourceVersion;
        const connect = (): void => {
            if (opts.signal?.aborted) return;
            const q = `watch=1&allowWatchBookmarks=true${rv ? `&resourceVersion=${rv}` : ""}`;
            const req = https.request({ host: this.server.hostname, port: this.server.port, path: `${collection}${collection.includes("?") ? "&" : "?"}${q}`, method: "GET", agent: this.agent, headers: { Accept: "application/json" } }, (res) => {
                if (res.statusCode !== 200) {
                    res.resume();
                    setTimeout(connect, 1000);
                    return;
                }
                let buf = "";
                res.setEncoding("utf8");
                res.on("data", (chunk) => {
                    buf += chunk;
                    let nl: number;
                    while ((nl = buf.indexOf("\n")) >= 0) {
                        const line = buf.slice(0, nl);
                        buf = buf.slice(nl + 1);
                        if (!line.trim()) continue;
                        const e = JSON.parse(line) as WatchEvent;
                        if (e.type === "ERROR") {
                            rv = undefined; // expired: start again from now
                            continue;
                        }
                        rv = e.object.metadata.resourceVersion ?? rv;
                        if (e.type !== "BOOKMARK") onEvent(e);
                    }
                });
                res.on("end", () => setTimeout(connect, 100));
                res.on("error", () => setTimeout(connect, 500));
            });
            req.on("error", () => setTimeout(connect, 500));
            opts.signal?.addEventListener("abort", () => req.destroy());
            req.end();
        };
        connect();
    }
}

/** API paths of the kinds the tools touch. */
export const PATHS = {
    nodes: "/api/v1/nodes",
    namespaces: "/api/v1/namespaces",
    services: (ns: string) => `/api/v1/namespaces/${ns}/services`,
    daemonsets: (ns: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets`,
    deployments: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`,
    crds: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    calico: (plural: string) => `/apis/crd.projectcalico.org/v1/${plural}`,
    operator: (plural: string) => `/apis/operator.tigera.io/v1/${plural}`,
} as const;
