/**
 * What another infrastructure project does with the calico stack's outputs: peer an extra edge
 * router with the cluster (with the route reflectors when there are any, so that it learns every
 * route from a few sessions), and let Prometheus in the monitoring namespace reach the
 * kube-controllers metrics port through a NetworkPolicy.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { CalicoOutputs } from "../../lib/render/outputs";

/** An external router to peer with the cluster. */
export interface EdgeRouter {
    /** BGPPeer name. */
    readonly name: string;
    /** Router address. */
    readonly peerIP: string;
    /** Router AS. */
    readonly asNumber: number;
}

/** What the consumer created. */
export interface ConsumerResult {
    readonly peer: k8s.apiextensions.CustomResource;
    readonly metricsPolicy: k8s.networking.v1.NetworkPolicy;
    /** The cluster AS the router must be configured with. */
    readonly clusterAsNumber: pulumi.Output<number>;
}

/** Which Calico nodes should peer with an external router, given the cluster's BGP layout. */
export function edgePeerSelector(bgp: CalicoOutputs["bgp"]): string {
    // With reflectors, the router peers with them only; otherwise with every node.
    return bgp.mode === "routeReflector" && bgp.routeReflectorNodes.length ? "route-reflector == 'true'" : "all()";
}

/** Read the calico stack and create the router peering and the metrics policy. */
export function consumeCalico(calicoStack: string, router: EdgeRouter, opts?: pulumi.CustomResourceOptions): ConsumerResult {
    const calico = new pulumi.StackReference(calicoStack);
    const bgp = calico.requireOutput("bgp") as pulumi.Output<CalicoOutputs["bgp"]>;
    const metrics = calico.requireOutput("metrics") as pulumi.Output<CalicoOutputs["metrics"]>;
    const calicoNamespace = calico.requireOutput("calicoNamespace") as pulumi.Output<string>;

    // projectcalico.org/v3 is served by the Calico API server the calico stack installs.
    const peer = new k8s.apiextensions.CustomResource(
        `edge-${router.name}`,
        {
            apiVersion: "projectcalico.org/v3",
            kind: "BGPPeer",
            metadata: { name: router.name },
            spec: { peerIP: router.peerIP, asNumber: router.asNumber, nodeSelector: bgp.apply(edgePeerSelector) },
        },
        opts,
    );

    const metricsPolicy = new k8s.networking.v1.NetworkPolicy(
        "allow-prometheus-kube-controllers-metrics",
        {
            metadata: { name: "allow-prometheus-kube-controllers-metrics", namespace: calicoNamespace },
            spec: {
                podSelector: { matchLabels: { "k8s-app": "calico-kube-controllers" } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
                        ports: [{ protocol: "TCP", port: metrics.apply((m) => m?.kubeControllers.port ?? 9094) }],
                    },
                ],
            },
        },
        opts,
    );
    return { peer, metricsPolicy, clusterAsNumber: bgp.apply((b) => b.asNumber) };
}
