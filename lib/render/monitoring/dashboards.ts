/**
 * Grafana dashboards as typed JSON: Felix, Typha, and kube-controllers / IPAM (upstream ships
 * none for kube-controllers). Every panel reads from the `datasource` template variable instead of
 * a hard-coded UID, so the dashboards work in any Grafana. Shipped as ConfigMaps labelled for the
 * Grafana dashboard sidecar.
 */
import type { ClusterSettings } from "../../config/settings";
import { METRICS_JOBS } from "./targets";

/** A query of one panel. */
export interface PanelTarget {
    readonly refId: string;
    readonly expr: string;
    readonly legendFormat: string;
}

/** A Grafana panel (the subset we use). */
export interface Panel {
    readonly id: number;
    readonly type: "timeseries" | "stat";
    readonly title: string;
    readonly description: string;
    readonly datasource: { readonly type: "prometheus"; readonly uid: "${datasource}" };
    readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
    readonly targets: readonly PanelTarget[];
    readonly fieldConfig: { readonly defaults: { readonly unit: string }; readonly overrides: readonly never[] };
    readonly options: Record<string, unknown>;
}

/** A Grafana dashboard. */
export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly schemaVersion: number;
    readonly editable: boolean;
    readonly time: { readonly from: string; readonly to: string };
    readonly refresh: string;
    readonly templating: { readonly list: readonly Record<string, unknown>[] };
    readonly panels: readonly Panel[];
}

type PanelSpec = [title: string, description: string, unit: string, exprs: [expr: string, legend: string][], type?: "timeseries" | "stat"];

const DS = { type: "prometheus", uid: "${datasource}" } as const;

function dashboard(uid: string, title: string, instanceQuery: string, specs: PanelSpec[]): Dashboard {
    const panels = specs.map(([t, description, unit, exprs, type = "timeseries"], i): Panel => {
        const stat = type === "stat";
        return {
            id: i + 1,
            type,
            title: t,
            description,
            datasource: DS,
            // Stats sit four to a row at the top; graphs two to a row below them.
            gridPos: stat ? { x: (i % 4) * 6, y: 0, w: 6, h: 4 } : { x: (i % 2) * 12, y: 4 + Math.floor(i / 2) * 8, w: 12, h: 8 },
            targets: exprs.map(([expr, legendFormat], j) => ({ refId: String.fromCharCode(65 + j), expr, legendFormat })),
            fieldConfig: { defaults: { unit }, overrides: [] },
            options: stat ? { reduceOptions: { calcs: ["lastNotNull"] } } : { legend: { displayMode: "list", placement: "bottom" } },
        };
    });
    return {
        uid,
        title,
        tags: ["calico"],
        schemaVersion: 39,
        editable: true,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        templating: {
            list: [
                { name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 },
                { name: "instance", label: "Instance", type: "query", datasource: DS, query: `label_values(${instanceQuery}, instance)`, includeAll: true, multi: true, allValue: ".+", refresh: 2, current: {}, hide: 0 },
            ],
        },
        panels,
    };
}

const I = `instance=~"$instance"`;

/**
 * Panels follow calico:network.dataplane, so that none is drawn from counters that dataplane leaves
 * flat (lib/model/metrics.ts DATAPLANE_METRICS): nftables has its own, eBPF adds its endpoints and
 * BPF IP sets to the iptables rules it keeps.
 */
function dataplaneErrorPanels(s: ClusterSettings): PanelSpec[] {
    if (s.network.dataplane === "nftables") {
        return [["Dataplane errors", "nft rule writes, nft set transactions and nft list calls that failed, per second.", "ops", [
            [`sum by (instance) (rate(felix_nft_errors{${I}}[$__rate_interval]))`, "{{instance}} rules"],
            [`sum by (instance) (rate(felix_nft_set_errors{${I}}[$__rate_interval]))`, "{{instance}} sets"],
            [`sum by (instance) (rate(felix_nft_list_errors{${I}}[$__rate_interval]))`, "{{instance}} list"],
        ]]];
    }
    return [
        ["Dataplane errors", "iptables-restore, iptables-save and ipset failures per second (the guide's key metrics).", "ops", [
            [`sum by (instance) (rate(felix_iptables_restore_errors{${I}}[$__rate_interval]))`, "{{instance}} restore"],
            [`sum by (instance) (rate(felix_iptables_save_errors{${I}}[$__rate_interval]))`, "{{instance}} save"],
            [`sum by (instance) (rate(felix_ipset_errors{${I}}[$__rate_interval]))`, "{{instance}} ipset"],
        ]],
        ...(s.network.dataplane === "bpf"
            ? ([["eBPF endpoints", "Interfaces with Calico's BPF programs attached: programmed, and left dirty after a failure (should be 0).", "none", [
                  [`max by (instance) (felix_bpf_happy_dataplane_endpoints{${I}})`, "{{instance}} programmed"],
                  [`max by (instance) (felix_bpf_dirty_dataplane_endpoints{${I}})`, "{{instance}} dirty"],
              ]]] as PanelSpec[])
            : []),
    ];
}

function dataplaneActivityPanels(s: ClusterSettings): PanelSpec[] {
    if (s.network.dataplane === "nftables") return [["nft transactions", "Programming activity; compare with errors.", "ops", [[`sum by (instance) (rate(felix_nft_calls{${I}}[$__rate_interval]))`, "{{instance}}"]]]];
    return [["iptables-restore calls", "Programming activity; compare with errors.", "ops", [[`sum by (instance) (rate(felix_iptables_restore_calls{${I}}[$__rate_interval]))`, "{{instance}}"]]]];
}

function dataplaneSizePanels(s: ClusterSettings): PanelSpec[] {
    if (s.network.dataplane === "nftables") {
        return [["nftables rules and sets", "Size of the programmed dataplane.", "none", [
            [`sum by (instance) (felix_nft_rules{${I}})`, "{{instance}} rules"],
            [`max by (instance) (felix_nft_sets{${I}})`, "{{instance}} sets"],
        ]]];
    }
    if (s.network.dataplane === "bpf") {
        return [["iptables rules and BPF IP sets", "Size of the programmed dataplane: the rules Felix keeps in iptables in eBPF mode, and the IP sets in BPF maps.", "none", [
            [`sum by (instance) (felix_iptables_rules{${I}})`, "{{instance}} rules"],
            [`max by (instance) (felix_bpf_num_ip_sets{${I}})`, "{{instance}} BPF IP sets"],
        ]]];
    }
    return [["iptables rules and ipsets", "Size of the programmed dataplane.", "none", [
        [`sum by (instance) (felix_iptables_rules{${I}})`, "{{instance}} rules"],
        [`max by (instance) (felix_ipsets_calico{${I}})`, "{{instance}} ipsets"],
    ]]];
}

/** The three dashboards for these settings. */
export function renderDashboards(s: ClusterSettings): Dashboard[] {
    const felix = dashboard("calico-felix", "Calico / Felix", "felix_cluster_num_hosts", [
        ["Hosts", `Nodes Felix knows about; the cluster should have ${s.cluster.nodeCount}.`, "none", [["max(felix_cluster_num_hosts)", "hosts"]], "stat"],
        ["Workload endpoints", "Pods Calico networks.", "none", [["max(felix_cluster_num_workload_endpoints)", "endpoints"]], "stat"],
        ["Policies", "Calico policies in the datastore.", "none", [["max(felix_cluster_num_policies)", "policies"]], "stat"],
        ["Nodes out of sync", "Felix instances whose datastore view is not in sync (felix_resync_state != 3).", "none", [["count(felix_resync_state != 3) or vector(0)", "out of sync"]], "stat"],
        ...dataplaneErrorPanels(s),
        ["Dataplane failures", "Dataplane updates that failed and will be retried.", "ops", [[`sum by (instance) (rate(felix_int_dataplane_failures{${I}}[$__rate_interval]))`, "{{instance}}"]]],
        ["99th percentile dataplane apply time", "How long Felix takes to apply a batch of changes.", "s", [[`max by (instance) (felix_int_dataplane_apply_time_seconds{quantile="0.99", ${I}})`, "{{instance}}"]]],
        ...dataplaneActivityPanels(s),
        ["Logging failures", "Log writes that failed (felix_log_errors) or were dropped because output was blocked (felix_logs_dropped); not ERROR log lines.", "ops", [
            [`sum by (instance) (rate(felix_log_errors{${I}}[$__rate_interval]))`, "{{instance}} write errors"],
            [`sum by (instance) (rate(felix_logs_dropped{${I}}[$__rate_interval]))`, "{{instance}} dropped"],
        ]],
        ["Datastore resyncs", "Resyncs started per hour; steady resyncs point at Typha or API server trouble.", "none", [[`sum by (instance) (increase(felix_resyncs_started{${I}}[1h]))`, "{{instance}}"]]],
        ["Active local endpoints and policies", "Per node load.", "none", [
            [`max by (instance) (felix_active_local_endpoints{${I}})`, "{{instance}} endpoints"],
            [`max by (instance) (felix_active_local_policies{${I}})`, "{{instance}} policies"],
        ]],
        ...dataplaneSizePanels(s),
    ]);
    const typha = dashboard("calico-typha", "Calico / Typha", "typha_connections_active", [
        ["Typha replicas up", `The operator runs ${s.typha.expectedReplicas} for ${s.cluster.nodeCount} nodes.`, "none", [[`count(up{job="${METRICS_JOBS.typha}"} == 1) or vector(0)`, "up"]], "stat"],
        ["Active connections", "Felix clients connected across all Typhas.", "none", [["sum(typha_connections_active)", "connections"]], "stat"],
        ["Connections per Typha", "Each Typha should carry a similar share.", "none", [[`sum by (instance) (typha_connections_active{${I}})`, "{{instance}}"]]],
        ["Connections accepted and dropped", "Dropped: connections Typha closed to rebalance clients across replicas (typha_connections_dropped).", "ops", [
            [`sum by (instance) (rate(typha_connections_accepted{${I}}[$__rate_interval]))`, "{{instance}} accepted"],
            [`sum by (instance) (rate(typha_connections_dropped{${I}}[$__rate_interval]))`, "{{instance}} dropped"],
        ]],
        ["99th percentile client latency", "How far behind the datastore clients are.", "s", [[`max by (instance) (typha_client_latency_secs{quantile="0.99", ${I}})`, "{{instance}}"]]],
        ["99th percentile ping latency", "Round trip to clients.", "s", [[`max by (instance) (typha_ping_latency{quantile="0.99", ${I}})`, "{{instance}}"]]],
        ["Datastore updates", "Updates received and skipped as no-ops.", "ops", [
            [`sum by (instance) (rate(typha_updates_total{${I}}[$__rate_interval]))`, "{{instance}} total"],
            [`sum by (instance) (rate(typha_updates_skipped{${I}}[$__rate_interval]))`, "{{instance}} skipped"],
        ]],
        ["Median snapshot send time", "Time to send a full snapshot to a new client.", "s", [[`max by (instance) (typha_client_snapshot_send_secs{quantile="0.5", ${I}})`, "{{instance}}"]]],
    ]);
    const ipam = dashboard("calico-ipam", "Calico / kube-controllers and IPAM", "ipam_ippool_size", [
        ["Pool utilisation", "Addresses in use against pool size; pods cannot start once a pool is full.", "percentunit", [["sum by (ippool) (ipam_allocations_in_use) / max by (ippool) (ipam_ippool_size)", "{{ippool}}"]], "stat"],
        ["Borrowed addresses", "Addresses taken from another node's block: a sign that blocks ran out.", "none", [["sum(ipam_allocations_borrowed) or vector(0)", "borrowed"]], "stat"],
        ["Leak candidates", "Allocations the garbage collector suspects are leaked.", "none", [["sum(ipam_allocations_gc_candidates) or vector(0)", "candidates"]], "stat"],
        ["kube-controllers up", "The metrics endpoint of calico-kube-controllers.", "none", [[`max(up{job="${METRICS_JOBS.kubeControllers}"}) or vector(0)`, "up"]], "stat"],
        ["Addresses in use per pool", "Allocations over time.", "none", [["sum by (ippool) (ipam_allocations_in_use)", "{{ippool}}"]]],
        ["Blocks per pool", "Affine blocks allocated to nodes.", "none", [["sum by (ippool) (ipam_blocks)", "{{ippool}}"]]],
        ["Blocks per node (top 20)", "Nodes holding the most blocks.", "none", [["topk(20, sum by (node) (ipam_blocks))", "{{node}}"]]],
        ["Borrowed addresses per node", "Where borrowing happens.", "none", [["sum by (node) (ipam_allocations_borrowed) > 0", "{{node}}"]]],
        ["Garbage collection", "Leak candidates and reclamations.", "none", [
            ["sum(ipam_allocations_gc_candidates)", "candidates"],
            ["sum(increase(ipam_allocations_gc_reclamations[1h]))", "reclaimed per hour"],
        ]],
    ]);
    return [felix, typha, ipam];
}

/** ConfigMap for the Grafana sidecar (label `grafana_dashboard: "1"`). */
export function renderDashboardConfigMap(s: ClusterSettings, d: Dashboard) {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `grafana-dashboard-${d.uid}`, namespace: s.monitoring.namespace, labels: { grafana_dashboard: "1" } },
        data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
    };
}
