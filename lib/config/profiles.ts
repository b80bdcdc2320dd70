/**
 * Cluster-size profiles: the defaults and choices that depend on how big the cluster is, each
 * recorded with its reason so that `plan` can explain it. Thresholds come from the best-practice
 * guide: full mesh up to 100 nodes, route reflectors above.
 */
import type { ConfigIssue } from "./errors";
import type { ParsedConfig } from "./schema";
import type { BgpMode, ClusterSettings, Decision, Encapsulation, ResolvedIpPool, ResolvedPeer } from "./settings";
import { parseCidr, type Cidr } from "../model/cidr";
import { parseSelector } from "../model/selector";
import { expectedTyphaReplicas } from "../model/typha";
import { CALICO_RELEASES } from "../model/versions";
import { FULL_MESH_MAX_NODES, meshSessions, RR_LABEL } from "../model/topology";

/** Default block sizes (Calico IPAM defaults). */
const DEFAULT_BLOCK = { 4: 26, 6: 122 } as const;

/** Resolve a parsed, validated config into settings. */
export function resolveProfile(c: ParsedConfig, warnings: ConfigIssue[]): ClusterSettings {
    const decisions: Decision[] = [];
    const decide = (topic: string, choice: string, reason: string): void => {
        decisions.push({ topic, choice, reason });
    };
    const n = c.cluster.nodeCount;

    const bgpMode = resolveBgpMode(c, decide, warnings);
    const meshEnabled = bgpMode === "mesh";
    const ipPools = resolvePools(c, decide);
    const peers = resolvePeers(c, bgpMode);

    const typha = expectedTyphaReplicas(n);
    decide("typha.expectedReplicas", String(typha), `the operator runs ${typha} Typha replica${typha === 1 ? "" : "s"} for ${n} node${n === 1 ? "" : "s"} (≤2 → 1, ≤4 → 2, else max(3, ⌊n/200⌋+2))`);

    if (c.monitoring.enabled) {
        decide(
            "monitoring.felixMetrics",
            `Installation nodeMetricsPort ${c.monitoring.felixMetricsPort}`,
            "the operator owns calico-node, and nodeMetricsPort overrides FelixConfiguration, so the Installation is the one place that keeps Felix metrics on",
        );
    }
    const m = c.monitoring;
    if (m.enabled && (m.serviceMonitors.enabled || m.alerts.enabled) && !m.serviceMonitors.crdsPresent && !m.install.prometheus) {
        warnings.push({
            path: "calico:monitoring.serviceMonitors.crdsPresent",
            value: false,
            message: "no prometheus-operator CRDs: ServiceMonitors, alert rules and dashboards are skipped. Set crdsPresent: true if kube-prometheus-stack is installed, or install.prometheus: true",
        });
    }
    decide("nodePrep.mode", c.nodePrep.mode, c.nodePrep.mode === "none" ? "node preparation was turned off in config" : `NetworkManager must leave Calico's interfaces alone on every node before calico-node starts`);

    return {
        calicoVersion: c.version,
        release: CALICO_RELEASES[c.version],
        kubernetesVersion: c.kubernetesVersion,
        cluster: {
            name: c.cluster.name,
            identifier: c.cluster.identifier ?? c.cluster.name,
            nodeCount: n,
            podCidrs: c.cluster.podCidr,
            serviceCidrs: c.cluster.serviceCidr,
            nodes: c.cluster.nodes,
            apiServer: c.cluster.apiServer,
        },
        network: { ...c.network, ipPools },
        bgp: {
            mode: bgpMode,
            requestedMode: c.bgp.mode,
            meshEnabled,
            asNumber: c.bgp.asNumber,
            logSeverityScreen: c.bgp.logSeverityScreen,
            listenPort: c.bgp.listenPort,
            routeReflectors: (bgpMode === "routeReflector" || bgpMode === "hybrid") && c.bgp.routeReflectors ? { nodes: c.bgp.routeReflectors.nodes, clusterId: c.bgp.routeReflectors.clusterId, allowSingleReflector: c.bgp.routeReflectors.allowSingleReflector } : { nodes: [], clusterId: "", allowSingleReflector: false },
            racks: (bgpMode === "tor" || bgpMode === "hybrid") && c.bgp.tor ? c.bgp.tor.racks.map((r) => ({ name: r.name, nodes: r.nodes, asNumber: r.asNumber })) : [],
            rackLabel: c.bgp.tor?.rackLabel ?? "rack",
            peers,
            advertise: c.bgp.advertise,
            migration: c.bgp.migration,
        },
        registry: c.registry,
        operator: c.operator,
        monitoring: c.monitoring,
        nodePrep: c.nodePrep,
        policy: c.policy,
        benchmark: c.benchmark,
        calicoctl: c.calicoctl,
        kubeconfig: c.kubeconfig,
        kubeContext: c.kubeContext,
        protect: c.protect,
        typha: { expectedReplicas: typha },
        decisions,
        warnings,
    };
}

function resolveBgpMode(c: ParsedConfig, decide: (t: string, v: string, r: string) => void, warnings: ConfigIssue[]): BgpMode {
    const n = c.cluster.nodeCount;
    if (!c.network.bgp) {
        decide("bgp.mode", "disabled", "calico:network.bgp is false: routes come from VXLAN, no BGP sessions");
        return "disabled";
    }
    const requested = c.bgp.mode;
    if (requested === "auto") {
        if (c.bgp.tor && c.bgp.routeReflectors) {
            decide("bgp.mode", "hybrid", "auto: racks and route reflectors are both configured, so each rack's reflectors peer with its switches and its other nodes peer only with those reflectors");
            return "hybrid";
        }
        if (c.bgp.tor) {
            decide("bgp.mode", "tor", "auto: top-of-rack racks are configured, so nodes peer with their switches instead of each other");
            return "tor";
        }
        if (n <= FULL_MESH_MAX_NODES) {
            decide("bgp.mode", "mesh", `auto: ${n} nodes ≤ ${FULL_MESH_MAX_NODES}, so a full mesh (${meshSessions(n)} sessions) is simplest`);
            return "mesh";
        }
        decide("bgp.mode", "routeReflector", `auto: ${n} nodes > ${FULL_MESH_MAX_NODES}; a full mesh would need ${meshSessions(n)} sessions, route reflectors cut that to about ${n} per reflector`);
        return "routeReflector";
    }
    if (requested === "mesh" && n > FULL_MESH_MAX_NODES) {
        warnings.push({
            path: "calico:bgp.mode",
            value: requested,
            message: `full mesh on ${n} nodes means ${meshSessions(n)} BGP sessions (${n - 1} per node); the guide recommends route reflectors above ${FULL_MESH_MAX_NODES} nodes`,
        });
    }
    if (requested === "routeReflector" && n <= FULL_MESH_MAX_NODES) {
        warnings.push({ path: "calico:bgp.mode", value: requested, message: `route reflectors on ${n} nodes; the guide recommends a full mesh up to ${FULL_MESH_MAX_NODES} nodes (simpler, no reflector to lose)` });
    }
    decide("bgp.mode", requested, "set explicitly in calico:bgp.mode");
    return requested;
}

function defaultEncapsulation(family: 4 | 6, bgp: boolean): Encapsulation {
    if (!bgp) return "VXLAN";
    return family === 4 ? "IPIP" : "None";
}

function resolvePools(c: ParsedConfig, decide: (t: string, v: string, r: string) => void): ResolvedIpPool[] {
    if (!c.network.ipPools) {
        const pools = c.cluster.podCidr.map((cidrText) => {
            const cidr = parseCidr(cidrText) as Cidr;
            return {
                name: `default-ipv${cidr.family}-ippool`,
                cidr: cidrText,
                family: cidr.family,
                blockSize: DEFAULT_BLOCK[cidr.family],
                encapsulation: defaultEncapsulation(cidr.family, c.network.bgp),
                natOutgoing: true,
                nodeSelector: "all()",
                disableBGPExport: false,
            };
        });
        decide("network.ipPools", pools.map((p) => `${p.name} ${p.cidr} ${p.encapsulation}`).join("; "), "no pools configured: one pool per pod CIDR with Calico's default block size and encapsulation");
        return pools;
    }
    return c.network.ipPools.map((p) => {
        const cidr = parseCidr(p.cidr) as Cidr;
        const encapsulation = p.encapsulation ?? defaultEncapsulation(cidr.family, c.network.bgp);
        if (!p.encapsulation) decide(`network.ipPools.${p.name}.encapsulation`, encapsulation, c.network.bgp ? "Calico's default for a BGP cluster" : "BGP is off, so only VXLAN can carry pod traffic between nodes");
        return {
            name: p.name,
            cidr: p.cidr,
            family: cidr.family,
            blockSize: p.blockSize ?? DEFAULT_BLOCK[cidr.family],
            encapsulation,
            natOutgoing: p.natOutgoing,
            nodeSelector: parseSelector(p.nodeSelector).toString(),
            disableBGPExport: p.disableBGPExport,
        };
    });
}

function resolvePeers(c: ParsedConfig, mode: BgpMode): ResolvedPeer[] {
    if (mode === "disabled") return [];
    const peers: ResolvedPeer[] = [];
    if ((mode === "tor" || mode === "hybrid") && c.bgp.tor) {
        const label = c.bgp.tor.rackLabel;
        // Hybrid: only the rack's reflectors peer with its switches; the rest peer with the reflectors.
        const who = (rack: string) => (mode === "hybrid" ? `${label} == "${rack}" && ${RR_LABEL} == "true"` : `${label} == "${rack}"`);
        c.bgp.tor.racks.forEach((rack, i) =>
            rack.switches.forEach((s, j) =>
                peers.push({
                    name: s.name ?? `tor-${rack.name}-${j + 1}`,
                    peerIP: s.peerIP,
                    asNumber: s.asNumber,
                    nodeSelector: parseSelector(who(rack.name)).toString(),
                    // Switches re-advertise node routes to each other; keeping the node as next hop avoids a hairpin through the switch.
                    keepOriginalNextHop: s.keepOriginalNextHop ?? true,
                    maxRestartTime: s.maxRestartTime,
                    password: s.password,
                    rack: rack.name,
                    configKey: `calico:bgp.tor.racks[${i}].switches[${j}]`,
                }),
            ),
        );
    }
    c.bgp.peers.forEach((p, i) =>
        peers.push({
            name: p.name,
            peerIP: p.peerIP,
            asNumber: p.asNumber,
            nodeSelector: parseSelector(p.nodeSelector).toString(),
            keepOriginalNextHop: p.keepOriginalNextHop,
            maxRestartTime: p.maxRestartTime,
            password: p.password,
            configKey: `calico:bgp.peers[${i}]`,
        }),
    );
    return peers;
}
