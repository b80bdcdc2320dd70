/**
 * Alert rules for operating Calico at scale, as a PrometheusRule. Every rule has a severity, a
 * summary and a description ending in a runbook hint. Thresholds that depend on the cluster (node
 * count, Typha replicas, block sizes) are computed from settings, so the alerts know what "healthy"
 * means for this cluster.
 */
import type { ClusterSettings } from "../../config/settings";
import { METRIC_HELP, metricsIn } from "../../model/metrics";
import { METRICS_JOBS } from "./targets";

/** One Prometheus alerting rule. */
export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: { readonly severity: "warning" | "critical" };
    readonly annotations: { readonly summary: string; readonly description: string };
}

/** A rule group. */
export interface RuleGroup {
    readonly name: string;
    readonly rules: readonly AlertRule[];
}

const JOBS = METRICS_JOBS;

/**
 * One rule. Its description starts with the upstream help text of each Felix/Typha metric the
 * expression reads (METRIC_HELP), then says what the alert means and what to do.
 */
const rule = (alert: string, expr: string, forDuration: string, severity: "warning" | "critical", summary: string, description: string): AlertRule => {
    const quoted = metricsIn(expr).filter((m) => METRIC_HELP[m]).map((m) => `${m}: "${METRIC_HELP[m]}"`);
    return {
        alert,
        expr,
        for: forDuration,
        labels: { severity },
        annotations: { summary, description: quoted.length ? `${quoted.join(" ")} ${description}` : description },
    };
};

/**
 * Block exhaustion per pool: blocks in use against the blocks the pool holds. kube-controllers
 * reports pool size in addresses, so capacity in blocks is size / addresses-per-block; that needs
 * one block size, so the rule uses the IPv4 pools' block size (IPv6 pools hold so many blocks that
 * the ratio never approaches the threshold). Mixed IPv4 block sizes get the largest block, which
 * warns earliest.
 */
function blockExhaustion(s: ClusterSettings): AlertRule[] {
    const v4 = s.network.ipPools.filter((p) => p.family === 4);
    if (!v4.length) return [];
    const block = Math.min(...v4.map((p) => p.blockSize));
    const perBlock = 2 ** (32 - block);
    return [
        rule("CalicoIPAMBlocksNearlyExhausted", `sum by (ippool) (ipam_blocks) / (max by (ippool) (ipam_ippool_size) / ${perBlock}) >= 0.9`, "15m", "warning",
            `IP pool {{ $labels.ippool }} has used 90% of its /${block} blocks`,
            "When no block is left, nodes borrow addresses from other nodes' blocks; with BGP that advertises /32 routes that can black-hole traffic. Runbook: add a pool inside calico:cluster.podCidr, or release blocks held by nodes that no longer need them."),
    ];
}

/**
 * The alerts on Felix's dataplane programming, by calico:network.dataplane (lib/model/metrics.ts
 * DATAPLANE_METRICS): iptables and ipset failures where Felix programs them (iptables, and eBPF,
 * which keeps some iptables rules), nft failures on nftables, and dirty BPF endpoints on eBPF.
 */
function dataplaneAlerts(s: ClusterSettings): AlertRule[] {
    if (s.network.dataplane === "nftables") {
        return [
            rule("CalicoFelixNftErrors", "increase(felix_nft_errors[5m]) > 0", "10m", "warning",
                "nftables rule writes keep failing on {{ $labels.instance }}",
                "Felix could not write its nftables rules for 10 minutes, so policy on this node may be stale. Runbook: read calico-node logs on the node for 'nft', check the kernel's nf_tables support and for another tool flushing the calico table."),
            rule("CalicoFelixNftSetErrors", "increase(felix_nft_set_errors[5m]) > 0", "10m", "warning",
                "nftables set updates keep failing on {{ $labels.instance }}",
                "Felix could not update its nftables sets, so selectors in policy may match stale members. Runbook: calico-node logs on the node for 'nft' and the set named in them."),
        ];
    }
    return [
        rule("CalicoFelixIptablesRestoreErrors", "increase(felix_iptables_restore_errors[5m]) > 0", "10m", "warning",
            "iptables-restore keeps failing on {{ $labels.instance }}",
            "Felix could not apply iptables rules for 10 minutes, so policy on this node may be stale. Runbook: read calico-node logs on the node for 'iptables-restore', check for another iptables manager (firewalld) and for the iptables backend (legacy vs nft) mismatch."),
        rule("CalicoFelixIptablesSaveErrors", "increase(felix_iptables_save_errors[5m]) > 0", "10m", "warning",
            "iptables-save keeps failing on {{ $labels.instance }}",
            "Felix cannot read the current iptables state. Runbook: check the node's iptables binaries and kernel modules, and calico-node logs for 'iptables-save'."),
        rule("CalicoFelixIpsetErrors", "increase(felix_ipset_errors[5m]) > 0", "10m", "warning",
            "ipset updates keep failing on {{ $labels.instance }}",
            "Felix could not program ipsets, so selectors in policy may match stale members. Runbook: check the ip_set kernel module and calico-node logs for 'ipset'."),
        ...(s.network.dataplane === "bpf"
            ? [
                  rule("CalicoFelixBpfDirtyEndpoints", "max_over_time(felix_bpf_dirty_dataplane_endpoints[5m]) > 0", "10m", "warning",
                      "eBPF programs are not attached on {{ $labels.instance }}",
                      "Felix left interfaces without their BPF programs after a failure for 10 minutes, so their traffic is not policed or load-balanced by Calico. Runbook: calico-node logs on the node for 'bpf', the kernel version and BTF support, then restart calico-node on the node."),
              ]
            : []),
    ];
}

/** The alert groups for these settings. */
export function renderAlertGroups(s: ClusterSettings): RuleGroup[] {
    const n = s.cluster.nodeCount;
    const typha = s.typha.expectedReplicas;
    const util = s.monitoring.alerts.ipPoolUtilisationWarning;
    const felix: AlertRule[] = [
        ...dataplaneAlerts(s),
        rule("CalicoFelixDataplaneFailures", "increase(felix_int_dataplane_failures[5m]) > 0", "10m", "critical",
            "Felix dataplane updates fail on {{ $labels.instance }}",
            "Felix retries dataplane updates that fail; sustained failures mean routes or policy on this node are wrong. Runbook: calico-node logs on the node, then 'calicoctl node status'."),
        // felix_log_errors counts failed log writes, not ERROR lines: nothing in Felix's metrics counts
        // logged errors, so this alert is about Felix losing its own logs.
        rule("CalicoFelixLoggingFailing", "increase(felix_log_errors[10m]) > 0 or increase(felix_logs_dropped[10m]) > 0", "15m", "warning",
            "Felix cannot write all of its logs on {{ $labels.instance }}",
            "For 15 minutes Felix failed to write log entries or dropped them because its output was blocked, so its logs are incomplete when you need them. Runbook: check the node's disk space and the container runtime's log pipeline for calico-node on that node."),
        rule("CalicoFelixNotInSync", "felix_resync_state != 3", "10m", "critical",
            "Felix is not in sync with the datastore on {{ $labels.instance }}",
            "felix_resync_state is 3 when in sync; anything else for 10 minutes means the node runs on an old view of policy and endpoints. Runbook: check Typha (connections, logs) and the API server from that node."),
        rule("CalicoFelixHostCountLow", `max(felix_cluster_num_hosts) < ${n}`, "30m", "warning",
            `Felix sees fewer hosts than the ${n} nodes this cluster should have`,
            `calico:cluster.nodeCount is ${n}. Runbook: kubectl get nodes, then check calico-node pods on missing nodes; update calico:cluster.nodeCount if the cluster really shrank.`),
    ];
    const typhaRules: AlertRule[] = [
        // typha_connections_dropped counts connections Typha closes to rebalance Felix clients across
        // replicas (normal for a while after a Typha starts); only constant rebalancing is a problem.
        rule("CalicoTyphaRebalancingChurn", "sum by (instance) (increase(typha_connections_dropped[10m])) > 10", "30m", "warning",
            "Typha {{ $labels.instance }} keeps shedding connections to rebalance",
            "Typha closes connections when it holds more than its share of Felix clients; each closed client reconnects and resyncs. More than 10 per 10 minutes for 30 minutes means Typha replicas keep restarting or flapping, so the load never settles. Runbook: kubectl get pods -n calico-system -l k8s-app=calico-typha (restarts, readiness), and Typha logs for 'rebalanc'."),
        rule("CalicoTyphaClientLatencyHigh", `max by (instance) (typha_client_latency_secs{quantile="0.99"}) > 1`, "10m", "warning",
            "Typha {{ $labels.instance }} is slow to send updates",
            "99th percentile client latency above 1 s: Felix applies policy late. Runbook: compare with typha_connections_active; scale Typha (Installation typhaDeployment) if connections per Typha are high."),
        rule("CalicoTyphaPingLatencyHigh", "sum by (instance) (rate(typha_ping_latency_sum[5m])) / sum by (instance) (rate(typha_ping_latency_count[5m])) > 1", "10m", "warning",
            "Typha {{ $labels.instance }} pings take over a second",
            "Round trips between Typha and its clients are slow. Runbook: check node network and Typha CPU throttling."),
        rule("CalicoTyphaReplicasLow", `count(up{job="${JOBS.typha}"} == 1) < ${typha}`, "15m", "warning",
            `Fewer than ${typha} Typha replicas are up`,
            `The operator runs ${typha} Typha replicas for ${n} nodes. Runbook: kubectl get deploy -n calico-system calico-typha, and tigerastatus for Degraded.`),
    ];
    const ipam: AlertRule[] = [
        rule("CalicoIPPoolUtilisationHigh", `sum by (ippool) (ipam_allocations_in_use) / max by (ippool) (ipam_ippool_size) > ${util}`, "15m", "warning",
            `IP pool {{ $labels.ippool }} is more than ${Math.round(util * 100)}% used`,
            "New pods will fail to get an address once the pool is full. Runbook: add a pool (calico:network.ipPools) inside calico:cluster.podCidr, or reclaim leaked addresses (see CalicoIPAMLeakedAllocations)."),
        ...blockExhaustion(s),
        rule("CalicoIPAMBorrowedAllocations", "sum(ipam_allocations_borrowed) > 0", "30m", "warning",
            "Pods use addresses borrowed from other nodes' blocks",
            "Borrowing happens when a node cannot get a block of its own: the pool is out of blocks. Routes for borrowed addresses are /32s and can black-hole traffic if the owning node's route wins. Runbook: see CalicoIPAMBlocksNearlyExhausted."),
        rule("CalicoIPAMLeakedAllocations", "sum(ipam_allocations_gc_candidates) > 0", "1h", "warning",
            "IPAM has addresses that look leaked",
            "kube-controllers found allocations with no pod; they should be reclaimed within the GC grace period. Runbook: calicoctl ipam check, then calicoctl ipam release for confirmed leaks."),
    ];
    const targets: AlertRule[] = [
        rule("CalicoMetricsTargetDown", `up{job=~"${Object.values(JOBS).join("|")}"} == 0`, "5m", "critical",
            "Prometheus cannot scrape {{ $labels.job }} on {{ $labels.instance }}",
            "A Calico metrics endpoint is down, so its alerts cannot fire. Runbook: check the pod on that node, the metrics port (calico:monitoring.*MetricsPort) and host firewalls."),
        ...Object.entries(JOBS).map(([id, job]) =>
            rule(`CalicoMetricsTargetMissing_${id}`, `absent(up{job="${job}"})`, "15m", "warning",
                `No ${job} target is scraped at all`,
                `Prometheus has no target for ${job}. Runbook: check that the Service exists in calico-system, the ServiceMonitor's release label matches Prometheus's serviceMonitorSelector, and that metrics are enabled in the Installation.`),
        ),
    ];
    return [
        { name: "calico-felix", rules: felix },
        { name: "calico-typha", rules: typhaRules },
        { name: "calico-ipam", rules: ipam },
        { name: "calico-targets", rules: targets },
    ];
}

/** The PrometheusRule carrying the groups. */
export function renderPrometheusRule(s: ClusterSettings) {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "calico-alerts", namespace: s.monitoring.namespace, labels: { release: s.monitoring.serviceMonitors.releaseLabel } },
        spec: { groups: renderAlertGroups(s) },
    };
}
