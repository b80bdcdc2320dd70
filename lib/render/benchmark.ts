/**
 * The network benchmark (calico:benchmark): the guide's latency and bandwidth tables measured on the
 * user's own cluster. Two iperf3 servers on the server node (one on the host network, one a pod) and
 * three client Jobs pinned to the client node, one per path of the guide's tables:
 *
 * | Job | client network | target |
 * |---|---|---|
 * | node-node | host | the server node's address (the host-network server) |
 * | node-pod | host | the server pod's address |
 * | pod-pod | pod | the server pod's address |
 *
 * Each Job prints `ping -c N` then `iperf3 -c … -J`. One local Command runs them (kubectl through the
 * provider's kubeconfig and context): it applies the servers, waits until they are Ready, puts their
 * addresses into the Jobs, runs the Jobs one after another (an iperf3 server takes one client at a
 * time), keeps every raw output in the ConfigMap `calico-benchmark-results`, prints them for the
 * stack output (lib/model/netbench.ts parses them), and removes the pods and Jobs (finished Jobs also
 * expire by ttlSecondsAfterFinished). Its environment carries a key of everything that changes the
 * measured dataplane, so a change of any of it runs the benchmark again.
 */
import { createHash } from "node:crypto";
import type { ClusterSettings } from "../config/settings";
import { BENCH_PATHS, NODES_MARK, SECTION_MARK, type BenchPath } from "../model/netbench";
import { clusterAccessPrelude, KUBECTL_WITH_CONTEXT, kubectlScriptPrelude } from "./calicoctl";
import { INSTALLATION_RESOURCES } from "./installation";
import { throughRegistry } from "./nodeprep";
import { toYaml, type K8sObject } from "./objects";
import { TYPES, type PlannedResource } from "./resource-spec";

/** An image with both ping and iperf3 (netshoot, pinned). */
export const DEFAULT_BENCHMARK_IMAGE = "docker.io/nicolaka/netshoot:v0.13";
/** Port of both iperf3 servers. */
export const IPERF_PORT = 5201;
/** The label every benchmark object carries, and the values of its component label. */
const APP = { "app.kubernetes.io/name": "calico-benchmark", "app.kubernetes.io/part-of": "calico-pulumi" } as const;
/** ConfigMap that keeps the raw output of the last run. */
export const RESULTS_CONFIGMAP = "calico-benchmark-results";
/** Placeholders the run script replaces with the servers' addresses. */
const TARGET = { host: "__HOST_SERVER_IP__", pod: "__POD_SERVER_IP__" } as const;
/** Resource names. */
export const BENCHMARK_RESOURCES = { run: "network-benchmark" } as const;

/** Placeholders the run script replaces with the nodes it picks by `calico:benchmark.nodeSelector`. */
const PICKED = { client: "__CLIENT_NODE__", server: "__SERVER_NODE__" } as const;

/** The two nodes, [client, server], when the config names them; undefined when the run picks them by nodeSelector. */
export function benchmarkNodes(s: ClusterSettings): [string, string] | undefined {
    const b = s.benchmark;
    if (b.nodes) return [b.nodes[0], b.nodes[1]];
    if (b.nodeSelector !== undefined) return undefined;
    const racks = s.bgp.racks.filter((r) => r.nodes.length > 0);
    return [racks[0].nodes[0], racks[1].nodes[0]];
}

/** The node label that names a node's rack for nodeSelector. */
export function benchmarkRackLabel(s: ClusterSettings): string {
    return s.benchmark.rackLabel ?? s.bgp.rackLabel;
}

/** The key of everything that changes what the benchmark measures: a change runs it again. */
export function benchmarkRunKey(s: ClusterSettings): string {
    const what = {
        benchmark: s.benchmark,
        nodes: benchmarkNodes(s),
        pools: s.network.ipPools.map((p) => ({ cidr: p.cidr, encapsulation: p.encapsulation })),
        mtu: s.network.mtu ?? null,
        dataplane: s.network.dataplane,
        wireguard: s.network.wireguard,
        bgp: s.bgp.mode,
    };
    return createHash("sha256").update(JSON.stringify(what)).digest("hex").slice(0, 16);
}

function pod(s: ClusterSettings, name: string, role: string, node: string, hostNetwork: boolean, args: string[]) {
    return {
        metadata: { labels: { ...APP, "app.kubernetes.io/component": role } },
        spec: {
            hostNetwork,
            // Pinned: the measurement is between these two nodes and no others.
            nodeSelector: { "kubernetes.io/hostname": node },
            // Control-plane or otherwise tainted nodes are valid endpoints of a measurement.
            tolerations: [{ operator: "Exists" }],
            restartPolicy: "Never",
            ...(s.registry?.pullSecrets.length ? { imagePullSecrets: s.registry.pullSecrets.map((n) => ({ name: n })) } : {}),
            containers: [{ name, image: s.benchmark.image ?? throughRegistry(s, DEFAULT_BENCHMARK_IMAGE), command: ["sh", "-c"], args }],
        },
    };
}

/** The objects of one run: the namespace, the two servers and the three client Jobs. */
export function renderBenchmarkObjects(s: ClusterSettings): K8sObject[] {
    const b = s.benchmark;
    const ns = b.namespace;
    const [client, server] = benchmarkNodes(s) ?? [PICKED.client, PICKED.server];
    const serverArgs = [`exec iperf3 -s -p ${IPERF_PORT}`];
    const servers: K8sObject[] = (["host", "pod"] as const).map((kind) => {
        const p = pod(s, "iperf3", "server", server, kind === "host", serverArgs);
        return { apiVersion: "v1", kind: "Pod", metadata: { name: `iperf3-server-${kind}`, namespace: ns, labels: { ...p.metadata.labels, "calico-benchmark/server": kind } }, spec: p.spec };
    });
    const jobs: K8sObject[] = BENCH_PATHS.map((path: BenchPath) => {
        const target = path === "node-node" ? TARGET.host : TARGET.pod;
        const hostNetwork = path !== "pod-pod";
        const p = pod(s, "client", "client", client, hostNetwork, [`ping -c ${b.pingCount} -i 0.2 ${target}; echo '${SECTION_MARK} iperf3'; iperf3 -c ${target} -p ${IPERF_PORT} -t ${b.durationSeconds} -J`]);
        return {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: `bench-${path}`, namespace: ns, labels: { ...APP, "app.kubernetes.io/component": "client", "calico-benchmark/path": path } },
            spec: {
                // A failed measurement is reported, not retried into a different result.
                backoffLimit: 0,
                activeDeadlineSeconds: b.durationSeconds + b.pingCount + 120,
                // Finished Jobs clean themselves up even if the run is interrupted.
                ttlSecondsAfterFinished: 600,
                template: { metadata: { labels: { ...p.metadata.labels, "calico-benchmark/path": path } }, spec: p.spec },
            },
        };
    });
    return [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { ...APP } } }, ...servers, ...jobs];
}

/** The run script: servers, their addresses into the Jobs, the Jobs in turn, results kept and printed. */
export function renderBenchmarkScript(s: ClusterSettings): string {
    const b = s.benchmark;
    const ns = b.namespace;
    const t = b.timeoutSeconds;
    return [
        ...kubectlScriptPrelude("benchmark"),
        `ns='${ns}'`,
        `manifests=$(cat)`,
        `out=$(mktemp -d); trap 'rm -rf "$out"' EXIT`,
        `cleanup() { k delete -n "$ns" job,pod -l app.kubernetes.io/name=calico-benchmark --ignore-not-found --wait=false >/dev/null 2>&1 || true; }`,
        `fail() { echo "benchmark: $1" >&2; k get -n "$ns" pods -o wide >&2 || true; cleanup; exit 1; }`,
        ...pickNodes(s),
        // A previous run's leftovers would hold the servers' ports.
        `cleanup; k wait -n "$ns" --for=delete pod -l app.kubernetes.io/name=calico-benchmark --timeout=120s >/dev/null 2>&1 || true`,
        `printf '%s\\n' "$manifests" | k apply -f - -l 'app.kubernetes.io/component!=client' >/dev/null || fail "cannot create the namespace and servers"`,
        `k wait -n "$ns" --for=condition=Ready pod -l app.kubernetes.io/component=server --timeout=${t}s >/dev/null || fail "the iperf3 servers did not become Ready within ${t}s"`,
        `host_ip=$(k get -n "$ns" pod iperf3-server-host -o 'jsonpath={.status.podIP}')`,
        `pod_ip=$(k get -n "$ns" pod iperf3-server-pod -o 'jsonpath={.status.podIP}')`,
        `[ -n "$host_ip" ] && [ -n "$pod_ip" ] || fail "the servers have no addresses"`,
        `for path in ${BENCH_PATHS.join(" ")}; do`,
        `  printf '%s\\n' "$manifests" | sed -e "s/${TARGET.host}/$host_ip/g" -e "s/${TARGET.pod}/$pod_ip/g" | k apply -f - -l "calico-benchmark/path=$path" >/dev/null || fail "cannot create job bench-$path"`,
        `  k wait -n "$ns" --for=condition=complete "job/bench-$path" --timeout=${t}s >/dev/null || { k logs -n "$ns" "job/bench-$path" >&2 || true; fail "job bench-$path did not complete within ${t}s"; }`,
        `  k logs -n "$ns" "job/bench-$path" > "$out/$path" || fail "cannot read the output of bench-$path"`,
        `done`,
        `k create configmap ${RESULTS_CONFIGMAP} -n "$ns" --from-file="$out" --from-literal=runKey="$CALICO_BENCHMARK_RUN_KEY" --dry-run=client -o yaml | k apply -f - >/dev/null || fail "cannot write the ConfigMap ${RESULTS_CONFIGMAP}"`,
        `cleanup`,
        `echo "${SECTION_MARK} ${NODES_MARK} $client $server"`,
        `for path in ${BENCH_PATHS.join(" ")}; do echo "${SECTION_MARK} $path"; cat "$out/$path"; done`,
    ].join("\n");
}

/**
 * The script lines that set $client and $server: the configured nodes, or, with nodeSelector, the
 * first matching node by name that has a rack label and the first after it in another rack (sorted
 * by name, so the same cluster gives the same pair), put into the manifests' node selectors.
 */
function pickNodes(s: ClusterSettings): string[] {
    const nodes = benchmarkNodes(s);
    if (nodes) return [`client='${nodes[0]}'; server='${nodes[1]}'`];
    const sel = s.benchmark.nodeSelector!;
    const rack = benchmarkRackLabel(s);
    // A go-template reads any label key (jsonpath would need its dots escaped); a missing label prints "<no value>".
    const template = `{{range .items}}{{.metadata.name}}{{"\\t"}}{{index .metadata.labels "${rack}"}}{{"\\n"}}{{end}}`;
    return [
        `picked=$(k get nodes -l '${sel}' -o go-template='${template}' | LC_ALL=C sort | awk -F '\\t' '$2 != "" && $2 != "<no value>" { if (c == "") { c = $1; r = $2 } else if (s == "" && $2 != r) { s = $1 } } END { if (s != "") print c, s }') || fail "cannot list the nodes for calico:benchmark.nodeSelector"`,
        `[ -n "$picked" ] || fail "no two nodes matching calico:benchmark.nodeSelector (${sel}) are in different racks by their label ${rack}; label the nodes, or name them in calico:benchmark.nodes"`,
        `client=\${picked% *}; server=\${picked#* }`,
        `manifests=$(printf '%s\\n' "$manifests" | sed -e "s/${PICKED.client}/$client/g" -e "s/${PICKED.server}/$server/g")`,
    ];
}

/** The run resource (none when the benchmark is off), after the Installation and the BGP fabric. */
export function planBenchmark(s: ClusterSettings, sofar: readonly PlannedResource[]): PlannedResource[] {
    if (!s.benchmark.enabled) return [];
    // Measure the fabric as configured: after the BGP objects (and their session gates) are in place.
    const fabric = sofar.filter((p) => p.component === "bgp").map((p) => p.name);
    const run = renderBenchmarkScript(s);
    return [
        {
            name: BENCHMARK_RESOURCES.run,
            type: TYPES.localCommand,
            component: "benchmark",
            dependsOn: [INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer, ...fabric],
            spec: {
                kind: "localCommand",
                create: run,
                update: run,
                delete: [clusterAccessPrelude(), KUBECTL_WITH_CONTEXT, `k delete namespace '${s.benchmark.namespace}' --ignore-not-found --wait=false`].join("\n"),
                stdin: renderBenchmarkObjects(s).map(toYaml).join("---\n"),
                environment: { CALICO_BENCHMARK_RUN_KEY: benchmarkRunKey(s) },
                needsKubeconfig: true,
                publicStdout: true,
                script: run,
            },
        },
    ];
}
