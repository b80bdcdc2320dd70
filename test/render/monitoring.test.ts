import { strict as assert } from "node:assert";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { loadSettings } from "../../lib/pipeline";
import type { ClusterSettings } from "../../lib/config/settings";
import { planResources } from "../../lib/render";
import { mapSecrets, type K8sObject } from "../../lib/render/objects";
import { renderAlertGroups, renderPrometheusRule, type AlertRule } from "../../lib/render/monitoring/alerts";
import { renderDashboards } from "../../lib/render/monitoring/dashboards";
import { renderFelixService, renderServiceMonitors } from "../../lib/render/monitoring/targets";
import { DATAPLANE_METRICS, knownMetrics, METRIC_HELP, metricsIn } from "../../lib/model/metrics";
import { CrdValidators, upstreamDir } from "../support/upstream";
import { promtool, promtoolPath } from "../support/promtool";
import { stackConfig, stackConfigWithSecrets, STACK_NAMES } from "../support/stacks";

const settings = (stack: string, extra: Record<string, unknown> = {}): ClusterSettings => loadSettings({ ...stackConfigWithSecrets(stack), ...extra }).settings;
const large = () => settings("large");
const objects = (s: ClusterSettings): K8sObject[] =>
    planResources(s).flatMap((p) => (p.spec.kind === "object" ? [mapSecrets(p.spec.object, (x) => x.placeholder())] : []));

/** Expand `{{ $labels.x }}` the way Prometheus does, for expected annotations. */
const expand = (text: string, labels: Record<string, string>) => text.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, k) => labels[k] ?? "");

/** Dashboard queries with Grafana variables replaced by values that make them plain PromQL. */
const concrete = (expr: string) => expr.replace(/\$__rate_interval/g, "5m").replace(/\$instance/g, ".+");

describe("monitoring", () => {
    describe("metrics endpoints", () => {
        it("creates only the Felix Service; Typha's and kube-controllers' belong to the operator", () => {
            const names = objects(large()).filter((o) => o.kind === "Service").map((o) => o.metadata.name);
            assert.deepEqual(names, ["calico-felix-metrics"]);
        });
        it("the Felix Service selects calico-node on the Felix port with the port name the ServiceMonitor uses", () => {
            const svc = renderFelixService(settings("small", { "calico:monitoring": { felixMetricsPort: 9191, serviceMonitors: { crdsPresent: true } } }));
            assert.deepEqual(svc.spec.selector, { "k8s-app": "calico-node" });
            assert.deepEqual(svc.spec.ports, [{ name: "felix-metrics", port: 9191, targetPort: 9191, protocol: "TCP" }]);
            const felixSm = renderServiceMonitors(settings("small")).find((m) => m.metadata.name === "calico-felix")!;
            assert.equal(felixSm.spec.endpoints[0].port, "felix-metrics");
            assert.deepEqual(felixSm.spec.selector.matchLabels, svc.metadata.labels);
        });
        it("ServiceMonitors carry the release label, the interval and calico-system", () => {
            const sms = renderServiceMonitors(settings("small", { "calico:monitoring": { serviceMonitors: { releaseLabel: "kps", interval: "15s", crdsPresent: true } } }));
            assert.equal(sms.length, 3);
            for (const sm of sms) {
                assert.equal(sm.metadata.labels.release, "kps");
                assert.deepEqual(sm.spec.namespaceSelector, { matchNames: ["calico-system"] });
                assert.equal(sm.spec.endpoints[0].interval, "15s");
            }
            assert.deepEqual(sms.map((m) => m.spec.endpoints[0].port), ["felix-metrics", "calico-typha-metrics", "metrics-port"]);
        });
        it("v3.27.3 gets a calico-typha-metrics Service of ours (operator v1.32.7 makes none); v3.31.3 leaves it to the operator", () => {
            const old = planResources(settings("small", { "calico:version": "v3.27.3", "calico:kubernetesVersion": "1.28" }));
            const svc = old.find((p) => p.name === "calico-typha-metrics-service");
            assert.ok(svc, "no Typha metrics Service on v3.27.3: the ServiceMonitor would select nothing");
            const obj = (svc!.spec as { object: any }).object;
            assert.equal(obj.metadata.name, "calico-typha-metrics");
            assert.deepEqual(obj.spec.selector, { "k8s-app": "calico-typha" });
            assert.deepEqual(obj.spec.ports, [{ name: "calico-typha-metrics", port: 9093, targetPort: 9093, protocol: "TCP" }]);
            // The ServiceMonitor selects it and waits for it.
            const sm = old.find((p) => p.name === "calico-servicemonitor-calico-typha")!;
            assert.ok(sm.dependsOn.includes("calico-typha-metrics-service"));
            assert.deepEqual((sm.spec as { object: any }).object.spec.selector.matchLabels, obj.metadata.labels);
            const current = planResources(settings("small"));
            assert.ok(!current.some((p) => p.name === "calico-typha-metrics-service"), "v3.31.3's operator owns calico-typha-metrics: creating it would fail with AlreadyExists");
        });
        it("without prometheus-operator CRDs, skips ServiceMonitors and rules with a warning", () => {
            const s = settings("dev", { "calico:monitoring": {} });
            assert.ok(!objects(s).some((o) => o.apiVersion.startsWith("monitoring.coreos.com")));
            assert.ok(s.warnings.some((w) => w.path === "calico:monitoring.serviceMonitors.crdsPresent"));
        });
        it("Installation turns Felix and Typha metrics on; a custom kube-controllers port is a calicoctl patch", () => {
            const s = settings("small", { "calico:monitoring": { kubeControllersMetricsPort: 9095, serviceMonitors: { crdsPresent: true } } });
            const plan = planResources(s);
            const inst = plan.find((p) => p.name === "calico-installation")!.spec as { object: any };
            assert.equal(inst.object.spec.nodeMetricsPort, 9091);
            assert.equal(inst.object.spec.typhaMetricsPort, 9093);
            const patch = plan.find((p) => p.name === "calico-kubecontrollers-metrics-port")!.spec as { create: string; stdin: string };
            assert.match(patch.create, /patch kubecontrollersconfiguration 'default' --patch "\$\(cat\)"$/);
            assert.deepEqual(JSON.parse(patch.stdin), { spec: { prometheusMetricsPort: 9095 } });
            assert.ok(!planResources(settings("small")).some((p) => p.name === "calico-kubecontrollers-metrics-port"));
        });
    });

    describe("against the prometheus-operator CRDs", function () {
        const found = upstreamDir();
        before(function () {
            if (!found.dir) (console.warn(`SKIPPED: ${found.reason}`), this.skip());
        });
        for (const stack of STACK_NAMES) {
            it(`${stack}: ServiceMonitors and PrometheusRule are valid`, () => {
                const v = new CrdValidators(join(found.dir!, "prometheus-operator", "v0.89.0", "crds"));
                const s = settings(stack, { "calico:monitoring": { serviceMonitors: { crdsPresent: true } } });
                const mon = objects(s).filter((o) => o.apiVersion === "monitoring.coreos.com/v1");
                assert.equal(mon.length, 4);
                for (const o of mon) assert.deepEqual(v.check(`monitoring.coreos.com_${o.kind.toLowerCase()}s.yaml`, o), [], o.metadata.name);
            });
        }
        it("rejects a broken ServiceMonitor", () => {
            const v = new CrdValidators(join(found.dir!, "prometheus-operator", "v0.89.0", "crds"));
            const sm: any = renderServiceMonitors(large())[0];
            sm.spec.endpoints[0].scrapeEvery = "15s";
            assert.notDeepEqual(v.check("monitoring.coreos.com_servicemonitors.yaml", sm), []);
        });
    });

    describe("alert rules", () => {
        /** The large stack on each dataplane (eBPF needs the API server's address). */
        const onDataplane = (dataplane: "iptables" | "nftables" | "bpf") => {
            const c = stackConfigWithSecrets("large");
            return loadSettings({ ...c, "calico:network": { ...c["calico:network"], dataplane }, ...(dataplane === "bpf" ? { "calico:cluster": { ...c["calico:cluster"], apiServer: { host: "10.0.0.10" } } } : {}) }).settings;
        };
        const DATAPLANES = (["iptables", "nftables", "bpf"] as const).map((d) => ({ dataplane: d, groups: renderAlertGroups(onDataplane(d)) }));
        const groups = DATAPLANES[0].groups;
        // Every alert of every dataplane, once.
        const rules = [...new Map(DATAPLANES.flatMap((d) => d.groups.flatMap((g) => g.rules)).map((r) => [r.alert, r])).values()];

        it("follow the dataplane: each uses only metrics that dataplane's Felix exports", () => {
            for (const { dataplane, groups: gs } of DATAPLANES) {
                const alerts = gs.flatMap((g) => g.rules);
                const panels = renderDashboards(onDataplane(dataplane)).flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr }))));
                for (const { what, expr } of [...alerts.map((r) => ({ what: r.alert, expr: r.expr })), ...panels.map((p) => ({ what: `panel ${p.title}`, expr: p.expr }))]) {
                    for (const m of metricsIn(expr)) assert.ok(!DATAPLANE_METRICS[m] || DATAPLANE_METRICS[m].includes(dataplane), `${dataplane}: ${what} uses ${m}, which stays flat on ${dataplane}`);
                }
                const names = alerts.map((r) => r.alert);
                const titles = panels.map((p) => p.title);
                if (dataplane === "nftables") {
                    assert.ok(names.includes("CalicoFelixNftErrors") && !names.some((n) => /Iptables|Ipset/.test(n)), names.join());
                    assert.ok(titles.includes("nftables rules and sets") && !titles.some((t) => /iptables/.test(t)), titles.join());
                } else {
                    assert.ok(names.includes("CalicoFelixIptablesRestoreErrors") && !names.includes("CalicoFelixNftErrors"));
                }
                assert.equal(names.includes("CalicoFelixBpfDirtyEndpoints"), dataplane === "bpf", dataplane);
                assert.equal(titles.includes("eBPF endpoints"), dataplane === "bpf", dataplane);
            }
        });

        it("cover the failures the guide and the issue name", () => {
            const text = JSON.stringify(rules);
            for (const m of ["felix_iptables_restore_errors", "felix_ipset_errors", "felix_int_dataplane_failures", "felix_log_errors", "felix_resync_state", "typha_connections_dropped", "typha_client_latency_secs", "ipam_allocations_in_use", "ipam_blocks", "felix_cluster_num_hosts", "up"]) {
                assert.ok(text.includes(m), m);
            }
        });
        it("each has a severity, a summary and a description with a runbook hint", () => {
            for (const r of rules) {
                assert.ok(["warning", "critical"].includes(r.labels.severity), r.alert);
                assert.ok(r.annotations.summary.length > 10 && r.annotations.description.includes("Runbook:"), r.alert);
            }
            assert.equal(new Set(rules.map((r) => r.alert)).size, rules.length, "alert names are unique");
        });
        it("use only metrics Calico exports in each supported version", () => {
            for (const version of ["v3.27.3", "v3.31.3"] as const) {
                const known = knownMetrics(version);
                // v3.27.3 has no nftables dataplane (the config refuses it there).
                const mine = DATAPLANES.filter((d) => version === "v3.31.3" || d.dataplane !== "nftables").flatMap((d) => d.groups.flatMap((g) => g.rules));
                for (const r of mine) for (const m of metricsIn(r.expr)) assert.ok(known.has(m), `${r.alert}: ${m} is not a ${version} metric`);
            }
        });
        it("know the cluster: node count and Typha replicas come from settings", () => {
            assert.ok(rules.find((r) => r.alert === "CalicoFelixHostCountLow")!.expr.endsWith("< 400"));
            assert.ok(rules.find((r) => r.alert === "CalicoTyphaReplicasLow")!.expr.endsWith("< 4"));
        });
        it("the PrometheusRule carries the release label Prometheus selects on", () => {
            assert.equal(renderPrometheusRule(large()).metadata.labels.release, "prometheus");
        });

        describe("with promtool", function () {
            before(function () {
                if (!promtoolPath()) (console.warn("SKIPPED promtool tests: promtool is not installed (apt-get install prometheus; .ci/run does this)"), this.skip());
            });

            it("promtool check rules accepts every stack's rules", () => {
                for (const stack of STACK_NAMES) {
                    const r = promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups: renderAlertGroups(settings(stack)) } });
                    assert.equal(r.status, 0, `${stack}: ${r.output}`);
                }
            });

            it("promtool check rules rejects a broken expression (the check is real)", () => {
                const r = promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups: [{ name: "x", rules: [{ alert: "X", expr: "sum(felix_log_errors" }] }] } });
                assert.notEqual(r.status, 0);
            });

            /** A failing and a healthy input for each alert, with the labels the alert must carry. */
            interface Case {
                series: [string, string][];
                healthy: [string, string][];
                labels: Record<string, string>;
                at?: string;
            }
            const F = 'instance="n1", job="calico-felix-metrics"';
            const T = 'instance="t1", job="calico-typha-metrics"';
            const counterCase = (metric: string, labels = { instance: "n1", job: "calico-felix-metrics" }): Case => ({
                series: [[`${metric}{${F}}`, "0+1x60"]],
                healthy: [[`${metric}{${F}}`, "5x60"]],
                labels,
            });
            const CASES: Record<string, Case> = {
                CalicoFelixIptablesRestoreErrors: counterCase("felix_iptables_restore_errors"),
                CalicoFelixIptablesSaveErrors: counterCase("felix_iptables_save_errors"),
                CalicoFelixIpsetErrors: counterCase("felix_ipset_errors"),
                CalicoFelixNftErrors: counterCase("felix_nft_errors"),
                CalicoFelixNftSetErrors: counterCase("felix_nft_set_errors"),
                CalicoFelixBpfDirtyEndpoints: { series: [[`felix_bpf_dirty_dataplane_endpoints{${F}}`, "2x60"]], healthy: [[`felix_bpf_dirty_dataplane_endpoints{${F}}`, "0x60"]], labels: { instance: "n1", job: "calico-felix-metrics" } },
                CalicoFelixDataplaneFailures: counterCase("felix_int_dataplane_failures"),
                CalicoFelixLoggingFailing: { series: [[`felix_log_errors{${F}}`, "0+1x60"], [`felix_logs_dropped{${F}}`, "0x60"]], healthy: [[`felix_log_errors{${F}}`, "4x60"], [`felix_logs_dropped{${F}}`, "9x60"]], labels: { instance: "n1", job: "calico-felix-metrics" } },
                CalicoFelixNotInSync: { series: [[`felix_resync_state{${F}}`, "2x60"]], healthy: [[`felix_resync_state{${F}}`, "3x60"]], labels: { instance: "n1", job: "calico-felix-metrics" } },
                CalicoFelixHostCountLow: { series: [[`felix_cluster_num_hosts{${F}}`, "399x60"]], healthy: [[`felix_cluster_num_hosts{${F}}`, "400x60"]], labels: {}, at: "45m" },
                // Rebalancing drops are normal in bursts: 5 per 10 minutes stays quiet, 20 per 10 minutes for 30 fires.
                CalicoTyphaRebalancingChurn: { series: [[`typha_connections_dropped{${T}}`, "0+2x60"]], healthy: [[`typha_connections_dropped{${T}}`, "0+0.5x60"]], labels: { instance: "t1" }, at: "45m" },
                CalicoTyphaClientLatencyHigh: { series: [[`typha_client_latency_secs{quantile="0.99", ${T}}`, "2x60"]], healthy: [[`typha_client_latency_secs{quantile="0.99", ${T}}`, "0.1x60"]], labels: { instance: "t1" } },
                CalicoTyphaPingLatencyHigh: {
                    series: [[`typha_ping_latency_sum{${T}}`, "0+120x60"], [`typha_ping_latency_count{${T}}`, "0+60x60"]],
                    healthy: [[`typha_ping_latency_sum{${T}}`, "0+6x60"], [`typha_ping_latency_count{${T}}`, "0+60x60"]],
                    labels: { instance: "t1" },
                },
                CalicoTyphaReplicasLow: {
                    series: ["t1", "t2", "t3"].map((i) => [`up{instance="${i}", job="calico-typha-metrics"}`, "1x60"] as [string, string]),
                    healthy: ["t1", "t2", "t3", "t4"].map((i) => [`up{instance="${i}", job="calico-typha-metrics"}`, "1x60"] as [string, string]),
                    labels: {},
                },
                CalicoIPPoolUtilisationHigh: {
                    series: [['ipam_allocations_in_use{ippool="default-ipv4-ippool", node="a"}', "900x60"], ['ipam_ippool_size{ippool="default-ipv4-ippool"}', "1000x60"]],
                    healthy: [['ipam_allocations_in_use{ippool="default-ipv4-ippool", node="a"}', "500x60"], ['ipam_ippool_size{ippool="default-ipv4-ippool"}', "1000x60"]],
                    labels: { ippool: "default-ipv4-ippool" },
                },
                CalicoIPAMBlocksNearlyExhausted: {
                    // 16,384 addresses in /26 blocks of 64 = 256 blocks; 240 used is above 90%.
                    series: [['ipam_blocks{ippool="default-ipv4-ippool", node="a"}', "240x60"], ['ipam_ippool_size{ippool="default-ipv4-ippool"}', "16384x60"]],
                    healthy: [['ipam_blocks{ippool="default-ipv4-ippool", node="a"}', "100x60"], ['ipam_ippool_size{ippool="default-ipv4-ippool"}', "16384x60"]],
                    labels: { ippool: "default-ipv4-ippool" },
                },
                CalicoIPAMBorrowedAllocations: { series: [['ipam_allocations_borrowed{ippool="p", node="a"}', "3x60"]], healthy: [['ipam_allocations_borrowed{ippool="p", node="a"}', "0x60"]], labels: {}, at: "45m" },
                CalicoIPAMLeakedAllocations: { series: [['ipam_allocations_gc_candidates{ippool="p", node="a"}', "2x90"]], healthy: [['ipam_allocations_gc_candidates{ippool="p", node="a"}', "0x90"]], labels: {}, at: "75m" },
                CalicoMetricsTargetDown: { series: [[`up{${F}}`, "0x60"]], healthy: [[`up{${F}}`, "1x60"]], labels: { instance: "n1", job: "calico-felix-metrics" } },
                ...Object.fromEntries(
                    (["felix", "typha", "kubeControllers"] as const).map((id) => {
                        const job = { felix: "calico-felix-metrics", typha: "calico-typha-metrics", kubeControllers: "calico-kube-controllers-metrics" }[id];
                        return [`CalicoMetricsTargetMissing_${id}`, { series: [['up{job="something-else"}', "1x60"]], healthy: [[`up{job="${job}"}`, "1x60"]], labels: { job } } satisfies Case];
                    }),
                ),
            };

            it("every alert on a Felix or Typha metric quotes that metric's upstream help text", () => {
                for (const r of rules) {
                    for (const m of metricsIn(r.expr).filter((x) => /^(felix|typha)_/.test(x))) {
                        assert.ok(METRIC_HELP[m], `${r.alert}: no upstream help text recorded for ${m}`);
                        assert.ok(r.annotations.description.includes(`${m}: "${METRIC_HELP[m]}"`), `${r.alert} does not quote ${m}'s help`);
                    }
                }
                assert.ok(!rules.some((r) => /errors? (Felix )?logged|ERROR lines per/i.test(r.annotations.description.replace(/not ERROR lines/, ""))), "an alert reads felix_log_errors as logged errors");
            });

            it("has a unit test for every alert", () => {
                assert.deepEqual(Object.keys(CASES).sort(), rules.map((r) => r.alert).sort());
            });

            it("promtool test rules: each alert fires on its failing series and stays quiet on a healthy one, on every dataplane", () => {
                for (const { dataplane, groups: gs } of DATAPLANES) {
                    const mine = gs.flatMap((g) => g.rules);
                    const byName = new Map<string, AlertRule>(mine.map((r) => [r.alert, r]));
                    const tests = Object.entries(CASES)
                        .filter(([alert]) => byName.has(alert))
                        .flatMap(([alert, c]) => {
                            const r = byName.get(alert)!;
                            const labels = { ...c.labels, severity: r.labels.severity };
                            const at = c.at ?? "40m";
                            return [
                                {
                                    interval: "1m",
                                    input_series: c.series.map(([series, values]) => ({ series, values })),
                                    alert_rule_test: [{ eval_time: at, alertname: alert, exp_alerts: [{ exp_labels: labels, exp_annotations: { summary: expand(r.annotations.summary, labels), description: expand(r.annotations.description, labels) } }] }],
                                },
                                { interval: "1m", input_series: c.healthy.map(([series, values]) => ({ series, values })), alert_rule_test: [{ eval_time: at, alertname: alert, exp_alerts: [] }] },
                            ];
                        });
                    assert.equal(tests.length, 2 * mine.length, dataplane);
                    const result = promtool(["test", "rules", "tests.yaml"], {
                        "rules.yaml": { groups: gs },
                        "tests.yaml": { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests },
                    });
                    assert.equal(result.status, 0, `${dataplane}: ${result.output}`);
                }
            });

            it("every dashboard query parses as PromQL (as a recording rule)", () => {
                for (const version of ["v3.27.3", "v3.31.3"] as const) {
                    const s = settings("large", { "calico:version": version, "calico:kubernetesVersion": version === "v3.27.3" ? "1.28" : "1.34" });
                    const exprs = renderDashboards(s).flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => concrete(t.expr))));
                    const r = promtool(["check", "rules", "rules.yaml"], { "rules.yaml": { groups: [{ name: "dashboards", rules: exprs.map((expr, i) => ({ record: `calico:dashboard_query_${i}`, expr })) }] } });
                    assert.equal(r.status, 0, r.output);
                }
            });
        });
    });

    describe("dashboards", () => {
        const dashboards = renderDashboards(large());

        it("Felix, Typha and kube-controllers/IPAM, each with a datasource variable and no hard-coded UID", () => {
            assert.deepEqual(dashboards.map((d) => d.uid), ["calico-felix", "calico-typha", "calico-ipam"]);
            for (const d of dashboards) {
                assert.equal(d.templating.list[0].type, "datasource");
                for (const p of d.panels) assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, `${d.uid}/${p.title}`);
                const ids = d.panels.map((p) => p.id);
                assert.equal(new Set(ids).size, ids.length);
            }
        });
        it("panels use only metrics Calico exports in each supported version", () => {
            for (const version of ["v3.27.3", "v3.31.3"] as const) {
                const known = knownMetrics(version);
                for (const d of dashboards) for (const p of d.panels) for (const t of p.targets) for (const m of metricsIn(t.expr)) assert.ok(known.has(m), `${d.uid}/${p.title}: ${m}`);
            }
        });
        it("the metric catalogue agrees with the metrics upstream's own dashboards use", function () {
            const found = upstreamDir();
            if (!found.dir) return this.skip();
            for (const version of ["v3.27.3", "v3.31.3"] as const) {
                const known = knownMetrics(version);
                for (const f of ["felix-dashboard.json", "typha-dashboard.json"]) {
                    const text = readFileSync(join(found.dir, "calico", version, "dashboards", f), "utf8");
                    const used = new Set([...text.matchAll(/\b((?:felix|typha)_[a-z_]+)/g)].map((m) => m[1].replace(/_(sum|count|bucket)$/, "")));
                    // Upstream also charts enterprise-only flow-log and BPF metrics and a mistyped "typha_client_write_latency"; the rest must be in our list.
                    const ignored = /^(felix_(bpf|nflog|collector|cluster_num_tiers)|typha_(metrics|client_write_latency)$)/;
                    for (const m of used) if (!ignored.test(m)) assert.ok(known.has(m), `${version} ${f}: ${m} missing from the catalogue`);
                }
            }
        });
        it("ship as sidecar ConfigMaps holding valid JSON", () => {
            const cms = objects(large()).filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1");
            assert.equal(cms.length, 3);
            for (const cm of cms) for (const v of Object.values(cm.data as Record<string, string>)) assert.equal(typeof JSON.parse(v).uid, "string");
        });
    });

    describe("optional Prometheus and Grafana", () => {
        const plan = planResources(large());
        it("pins chart versions and wires ServiceMonitors after the chart's CRDs", () => {
            const prom = plan.find((p) => p.name === "calico-prometheus")!;
            assert.equal(prom.type, "kubernetes:helm.sh/v4:Chart");
            assert.match((prom.spec as { version: string }).version, /^\d+\.\d+\.\d+$/);
            for (const sm of plan.filter((p) => p.type.endsWith(":ServiceMonitor"))) assert.ok(sm.dependsOn.includes("calico-prometheus"), sm.name);
        });
        it("Grafana gets the admin password from a Secret, a Prometheus datasource and the sidecar; ClusterIP unless NodePort is asked for", () => {
            const g = plan.find((p) => p.name === "calico-grafana")!.spec as { values: any };
            assert.equal(g.values.admin.existingSecret, "grafana-admin");
            assert.equal(g.values.datasources["datasources.yaml"].datasources[0].url, "http://prometheus-prometheus.monitoring.svc:9090");
            assert.equal(g.values.sidecar.dashboards.label, "grafana_dashboard");
            assert.deepEqual(g.values.service, { type: "ClusterIP" });
            const np = planResources(settings("large", { "calico:monitoring": { ...(stackConfigWithSecrets("large")["calico:monitoring"] as object), install: { ...(stackConfigWithSecrets("large")["calico:monitoring"] as any).install, serviceType: "NodePort" } } }));
            assert.deepEqual((np.find((p) => p.name === "calico-grafana")!.spec as { values: any }).values.service, { type: "NodePort", nodePort: 30010 });
            const secret = plan.find((p) => p.name === "calico-grafana-admin")!.spec as { object: any };
            assert.equal(secret.object.stringData["admin-password"].configKey, "calico:monitoring.install.grafanaAdminPassword");
        });
    });
});
