/**
 * Optional Prometheus and Grafana for clusters that have no monitoring: kube-prometheus-stack and
 * Grafana charts, rendered by Pulumi (no helm binary), at pinned versions.
 */
import type { ClusterSettings } from "../../config/settings";
import type { ChartSpec } from "../resource-spec";

/** Helm release name of kube-prometheus-stack; its Prometheus selects `release: <this>`. */
export const PROMETHEUS_RELEASE = "prometheus";
/** Secret holding the Grafana admin credentials (the chart reads it through admin.existingSecret). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** In-cluster URL of the installed Prometheus (fullnameOverride makes the Service name fixed). */
export function prometheusUrl(s: ClusterSettings): string {
    return s.monitoring.install.prometheusUrl ?? `http://${PROMETHEUS_RELEASE}-prometheus.${s.monitoring.namespace}.svc:9090`;
}

/** A chart from its repository, or from a local directory or archive (no repository then). */
function chartSource(localPath: string | undefined, chart: string, repo: string): Pick<ChartSpec, "chart" | "repo"> {
    return localPath ? { chart: localPath } : { chart, repo };
}

/** kube-prometheus-stack without its bundled Grafana (installed separately when asked for). */
export function prometheusChart(s: ClusterSettings): ChartSpec {
    const i = s.monitoring.install;
    return {
        kind: "chart",
        ...chartSource(i.prometheusChartPath, "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts"),
        version: i.prometheusChartVersion,
        namespace: s.monitoring.namespace,
        values: {
            fullnameOverride: PROMETHEUS_RELEASE,
            // Grafana is installed on its own (below). Calico's monitoring needs only Prometheus and
            // its operator: no node-exporter, kube-state-metrics or Windows exporter, so an air-gapped
            // mirror needs only the chart and its `crds` subchart, and fewer images.
            grafana: { enabled: false },
            nodeExporter: { enabled: false },
            kubeStateMetrics: { enabled: false },
            windowsMonitoring: { enabled: false },
            // helm.v4.Chart runs no Helm hooks (pulumi/pulumi-kubernetes#3284). In 65.1.1 the
            // operator's TLS Secret `<fullname>-admission` is made only by the hook Job
            // admission-webhooks/job-patch/job-createSecret.yaml, and templates/prometheus-operator/
            // deployment.yaml mounts it whenever prometheusOperator.tls.enabled: without both
            // switches the prometheus-operator pod waits forever for a Secret nobody creates.
            prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: false } },
            prometheus: {
                service: { type: i.serviceType },
                prometheusSpec: {
                    // Select our ServiceMonitors and rules by the configured release label.
                    serviceMonitorSelector: { matchLabels: { release: s.monitoring.serviceMonitors.releaseLabel } },
                    ruleSelector: { matchLabels: { release: s.monitoring.serviceMonitors.releaseLabel } },
                },
            },
        },
    };
}

/** Grafana with the Prometheus datasource provisioned and the dashboard sidecar on. */
export function grafanaChart(s: ClusterSettings): ChartSpec {
    const i = s.monitoring.install;
    return {
        kind: "chart",
        ...chartSource(i.grafanaChartPath, "grafana", "https://grafana.github.io/helm-charts"),
        version: i.grafanaChartVersion,
        namespace: s.monitoring.namespace,
        values: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            service: i.serviceType === "NodePort" ? { type: "NodePort", nodePort: i.grafanaNodePort } : { type: "ClusterIP" },
            sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: s.monitoring.namespace } },
            datasources: {
                "datasources.yaml": {
                    apiVersion: 1,
                    datasources: [{ name: "Prometheus", type: "prometheus", uid: "prometheus", access: "proxy", url: prometheusUrl(s), isDefault: true }],
                },
            },
        },
    };
}
