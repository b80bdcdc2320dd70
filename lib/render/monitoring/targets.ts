/**
 * The three Calico metrics endpoints and how Prometheus finds them. kube-controllers' Service is
 * created by the operator (tigera/operator pkg/render kubecontrollers `prometheusService`), and so
 * is Typha's from operator v1.34 on (pkg/render/typha.go `TyphaMetricsName`): we only point
 * ServiceMonitors at them. Felix has no operator Service, and neither has Typha on v3.27.3
 * (operator v1.32.7): there we create them, under the same name and labels.
 */
import type { ClusterSettings } from "../../config/settings";
import { CALICO_NAMESPACE } from "../operator";
import { CALICO_RELEASES } from "../../model/versions";

/**
 * The metrics Services by target, which are also Prometheus's `job` labels under prometheus-operator
 * (a ServiceMonitor's job is the Service name): alerts and dashboards query these.
 */
export const METRICS_JOBS = { felix: "calico-felix-metrics", typha: "calico-typha-metrics", kubeControllers: "calico-kube-controllers-metrics" } as const;

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
        { id: "felix", service: METRICS_JOBS.felix, serviceLabels: { "k8s-app": "calico-felix-metrics" }, portName: "felix-metrics", port: m.felixMetricsPort, ownService: true },
        { id: "typha", service: METRICS_JOBS.typha, serviceLabels: { "k8s-app": "calico-typha-metrics" }, portName: "calico-typha-metrics", port: m.typhaMetricsPort, ownService: !CALICO_RELEASES[s.calicoVersion].operatorCreatesTyphaMetricsService },
        { id: "kube-controllers", service: METRICS_JOBS.kubeControllers, serviceLabels: { "k8s-app": "calico-kube-controllers" }, portName: "metrics-port", port: m.kubeControllersMetricsPort, ownService: false },
    ];
}

/** Pods each target's metrics come from (calico-node for Felix). */
const TARGET_PODS: Readonly<Record<MetricsTarget["id"], string>> = { felix: "calico-node", typha: "calico-typha", "kube-controllers": "calico-kube-controllers" };

/** A metrics Service this project creates (Felix always; Typha where the operator does not). */
export function renderMetricsService(t: MetricsTarget) {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: t.service, namespace: CALICO_NAMESPACE, labels: { ...t.serviceLabels } },
        spec: {
            // Headless: Prometheus scrapes each pod directly (calico-node and Typha run on the host
            // network, so the port is the node's); kube-proxy needs no rules for it.
            clusterIP: "None",
            selector: { "k8s-app": TARGET_PODS[t.id] },
            ports: [{ name: t.portName, port: t.port, targetPort: t.port, protocol: "TCP" }],
        },
    };
}

/** The Felix metrics Service. */
export function renderFelixService(s: ClusterSettings) {
    return renderMetricsService(metricsTargets(s)[0]);
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
