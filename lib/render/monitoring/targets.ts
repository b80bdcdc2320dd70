/**
 * The three Calico metrics endpoints and how Prometheus finds them. Typha's and kube-controllers'
 * Services are created by the operator (tigera/operator pkg/render typha.go `TyphaMetricsName`,
 * kubecontrollers `prometheusService`): we only point ServiceMonitors at them. Felix has no
 * operator Service, so we create `calico-felix-metrics`.
 */
import type { ClusterSettings } from "../../config/settings";
import { CALICO_NAMESPACE } from "../operator";

/** One scrape target. */
export interface MetricsTarget {
    /** Short id used in resource names. */
    readonly id: "felix" | "typha" | "kube-controllers";
    /** Service name (also Prometheus's `job` label under prometheus-operator). */
    readonly service: string;
    /** Label that selects the Service. */
    readonly serviceLabels: Readonly<Record<string, string>>;
    /** Port name on the Service. */
    readonly portName: string;
    /** Port number. */
    readonly port: number;
    /** Whether this project creates the Service (false: the operator does). */
    readonly ownService: boolean;
}

/** The targets for these settings. */
export function metricsTargets(s: ClusterSettings): MetricsTarget[] {
    const m = s.monitoring;
    return [
        { id: "felix", service: "calico-felix-metrics", serviceLabels: { "k8s-app": "calico-felix-metrics" }, portName: "felix-metrics", port: m.felixMetricsPort, ownService: true },
        { id: "typha", service: "calico-typha-metrics", serviceLabels: { "k8s-app": "calico-typha-metrics" }, portName: "calico-typha-metrics", port: m.typhaMetricsPort, ownService: false },
        { id: "kube-controllers", service: "calico-kube-controllers-metrics", serviceLabels: { "k8s-app": "calico-kube-controllers" }, portName: "metrics-port", port: m.kubeControllersMetricsPort, ownService: false },
    ];
}

/** The Felix metrics Service (calico-node runs on the host network, so the port is the node's). */
export function renderFelixService(s: ClusterSettings) {
    const felix = metricsTargets(s)[0];
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: felix.service, namespace: CALICO_NAMESPACE, labels: { ...felix.serviceLabels } },
        spec: {
            // Headless: Prometheus scrapes each calico-node directly; kube-proxy needs no rules for it.
            clusterIP: "None",
            selector: { "k8s-app": "calico-node" },
            ports: [{ name: felix.portName, port: felix.port, targetPort: felix.port, protocol: "TCP" }],
        },
    };
}

/** A ServiceMonitor per target, in the monitoring namespace, labelled for Prometheus's selector. */
export function renderServiceMonitors(s: ClusterSettings) {
    const sm = s.monitoring.serviceMonitors;
    return metricsTargets(s).map((t) => ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: `calico-${t.id}`, namespace: s.monitoring.namespace, labels: { release: sm.releaseLabel } },
        spec: {
            namespaceSelector: { matchNames: [CALICO_NAMESPACE] },
            selector: { matchLabels: { ...t.serviceLabels } },
            endpoints: [{ port: t.portName, path: "/metrics", interval: sm.interval, honorLabels: true }],
        },
    }));
}
