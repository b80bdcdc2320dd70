/**
 * Stack outputs, computed purely from settings so that `plan --json` shows exactly what other
 * projects will read through a StackReference. No secret ever appears here.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_NAMESPACE, OPERATOR_NAMESPACE } from "./operator";
import { metricsTargets } from "./monitoring/targets";
import { benchmarkNodes, benchmarkRunKey } from "./benchmark";
import type { BenchmarkOutput } from "../model/netbench";

/** A metrics endpoint other projects can scrape or allow in policy. */
export interface MetricsEndpoint {
    /** Service name. */
    readonly service: string;
    /** Service namespace. */
    readonly namespace: string;
    /** Port number. */
    readonly port: number;
    /** Port name on the Service. */
    readonly portName: string;
}

/** Everything the stack exports. */
export interface CalicoOutputs {
    /** The Kubernetes provider's clusterIdentifier: the identity the next update of this stack must keep. */
    readonly clusterIdentifier: string;
    readonly calicoVersion: string;
    readonly operatorVersion: string;
    readonly kubernetesVersion: string;
    readonly operatorNamespace: string;
    readonly calicoNamespace: string;
    readonly podCidrs: string[];
    readonly serviceCidrs: string[];
    readonly ipPools: { name: string; cidr: string; blockSize: number; encapsulation: string; natOutgoing: boolean; nodeSelector: string; disableBGPExport: boolean }[];
    readonly bgp: {
        mode: string;
        asNumber: number;
        meshEnabled: boolean;
        routeReflectorNodes: string[];
        routeReflectorClusterId: string | null;
        peers: { name: string; peerIP: string; asNumber: number; nodeSelector: string }[];
    };
    readonly expectedTyphaReplicas: number;
    readonly metrics: { felix: MetricsEndpoint; typha: MetricsEndpoint; kubeControllers: MetricsEndpoint } | null;
    readonly dashboards: string[];
    /**
     * The network benchmark's last run (null when calico:benchmark is off): the nodes, the key of the
     * settings it measured, and per path the latency and bandwidth with the guide-shaped table. The
     * plan knows only the nodes and the key; `pulumi up` fills in the results.
     */
    readonly benchmark: BenchmarkOutput | null;
}

/** The scrape targets as consumers see them (names and ports owned by monitoring/targets.ts). */
function metricsEndpoints(s: ClusterSettings): NonNullable<CalicoOutputs["metrics"]> {
    const [felix, typha, kubeControllers] = metricsTargets(s).map((t) => ({ service: t.service, namespace: CALICO_NAMESPACE, port: t.port, portName: t.portName }));
    return { felix, typha, kubeControllers };
}

/** Compute the outputs. */
export function computeOutputs(s: ClusterSettings, dashboards: readonly string[] = []): CalicoOutputs {
    const m = s.monitoring;
    return {
        clusterIdentifier: s.cluster.identifier,
        calicoVersion: s.calicoVersion,
        operatorVersion: s.release.operatorVersion,
        kubernetesVersion: s.kubernetesVersion,
        operatorNamespace: OPERATOR_NAMESPACE,
        calicoNamespace: CALICO_NAMESPACE,
        podCidrs: [...s.cluster.podCidrs],
        serviceCidrs: [...s.cluster.serviceCidrs],
        ipPools: s.network.ipPools.map((p) => ({ name: p.name, cidr: p.cidr, blockSize: p.blockSize, encapsulation: p.encapsulation, natOutgoing: p.natOutgoing, nodeSelector: p.nodeSelector, disableBGPExport: p.disableBGPExport })),
        bgp: {
            mode: s.bgp.mode,
            asNumber: s.bgp.asNumber,
            meshEnabled: s.bgp.mode !== "disabled" && s.bgp.meshEnabled,
            routeReflectorNodes: [...s.bgp.routeReflectors.nodes],
            routeReflectorClusterId: s.bgp.routeReflectors.clusterId || null,
            peers: s.bgp.peers.map((p) => ({ name: p.name, peerIP: p.peerIP, asNumber: p.asNumber, nodeSelector: p.nodeSelector })),
        },
        expectedTyphaReplicas: s.typha.expectedReplicas,
        metrics: m.enabled ? metricsEndpoints(s) : null,
        dashboards: [...dashboards],
        benchmark: s.benchmark.enabled ? { nodes: benchmarkNodes(s) ?? [], runKey: benchmarkRunKey(s), results: [], table: "" } : null,
    };
}
