/**
 * Calico for two clusters from one program, built from code: no stack config at all. `east` is a
 * 40-node full mesh peering with an edge router, driven by a provider the program already has;
 * `west` is a 240-node cluster on three route reflectors, which builds its own provider from its
 * kubeconfig. Each CalicoCluster prefixes its children's names with its own, so the two never
 * collide, and each one's calicoctl runs and session waits reach its own cluster.
 *
 *   EAST_KUBECONFIG=~/.kube/east WEST_KUBECONFIG=~/.kube/west pulumi up
 *
 * In your own project, import from "calico-pulumi" instead of "../../index".
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CalicoCluster, plan, type CalicoClusterArgs } from "../../index";

/** A kubeconfig file named by an environment variable, as a secret. */
function kubeconfigFrom(variable: string): pulumi.Output<string> {
    const file = process.env[variable];
    if (!file) throw new pulumi.RunError(`set ${variable} to the path of that cluster's kubeconfig`);
    return pulumi.secret(readFileSync(file, "utf8"));
}

/** What both clusters share: the release and the monitoring stack they already run. */
const common = {
    version: "v3.31.3",
    kubernetesVersion: "1.34",
    monitoring: { serviceMonitors: { crdsPresent: true } },
} satisfies Partial<CalicoClusterArgs>;

/** East: full mesh, one edge router. */
const eastConfig = {
    ...common,
    cluster: { name: "east", nodeCount: 40, podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/16" },
    bgp: { peers: [{ name: "edge-1", peerIP: "192.0.2.1", asNumber: 65010 }] },
} satisfies CalicoClusterArgs;

/** West: route reflectors on three dedicated, declared nodes. */
const westConfig = {
    ...common,
    cluster: {
        name: "west",
        nodeCount: 240,
        podCidr: "10.32.0.0/12",
        serviceCidr: "10.16.0.0/16",
        nodes: ["rr-1", "rr-2", "rr-3"].map((name) => ({ name, labels: { "node-role.example.com/reflector": "" } })),
    },
    bgp: { mode: "routeReflector", routeReflectors: { nodes: ["rr-1", "rr-2", "rr-3"] } },
} satisfies CalicoClusterArgs;

// The offline plan of the same arguments, before anything is registered: e.g. to log the session count.
pulumi.log.info(`west: ${plan(westConfig, "west").topology.sessions} BGP sessions with reflectors`);

const eastKubeconfig = kubeconfigFrom("EAST_KUBECONFIG");
const eastProvider = new k8s.Provider("east-cluster", { kubeconfig: eastKubeconfig, clusterIdentifier: "east", enableServerSideApply: true });
// A caller's provider needs its kubeconfig too: calicoctl and the session gate run as commands.
const east = new CalicoCluster("east", { ...eastConfig, provider: eastProvider, kubeconfig: eastKubeconfig });
const west = new CalicoCluster("west", { ...westConfig, kubeconfig: kubeconfigFrom("WEST_KUBECONFIG") });

/** What other projects read through a StackReference. */
export const eastBgp = east.bgp;
export const eastTyphaReplicas = east.expectedTyphaReplicas;
export const westBgp = west.bgp;
export const westTyphaReplicas = west.expectedTyphaReplicas;
