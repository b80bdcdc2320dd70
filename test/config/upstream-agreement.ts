/**
 * Agreement with upstream: configs that the pinned operator and calicoctl accept must be accepted,
 * and configs they reject (or that fail in the cluster later) must be rejected, per version. Every
 * row cites where upstream decides (repo, tag, file:line and function or message); rows marked
 * `ours` are where this project is stricter on purpose, and their error must name the reason.
 */
import { baseConfig, setPath, type RawConfig } from "../support/configs";
import type { K8sObject } from "../../lib/render/objects";
import type { PlannedResource } from "../../lib/render/resource-spec";
import type { CalicoVersion } from "../../lib/model/versions";

/** What a version does with a row's config: accept it, or reject it naming this key path. */
export type Verdict = "accept" | { readonly path: string; readonly reason?: RegExp };

/** One row of the table. */
export interface AgreementRow {
    readonly title: string;
    /** Edit applied to the version's valid base config. */
    readonly edit: (c: RawConfig, version: CalicoVersion) => void;
    /** The verdict per version (both pinned versions are always listed). */
    readonly verdict: Readonly<Record<CalicoVersion, Verdict>>;
    /** The upstream source, or "ours: <reason>" where the project is stricter on purpose. */
    readonly source: string;
    /** For accepted rows: what the rendered objects must hold (normalised values). */
    readonly rendered?: (objects: readonly K8sObject[], plan: readonly PlannedResource[]) => void;
}

/** A valid base per version: v3.27.3 runs on Kubernetes 1.28 and takes one pool per family. */
export function baseFor(version: CalicoVersion): RawConfig {
    const c = baseConfig();
    c["calico:version"] = version;
    if (version === "v3.27.3") {
        c["calico:kubernetesVersion"] = "1.28";
        c["calico:network"].ipPools = [{ name: "p1", cidr: "10.244.0.0/16", encapsulation: "IPIP" }];
    }
    return c;
}

const CAL = (tag: string, where: string) => `projectcalico/calico ${tag} ${where}`;
const OP = (tag: string, where: string) => `tigera/operator ${tag} ${where}`;
const BOTH_CAL = (where: string) => `${CAL("v3.27.3", where)}; same at v3.31.3`;
const ASN = BOTH_CAL("api/pkg/lib/numorstring/asnumber.go:29 ASNumberFromString");
const IPPORT = `${CAL("v3.27.3", "libcalico-go/lib/validator/v3/validator.go:750 processIPPort")}; ${CAL("v3.31.3", "validator.go:823 processIPPort")}`;
const NET = `${CAL("v3.27.3", "libcalico-go/lib/validator/v3/validator.go:636 validateIPNetwork (ParseCIDROrIP, strictly masked)")}; ${CAL("v3.31.3", "validator.go:693")}; bgpconfig.go ServiceClusterIPBlock validate:\"omitempty,net\"`;
const POOL = (line27: number, line31: number, what: string) => `${CAL("v3.27.3", `libcalico-go/lib/validator/v3/validator.go:${line27} validateIPPoolSpec`)}; ${CAL("v3.31.3", `validator.go:${line31}`)}: ${what}`;
const NAME = `${CAL("v3.27.3", "libcalico-go/lib/validator/v3/validator.go:62 nameRegex (nameSubdomainFmt)")}; ${CAL("v3.31.3", "validator.go:63")}`;
const AUTODETECT = `${CAL("v3.27.3", "node/pkg/lifecycle/startup/autodetection/autodetection_methods.go:49,75 (split on \\s*,\\s*) and interfaces.go:49,55 regexp.Compile")}; same lines at v3.31.3`;
const ACCEPT_BOTH = { "v3.31.3": "accept", "v3.27.3": "accept" } as const;
const both = (path: string, reason?: RegExp): Record<CalicoVersion, Verdict> => ({ "v3.31.3": { path, reason }, "v3.27.3": { path, reason } });

const find = (objects: readonly K8sObject[], kind: string, name?: string): any => {
    const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
    if (!o) throw new Error(`no ${kind} ${name ?? ""} rendered`);
    return o;
};
const expectEq = (got: unknown, want: unknown, what: string) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};
const peer = (extra: Record<string, unknown>) => (c: RawConfig) => {
    c["calico:bgp"] = { peers: [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000, ...extra }] };
};
const tor = (sw: Record<string, unknown>, rack: Record<string, unknown> = {}) => (c: RawConfig) => {
    c["calico:bgp"] = { mode: "tor", tor: { racks: [{ name: "r1", nodes: ["n1"], ...rack, switches: [{ peerIP: "192.168.1.1", asNumber: 65001, ...sw }] }] } };
};
const pools = (list: unknown[]) => (c: RawConfig) => {
    c["calico:network"].ipPools = list;
};

export const AGREEMENT_ROWS: AgreementRow[] = [
    // AS numbers: asdot and strings, in every AS field, normalised to the uint32 calicoctl stores.
    {
        title: "asdot AS number as a string in calico:bgp.asNumber",
        edit: (c) => setPath(c, "calico:bgp.asNumber", "1.10"),
        verdict: ACCEPT_BOTH,
        source: ASN,
        rendered: (o) => expectEq(find(o, "BGPConfiguration").spec.asNumber, 65546, "BGPConfiguration asNumber"),
    },
    {
        title: "the largest asdot AS number on a peer",
        edit: peer({ asNumber: "65535.65535" }),
        verdict: ACCEPT_BOTH,
        source: ASN,
        rendered: (o) => expectEq(find(o, "BGPPeer", "edge").spec.asNumber, 4294967295, "BGPPeer asNumber"),
    },
    {
        title: "asplain AS numbers as strings on a switch and a rack",
        edit: tor({ asNumber: "64513" }, { asNumber: "65000.100" }),
        verdict: ACCEPT_BOTH,
        source: ASN,
        rendered: (o, plan) => {
            expectEq(find(o, "BGPPeer", "tor-r1-1").spec.asNumber, 64513, "switch BGPPeer asNumber");
            const patch = plan.find((p) => p.spec.kind === "localCommand" && p.spec.create.includes("patch node 'n1'"));
            expectEq(patch?.spec.kind === "localCommand" && JSON.parse(patch.spec.stdin ?? "{}"), { spec: { bgp: { asNumber: 65000 * 65536 + 100 } } }, "rack Node patch");
        },
    },
    { title: "asdot with a part above 65535", edit: peer({ asNumber: "65536.1" }), verdict: both("calico:bgp.peers[0].asNumber", /asdot/), source: `${ASN} (each part strconv.ParseUint(…, 10, 16))` },
    { title: "AS number with a sign", edit: (c) => setPath(c, "calico:bgp.asNumber", "+64512"), verdict: both("calico:bgp.asNumber"), source: `${ASN} (strconv.ParseUint takes no sign)` },
    {
        title: "unquoted asdot (a YAML decimal) is refused with the quoting fix",
        edit: (c) => setPath(c, "calico:bgp.asNumber", 65000.1),
        verdict: both("calico:bgp.asNumber", /in quotes/),
        source: `${BOTH_CAL("api/pkg/lib/numorstring/asnumber.go UnmarshalJSON (a JSON number must fit uint32; only strings take asdot)")}; ours too: the decimal has lost asdot's digits`,
    },
    { title: "AS 0", edit: (c) => setPath(c, "calico:bgp.asNumber", 0), verdict: both("calico:bgp.asNumber", /reserved/), source: "ours: AS 0 is reserved (RFC 7607); numorstring would take it" },
    // peerIP with a port
    {
        title: "peerIP with a port (IPv4)",
        edit: peer({ peerIP: "192.0.2.1:1179" }),
        verdict: ACCEPT_BOTH,
        source: IPPORT,
        rendered: (o) => expectEq(find(o, "BGPPeer", "edge").spec.peerIP, "192.0.2.1:1179", "BGPPeer peerIP"),
    },
    {
        title: "switch peerIP with a port (bracketed IPv6)",
        edit: tor({ peerIP: "[9000::]:500" }),
        verdict: ACCEPT_BOTH,
        source: IPPORT,
        rendered: (o) => expectEq(find(o, "BGPPeer", "tor-r1-1").spec.peerIP, "[9000::]:500", "switch BGPPeer peerIP"),
    },
    { title: "peerIP with port 0", edit: peer({ peerIP: "192.0.2.1:0" }), verdict: both("calico:bgp.peers[0].peerIP", /port/), source: `${IPPORT} (port < 1)` },
    { title: "peerIP with a port above 65535", edit: peer({ peerIP: "192.0.2.1:65536" }), verdict: both("calico:bgp.peers[0].peerIP", /port/), source: `${IPPORT} (strconv.ParseUint(port, 10, 16))` },
    { title: "bracketed IPv6 peerIP without a port", edit: peer({ peerIP: "[fd00::1]" }), verdict: both("calico:bgp.peers[0].peerIP"), source: `${IPPORT} (no port: net.ParseIP("[fd00::1]") is nil)` },
    { title: "peerIP with leading zeros", edit: peer({ peerIP: "192.000.2.1" }), verdict: both("calico:bgp.peers[0].peerIP"), source: `${IPPORT} (Go's net.ParseIP refuses leading zeros since Go 1.17)` },
    // service IP blocks
    {
        title: "bare IPs in the three service advertisement lists",
        edit: (c) => setPath(c, "calico:bgp.advertise", { serviceClusterIPs: ["10.96.0.10"], serviceExternalIPs: ["203.0.113.7"], serviceLoadBalancerIPs: ["fd00:99::7"] }),
        verdict: ACCEPT_BOTH,
        source: NET,
        rendered: (o) => {
            const spec = find(o, "BGPConfiguration").spec;
            expectEq([spec.serviceClusterIPs, spec.serviceExternalIPs, spec.serviceLoadBalancerIPs], [[{ cidr: "10.96.0.10" }], [{ cidr: "203.0.113.7" }], [{ cidr: "fd00:99::7" }]], "service IP blocks");
        },
    },
    { title: "service external IP CIDR with host bits", edit: (c) => setPath(c, "calico:bgp.advertise", { serviceExternalIPs: ["203.0.113.7/24"] }), verdict: both("calico:bgp.advertise.serviceExternalIPs[0]", /host bits/), source: `${NET} (ipn.IP must equal the address)` },
    // Go durations
    {
        title: "maxRestartTime with a fraction (Go duration)",
        edit: peer({ maxRestartTime: "1.5m" }),
        verdict: ACCEPT_BOTH,
        source: `${CAL("v3.27.3", "api/pkg/apis/projectcalico/v3/bgppeer.go:98 MaxRestartTime *metav1.Duration")}; ${CAL("v3.31.3", "bgppeer.go:115")}; metav1.Duration.UnmarshalJSON uses time.ParseDuration`,
        rendered: (o) => expectEq(find(o, "BGPPeer", "edge").spec.maxRestartTime, "1.5m", "BGPPeer maxRestartTime"),
    },
    { title: "maxRestartTime in microseconds and hours", edit: peer({ maxRestartTime: "1h2m3.5s400us" }), verdict: ACCEPT_BOTH, source: "Go src/time/format.go ParseDuration (units ns us µs ms s m h, fractions, any order)" },
    { title: "maxRestartTime without a unit", edit: peer({ maxRestartTime: "120" }), verdict: both("calico:bgp.peers[0].maxRestartTime", /Go duration/), source: "Go src/time/format.go ParseDuration (\"missing unit in duration\")" },
    { title: "negative maxRestartTime", edit: peer({ maxRestartTime: "-5s" }), verdict: both("calico:bgp.peers[0].maxRestartTime", /negative/), source: "ours: time.ParseDuration takes a sign, but a restart time cannot be negative" },
    // log levels per version
    {
        title: "logSeverityScreen Trace",
        edit: (c) => setPath(c, "calico:bgp.logSeverityScreen", "Trace"),
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:bgp.logSeverityScreen", reason: /v3\.29/ } },
        source: `${CAL("v3.27.3", "libcalico-go/lib/validator/v3/validator.go:89 logLevelRegex ^(Debug|Info|Warning|Error|Fatal)$")}; ${CAL("v3.31.3", "validator.go:96 logLevelRegex ^(Trace|Debug|…)$")}`,
        rendered: (o) => expectEq(find(o, "BGPConfiguration").spec.logSeverityScreen, "Trace", "logSeverityScreen"),
    },
    // names
    {
        title: "pool and peer names with dots (DNS-1123 subdomains)",
        edit: (c, v) => {
            c["calico:network"].ipPools[0].name = "pool.v4.a";
            peer({})(c);
            c["calico:bgp"].peers[0].name = "edge.router-1";
            void v;
        },
        verdict: ACCEPT_BOTH,
        source: NAME,
        rendered: (o) => {
            find(o, "BGPPeer", "edge.router-1");
            const install = find(o, "Installation");
            const names = install.spec.calicoNetwork.ipPools.map((p: { name?: string }) => p.name);
            if (names[0] !== undefined && names[0] !== "pool.v4.a") throw new Error(`pool name ${names[0]}`);
        },
    },
    { title: "a pool name with upper case", edit: (c) => (c["calico:network"].ipPools[0].name = "Pool.A"), verdict: both("calico:network.ipPools[0].name", /subdomain/), source: NAME },
    { title: "a peer name longer than 253 characters", edit: peer({ name: "a".repeat(254) }), verdict: both("calico:bgp.peers[0].name", /253/), source: `${NAME} (k8s validation: DNS-1123 subdomains ≤ 253)` },
    // registry forms
    {
        title: "registry and imagePath UseDefault",
        edit: (c) => (c["calico:registry"] = { url: "UseDefault", imagePath: "UseDefault" }),
        verdict: ACCEPT_BOTH,
        source: `${OP("v1.32.7", "pkg/components/references.go:34 UseDefault, GetReference")}; ${OP("v1.40.3", "references.go:35")}`,
        rendered: (o) => {
            expectEq([find(o, "Installation").spec.registry, find(o, "Installation").spec.imagePath], ["UseDefault", "UseDefault"], "Installation registry");
            const ds = find(o, "DaemonSet");
            expectEq(ds.spec.template.spec.initContainers[0].image.startsWith("UseDefault"), false, "node-prep image ignores UseDefault");
        },
    },
    {
        title: "registry URL without a trailing slash",
        edit: (c) => (c["calico:registry"] = { url: "registry.example.com" }),
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:registry.url", reason: /end with "\/"/ } },
        source: `${OP("v1.40.3", "pkg/components/references.go:82 GetReference adds \"/\" when missing")}; ${OP("v1.32.7", "references.go GetReference formats registry+image as written")}`,
        rendered: (o) => expectEq(find(o, "DaemonSet").spec.template.spec.initContainers[0].image.startsWith("registry.example.com/"), true, "node-prep image through the registry"),
    },
    // autodetection
    {
        title: "autodetection CIDRs with host bits",
        edit: (c) => setPath(c, "calico:network.autodetection", { cidrs: ["10.0.0.5/24", "192.168.7.9/16"] }),
        verdict: ACCEPT_BOTH,
        source: `${OP("v1.32.7", "pkg/controller/installation/validation.go:491 net.ParseCIDR(c)")}; ${OP("v1.40.3", "validation.go:465")}; calico-node cnet.ParseCIDR (autodetection_methods.go AutoDetectCIDR)`,
        rendered: (o) => expectEq(find(o, "Installation").spec.calicoNetwork.nodeAddressAutodetectionV4.cidrs, ["10.0.0.5/24", "192.168.7.9/16"], "autodetection cidrs"),
    },
    {
        // Stricter than upstream on purpose: the operator parses any CIDR, but the IPv4 method only
        // ever looks at IPv4 addresses, so an IPv6 range can never match (bad input, third pass).
        title: "an IPv6 range in the IPv4 autodetection",
        edit: (c) => setPath(c, "calico:network.autodetection", { cidrs: ["10.0.0.5/24", "fd00::5/64"] }),
        verdict: both("calico:network.autodetection.cidrs[1]", /IPv6 range/),
        source: `${OP("v1.32.7", "validation.go:491 accepts it")}; calico-node autodetection_methods.go AutoDetectCIDR compares it only with addresses of the method's IP version`,
    },
    { title: "interface regexes Go compiles (comma-separated)", edit: (c) => setPath(c, "calico:network.autodetection", { interface: "ens[0-9]+, eth(0|1), (?i)bond.*" }), verdict: ACCEPT_BOTH, source: AUTODETECT },
    { title: "interface regex with lookahead", edit: (c) => setPath(c, "calico:network.autodetection", { interface: "eth(?=0)" }), verdict: both("calico:network.autodetection.interface", /RE2/), source: `${AUTODETECT}; Go regexp/syntax: lookaround is not RE2` },
    { title: "skipInterface regex with a backreference", edit: (c) => setPath(c, "calico:network.autodetection", { skipInterface: "(veth)\\1" }), verdict: both("calico:network.autodetection.skipInterface", /RE2/), source: `${AUTODETECT}; Go regexp/syntax: invalid escape sequence \\1` },
    { title: "skipInterface regex with a repeat count above 1000", edit: (c) => setPath(c, "calico:network.autodetection", { skipInterface: "x{1001}" }), verdict: both("calico:network.autodetection.skipInterface", /repeat count/), source: `${AUTODETECT}; Go regexp/syntax: invalid repeat count` },
    { title: "interface regex with an unclosed group", edit: (c) => setPath(c, "calico:network.autodetection", { interface: "(eth" }), verdict: both("calico:network.autodetection.interface", /missing closing/), source: `${AUTODETECT}; Go regexp/syntax: missing closing )` },
    // bounds only upstream has
    { title: "jumbo-frame MTU above 9000", edit: (c) => setPath(c, "calico:network.mtu", 9216), verdict: ACCEPT_BOTH, source: `${OP("v1.32.7", "api/v1/installation_types.go:437 MTU *int32 (no bound)")}; ${OP("v1.40.3", "installation_types.go:607")}`, rendered: (o) => expectEq(find(o, "Installation").spec.calicoNetwork.mtu, 9216, "mtu") },
    { title: "MTU below IPv4's minimum", edit: (c) => setPath(c, "calico:network.mtu", 67), verdict: both("calico:network.mtu", /RFC 791/), source: "ours: IPv4 needs an MTU of at least 68 (RFC 791); the operator takes any int32" },
    { title: "controlPlaneReplicas above 10", edit: (c) => setPath(c, "calico:network.controlPlaneReplicas", 25), verdict: ACCEPT_BOTH, source: `${OP("v1.32.7", "pkg/controller/installation/validation.go:368 ControlPlaneReplicas should be greater than 0")}; ${OP("v1.40.3", "validation.go:319")}`, rendered: (o) => expectEq(find(o, "Installation").spec.controlPlaneReplicas, 25, "controlPlaneReplicas") },
    { title: "controlPlaneReplicas 0", edit: (c) => setPath(c, "calico:network.controlPlaneReplicas", 0), verdict: both("calico:network.controlPlaneReplicas", /at least 1/), source: `${OP("v1.32.7", "pkg/controller/installation/validation.go:368")}; ${OP("v1.40.3", "validation.go:319")}` },
    // pools managed out of band
    {
        title: "ipPools: [] (pools managed out of band)",
        edit: pools([]),
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:network.ipPools", reason: /out of band/ } },
        source: `${OP("v1.40.3", "api/v1/installation_types.go:597 \"If an empty list is provided, the operator will not create any IP pools\"")}; ${OP("v1.32.7", "installation_types.go:430 documents only \"If omitted, a single pool will be configured\"")}`,
        rendered: (o) => expectEq(find(o, "Installation").spec.calicoNetwork.ipPools, [], "Installation ipPools"),
    },
    // rejected as upstream rejects, or as the cluster would fail later
    { title: "default block size does not fit the pool", edit: pools([{ name: "p1", cidr: "10.244.0.0/28" }]), verdict: both("calico:network.ipPools[0].blockSize", /default \/26/), source: POOL(1102, 1188, "BlockSize defaults to 26 (IPv4) / 122 (IPv6), then \"IP pool size is too small\"") },
    { title: "default block size does not fit an IPv6 /124 pool", edit: (c) => ((c["calico:cluster"].podCidr = ["10.244.0.0/16", "fd00:10::/56"]), (c["calico:network"].ipPools = [{ name: "p1", cidr: "10.244.0.0/16" }, { name: "p6", cidr: "fd00:10::/124", encapsulation: "VXLAN" }])), verdict: both("calico:network.ipPools[1].blockSize", /default \/122/), source: POOL(1102, 1188, "IPv6 default block 122") },
    { title: "IPv4 link-local pool", edit: (c) => ((c["calico:cluster"].podCidr = "169.254.0.0/16"), pools([{ name: "p1", cidr: "169.254.0.0/17" }])(c)), verdict: both("calico:network.ipPools[0].cidr", /link-local/), source: POOL(1127, 1213, "overlapsV4LinkLocal") },
    { title: "IPv6 link-local pool", edit: (c) => ((c["calico:cluster"].podCidr = ["10.244.0.0/16", "fe80::/64"]), pools([{ name: "p1", cidr: "10.244.0.0/16" }, { name: "p6", cidr: "fe80::/64", encapsulation: "VXLAN" }])(c)), verdict: both("calico:network.ipPools[1].cidr", /link-local/), source: POOL(1132, 1218, "overlapsV6LinkLocal") },
    { title: "link-local pod CIDR for the default pool", edit: (c) => ((c["calico:cluster"].podCidr = "169.254.0.0/16"), delete c["calico:network"].ipPools), verdict: both("calico:cluster.podCidr", /link-local/), source: POOL(1127, 1213, "the default pool is the pod CIDR (a derived value gets the same check)") },
    {
        title: "two IPv4 pools",
        edit: pools([{ name: "p1", cidr: "10.244.0.0/17" }, { name: "p2", cidr: "10.244.128.0/17" }]),
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:network.ipPools", reason: /one IPv4 pool/ } },
        source: `${OP("v1.32.7", "pkg/controller/installation/validation.go:140-151 \"only one IPPool per version is allowed\"")}; ${OP("v1.40.3", "api/v1/installation_types.go:601 MaxItems=25")}`,
    },
    {
        title: "26 pools",
        edit: pools(Array.from({ length: 26 }, (_, i) => ({ name: `p${i}`, cidr: `10.244.${i * 8}.0/21` }))),
        verdict: { "v3.31.3": { path: "calico:network.ipPools", reason: /at most 25/ }, "v3.27.3": { path: "calico:network.ipPools", reason: /one IPv4 pool/ } },
        source: `${OP("v1.40.3", "api/v1/installation_types.go:601 +kubebuilder:validation:MaxItems=25")}; ${OP("v1.32.7", "validation.go:140")}`,
    },
    { title: "25 pools on v3.31.3", edit: (c, v) => (v === "v3.31.3" ? pools(Array.from({ length: 25 }, (_, i) => ({ name: `p${i}`, cidr: `10.244.${i * 8}.0/21` })))(c) : undefined), verdict: ACCEPT_BOTH, source: OP("v1.40.3", "api/v1/installation_types.go:601 MaxItems=25 (25 is allowed)") },
    {
        title: "global() as a pool node selector",
        edit: (c) => (c["calico:network"].ipPools[0].nodeSelector = "global()"),
        verdict: both("calico:network.ipPools[0].nodeSelector", /use all\(\)/),
        source: `${CAL("v3.31.3", "libcalico-go/lib/validator/v3/validator.go:1268 \"global() selector is not valid for IPPool nodeSelector\"")}; v3.27.3 has no such check — ours there: global() selects no node and the v3.31 upgrade would refuse it`,
    },
    {
        title: "eBPF with dual stack",
        edit: (c) => {
            c["calico:cluster"].podCidr = ["10.244.0.0/16", "fd00:10::/56"];
            c["calico:cluster"].apiServer = { host: "10.0.0.1" };
            c["calico:network"].dataplane = "bpf";
            c["calico:network"].ipPools = [{ name: "p1", cidr: "10.244.0.0/16", encapsulation: "VXLAN" }, { name: "p6", cidr: "fd00:10::/64", encapsulation: "VXLAN" }];
        },
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:network.dataplane", reason: /dual stack/ } },
        source: `${OP("v1.32.7", "pkg/controller/installation/validation.go:156 \"bpf dataplane does not support dual stack\"")}; ${OP("v1.40.3", "validation.go has no such check")}`,
    },
    {
        title: "IPAM maxBlocksPerHost",
        edit: (c) => setPath(c, "calico:network.ipam", { strictAffinity: true, maxBlocksPerHost: 4 }),
        verdict: { "v3.31.3": "accept", "v3.27.3": { path: "calico:network.ipam.maxBlocksPerHost", reason: /only --strictaffinity/ } },
        source: `${CAL("v3.31.3", "calicoctl/calicoctl/commands/ipam/configure.go:63 usage `[--max-blocks-per-host=<number>]`")}; ${CAL("v3.27.3", "configure.go:55 usage has only `--strictaffinity=<true/false>`")}`,
        rendered: (objects) => {
            const ipam = objects.find((o) => o.kind === "IPAMConfig");
            if (!ipam || JSON.stringify(ipam.spec) !== JSON.stringify({ strictAffinity: true, autoAllocateBlocks: true, maxBlocksPerHost: 4 })) throw new Error(`IPAMConfig rendered as ${JSON.stringify(ipam?.spec)}`);
        },
    },
    {
        title: "IPAM autoAllocateBlocks: false",
        edit: (c) => setPath(c, "calico:network.ipam", { autoAllocateBlocks: false }),
        verdict: both("calico:network.ipam.autoAllocateBlocks", /sets only strictaffinity/),
        source: `ours: ${CAL("v3.27.3 and v3.31.3", "calicoctl/calicoctl/commands/ipam/configure.go")} sets only StrictAffinity (and MaxBlocksPerHost), and calicoctl has no resource manager for IPAMConfiguration (calicoctl/calicoctl/resourcemgr), so nothing calicoctl does could apply it`,
    },
    { title: "eBPF without the API server address", edit: (c) => setPath(c, "calico:network.dataplane", "bpf"), verdict: both("calico:cluster.apiServer", /replaces kube-proxy/), source: "ours: eBPF replaces kube-proxy, so calico-node must reach the API server without the Service IP (the operator would wait for the kubernetes-services-endpoint ConfigMap)" },
];
