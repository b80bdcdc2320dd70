/**
 * Rules that relate config fields to each other. Each runs only when the sections it reads parsed,
 * so one bad section does not hide the errors of the others: every problem is reported at once.
 */
import { IssueCollector } from "./errors";
import { Secret } from "./secret";
import { FULL_MESH_MAX_NODES, GATE_STABLE_POLLS as GATE_POLLS, RR_LABEL, RR_PEER_NAME, rackReflectorPeerName } from "../model/topology";
import type { ParsedConfig } from "./schema";
import { parseCidr, parseCidrOrAddress, cidrContains, cidrsOverlap, addressInCidr, addressFamily, unusablePeerAddress, peerAddress, LINK_LOCAL, type Cidr } from "../model/cidr";
import { interfaceRegexError } from "../model/autodetection";
import { USE_DEFAULT } from "./schema";
import { CALICO_RELEASES, calicoVersionsFor, isSupportedPair } from "../model/versions";

/** Sections that parsed; a failed section is undefined. */
export type PartialConfig = { [K in keyof ParsedConfig]?: ParsedConfig[K] };

const cidrs = (list: readonly string[]): Cidr[] => list.map((c) => parseCidr(c) as Cidr);

/** Ports calico-node and Typha already listen on in the host network namespace. */
const HOST_PORTS_IN_USE: Readonly<Record<number, string>> = {
    179: "BGP",
    5473: "Typha's client port",
    9099: "Felix's health port",
    9098: "Typha's health port",
    // Kubernetes' own, on every node (the API server's on every control-plane node).
    6443: "the API server's port (on control-plane nodes)",
    10248: "the kubelet's health port",
    10249: "kube-proxy's metrics port",
    10250: "the kubelet's API",
    10256: "kube-proxy's health port",
};

/** Names that reach the API server only through the `kubernetes` Service, i.e. through kube-proxy and cluster DNS. */
const SERVICE_NAMES = /^kubernetes(\.default(\.svc(\.[a-z0-9.-]+)?)?)?\.?$/i;

/** Block size limits per family (Calico IPAM). */
export const BLOCK_SIZE_RANGE = { 4: [20, 32], 6: [116, 128] } as const;

/** Run every cross-field rule. */
export function validateConfig(c: PartialConfig, out: IssueCollector): void {
    versionRules(c, out);
    releaseRules(c, out);
    clusterRules(c, out);
    networkRules(c, out);
    bgpRules(c, out);
    monitoringRules(c, out);
    crossFieldLimits(c, out);
    nodePrepRules(c, out);
    policyRules(c, out);
    benchmarkRules(c, out);
}

function benchmarkRules(c: PartialConfig, out: IssueCollector): void {
    const b = c.benchmark;
    if (!b?.enabled) return;
    if (c.cluster && c.cluster.nodeCount < 2) out.error("calico:benchmark.enabled", true, `the benchmark measures between two nodes, and calico:cluster.nodeCount is ${c.cluster.nodeCount}; turn it on once the cluster has a second node`);
    const ways = (["nodes", "acrossRacks", "nodeSelector"] as const).filter((k) => (k === "acrossRacks" ? b.acrossRacks : b[k] !== undefined));
    if (ways.length === 0) out.error("calico:benchmark.nodes", undefined, "the benchmark needs two nodes: set calico:benchmark.nodes to [client node, server node], acrossRacks: true with at least two racks, or nodeSelector to pick two nodes in different racks when it runs");
    if (ways.length > 1) out.error(`calico:benchmark.${ways[1]}`, ways[1] === "acrossRacks" ? true : b[ways[1]], `set one of nodes, acrossRacks and nodeSelector, not ${ways.join(" and ")}`);
    if (b.nodes && b.nodes[0] === b.nodes[1]) out.error("calico:benchmark.nodes[1]", b.nodes[1], "the two nodes must differ: the benchmark measures between nodes");
    if (b.acrossRacks && !b.nodes && (c.bgp?.tor?.racks ?? []).filter((r) => r.nodes.length > 0).length < 2) {
        out.error("calico:benchmark.acrossRacks", true, "needs at least two racks with nodes in calico:bgp.tor.racks; or name the nodes in calico:benchmark.nodes");
    }
    if (b.rackLabel !== undefined && b.nodeSelector === undefined) out.error("calico:benchmark.rackLabel", b.rackLabel, "is read only with calico:benchmark.nodeSelector; set that too, or remove rackLabel");
    // The program creates the benchmark's namespace and deletes it when the benchmark is turned off.
    const ns = b.namespace ?? "calico-benchmark";
    const taken = ownedNamespaceConflict(ns, c);
    if (taken) out.error("calico:benchmark.namespace", ns, `is ${taken}; the program creates this namespace and deletes it (with everything in it) when the benchmark is turned off or the stack is destroyed: choose a namespace of its own, such as calico-benchmark`);
}

/** Namespaces others own: deleting one takes the cluster's system, Calico or its monitoring down. */
const RESERVED_NAMESPACES: Readonly<Record<string, string>> = {
    default: "the cluster's default namespace",
    "kube-system": "the cluster's system namespace",
    "kube-public": "a namespace Kubernetes owns",
    "kube-node-lease": "a namespace Kubernetes owns",
    "calico-system": "where the operator runs calico-node and Typha",
    "calico-apiserver": "where the operator runs the Calico API server",
    "tigera-operator": "the operator's namespace",
};

/** Why `ns` cannot be a namespace the program creates and deletes, or undefined when it can. */
function ownedNamespaceConflict(ns: string, c: PartialConfig): string | undefined {
    if (RESERVED_NAMESPACES[ns]) return RESERVED_NAMESPACES[ns];
    if (ns === (c.monitoring?.namespace ?? "monitoring")) return "the monitoring namespace (calico:monitoring.namespace)";
    return undefined;
}

function policyRules(c: PartialConfig, out: IssueCollector): void {
    const b = c.policy?.baseline;
    if (!b?.enabled) return;
    if (b.mode === "staged" && c.version && !CALICO_RELEASES[c.version].stagedPolicies) {
        out.error("calico:policy.baseline.mode", b.mode, `staged policies need Calico v3.30 or later (${c.version} has no StagedGlobalNetworkPolicy); use calico:version v3.31.3, or mode enforce after checking the policy with npm run plan`);
    }
}

function versionRules(c: PartialConfig, out: IssueCollector): void {
    if (!c.version || !c.kubernetesVersion) return;
    if (!isSupportedPair(c.version, c.kubernetesVersion)) {
        const release = CALICO_RELEASES[c.version];
        const alternatives = calicoVersionsFor(c.kubernetesVersion);
        out.error(
            "calico:kubernetesVersion",
            c.kubernetesVersion,
            `Calico ${c.version} is not supported on Kubernetes ${c.kubernetesVersion}; it was tested on ${release.testedKubernetes.join(", ")} (${release.supportSource})` +
                (alternatives.length ? `; use calico:version ${alternatives.join(" or ")}` : ""),
        );
    }
}

/**
 * What one operator and calicoctl release accepts and the other does not; the facts and their
 * upstream sources are in CALICO_RELEASES.
 */
/** kubelet's default maxPods: the pods a node runs unless its kubelet says otherwise. */
const KUBELET_MAX_PODS = 110;

function releaseRules(c: PartialConfig, out: IssueCollector): void {
    if (!c.version) return;
    const rel = CALICO_RELEASES[c.version];
    const other = c.version === "v3.31.3" ? "v3.27.3" : "v3.31.3";
    // v3.27.3 ships its CRDs inside tigera-operator.yaml; a separate CRD manifest would be ignored.
    if (!rel.crdsManifestUrl && c.operator?.crdsManifest !== undefined) {
        out.error("calico:operator.crdsManifest", c.operator.crdsManifest, `Calico ${c.version} has no separate CRD manifest (its CRDs are inside tigera-operator.yaml, calico:operator.manifest), so this would be ignored; remove it`);
    }
    if (c.bgp && !rel.bgpLogLevels.includes(c.bgp.logSeverityScreen)) {
        out.error("calico:bgp.logSeverityScreen", c.bgp.logSeverityScreen, `Calico ${c.version} knows ${rel.bgpLogLevels.join(", ")}; Trace arrived in v3.29 (use Debug, or calico:version ${other})`);
    }
    const url = c.registry?.url;
    if (url !== undefined && url !== USE_DEFAULT && !url.endsWith("/") && !rel.operatorAddsRegistrySlash) {
        out.error("calico:registry.url", url, `must end with "/" on Calico ${c.version}: operator ${rel.operatorVersion} puts the image path right after it (${url}calico/node); write ${url}/`);
    }
    const pools = c.network?.ipPools;
    if (pools && pools.length === 0 && !rel.emptyPoolsOutOfBand) {
        out.error("calico:network.ipPools", pools, `an empty list does not mean "pools managed out of band" on operator ${rel.operatorVersion} (that arrived with v3.31's operator); list the pools, or remove the key for one default pool per pod CIDR`);
    }
    if (pools && pools.length > 0) {
        const families = pools.map((p) => parseCidr(p.cidr) as Cidr).map((x) => x.family);
        const limit = rel.ipPoolLimit;
        if ("perFamily" in limit) {
            for (const f of [4, 6] as const) {
                const n = families.filter((x) => x === f).length;
                if (n > limit.perFamily) out.error("calico:network.ipPools", pools.map((p) => p.cidr), `operator ${rel.operatorVersion} (Calico ${c.version}) takes one IPv${f} pool, not ${n}; merge them, or create more pools with calicoctl after install`);
            }
        } else if (pools.length > limit.total) {
            out.error("calico:network.ipPools", `${pools.length} pools`, `operator ${rel.operatorVersion} takes at most ${limit.total} pools in the Installation`);
        }
    }
    const ipam = c.network?.ipam;
    if (ipam?.maxBlocksPerHost !== undefined && !rel.calicoctlMaxBlocksPerHost) {
        out.error("calico:network.ipam.maxBlocksPerHost", ipam.maxBlocksPerHost, `calicoctl ${c.version}'s \`ipam configure\` takes only --strictaffinity (--max-blocks-per-host arrived in v3.31); remove it, or use calico:version ${other}`);
    }
    if (c.network?.dataplane === "bpf" && !rel.bpfDualStack) {
        const fams = new Set(pools?.length ? pools.map((p) => (parseCidr(p.cidr) as Cidr).family) : (c.cluster?.podCidr ?? []).map((x) => (parseCidr(x) as Cidr).family));
        if (fams.size === 2) out.error("calico:network.dataplane", "bpf", `operator ${rel.operatorVersion} (Calico ${c.version}) does not support eBPF with dual stack; use iptables, a single IP family, or calico:version ${other}`);
    }
}

function familyRule(list: readonly string[], key: string, out: IssueCollector): void {
    const fams = cidrs(list).map((x) => x.family);
    if (fams.length === 2 && fams[0] === fams[1]) out.error(key, list, "a dual-stack list needs one IPv4 and one IPv6 CIDR");
}

function clusterRules(c: PartialConfig, out: IssueCollector): void {
    const cl = c.cluster;
    if (!cl) return;
    familyRule(cl.podCidr, "calico:cluster.podCidr", out);
    familyRule(cl.serviceCidr, "calico:cluster.serviceCidr", out);
    for (const p of cidrs(cl.podCidr)) {
        for (const s of cidrs(cl.serviceCidr)) {
            if (cidrsOverlap(p, s)) out.error("calico:cluster.serviceCidr", s.text, `overlaps calico:cluster.podCidr ${p.text}; pods and Services need disjoint ranges`);
        }
    }
    const seen = new Set<string>();
    cl.nodes.forEach((n, i) => {
        if (seen.has(n.name)) out.error(`calico:cluster.nodes[${i}].name`, n.name, "duplicate node name");
        seen.add(n.name);
    });
    if (cl.nodes.length > cl.nodeCount) {
        out.error("calico:cluster.nodes", `${cl.nodes.length} nodes`, `more nodes are declared than calico:cluster.nodeCount (${cl.nodeCount}); raise nodeCount or remove nodes`);
    }
}

function networkRules(c: PartialConfig, out: IssueCollector): void {
    const net = c.network;
    if (!net) return;
    if (net.dataplane === "nftables" && c.version && !CALICO_RELEASES[c.version].supportsNftables) {
        out.error("calico:network.dataplane", net.dataplane, `the nftables dataplane needs Calico v3.29 or later; use calico:version v3.31.3 or dataplane iptables`);
    }
    if (net.dataplane === "bpf" && c.cluster && !c.cluster.apiServer) {
        out.error(
            "calico:cluster.apiServer",
            undefined,
            "the eBPF dataplane replaces kube-proxy and must reach the API server directly; set calico:cluster.apiServer.host (and port) to the API server's address, not the Service IP",
        );
    }
    const api = c.cluster?.apiServer;
    if (net.dataplane === "bpf" && api) {
        const why = "the eBPF dataplane replaces kube-proxy, so calico-node must reach the API server without Services: give a control-plane node's address or its load balancer's";
        if (SERVICE_NAMES.test(api.host)) out.error("calico:cluster.apiServer.host", api.host, `is the kubernetes Service's name, which resolves through cluster DNS to the Service IP; ${why}`);
        if (addressFamily(api.host)) {
            for (const s of cidrs(c.cluster!.serviceCidr)) if (addressInCidr(api.host, s)) out.error("calico:cluster.apiServer.host", api.host, `is inside calico:cluster.serviceCidr ${s.text} (the Service IP); ${why}`);
            for (const p of cidrs(c.cluster!.podCidr)) if (addressInCidr(api.host, p)) out.error("calico:cluster.apiServer.host", api.host, `is inside calico:cluster.podCidr ${p.text}, a pod's address; ${why}`);
        }
    }
    // calico:network.autodetection is calico-node's IPv4 method (nodeAddressAutodetectionV4).
    (net.autodetection?.cidrs ?? []).forEach((x, i) => {
        if (x.includes(":")) out.error(`calico:network.autodetection.cidrs[${i}]`, x, "is an IPv6 range, and this is the IPv4 address autodetection: no IPv4 address can match it; give IPv4 ranges");
    });
    const reach = net.autodetection?.canReach;
    if (reach !== undefined && addressFamily(reach.replace(/^\[|\]$/g, "")) === 6) out.error("calico:network.autodetection.canReach", reach, "is an IPv6 address, and this is the IPv4 address autodetection: no IPv4 route leads to it; give an IPv4 address or a host name");
    for (const k of ["interface", "skipInterface"] as const) {
        const re = net.autodetection?.[k];
        const why = re === undefined ? undefined : interfaceRegexError(re);
        if (why) out.error(`calico:network.autodetection.${k}`, re, why);
    }
    if (net.ipam) {
        const ipam = net.ipam;
        if (ipam.strictAffinity === undefined && ipam.maxBlocksPerHost === undefined && ipam.autoAllocateBlocks === undefined) out.error("calico:network.ipam", ipam, "is empty, so it would change nothing; set strictAffinity or maxBlocksPerHost, or remove it");
        if (ipam.autoAllocateBlocks === false) out.error("calico:network.ipam.autoAllocateBlocks", false, "cannot be set: calicoctl's `ipam configure` sets only strictaffinity and max-blocks-per-host (calicoctl/calicoctl/commands/ipam/configure.go, v3.27.3 and v3.31.3); Calico's default (true) is what every cluster gets, so remove the key");
        const maxBlocks = ipam.maxBlocksPerHost ?? 0;
        // libcalico-go refuses a block limit without strict affinity (v3.31.3 lib/ipam/ipam.go:2012,
        // SetIPAMConfig: "MaxBlocksPerHost requires StrictAffinity to be enabled"): found by the real
        // calicoctl in the acceptance test.
        if (maxBlocks > 0 && ipam.strictAffinity !== true) {
            out.error("calico:network.ipam.maxBlocksPerHost", maxBlocks, "a block limit needs calico:network.ipam.strictAffinity: true (Calico refuses MaxBlocksPerHost without StrictAffinity, since the limit would otherwise be bypassed by borrowing); set strictAffinity: true, or remove maxBlocksPerHost");
        }
        if (maxBlocks > 0 && ipam.strictAffinity === true) {
            // The pods a node must be able to hold: kubelet's default maxPods.
            const pools = net.ipPools?.length ? net.ipPools.map((p) => ({ cidr: p.cidr, blockSize: p.blockSize })) : (c.cluster?.podCidr ?? []).map((cidr) => ({ cidr, blockSize: undefined }));
            for (const p of pools) {
                const parsed = parseCidr(p.cidr);
                if (typeof parsed === "string") continue;
                const blockSize = p.blockSize ?? (parsed.family === 4 ? 26 : 122);
                const perNode = maxBlocks * 2 ** ((parsed.family === 4 ? 32 : 128) - blockSize);
                if (perNode < KUBELET_MAX_PODS) {
                    out.warn("calico:network.ipam.maxBlocksPerHost", maxBlocks, `${maxBlocks} block(s) of /${blockSize} in ${p.cidr} hold ${perNode} addresses per node, fewer than the ${KUBELET_MAX_PODS} pods kubelet runs per node by default (maxPods); with strictAffinity the pods beyond that get no address`);
                }
            }
        }
    }
    if (net.autodetection) {
        const set = Object.entries(net.autodetection).filter(([, v]) => v !== undefined && v !== false);
        if (set.length !== 1) {
            out.error(
                "calico:network.autodetection",
                net.autodetection,
                set.length === 0
                    ? "set exactly one of firstFound, kubernetes, interface, skipInterface, canReach, cidrs"
                    : `set exactly one autodetection method, found ${set.length}: ${set.map(([k]) => k).join(", ")}`,
            );
        }
    }
    const pools = net.ipPools;
    if (!pools) {
        // The default pools are the pod CIDRs themselves: they get the pools' checks.
        for (const p of c.cluster ? cidrs(c.cluster.podCidr) : []) {
            if (cidrsOverlap(p, LINK_LOCAL[p.family])) out.error("calico:cluster.podCidr", p.text, `overlaps the link-local range ${LINK_LOCAL[p.family].text}; the default pool would be this range, and Calico refuses link-local pools`);
        }
        return;
    }
    const pods = c.cluster ? cidrs(c.cluster.podCidr) : [];
    const services = c.cluster ? cidrs(c.cluster.serviceCidr) : [];
    const names = new Map<string, number>();
    const parsed = pools.map((p) => parseCidr(p.cidr) as Cidr);
    pools.forEach((pool, i) => {
        const key = `calico:network.ipPools[${i}]`;
        const cidr = parsed[i];
        if (names.has(pool.name)) out.error(`${key}.name`, pool.name, `duplicate pool name (also ipPools[${names.get(pool.name)}])`);
        names.set(pool.name, i);
        if (c.cluster && !pods.some((p) => cidrContains(p, cidr))) {
            out.error(`${key}.cidr`, pool.cidr, `must lie inside calico:cluster.podCidr (${c.cluster.podCidr.join(", ")}), the kubeadm podSubnet; pods outside it are not routed by kube-proxy`);
        }
        for (const s of services) {
            if (cidrsOverlap(s, cidr)) out.error(`${key}.cidr`, pool.cidr, `overlaps calico:cluster.serviceCidr ${s.text}`);
        }
        for (let j = 0; j < i; j++) {
            if (parsed[j].family === cidr.family && cidrsOverlap(parsed[j], cidr)) {
                out.error(`${key}.cidr`, pool.cidr, `overlaps ipPools[${j}] (${pools[j].name}, ${parsed[j].text}); pools must be disjoint`);
            }
        }
        if (cidr.prefix === 0) out.error(`${key}.cidr`, pool.cidr, "is every address; a pool must be a range inside calico:cluster.podCidr");
        else if (cidrsOverlap(cidr, LINK_LOCAL[cidr.family])) out.error(`${key}.cidr`, pool.cidr, `overlaps the link-local range ${LINK_LOCAL[cidr.family].text}, which Calico refuses for pools`);
        if (/global\(/.test(pool.nodeSelector)) out.error(`${key}.nodeSelector`, pool.nodeSelector, "global() is not a node selector (Calico v3.31 refuses it for pools); use all()");
        // A derived value gets the same check as an explicit one: the block size the operator uses
        // when none is given (26 for IPv4, 122 for IPv6) must fit the pool too.
        const defaultBlock = cidr.family === 4 ? 26 : 122;
        if (pool.blockSize === undefined && cidr.prefix > defaultBlock) {
            out.error(`${key}.blockSize`, undefined, `the default /${defaultBlock} block does not fit in the /${cidr.prefix} pool; set blockSize to ${cidr.prefix} or more, or use a larger pool`);
        }
        if (pool.blockSize !== undefined) {
            const [lo, hi] = BLOCK_SIZE_RANGE[cidr.family];
            if (pool.blockSize < lo || pool.blockSize > hi) {
                out.error(`${key}.blockSize`, pool.blockSize, `an IPv${cidr.family} block size must be ${lo}–${hi}`);
            } else if (pool.blockSize < cidr.prefix) {
                out.error(`${key}.blockSize`, pool.blockSize, `a /${pool.blockSize} block does not fit in the /${cidr.prefix} pool; use ${cidr.prefix} or more`);
            }
        }
        const enc = pool.encapsulation;
        if (enc?.startsWith("IPIP") && cidr.family === 6) {
            out.error(`${key}.encapsulation`, enc, "IP-in-IP carries only IPv4; use VXLAN, VXLANCrossSubnet or None for an IPv6 pool");
        }
        if (!net.bgp && (enc === "None" || enc?.startsWith("IPIP"))) {
            out.error(
                `${key}.encapsulation`,
                enc,
                `${enc} needs BGP to distribute routes, and calico:network.bgp is false: pods would be unreachable across nodes; use VXLAN or VXLANCrossSubnet, or enable BGP`,
            );
        }
    });
    const v4Enc = new Set(pools.filter((_, i) => parsed[i].family === 4).map((p) => p.encapsulation?.replace("CrossSubnet", "")));
    if (v4Enc.has("IPIP") && v4Enc.has("VXLAN")) {
        out.warn("calico:network.ipPools", pools.map((p) => p.encapsulation), "IPv4 pools mix IPIP and VXLAN, so every node runs both overlays; keep this only while migrating from one to the other");
    }
    // An empty list is "pools managed out of band" where the release allows it (releaseRules).
    if (c.cluster && pools.length > 0) {
        for (const p of pods) {
            if (!parsed.some((x) => x.family === p.family)) out.error("calico:network.ipPools", pools.map((x) => x.cidr), `no pool for the IPv${p.family} pod CIDR ${p.text}`);
        }
    }
}

/** TCP-MD5 keys are at most 80 characters (RFC 2385, and Linux's TCP_MD5SIG_MAXKEYLEN). */
const MD5_MAX = 80;

/** Limits that span sections: host ports, waits that can never pass, MTU, passwords, rack sizes. */
function crossFieldLimits(c: PartialConfig, out: IssueCollector): void {
    const bgp = c.bgp;
    const m = c.monitoring;
    if (bgp?.listenPort !== undefined && c.network?.bgp === false) out.warn("calico:bgp.listenPort", bgp.listenPort, "is ignored: calico:network.bgp is false, so no BGP listener runs; remove it");
    if (bgp?.listenPort !== undefined) {
        const taken: Record<number, string> = { ...HOST_PORTS_IN_USE, ...(m ? { [m.felixMetricsPort]: "calico:monitoring.felixMetricsPort", [m.typhaMetricsPort]: "calico:monitoring.typhaMetricsPort" } : {}) };
        delete taken[179];
        if (taken[bgp.listenPort]) out.error("calico:bgp.listenPort", bgp.listenPort, `is already ${taken[bgp.listenPort]} on every node's host network; pick a free port (BGP's default is 179)`);
    }
    if (bgp && bgp.migration.pollIntervalSeconds >= bgp.migration.waitTimeoutSeconds) {
        out.error("calico:bgp.migration.pollIntervalSeconds", bgp.migration.pollIntervalSeconds, `is not below waitTimeoutSeconds (${bgp.migration.waitTimeoutSeconds}): the session gate could never see ${GATE_POLLS} consecutive good polls`);
    }
    const v6 = (c.network?.ipPools ?? []).some((p) => typeof p.cidr === "string" && p.cidr.includes(":"));
    if (c.network?.mtu !== undefined && v6 && c.network.mtu < 1280) out.error("calico:network.mtu", c.network.mtu, "is below 1280, the smallest MTU IPv6 allows, and an IPv6 pool is configured");
    const passwords: [string, unknown][] = [
        ...(bgp?.peers ?? []).map((p, i): [string, unknown] => [`calico:bgp.peers[${i}].password`, p.password]),
        ...(bgp?.tor?.racks ?? []).flatMap((r, i) => r.switches.map((sw, j): [string, unknown] => [`calico:bgp.tor.racks[${i}].switches[${j}].password`, sw.password])),
    ];
    for (const [key, pw] of passwords) {
        if (!(pw instanceof Secret) || !pw.known) continue;
        const text = pw.reveal();
        // The kernel counts the key in bytes (TCP_MD5SIG_MAXKEYLEN, include/uapi/linux/tcp.h), and BIRD
        // writes it into its config as a quoted string, where a control character cannot stand.
        const bytes = new TextEncoder().encode(text).length;
        if (bytes === 0) out.error(key, "[secret]", "is empty; remove the password for an unauthenticated session, or set one");
        else if (bytes > MD5_MAX) out.error(key, "[secret]", `is ${bytes} bytes long (UTF-8); TCP-MD5 keys are at most ${MD5_MAX} bytes (the kernel's TCP_MD5SIG_MAXKEYLEN); choose a shorter password`);
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001f\u007f]/.test(text)) out.error(key, "[secret]", "holds a control character (a newline, tab or other), which BIRD's configuration and the switch cannot take; set it again without one");
    }
    const rackNodes = (bgp?.tor?.racks ?? []).reduce((n, r) => n + r.nodes.length, 0);
    if (c.cluster && rackNodes > c.cluster.nodeCount) out.error("calico:bgp.tor.racks", `${rackNodes} rack nodes`, `list more nodes than calico:cluster.nodeCount (${c.cluster.nodeCount}); raise nodeCount or fix the racks`);
}

/**
 * Hybrid (ToR plus reflectors): a rack's clients peer only with the rack's reflectors, and only the
 * reflectors peer with the switches, so every reflector must sit in a rack and every rack needs
 * reflectors: at least 2, so that losing one keeps the rack's routes (1 with allowSingleReflector).
 */
function hybridRules(racks: readonly { name: string; nodes: readonly string[] }[], rr: { nodes: readonly string[]; allowSingleReflector: boolean }, nodeRack: ReadonlyMap<string, string>, out: IssueCollector): void {
    rr.nodes.forEach((n, i) => {
        if (!nodeRack.has(n)) out.error(`calico:bgp.routeReflectors.nodes[${i}]`, n, "is in no rack: in hybrid mode a reflector peers with its rack's switches and serves its rack's other nodes; list it under calico:bgp.tor.racks[].nodes");
    });
    const min = rr.allowSingleReflector ? 1 : 2;
    racks.forEach((rack, i) => {
        const mine = rr.nodes.filter((n) => nodeRack.get(n) === rack.name);
        if (mine.length < min) {
            out.error(
                `calico:bgp.tor.racks[${i}].nodes`,
                rack.nodes,
                `rack ${rack.name} has ${mine.length} route reflector(s)${mine.length ? ` (${mine.join(", ")})` : ""}; in hybrid mode its other nodes peer only with the rack's reflectors, so list at least ${min} of its nodes in calico:bgp.routeReflectors.nodes${min === 2 ? " (or set allowSingleReflector: true to accept a single point of failure)" : ""}`,
            );
        }
    });
}

/**
 * Names and labels the program owns: a user's peer or switch may not take the name of a BGPPeer the
 * program generates (one object would be written by two resources), the rack label may not be a
 * label Kubernetes or Calico own (the program would overwrite it on every rack node), and a declared
 * node's labels may not contradict the rack or reflector role the config gives it.
 */
function ownedNameRules(c: PartialConfig, out: IssueCollector): void {
    const bgp = c.bgp!;
    const generated = new Map<string, string>([[RR_PEER_NAME, "the reflector peer the program creates in routeReflector mode"]]);
    for (const r of bgp.tor?.racks ?? []) generated.set(rackReflectorPeerName(r.name), `the peer the program creates for rack ${r.name}'s reflectors in hybrid mode`);
    (bgp.peers ?? []).forEach((p, i) => {
        if (generated.has(p.name)) out.error(`calico:bgp.peers[${i}].name`, p.name, `is the name of ${generated.get(p.name)}; choose another name`);
    });
    (bgp.tor?.racks ?? []).forEach((r, i) =>
        r.switches.forEach((sw, j) => {
            if (sw.name && generated.has(sw.name)) out.error(`calico:bgp.tor.racks[${i}].switches[${j}].name`, sw.name, `is the name of ${generated.get(sw.name)}; choose another name`);
        }),
    );
    const rackLabel = bgp.tor?.rackLabel;
    if (rackLabel !== undefined && /(^|\.)(kubernetes\.io|k8s\.io|projectcalico\.org|tigera\.io)\//.test(rackLabel)) {
        out.error("calico:bgp.tor.rackLabel", rackLabel, "is a label Kubernetes or Calico own (under kubernetes.io/, k8s.io/, projectcalico.org/ or tigera.io/); the program sets the rack label on every rack node and would overwrite it: choose a label of your own, such as rack or example.com/rack");
    }
    const rackOf = new Map<string, string>();
    for (const r of bgp.tor?.racks ?? []) for (const n of r.nodes) rackOf.set(n, r.name);
    const reflectors = new Set(bgp.routeReflectors?.nodes ?? []);
    (c.cluster?.nodes ?? []).forEach((n, i) => {
        const labels = n.labels ?? {};
        const label = rackLabel ?? "rack";
        if (bgp.tor && rackOf.has(n.name) && labels[label] !== undefined && labels[label] !== rackOf.get(n.name)) {
            out.error(`calico:cluster.nodes[${i}].labels.${label}`, labels[label], `says rack ${labels[label]}, but calico:bgp.tor.racks puts ${n.name} in rack ${rackOf.get(n.name)}; the program labels it ${label}=${rackOf.get(n.name)}: fix one of the two`);
        }
        if (labels[RR_LABEL] !== undefined && !reflectors.has(n.name)) {
            out.error(`calico:cluster.nodes[${i}].labels.${RR_LABEL}`, labels[RR_LABEL], `marks ${n.name} as a route reflector, but it is not in calico:bgp.routeReflectors.nodes; the program sets and removes this label itself: remove it, or list the node as a reflector`);
        }
    });
}

function bgpRules(c: PartialConfig, out: IssueCollector): void {
    const bgp = c.bgp;
    if (!bgp) return;
    const bgpOn = c.network?.bgp ?? true;
    if (!bgpOn && (bgp.mode === "routeReflector" || bgp.mode === "tor" || bgp.mode === "hybrid")) {
        out.error("calico:bgp.mode", bgp.mode, "calico:network.bgp is false; route reflectors and top-of-rack peering need BGP. Enable it or use mode auto");
    }
    // Config that would be silently ignored is an error (the README: a typo never silently does nothing).
    if (!bgpOn && (bgp.routeReflectors || bgp.tor)) {
        out.error(bgp.tor ? "calico:bgp.tor" : "calico:bgp.routeReflectors", undefined, "is set but calico:network.bgp is false, so it would be ignored; enable BGP or remove it");
    }
    if (bgpOn && bgp.mode === "auto" && bgp.routeReflectors && !bgp.tor && (c.cluster?.nodeCount ?? 0) <= FULL_MESH_MAX_NODES) {
        out.error("calico:bgp.routeReflectors", bgp.routeReflectors.nodes, `are listed, but mode auto resolves to a full mesh for ${c.cluster?.nodeCount} nodes (≤ ${FULL_MESH_MAX_NODES}), so they would be ignored; set calico:bgp.mode: routeReflector, or remove them`);
    }
    const rr = bgp.routeReflectors;
    const hybrid = bgp.mode === "hybrid" || (bgp.mode === "auto" && !!bgp.tor && !!rr);
    const wantsRr = bgp.mode === "routeReflector" || (bgp.mode === "auto" && !bgp.tor && (c.cluster?.nodeCount ?? 0) > FULL_MESH_MAX_NODES);
    if (bgpOn && wantsRr) {
        const count = rr?.nodes.length ?? 0;
        const min = rr?.allowSingleReflector ? 1 : 2;
        if (count < min) {
            out.error(
                "calico:bgp.routeReflectors.nodes",
                rr?.nodes,
                count === 0
                    ? `route-reflector mode${bgp.mode === "auto" ? ` (chosen for ${c.cluster?.nodeCount} nodes)` : ""} needs reflector nodes; name at least 2 (8–12 recommended for large clusters). With the mesh off and no reflectors every route would vanish`
                    : "at least 2 reflectors are needed so that losing one keeps every node's routes; set allowSingleReflector: true to accept a single point of failure",
            );
        }
    }
    if (rr) {
        const seen = new Set<string>();
        rr.nodes.forEach((n, i) => {
            if (seen.has(n)) out.error(`calico:bgp.routeReflectors.nodes[${i}]`, n, "listed twice");
            seen.add(n);
        });
        if (c.cluster && rr.nodes.length > c.cluster.nodeCount) out.error("calico:bgp.routeReflectors.nodes", rr.nodes, `more reflectors than calico:cluster.nodeCount (${c.cluster.nodeCount})`);
        const ranges = [...(c.cluster?.podCidr ?? []), ...(c.cluster?.serviceCidr ?? []), ...(c.network?.ipPools?.map((p) => p.cidr) ?? [])];
        for (const r of ranges) {
            if (addressInCidr(rr.clusterId, parseCidr(r) as Cidr)) {
                out.error("calico:bgp.routeReflectors.clusterId", rr.clusterId, `lies inside ${r}; the cluster ID must be an IPv4 address not used by pods or Services (e.g. 244.0.0.1)`);
            }
        }
        if (bgp.mode === "mesh") out.error("calico:bgp.routeReflectors", rr.nodes, `reflectors are configured but calico:bgp.mode is ${bgp.mode}; use mode routeReflector (or auto) or remove routeReflectors`);
        if (bgp.mode === "tor") out.error("calico:bgp.routeReflectors", rr.nodes, "reflectors are configured but calico:bgp.mode is tor; use mode hybrid (reflectors peer with their rack's switches) or remove routeReflectors");
    }
    ownedNameRules(c, out);
    if (bgp.tor) {
        if (bgp.mode === "mesh" || bgp.mode === "routeReflector") out.error("calico:bgp.tor", bgp.tor.racks.map((r) => r.name), `racks are configured but calico:bgp.mode is ${bgp.mode}; use mode tor, hybrid (with routeReflectors) or auto`);
        const racks = new Set<string>();
        const nodeRack = new Map<string, string>();
        bgp.tor.racks.forEach((rack, i) => {
            if (racks.has(rack.name)) out.error(`calico:bgp.tor.racks[${i}].name`, rack.name, "duplicate rack name");
            racks.add(rack.name);
            rack.nodes.forEach((n, j) => {
                if (nodeRack.has(n)) out.error(`calico:bgp.tor.racks[${i}].nodes[${j}]`, n, `node is already in rack ${nodeRack.get(n)}`);
                nodeRack.set(n, rack.name);
            });
        });
        if (hybrid && rr) hybridRules(bgp.tor.racks, rr, nodeRack, out);
    } else if (bgp.mode === "tor" || bgp.mode === "hybrid") {
        out.error("calico:bgp.tor", undefined, `${bgp.mode === "tor" ? "top-of-rack" : "hybrid"} mode needs calico:bgp.tor.racks, each with the switches its ${bgp.mode === "tor" ? "nodes" : "reflectors"} peer with`);
    }
    if (bgp.mode === "hybrid" && !rr) {
        out.error("calico:bgp.routeReflectors", undefined, "hybrid mode needs calico:bgp.routeReflectors.nodes: in each rack, the nodes that peer with the switches and serve the rack's other nodes");
    }
    const names = new Map<string, string>();
    const pods = (c.cluster?.podCidr ?? []).map((x) => parseCidr(x) as Cidr);
    const services = (c.cluster?.serviceCidr ?? []).map((x) => parseCidr(x) as Cidr);
    // Peers and switches share one namespace (BGPPeer names, keys of the password Secret) and one
    // address space: two of them with one name or one peerIP would be one object, or one session.
    const ips = new Map<string, string>();
    const peerChecks = (key: string, name: string | undefined, peerIP: string, what: string) => {
        if (name !== undefined) {
            if (names.has(name)) out.error(`${key}.name`, name, `is also the name of ${names.get(name)}; peers and switches become BGPPeers (and password keys) of one name each`);
            else names.set(name, key);
        }
        const ip = peerAddress(peerIP);
        if (ips.has(ip)) out.error(`${key}.peerIP`, peerIP, `is also the address of ${ips.get(ip)}; one router is one peer`);
        else ips.set(ip, key);
        const unusable = unusablePeerAddress(ip);
        if (unusable) out.error(`${key}.peerIP`, peerIP, unusable);
        if (pods.some((x) => addressInCidr(ip, x))) out.error(`${key}.peerIP`, peerIP, `lies inside calico:cluster.podCidr; ${what} is a router outside the pod network`);
        if (services.some((x) => addressInCidr(ip, x))) out.error(`${key}.peerIP`, peerIP, `lies inside calico:cluster.serviceCidr; ${what} is a router, not a Service address`);
    };
    bgp.peers.forEach((p, i) => peerChecks(`calico:bgp.peers[${i}]`, p.name, p.peerIP, "a BGP peer"));
    bgp.tor?.racks.forEach((rack, i) => rack.switches.forEach((s, j) => peerChecks(`calico:bgp.tor.racks[${i}].switches[${j}]`, s.name, s.peerIP, "a switch")));
    for (const kind of ["serviceClusterIPs", "serviceExternalIPs", "serviceLoadBalancerIPs"] as const) {
        bgp.advertise[kind].forEach((s, i) => {
            const cidr = parseCidrOrAddress(s);
            if (typeof cidr !== "string" && cidr.prefix === 0) out.error(`calico:bgp.advertise.${kind}[${i}]`, s, "advertises every address (a default route) to the BGP fabric; list the ranges Services really use");
            if (typeof cidr !== "string" && kind !== "serviceClusterIPs" && pods.some((p) => cidrsOverlap(p, cidr))) out.error(`calico:bgp.advertise.${kind}[${i}]`, s, "overlaps calico:cluster.podCidr; Service addresses and pod addresses must not share a range");
        });
    }
    bgp.advertise.serviceClusterIPs.forEach((s, i) => {
        const cidr = parseCidrOrAddress(s) as Cidr;
        if (services.length && !services.some((x) => cidrContains(x, cidr))) {
            out.error(`calico:bgp.advertise.serviceClusterIPs[${i}]`, s, `must lie inside calico:cluster.serviceCidr (${c.cluster?.serviceCidr.join(", ")})`);
        }
    });
    if (!bgpOn && (bgp.peers.length || bgp.advertise.serviceClusterIPs.length || bgp.advertise.serviceExternalIPs.length || bgp.advertise.serviceLoadBalancerIPs.length)) {
        out.error("calico:bgp.peers", bgp.peers.map((p) => p.name), "peers and service advertisement need BGP, and calico:network.bgp is false");
    }
}

function monitoringRules(c: PartialConfig, out: IssueCollector): void {
    const m = c.monitoring;
    if (!m) return;
    const i = m.install;
    if (!m.enabled) {
        for (const k of ["prometheus", "grafana"] as const) if (i?.[k]) out.warn(`calico:monitoring.install.${k}`, true, "is ignored: calico:monitoring.enabled is false, so nothing of monitoring is installed; set enabled: true, or remove it");
        return;
    }
    // Settings of a part that is not installed change nothing.
    const ignored = (key: string, value: unknown, part: "prometheus" | "grafana") => out.warn(`calico:monitoring.install.${key}`, value, `is ignored: calico:monitoring.install.${part} is false, so ${part === "grafana" ? "Grafana" : "Prometheus"} is not installed here; set ${part}: true, or remove it`);
    if (!i.grafana) {
        if (i.grafanaAdminPassword !== undefined) ignored("grafanaAdminPassword", "[secret]", "grafana");
        if (i.grafanaChartPath !== undefined) ignored("grafanaChartPath", i.grafanaChartPath, "grafana");
        if (i.serviceType === "NodePort") ignored("serviceType", i.serviceType, "grafana");
    }
    if (!i.prometheus && i.prometheusChartPath !== undefined) ignored("prometheusChartPath", i.prometheusChartPath, "prometheus");
    if (i.grafana && i.serviceType === "ClusterIP" && i.grafanaNodePort !== 30010) out.warn("calico:monitoring.install.grafanaNodePort", i.grafanaNodePort, "is ignored: Grafana's serviceType is ClusterIP; set serviceType: NodePort, or remove it");
    // With an install, the program creates the monitoring namespace and deletes it on destroy.
    if ((m.install?.prometheus || m.install?.grafana) && RESERVED_NAMESPACES[m.namespace ?? "monitoring"]) {
        out.error("calico:monitoring.namespace", m.namespace, `is ${RESERVED_NAMESPACES[m.namespace ?? "monitoring"]}; with calico:monitoring.install the program creates this namespace and deletes it on destroy: choose one of its own, such as monitoring`);
    }
    if (m.felixMetricsPort === m.typhaMetricsPort) {
        out.error("calico:monitoring.typhaMetricsPort", m.typhaMetricsPort, `equals felixMetricsPort; Felix and Typha both listen on the host network, so the ports must differ (defaults 9091 and 9093)`);
    }
    for (const key of ["felixMetricsPort", "typhaMetricsPort"] as const) {
        const used = HOST_PORTS_IN_USE[m[key]];
        if (used) out.error(`calico:monitoring.${key}`, m[key], `port ${m[key]} is already ${used} on every node's host network`);
    }
    const gpw = m.install.grafanaAdminPassword;
    if (m.install.grafana && gpw instanceof Secret && gpw.known && gpw.reveal() === "") {
        out.error("calico:monitoring.install.grafanaAdminPassword", "[secret]", "is empty, and Grafana would start with an empty admin password: pulumi config set --secret --path calico:monitoring.install.grafanaAdminPassword <password>");
    }
    if (m.install.grafana && !m.install.grafanaAdminPassword) {
        out.error("calico:monitoring.install.grafanaAdminPassword", undefined, "installing Grafana needs an admin password: pulumi config set --secret --path calico:monitoring.install.grafanaAdminPassword <password>");
    }
}

function nodePrepRules(c: PartialConfig, out: IssueCollector): void {
    const np = c.nodePrep;
    if (!np) return;
    if (np.mode === "ssh" && !np.ssh) {
        out.error("calico:nodePrep.ssh", undefined, "ssh mode needs calico:nodePrep.ssh.nodes and calico:nodePrep.ssh.privateKey (a secret)");
    }
    // A public key in the private key's place fails only when the first node is reached; say it now.
    const key = np.ssh?.privateKey;
    if (key instanceof Secret && key.known && /^\s*(ssh-(rsa|dss|ed25519)|ecdsa-sha2-|sk-(ssh|ecdsa)-)/.test(key.reveal())) {
        out.error("calico:nodePrep.ssh.privateKey", "[secret]", "holds a public key (an authorized_keys line); set the private key that belongs to it, e.g. pulumi config set --secret --path calico:nodePrep.ssh.privateKey < ~/.ssh/id_ed25519");
    }
    // One resource per host, named from the host: two hosts that map to one name would collide.
    const hostNames = new Map<string, number>();
    np.ssh?.nodes.forEach((n, i) => {
        const name = n.host.replace(/[^A-Za-z0-9-]/g, "-");
        if (hostNames.has(name)) out.error(`calico:nodePrep.ssh.nodes[${i}].host`, n.host, `maps to the same resource name (node-prep-${name}) as nodes[${hostNames.get(name)}]; list each host once, in one spelling`);
        else hostNames.set(name, i);
    });
    if (np.mode !== "ssh" && np.ssh) out.warn("calico:nodePrep.ssh", np.ssh.nodes.map((n) => n.host), `ignored because calico:nodePrep.mode is ${np.mode}`);
}
