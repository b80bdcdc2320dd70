/**
 * The Calico metrics this project's alerts and dashboards may use, per release, from Calico's metric
 * references (Felix "Prometheus statistics", Typha "Prometheus statistics", kube-controllers
 * "Prometheus metrics") for v3.27 and v3.31. Tests hold every query to this list, so a misspelt or
 * version-specific metric fails in CI rather than drawing an empty panel in production.
 */
import type { CalicoVersion } from "./versions";

const FELIX = [
    "felix_active_local_endpoints",
    "felix_active_local_policies",
    "felix_active_local_selectors",
    "felix_calc_graph_update_time_seconds",
    "felix_calc_graph_updates_processed",
    "felix_cluster_num_host_endpoints",
    "felix_cluster_num_hosts",
    "felix_cluster_num_policies",
    "felix_cluster_num_profiles",
    "felix_cluster_num_workload_endpoints",
    "felix_int_dataplane_apply_time_seconds",
    "felix_int_dataplane_failures",
    "felix_int_dataplane_messages",
    "felix_ipset_calls",
    "felix_ipset_errors",
    "felix_ipsets_calico",
    "felix_ipsets_total",
    "felix_iptables_chains",
    "felix_iptables_restore_calls",
    "felix_iptables_restore_errors",
    "felix_iptables_rules",
    "felix_iptables_save_calls",
    "felix_iptables_save_errors",
    "felix_log_errors",
    "felix_logs_dropped",
    "felix_resync_state",
    "felix_resyncs_started",
    "felix_route_table_list_seconds",
];

const TYPHA = [
    "typha_breadcrumb_block",
    "typha_breadcrumb_non_block",
    "typha_breadcrumb_seq_number",
    "typha_breadcrumb_size",
    "typha_client_latency_secs",
    "typha_client_snapshot_send_secs",
    "typha_client_write_latency_secs",
    "typha_connections_accepted",
    "typha_connections_active",
    "typha_connections_dropped",
    "typha_kvs_per_msg",
    "typha_log_errors",
    "typha_logs_dropped",
    "typha_next_breadcrumb_latency_secs",
    "typha_ping_latency",
    "typha_updates_skipped",
    "typha_updates_total",
];

/** kube-controllers IPAM metrics (per-pool set present since v3.24, legacy per-node set kept). */
const KUBE_CONTROLLERS = [
    "ipam_allocations_in_use",
    "ipam_allocations_borrowed",
    "ipam_allocations_gc_candidates",
    "ipam_allocations_gc_reclamations",
    "ipam_blocks",
    "ipam_ippool_size",
    "ipam_blocks_per_node",
    "ipam_allocations_per_node",
    "ipam_allocations_borrowed_per_node",
];

/**
 * Felix's eBPF dataplane metrics, registered at both tags (felix/dataplane/linux/bpf_ep_mgr.go,
 * felix/bpf/ipsets/ipsets.go, v3.27.3 and v3.31.3).
 */
const FELIX_BPF = ["felix_bpf_dataplane_endpoints", "felix_bpf_dirty_dataplane_endpoints", "felix_bpf_happy_dataplane_endpoints", "felix_bpf_num_ip_sets"];

/**
 * Felix's nftables dataplane metrics, v3.31.3 only (felix/nftables/table.go and ipsets.go; v3.27.3
 * has no nftables dataplane).
 */
const FELIX_NFT = ["felix_nft_calls", "felix_nft_errors", "felix_nft_list_calls", "felix_nft_list_errors", "felix_nft_rules", "felix_nft_chains", "felix_nft_set_calls", "felix_nft_set_errors", "felix_nft_sets"];

/** Metrics added after v3.27 (Typha snapshot cache, streaming and grace counters; the nftables dataplane). */
const V3_31_ONLY = ["typha_cache_size", "typha_connections_streaming", "typha_connections_grace_used", "typha_snapshot_raw_bytes", "typha_snapshot_compressed_bytes", ...FELIX_NFT];

/** Prometheus's own series every scrape produces. */
const SCRAPE = ["up"];

/** Metric names available for a Calico version (histogram/summary base names, without _sum/_count/_bucket). */
export function knownMetrics(version: CalicoVersion): ReadonlySet<string> {
    return new Set([...FELIX, ...FELIX_BPF, ...TYPHA, ...KUBE_CONTROLLERS, ...SCRAPE, ...(version === "v3.31.3" ? V3_31_ONLY : [])]);
}

/**
 * Which dataplanes (calico:network.dataplane) program each dataplane-specific Felix metric, read in
 * felix/dataplane/linux/int_dataplane.go at v3.31.3: with nftables the iptables tables and ipsets
 * are only cleaned up (NFTables: cleanupTables), so their counters stay flat; iptables tables stay
 * active in eBPF mode (Felix keeps a small rule set there), and the nft and bpf collectors only run
 * in their own modes. A metric not listed here is exported on every dataplane.
 */
export const DATAPLANE_METRICS: Readonly<Record<string, readonly ("iptables" | "nftables" | "bpf")[]>> = Object.fromEntries([
    ...FELIX.filter((m) => /^felix_ip(tables|set)/.test(m)).map((m) => [m, ["iptables", "bpf"]] as const),
    ...FELIX_NFT.map((m) => [m, ["nftables"]] as const),
    ...FELIX_BPF.map((m) => [m, ["bpf"]] as const),
]);

/** Metric names referenced by a PromQL expression (identifiers followed by a selector, range or operator). */
export function metricsIn(expr: string): string[] {
    const names = new Set<string>();
    // Strip label matchers and strings so that label values are not mistaken for metrics.
    const stripped = expr.replace(/\{[^}]*\}/g, "{}").replace(/"[^"]*"|'[^']*'/g, '""');
    for (const m of stripped.matchAll(/\b((?:felix|typha|ipam)_[a-z0-9_]+|up)\b/g)) {
        names.add(m[1].replace(/_(sum|count|bucket)$/, ""));
    }
    return [...names].sort();
}

/**
 * Upstream help text of the Felix and Typha metrics the alerts use, as Calico's metric references
 * print it (calico docs reference/felix/prometheus and reference/typha/prometheus, which list the
 * `Help:` strings of felix and typha's Prometheus collectors, e.g. typha/pkg/syncserver
 * `typha_connections_dropped`). An alert on one of these metrics quotes its help text, so what the
 * alert says and what the metric counts cannot drift apart (tests hold every alert to this).
 */
export const METRIC_HELP: Readonly<Record<string, string>> = {
    felix_iptables_restore_errors: "Number of iptables-restore errors.",
    felix_iptables_save_errors: "Number of iptables-save errors.",
    felix_ipset_errors: "Number of ipset command failures.",
    felix_nft_errors: "Number of nft errors when writing rules.",
    felix_nft_set_errors: "Number of nftables set transaction failures.",
    felix_nft_list_errors: "Number of nft list errors.",
    felix_bpf_dirty_dataplane_endpoints: "Number of BPF endpoints managed in the dataplane that are left dirty after a failure.",
    felix_int_dataplane_failures: "Number of times dataplane updates failed and will be retried.",
    felix_log_errors: "Number of errors encountered while logging.",
    felix_logs_dropped: "Number of logs dropped because the output stream was blocked.",
    felix_resync_state: "Current datastore state.",
    felix_cluster_num_hosts: "Total number of Calico hosts in the cluster.",
    typha_connections_dropped: "Total number of connections dropped due to rebalancing.",
    typha_client_latency_secs: "Per-client latency. I.e. how far behind the current state each client is.",
    typha_ping_latency: "Round-trip ping latency to client.",
};
