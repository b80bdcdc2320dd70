/**
 * Valid configs for the acceptance test (e2e/scenarios/calico-acceptance.test.ts): the committed
 * stacks, the accepted rows of the upstream-agreement table, and configs generated from a seeded
 * random source that together set every config field that reaches a calicoctl object or flag, the
 * Installation, the APIServer or the IPAM settings, at both Calico versions. A generated config is
 * kept only if the program accepts it (loadSettings): the question the test asks is whether Calico
 * accepts everything the program does.
 */
import { loadSettings } from "../../lib/pipeline";
import { CALICO_VERSIONS, type CalicoVersion } from "../../lib/model/versions";
import { AGREEMENT_ROWS, baseFor } from "../../test/config/upstream-agreement";
import { baseConfig, type RawConfig } from "../../test/support/configs";
import { STACK_NAMES, stackConfigWithSecrets } from "../../test/support/stacks";

/** One config the program accepts, with where it came from. */
export interface ValidConfig {
    readonly title: string;
    readonly version: CalicoVersion;
    readonly config: RawConfig;
}

/**
 * The config fields whose values reach Calico (a calicoctl object or flag, the Installation, the
 * APIServer, the IPAM settings): each must be set by at least one generated config per version,
 * except where the version has no such field (VERSION_ONLY).
 */
export const CALICO_FIELDS = [
    "calico:cluster.podCidr",
    "calico:cluster.serviceCidr",
    "calico:cluster.nodes[].labels",
    "calico:cluster.apiServer.host",
    "calico:cluster.apiServer.port",
    "calico:network.bgp",
    "calico:network.dataplane",
    "calico:network.mtu",
    "calico:network.autodetection.firstFound",
    "calico:network.autodetection.kubernetes",
    "calico:network.autodetection.interface",
    "calico:network.autodetection.skipInterface",
    "calico:network.autodetection.canReach",
    "calico:network.autodetection.cidrs",
    "calico:network.ipPools[].name",
    "calico:network.ipPools[].cidr",
    "calico:network.ipPools[].blockSize",
    "calico:network.ipPools[].encapsulation",
    "calico:network.ipPools[].natOutgoing",
    "calico:network.ipPools[].nodeSelector",
    "calico:network.ipPools[].disableBGPExport",
    "calico:network.hostPorts",
    "calico:network.ipam.strictAffinity",
    "calico:network.ipam.maxBlocksPerHost",
    "calico:network.wireguard",
    "calico:network.controlPlaneReplicas",
    "calico:bgp.mode",
    "calico:bgp.asNumber",
    "calico:bgp.logSeverityScreen",
    "calico:bgp.listenPort",
    "calico:bgp.routeReflectors.nodes",
    "calico:bgp.routeReflectors.clusterId",
    "calico:bgp.routeReflectors.allowSingleReflector",
    "calico:bgp.tor.rackLabel",
    "calico:bgp.tor.racks[].nodes",
    "calico:bgp.tor.racks[].asNumber",
    "calico:bgp.tor.racks[].switches[].name",
    "calico:bgp.tor.racks[].switches[].peerIP",
    "calico:bgp.tor.racks[].switches[].asNumber",
    "calico:bgp.tor.racks[].switches[].keepOriginalNextHop",
    "calico:bgp.tor.racks[].switches[].maxRestartTime",
    "calico:bgp.tor.racks[].switches[].password",
    "calico:bgp.peers[].name",
    "calico:bgp.peers[].peerIP",
    "calico:bgp.peers[].asNumber",
    "calico:bgp.peers[].nodeSelector",
    "calico:bgp.peers[].keepOriginalNextHop",
    "calico:bgp.peers[].maxRestartTime",
    "calico:bgp.peers[].password",
    "calico:bgp.advertise.serviceClusterIPs",
    "calico:bgp.advertise.serviceExternalIPs",
    "calico:bgp.advertise.serviceLoadBalancerIPs",
    "calico:registry.url",
    "calico:registry.imagePath",
    "calico:registry.pullSecrets",
    "calico:monitoring.enabled",
    "calico:monitoring.felixMetricsPort",
    "calico:monitoring.typhaMetricsPort",
    "calico:monitoring.kubeControllersMetricsPort",
    "calico:policy.baseline.enabled",
    "calico:policy.baseline.mode",
    "calico:policy.baseline.excludeNamespaces",
    "calico:policy.baseline.selector",
    "calico:policy.baseline.order",
] as const;

/** Fields a version's program refuses outright (so no config of that version can set them). */
export const VERSION_ONLY: Readonly<Record<string, CalicoVersion>> = {
    "calico:network.ipam.maxBlocksPerHost": "v3.31.3",
};

/** mulberry32: a small, seeded PRNG, so the corpus is the same on every run. */
function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Field paths of `c` with array indices folded to `[]`, for the coverage count. */
export function fieldPaths(c: RawConfig): Set<string> {
    const out = new Set<string>();
    const walk = (v: unknown, path: string) => {
        if (Array.isArray(v)) {
            out.add(path);
            for (const x of v) if (x && typeof x === "object") walk(x, `${path}[]`);
            return;
        }
        if (v && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
            return;
        }
        out.add(path);
    };
    for (const [k, v] of Object.entries(c)) walk(v, k);
    return out;
}

/** One random config for `version`; shapes are valid by construction where that is cheap, the rest is left to loadSettings. */
function generate(rand: () => number, version: CalicoVersion, i: number): RawConfig {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const maybe = (p = 0.5) => rand() < p;
    const c = baseFor(version);
    const net: Record<string, any> = (c["calico:network"] = { ...c["calico:network"] });
    const cluster: Record<string, any> = (c["calico:cluster"] = { ...c["calico:cluster"], name: `g${i}` });
    const dual = maybe(0.25);
    const pod4 = "10.244.0.0/16";
    const pod6 = "fd00:10:244::/56";
    cluster.podCidr = dual ? [pod4, pod6] : pod4;
    cluster.serviceCidr = dual ? ["10.96.0.0/12", "fd00:10:96::/112"] : pick(["10.96.0.0/12", "10.96.0.0/16", "172.20.0.0/16"]);
    const enc = () => pick(["None", "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet"] as const);
    const pool = (name: string, cidr: string, v6 = false): Record<string, unknown> => ({
        name,
        cidr,
        ...(maybe() ? { blockSize: v6 ? pick([116, 120, 122, 124]) : pick([24, 26, 27, 28, 29]) } : {}),
        ...(maybe(0.7) ? { encapsulation: v6 ? pick(["None", "VXLAN", "VXLANCrossSubnet"]) : enc() } : {}),
        ...(maybe() ? { natOutgoing: maybe() } : {}),
        ...(maybe(0.4) ? { nodeSelector: pick(["all()", "kubernetes.io/os == 'linux'", "!has(edge)", "zone in { 'a', 'b' }"]) } : {}),
        ...(maybe(0.3) ? { disableBGPExport: maybe() } : {}),
    });
    const pools = version === "v3.31.3" && maybe(0.4) ? [pool(pick(["blue", "p-a", "pool.one"]), "10.244.0.0/17"), pool(pick(["green", "p-b", "pool.two"]), "10.244.128.0/17")] : [pool(pick(["default-ipv4-ippool", "main", "pods"]), pod4)];
    if (dual) pools.push(pool(pick(["default-ipv6-ippool", "v6"]), "fd00:10:244::/64", true));
    net.ipPools = pools;
    if (maybe(0.3)) net.bgp = maybe(0.7);
    if (maybe(0.5)) net.dataplane = pick(["iptables", "nftables", "bpf"]);
    if (net.dataplane === "bpf" && maybe(0.7)) cluster.apiServer = { host: pick(["192.0.2.10", "api.example.com", "k8s-api.internal"]), ...(maybe() ? { port: pick([6443, 443, 8443]) } : {}) };
    if (maybe(0.4)) net.mtu = pick([1400, 1450, 1480, 1500, 8950, 9000]);
    if (maybe(0.5)) {
        const method = pick(["firstFound", "kubernetes", "interface", "skipInterface", "canReach", "cidrs"] as const);
        net.autodetection = {
            firstFound: { firstFound: true },
            kubernetes: { kubernetes: "NodeInternalIP" },
            interface: { interface: pick(["eth0", "eth.*", "ens[0-9]+", "bond0,eth1"]) },
            skipInterface: { skipInterface: pick(["docker.*", "veth.*,cali.*"]) },
            canReach: { canReach: pick(["192.0.2.1", "www.example.com"]) },
            cidrs: { cidrs: pick([["10.0.0.0/8"], ["192.168.0.0/16", "172.16.0.0/12"]]) },
        }[method];
    }
    if (maybe(0.3)) net.hostPorts = maybe();
    if (maybe(0.4)) net.ipam = { ...(maybe(0.8) ? { strictAffinity: maybe() } : {}), ...(version === "v3.31.3" && maybe() ? { maxBlocksPerHost: pick([0, 4, 20, 100]) } : {}) };
    if (maybe(0.25)) net.wireguard = true;
    if (maybe(0.3)) net.controlPlaneReplicas = pick([1, 2, 3]);

    const bgp: Record<string, any> = {};
    const mode = pick(["auto", "mesh", "routeReflector", "tor", "hybrid"] as const);
    if (maybe()) bgp.asNumber = pick([64512, 65000, "65000", "1.10", 4200000000]);
    if (maybe(0.4)) bgp.logSeverityScreen = pick(version === "v3.31.3" ? ["Trace", "Debug", "Info", "Warning", "Error", "Fatal"] : ["Debug", "Info", "Warning", "Error", "Fatal"]);
    if (maybe(0.3)) bgp.listenPort = pick([179, 1179, 17900]);
    const sw = (r: number, k: number): Record<string, unknown> => ({
        ...(maybe(0.6) ? { name: `tor-r${r}-${k}` } : {}),
        peerIP: maybe(0.8) ? `192.168.${r}.${k + 1}` : `fd00:192:168:${r}::${k + 1}`,
        asNumber: pick([65001, 65010 + r, "65020"]),
        ...(maybe(0.3) ? { keepOriginalNextHop: maybe() } : {}),
        ...(maybe(0.3) ? { maxRestartTime: pick(["120s", "2m", "90s"]) } : {}),
        ...(maybe(0.3) ? { password: `sw-pass-${r}-${k}` } : {}),
    });
    if (mode === "mesh") {
        bgp.mode = "mesh";
        cluster.nodeCount = pick([3, 10, 50, 100]);
    } else if (mode === "routeReflector" || (mode === "auto" && maybe())) {
        if (mode === "routeReflector") bgp.mode = "routeReflector";
        cluster.nodeCount = pick([101, 150, 400]);
        const single = maybe(0.2);
        const rrs = single ? ["rr-1"] : ["rr-1", "rr-2", "rr-3"].slice(0, pick([2, 3]));
        bgp.routeReflectors = { nodes: rrs, ...(maybe() ? { clusterId: pick(["244.0.0.1", "10.0.0.1", "1.2.3.4"]) } : {}), ...(single ? { allowSingleReflector: true } : {}) };
        if (maybe()) cluster.nodes = rrs.map((n, k) => ({ name: n, labels: { rack: `r${k + 1}`, "topology.kubernetes.io/zone": `z${k}` } }));
    } else if (mode === "tor" || mode === "hybrid") {
        bgp.mode = mode;
        cluster.nodeCount = mode === "hybrid" ? pick([120, 200]) : pick([8, 60, 200]);
        const racks = pick([1, 2, 3]);
        const label = maybe(0.3) ? pick(["topology.example.com/rack", "rack-id"]) : undefined;
        bgp.tor = {
            ...(label ? { rackLabel: label } : {}),
            racks: Array.from({ length: racks }, (_, r) => ({
                name: `r${r + 1}`,
                nodes: [...(mode === "hybrid" ? [`rr-r${r + 1}-a`, `rr-r${r + 1}-b`] : []), `n-r${r + 1}-1`, `n-r${r + 1}-2`],
                ...(maybe(0.6) ? { asNumber: 65100 + r } : {}),
                switches: Array.from({ length: pick([1, 2]) }, (_, k) => sw(r + 1, k)),
            })),
        };
        if (mode === "hybrid") bgp.routeReflectors = { nodes: Array.from({ length: racks }, (_, r) => [`rr-r${r + 1}-a`, `rr-r${r + 1}-b`]).flat() };
    } else {
        cluster.nodeCount = pick([5, 40]);
    }
    if (maybe(0.3)) {
        bgp.peers = Array.from({ length: pick([1, 2]) }, (_, k) => ({
            name: pick(["edge", "upstream", "dc.gw"]) + `-${k}`,
            peerIP: pick([`198.51.100.${k + 1}`, `198.51.100.${k + 1}:1179`, `2001:db8::${k + 1}`]),
            asNumber: pick([65500, "65501", "0.65502"]),
            ...(maybe() ? { nodeSelector: pick(["all()", "rack == 'r1'", "has(edge-router)"]) } : {}),
            ...(maybe(0.3) ? { keepOriginalNextHop: maybe() } : {}),
            ...(maybe(0.3) ? { maxRestartTime: pick(["300s", "5m"]) } : {}),
            ...(maybe(0.3) ? { password: `peer-pass-${k}` } : {}),
        }));
    }
    if (maybe(0.3)) {
        bgp.advertise = {
            ...(maybe() ? { serviceClusterIPs: [dual && maybe() ? "fd00:10:96::/112" : "10.96.0.0/12"] } : {}),
            ...(maybe() ? { serviceExternalIPs: [pick(["203.0.113.0/24", "203.0.113.7"])] } : {}),
            ...(maybe() ? { serviceLoadBalancerIPs: [pick(["198.18.0.0/24", "198.18.1.1/32"])] } : {}),
        };
    }
    if (Object.keys(bgp).length) c["calico:bgp"] = bgp;
    if (maybe(0.25)) c["calico:registry"] = { url: pick(["registry.example.com/", "registry.example.com:5000/mirror/", "UseDefault"]), ...(maybe() ? { imagePath: pick(["calico", "mirror/calico", "UseDefault"]) } : {}), ...(maybe() ? { pullSecrets: ["regcred"] } : {}) };
    if (maybe(0.4)) {
        c["calico:monitoring"] = maybe(0.2)
            ? { enabled: false }
            : { enabled: true, ...(maybe() ? { felixMetricsPort: pick([9091, 9191]) } : {}), ...(maybe() ? { typhaMetricsPort: pick([9093, 9193]) } : {}), ...(maybe() ? { kubeControllersMetricsPort: pick([9094, 9194]) } : {}) };
    }
    if (maybe(0.25)) {
        c["calico:policy"] = {
            baseline: {
                enabled: true,
                ...(version === "v3.31.3" && maybe() ? { mode: "staged" } : maybe(0.2) ? { mode: "enforce" } : {}),
                ...(maybe() ? { excludeNamespaces: ["ingress-nginx"] } : {}),
                ...(maybe(0.3) ? { selector: "app != 'legacy'" } : {}),
                ...(maybe(0.3) ? { order: pick([0, 100, 10000.5]) } : {}),
            },
        };
    }
    return c;
}

/** Whether the program accepts `c`. */
function accepted(c: RawConfig): boolean {
    try {
        loadSettings(c);
        return true;
    } catch {
        return false;
    }
}

/**
 * At least `perVersion` generated configs the program accepts, for each Calico version (seeded:
 * the same list on every run), plus how many candidates the program refused on the way.
 */
export function generatedConfigs(perVersion: number, seed = 20261206): { configs: ValidConfig[]; refusedByProgram: number } {
    const rand = prng(seed);
    const configs: ValidConfig[] = [];
    let refusedByProgram = 0;
    for (const version of CALICO_VERSIONS) {
        let n = 0;
        for (let i = 0; n < perVersion; i++) {
            if (i > perVersion * 20) throw new Error(`the generator found only ${n} accepted configs for ${version} in ${i} tries`);
            const config = generate(rand, version, i);
            if (accepted(config)) {
                configs.push({ title: `generated ${version} #${i}`, version, config });
                n++;
            } else refusedByProgram++;
        }
    }
    return { configs, refusedByProgram };
}

/** The committed stacks (with their runbook secrets) and the accepted rows of the upstream-agreement table. */
export function tableConfigs(): ValidConfig[] {
    const out: ValidConfig[] = [];
    for (const name of STACK_NAMES) {
        const config = stackConfigWithSecrets(name);
        out.push({ title: `stack ${name}`, version: (config["calico:version"] ?? "v3.31.3") as CalicoVersion, config });
    }
    for (const row of AGREEMENT_ROWS) {
        for (const version of CALICO_VERSIONS) {
            if (row.verdict[version] !== "accept") continue;
            const config = baseFor(version);
            row.edit(config, version);
            out.push({ title: `agreement: ${row.title} (${version})`, version, config });
        }
    }
    out.push({ title: "base config", version: "v3.31.3", config: baseConfig() });
    return out;
}
