/**
 * The monitoring plan: Felix metrics Service, kube-controllers port, ServiceMonitors, alert rules,
 * dashboards and the optional Prometheus/Grafana installs, with their ordering. Objects that need
 * the prometheus-operator CRDs are planned only when those CRDs exist (installed here, or declared
 * present); otherwise the profile records a warning and `up` still succeeds.
 */
import type { ClusterSettings } from "../../config/settings";
import { kubernetesType, type K8sObject } from "../objects";
import { patchCommand } from "../calicoctl";
import { INSTALLATION_RESOURCES } from "../installation";
import { TYPES, type PlannedResource } from "../resource-spec";
import { metricsTargets, renderFelixService, renderMetricsService, renderServiceMonitors } from "./targets";
import { renderPrometheusRule } from "./alerts";
import { renderDashboardConfigMap, renderDashboards } from "./dashboards";
import { GRAFANA_ADMIN_SECRET, grafanaChart, prometheusChart, PROMETHEUS_RELEASE } from "./install";

/** kube-controllers' default metrics port. */
export const KUBE_CONTROLLERS_DEFAULT_PORT = 9094;

/** Whether ServiceMonitor and PrometheusRule can be created. */
export function prometheusOperatorAvailable(s: ClusterSettings): boolean {
    return s.monitoring.serviceMonitors.crdsPresent || s.monitoring.install.prometheus;
}

/** Dashboard titles that will exist, for outputs. */
export function plannedDashboards(s: ClusterSettings): string[] {
    const m = s.monitoring;
    if (!m.enabled || !m.dashboards.enabled || !(m.install.grafana || prometheusOperatorAvailable(s))) return [];
    return renderDashboards(s).map((d) => d.title);
}

/** Every monitoring resource, in order. */
export function planMonitoring(s: ClusterSettings): PlannedResource[] {
    const m = s.monitoring;
    if (!m.enabled) return [];
    const out: PlannedResource[] = [];
    const obj = (name: string, object: K8sObject, dependsOn: string[]): void => {
        out.push({ name, type: kubernetesType(object.apiVersion, object.kind), component: "monitoring", dependsOn, spec: { kind: "object", object } });
    };
    const installs = m.install.prometheus || m.install.grafana;
    const nsDeps: string[] = [];
    if (installs) {
        obj("monitoring-namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: m.namespace } }, []);
        nsDeps.push("monitoring-namespace");
    }

    obj("felix-metrics-service", renderFelixService(s), [INSTALLATION_RESOURCES.installation]);
    const typha = metricsTargets(s).find((t) => t.id === "typha")!;
    if (typha.ownService) {
        // From v3.31.3 the operator creates this Service itself, under the same name: after an upgrade
        // it owns the object, so leaving the program must not delete it (the operator would only
        // recreate it after a gap in Typha metrics). Destroy still removes it with calico-system.
        out.push({ name: "typha-metrics-service", type: kubernetesType("v1", "Service"), component: "monitoring", dependsOn: [INSTALLATION_RESOURCES.installation], spec: { kind: "object", object: renderMetricsService(typha) }, retainOnDelete: true });
    }

    if (m.kubeControllersMetricsPort !== KUBE_CONTROLLERS_DEFAULT_PORT) {
        out.push({
            name: "kubecontrollers-metrics-port",
            type: TYPES.localCommand,
            component: "monitoring",
            dependsOn: [INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer],
            spec: patchCommand(s, "kubecontrollersconfiguration", "default", { spec: { prometheusMetricsPort: m.kubeControllersMetricsPort } }, { spec: { prometheusMetricsPort: KUBE_CONTROLLERS_DEFAULT_PORT } }),
        });
    }

    const crdDeps = [...nsDeps];
    if (m.install.prometheus) {
        out.push({ name: PROMETHEUS_RELEASE, type: TYPES.chart, component: "monitoring", dependsOn: [...nsDeps], spec: prometheusChart(s) });
        crdDeps.push(PROMETHEUS_RELEASE);
    }
    if (m.install.grafana) {
        obj(
            "grafana-admin",
            {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: GRAFANA_ADMIN_SECRET, namespace: m.namespace },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": m.install.grafanaAdminPassword },
            },
            [...nsDeps],
        );
        out.push({ name: "grafana", type: TYPES.chart, component: "monitoring", dependsOn: [...nsDeps, "grafana-admin"], spec: grafanaChart(s) });
    }

    if (prometheusOperatorAvailable(s)) {
        if (m.serviceMonitors.enabled) {
            for (const sm of renderServiceMonitors(s)) {
                const own = sm.metadata.name === "calico-felix" ? ["felix-metrics-service"] : sm.metadata.name === "calico-typha" && typha.ownService ? ["typha-metrics-service"] : [];
                obj(`servicemonitor-${sm.metadata.name}`, sm, [...crdDeps, INSTALLATION_RESOURCES.installation, ...own]);
            }
        }
        if (m.alerts.enabled) obj("prometheusrule-calico-alerts", renderPrometheusRule(s), [...crdDeps]);
    }
    if (m.dashboards.enabled && (m.install.grafana || prometheusOperatorAvailable(s))) {
        for (const d of renderDashboards(s)) obj(`dashboard-${d.uid}`, renderDashboardConfigMap(s, d), [...nsDeps]);
    }
    return out;
}
