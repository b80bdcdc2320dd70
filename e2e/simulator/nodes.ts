/**
 * The fake nodes of the local cluster (played by kwok), taken from a stack file: every node the
 * stack names (calico:cluster.nodes, route reflectors, rack members, with their labels), then
 * anonymous nodes up to E2E_NODES. Each has its own InternalIP, which the BGP simulator uses as
 * its peer address.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { KubeObject } from "./kube";

/** One fake node. */
export interface FakeNode {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly ip: string;
}

/** Nodes for a stack file (or only anonymous ones without one). */
export function fakeNodes(stackFile: string | undefined, total: number): FakeNode[] {
    const config = stackFile ? ((parse(readFileSync(stackFile, "utf8")) ?? {}).config ?? {}) : {};
    const byName = new Map<string, Record<string, string>>();
    const add = (name: string, labels: Record<string, string> = {}) => byName.set(name, { ...(byName.get(name) ?? {}), ...labels });
    for (const n of config["calico:cluster"]?.nodes ?? []) add(n.name, n.labels ?? {});
    for (const n of config["calico:bgp"]?.routeReflectors?.nodes ?? []) add(n);
    const tor = config["calico:bgp"]?.tor;
    for (const r of tor?.racks ?? []) for (const n of r.nodes ?? []) add(n, { [tor.rackLabel ?? "rack"]: r.name });
    for (let i = 1; byName.size < total; i++) if (!byName.has(`node-${i}`)) add(`node-${i}`);
    return [...byName.entries()].map(([name, labels], i) => ({ name, labels, ip: `10.10.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
}

/** The Node object kwok will manage (annotation kwok.x-k8s.io/node=fake). */
export function nodeObject(n: FakeNode): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: n.name, annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok", ...n.labels } },
        spec: {},
        status: {
            // InternalDNS is how the API server reaches this node's kubelet (kwok, on 127.0.0.1; e2e/cluster.sh
            // sets --kubelet-preferred-address-types InternalDNS); InternalIP is the node's address in the fabric.
            addresses: [{ type: "InternalIP", address: n.ip }, { type: "Hostname", address: n.name }, { type: "InternalDNS", address: "127.0.0.1" }],
            allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
            capacity: { cpu: "32", memory: "256Gi", pods: "110" },
            nodeInfo: { kubeletVersion: "v1.34.4", operatingSystem: "linux", architecture: "amd64" },
        },
    };
}
