/**
 * The bad-input corpus: each case is one mistake a user makes, and the key path the error must name.
 */
import { baseConfig, dualStackConfig, setPath, type RawConfig } from "../support/configs";

/** One invalid config and the key path its error must name. */
export interface InvalidCase {
    readonly title: string;
    readonly config: RawConfig;
    readonly path: string;
    /** A secret (or what may be one) in the config that no message may show. */
    readonly secret?: string;
}

const edit = (title: string, path: string, value: unknown, expect = path, base: () => RawConfig = baseConfig): InvalidCase => ({ title, config: setPath(base(), path, value), path: expect });
const make = (title: string, f: (c: RawConfig) => void, expect: string, base: () => RawConfig = baseConfig): InvalidCase => {
    const c = base();
    f(c);
    return { title, config: c, path: expect };
};
const rr = (c: RawConfig, nodes: string[], extra: Record<string, unknown> = {}) => {
    c["calico:cluster"].nodeCount = 400;
    c["calico:bgp"] = { mode: "routeReflector", routeReflectors: { nodes, ...extra } };
};
const tor = (c: RawConfig, racks: unknown[]) => {
    c["calico:bgp"] = { mode: "tor", tor: { racks } };
};
const sw = (peerIP = "192.168.1.1") => ({ peerIP, asNumber: 65001 });

export const INVALID_CASES: InvalidCase[] = [
    // Found by the real calicoctl v3.31.3 (e2e calico-acceptance): libcalico-go lib/ipam/ipam.go:2012.
    edit("IPAM block limit without strict affinity", "calico:network.ipam", { maxBlocksPerHost: 8 }, "calico:network.ipam.maxBlocksPerHost"),
    edit("IPAM block limit with strict affinity off", "calico:network.ipam", { strictAffinity: false, maxBlocksPerHost: 8 }, "calico:network.ipam.maxBlocksPerHost"),
    // top level and versions
    edit("unknown top-level key", "calico:foo", 1),
    edit("misspelt top-level key", "calico:netwrk", { bgp: true }),
    edit("unsupported Calico version", "calico:version", "v3.30.0"),
    edit("unsupported Kubernetes version", "calico:kubernetesVersion", "1.29"),
    edit("missing Kubernetes version", "calico:kubernetesVersion", undefined),
    make("v3.27.3 on Kubernetes 1.33", (c) => (c["calico:version"] = "v3.27.3"), "calico:kubernetesVersion"),
    make("v3.27.3 on Kubernetes 1.34", (c) => ((c["calico:version"] = "v3.27.3"), (c["calico:kubernetesVersion"] = "1.34")), "calico:kubernetesVersion"),
    edit("v3.31.3 on Kubernetes 1.28", "calico:kubernetesVersion", "1.28"),
    // An empty kubeContext is Pulumi.yaml's "unset" default, so it is not a case here.
    edit("kubeContext of the wrong type", "calico:kubeContext", ["a", "b"]),
    // cluster
    edit("cluster missing", "calico:cluster", undefined),
    edit("cluster name upper case", "calico:cluster.name", "Prod"),
    edit("cluster name too long", "calico:cluster.name", "x".repeat(64)),
    edit("cluster name missing", "calico:cluster.name", undefined),
    edit("nodeCount zero", "calico:cluster.nodeCount", 0),
    edit("nodeCount negative", "calico:cluster.nodeCount", -3),
    edit("nodeCount fractional", "calico:cluster.nodeCount", 2.5),
    edit("nodeCount as text", "calico:cluster.nodeCount", "10"),
    edit("podCidr without prefix", "calico:cluster.podCidr", "10.244.0.0"),
    edit("podCidr with host bits", "calico:cluster.podCidr", "10.244.0.1/16"),
    edit("podCidr bad octet", "calico:cluster.podCidr", "300.1.0.0/16"),
    edit("podCidr two IPv4 ranges", "calico:cluster.podCidr", ["10.244.0.0/16", "10.245.0.0/16"]),
    edit("podCidr three ranges", "calico:cluster.podCidr", ["10.244.0.0/16", "fd00::/56", "10.1.0.0/16"]),
    edit("serviceCidr missing", "calico:cluster.serviceCidr", undefined),
    edit("serviceCidr overlaps podCidr", "calico:cluster.serviceCidr", "10.244.0.0/20"),
    edit("unknown cluster key", "calico:cluster.zones", 3),
    edit("duplicate node names", "calico:cluster.nodes", [{ name: "a" }, { name: "a" }], "calico:cluster.nodes[1].name"),
    edit("more nodes than nodeCount", "calico:cluster.nodes", Array.from({ length: 11 }, (_, i) => ({ name: `n${i}` }))),
    edit("node name with underscore", "calico:cluster.nodes", [{ name: "Node_A" }], "calico:cluster.nodes[0].name"),
    edit("node label value not a string", "calico:cluster.nodes", [{ name: "a", labels: { rack: 1 } }], "calico:cluster.nodes[0].labels.rack"),
    edit("apiServer port out of range", "calico:cluster.apiServer", { host: "10.0.0.1", port: 0 }, "calico:cluster.apiServer.port"),
    // network
    edit("unknown dataplane", "calico:network.dataplane", "vpp"),
    make("nftables on v3.27.3", (c) => ((c["calico:version"] = "v3.27.3"), (c["calico:kubernetesVersion"] = "1.28"), (c["calico:network"].dataplane = "nftables")), "calico:network.dataplane"),
    edit("eBPF without API endpoint", "calico:network.dataplane", "bpf", "calico:cluster.apiServer"),
    edit("MTU below IPv4's minimum", "calico:network.mtu", 50),
    edit("MTU beyond the largest IP packet", "calico:network.mtu", 70000),
    edit("two autodetection methods", "calico:network.autodetection", { firstFound: true, interface: "eth0" }),
    edit("no autodetection method", "calico:network.autodetection", {}),
    edit("unknown Kubernetes autodetection", "calico:network.autodetection", { kubernetes: "ExternalIP" }, "calico:network.autodetection.kubernetes"),
    edit("misspelt autodetection key", "calico:network.autodetection", { interfaces: "eth.*" }, "calico:network.autodetection.interfaces"),
    edit("autodetection bad CIDR", "calico:network.autodetection", { cidrs: ["10.0.0.0/33"] }, "calico:network.autodetection.cidrs[0]"),
    edit("bgp as text", "calico:network.bgp", "yes"),
    edit("unknown network key", "calico:network.encapsulation", "IPIP"),
    edit("controlPlaneReplicas zero", "calico:network.controlPlaneReplicas", 0),
    // pools
    edit("pool CIDR not a CIDR", "calico:network.ipPools[1].cidr", "10.244.128.0/40"),
    edit("pool outside podCidr", "calico:network.ipPools[1].cidr", "10.250.0.0/17"),
    edit("pools overlap", "calico:network.ipPools[1].cidr", "10.244.64.0/18"),
    edit("pool missing CIDR", "calico:network.ipPools[0].cidr", undefined),
    edit("IPv4 block size too small", "calico:network.ipPools[0].blockSize", 19),
    edit("IPv4 block size too large", "calico:network.ipPools[0].blockSize", 33),
    edit("IPv6 block size too small", "calico:network.ipPools[2].blockSize", 112, undefined, dualStackConfig),
    edit("IPv6 block size too large", "calico:network.ipPools[2].blockSize", 130, undefined, dualStackConfig),
    make("block larger than its pool", (c) => setPath(setPath(c, "calico:network.ipPools[1].cidr", "10.244.128.0/24"), "calico:network.ipPools[1].blockSize", 20), "calico:network.ipPools[1].blockSize"),
    edit("IPIP on an IPv6 pool", "calico:network.ipPools[2].encapsulation", "IPIP", undefined, dualStackConfig),
    edit("IPIPCrossSubnet on an IPv6 pool", "calico:network.ipPools[2].encapsulation", "IPIPCrossSubnet", undefined, dualStackConfig),
    make("no encapsulation without BGP", (c) => ((c["calico:network"].bgp = false), (c["calico:network"].ipPools[0].encapsulation = "None"), (c["calico:network"].ipPools[1].encapsulation = "VXLAN")), "calico:network.ipPools[0].encapsulation"),
    make("IPIP without BGP", (c) => ((c["calico:network"].bgp = false), (c["calico:network"].ipPools[1].encapsulation = "VXLAN")), "calico:network.ipPools[0].encapsulation"),
    edit("unknown encapsulation", "calico:network.ipPools[0].encapsulation", "GRE"),
    edit("duplicate pool names", "calico:network.ipPools[1].name", "p1"),
    edit("pool name with capitals", "calico:network.ipPools[0].name", "Pool_1"),
    edit("pool selector typo", "calico:network.ipPools[0].nodeSelector", "zone = 'a'"),
    edit("natOutgoing as operator text", "calico:network.ipPools[0].natOutgoing", "Enabled"),
    edit("unknown pool key", "calico:network.ipPools[0].ipipMode", "Always"),
    make("no pool for the IPv6 pod CIDR", (c) => (c["calico:cluster"].podCidr = ["10.244.0.0/16", "fd00:10:244::/56"]), "calico:network.ipPools"),
    edit("empty selector parentheses", "calico:network.ipPools[0].nodeSelector", "()"),
    // BGP
    edit("AS number zero", "calico:bgp.asNumber", 0),
    edit("AS number above 32 bits", "calico:bgp.asNumber", 4294967296),
    edit("AS number as words", "calico:bgp.asNumber", "sixty-four thousand"),
    edit("unknown BGP mode", "calico:bgp.mode", "fullmesh"),
    edit("unknown log severity", "calico:bgp.logSeverityScreen", "verbose"),
    edit("listen port out of range", "calico:bgp.listenPort", 70000),
    make("one reflector", (c) => rr(c, ["rr-1"]), "calico:bgp.routeReflectors.nodes"),
    make("auto mode on 400 nodes without reflectors", (c) => (c["calico:cluster"].nodeCount = 400), "calico:bgp.routeReflectors.nodes"),
    make("cluster ID inside podCidr", (c) => rr(c, ["rr-1", "rr-2"], { clusterId: "10.244.0.1" }), "calico:bgp.routeReflectors.clusterId"),
    make("cluster ID inside serviceCidr", (c) => rr(c, ["rr-1", "rr-2"], { clusterId: "10.96.0.10" }), "calico:bgp.routeReflectors.clusterId"),
    make("cluster ID IPv6", (c) => rr(c, ["rr-1", "rr-2"], { clusterId: "fd00::1" }), "calico:bgp.routeReflectors.clusterId"),
    make("cluster ID not an address", (c) => rr(c, ["rr-1", "rr-2"], { clusterId: "rr-cluster" }), "calico:bgp.routeReflectors.clusterId"),
    make("reflector listed twice", (c) => rr(c, ["rr-1", "rr-1"]), "calico:bgp.routeReflectors.nodes[1]"),
    make("reflector name invalid", (c) => rr(c, ["RR 1", "rr-2"]), "calico:bgp.routeReflectors.nodes[0]"),
    make("reflectors without BGP", (c) => (rr(c, ["rr-1", "rr-2"]), (c["calico:network"] = { bgp: false })), "calico:bgp.mode"),
    make("reflectors configured in mesh mode", (c) => (c["calico:bgp"] = { mode: "mesh", routeReflectors: { nodes: ["a", "b"] } }), "calico:bgp.routeReflectors"),
    edit("tor mode without racks", "calico:bgp.mode", "tor", "calico:bgp.tor"),
    make("rack without switches", (c) => tor(c, [{ name: "r1", switches: [] }]), "calico:bgp.tor.racks[0].switches"),
    make("duplicate rack names", (c) => tor(c, [{ name: "r1", switches: [sw()] }, { name: "r1", switches: [sw("192.168.2.1")] }]), "calico:bgp.tor.racks[1].name"),
    make("node in two racks", (c) => tor(c, [{ name: "r1", nodes: ["a"], switches: [sw()] }, { name: "r2", nodes: ["a"], switches: [sw("192.168.2.1")] }]), "calico:bgp.tor.racks[1].nodes[0]"),
    make("switch address invalid", (c) => tor(c, [{ name: "r1", switches: [sw("192.168.1.300")] }]), "calico:bgp.tor.racks[0].switches[0].peerIP"),
    make("switch inside the pod network", (c) => tor(c, [{ name: "r1", switches: [sw("10.244.3.1")] }]), "calico:bgp.tor.racks[0].switches[0].peerIP"),
    make("empty rack list", (c) => tor(c, []), "calico:bgp.tor.racks"),
    make("racks configured in mesh mode", (c) => (c["calico:bgp"] = { mode: "mesh", tor: { racks: [{ name: "r1", switches: [sw()] }] } }), "calico:bgp.tor"),
    edit("peer address invalid", "calico:bgp.peers", [{ name: "edge", peerIP: "router.example", asNumber: 65000 }], "calico:bgp.peers[0].peerIP"),
    edit("peer inside the pod network", "calico:bgp.peers", [{ name: "edge", peerIP: "10.244.1.1", asNumber: 65000 }], "calico:bgp.peers[0].peerIP"),
    edit("duplicate peer names", "calico:bgp.peers", [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000 }, { name: "edge", peerIP: "192.0.2.2", asNumber: 65000 }], "calico:bgp.peers[1].name"),
    edit("peer selector unterminated", "calico:bgp.peers", [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000, nodeSelector: "rack == 'r1" }], "calico:bgp.peers[0].nodeSelector"),
    edit("peer restart time not a duration", "calico:bgp.peers", [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000, maxRestartTime: "2 minutes" }], "calico:bgp.peers[0].maxRestartTime"),
    edit("peer without AS", "calico:bgp.peers", [{ name: "edge", peerIP: "192.0.2.1" }], "calico:bgp.peers[0].asNumber"),
    edit("advertised cluster IPs outside serviceCidr", "calico:bgp.advertise", { serviceClusterIPs: ["10.200.0.0/16"] }, "calico:bgp.advertise.serviceClusterIPs[0]"),
    edit("advertised external IPs not a CIDR", "calico:bgp.advertise", { serviceExternalIPs: ["203.0.113"] }, "calico:bgp.advertise.serviceExternalIPs[0]"),
    edit("migration wait too short", "calico:bgp.migration", { waitTimeoutSeconds: 5 }, "calico:bgp.migration.waitTimeoutSeconds"),
    make("peers without BGP", (c) => ((c["calico:network"] = { bgp: false }), (c["calico:bgp"] = { peers: [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65000 }] })), "calico:bgp.peers"),
    // registry
    make("registry without trailing slash on v3.27.3", (c) => ((c["calico:version"] = "v3.27.3"), (c["calico:kubernetesVersion"] = "1.28"), (c["calico:network"].ipPools = [{ name: "p1", cidr: "10.244.0.0/16" }]), (c["calico:registry"] = { url: "registry.example.com" })), "calico:registry.url"),
    edit("registry pull secret invalid", "calico:registry", { url: "registry.example.com/", pullSecrets: ["Pull Secret"] }, "calico:registry.pullSecrets[0]"),
    edit("registry unknown key", "calico:registry", { url: "registry.example.com/", mirror: true }, "calico:registry.mirror"),
    edit("registry missing url", "calico:registry", { imagePath: "calico" }, "calico:registry.url"),
    // monitoring
    edit("Felix and Typha on one port", "calico:monitoring", { typhaMetricsPort: 9091 }, "calico:monitoring.typhaMetricsPort"),
    edit("Felix metrics on Felix's health port", "calico:monitoring", { felixMetricsPort: 9099 }, "calico:monitoring.felixMetricsPort"),
    edit("kube-controllers port zero", "calico:monitoring", { kubeControllersMetricsPort: 0 }, "calico:monitoring.kubeControllersMetricsPort"),
    edit("scrape interval in words", "calico:monitoring", { serviceMonitors: { interval: "30 seconds" } }, "calico:monitoring.serviceMonitors.interval"),
    edit("Grafana without admin password", "calico:monitoring", { install: { grafana: true } }, "calico:monitoring.install.grafanaAdminPassword"),
    edit("Grafana NodePort outside the range", "calico:monitoring", { install: { grafanaNodePort: 80 } }, "calico:monitoring.install.grafanaNodePort"),
    edit("monitoring namespace invalid", "calico:monitoring", { namespace: "Monitoring" }, "calico:monitoring.namespace"),
    edit("utilisation threshold above 1", "calico:monitoring", { alerts: { ipPoolUtilisationWarning: 1.5 } }, "calico:monitoring.alerts.ipPoolUtilisationWarning"),
    // node preparation
    edit("unknown node-prep mode", "calico:nodePrep", { mode: "ansible" }, "calico:nodePrep.mode"),
    edit("ssh mode without hosts", "calico:nodePrep", { mode: "ssh" }, "calico:nodePrep.ssh"),
    edit("conntrack table too small", "calico:nodePrep", { conntrack: { max: 100 } }, "calico:nodePrep.conntrack.max"),
    edit("kernel module name with a space", "calico:nodePrep", { modules: ["ip ip"] }, "calico:nodePrep.modules[0]"),
    edit("modprobe options in the kernel module list", "calico:nodePrep", { modules: ["nf_conntrack hashsize=131072"] }, "calico:nodePrep.modules[0]"),
    edit("two kernel modules in one entry", "calico:nodePrep", { modules: ["vxlan", "br_netfilter,overlay"] }, "calico:nodePrep.modules[1]"),
    edit("ssh key in plain config field", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [] , privateKey: "k" } }, "calico:nodePrep.ssh.nodes"),
    // calicoctl
    edit("calicoctl mirror not a URL", "calico:calicoctl", { downloadBaseUrl: "mirror" }, "calico:calicoctl.downloadBaseUrl"),
    edit("calicoctl unknown key", "calico:calicoctl", { version: "v3.31.3" }, "calico:calicoctl.version"),

    // --- second pass (issue: an independent hostile corpus) ---
    // prototype keys anywhere: they would change what the config object means
    ...[
        ["calico:network", '{"__proto__": {"bgp": false}}', "calico:network.__proto__"],
        ["calico:cluster", '{"name": "t", "nodeCount": 10, "podCidr": "10.244.0.0/16", "serviceCidr": "10.96.0.0/12", "constructor": {"x": 1}}', "calico:cluster.constructor"],
        ["calico:bgp", '{"peers": [{"name": "p", "peerIP": "192.0.2.1", "asNumber": 65001, "prototype": 1}]}', "calico:bgp.peers[0].prototype"],
        ["calico:monitoring", '{"install": {"__proto__": {"grafana": true}}}', "calico:monitoring.install.__proto__"],
    ].map(([key, json, path]) => make(`prototype key at ${path}`, (c) => (c[key] = JSON.parse(json)), path)),
    // depth and size: a clear error that names the key, never a stack overflow
    make("config nested 40 levels deep", (c) => {
        let v: Record<string, unknown> = { leaf: 1 };
        for (let i = 0; i < 40; i++) v = { x: v };
        c["calico:network"].extra = v;
    }, "calico:network.extra.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x"),
    make("a list of 5000 pools", (c) => (c["calico:network"].ipPools = Array.from({ length: 5000 }, (_, i) => ({ name: `p${i}`, cidr: "10.244.0.0/24" }))), "calico:network.ipPools"),
    edit("a string of 300,000 characters", "calico:cluster.name", "a".repeat(300_000)),
    make("a selector nested 5000 parentheses deep", (c) => (c["calico:network"].ipPools[0].nodeSelector = "(".repeat(5000) + "all()" + ")".repeat(5000)), "calico:network.ipPools[0].nodeSelector"),
    // secrets in error messages: misspelt secret keys, wrong types, mappings, secure entries with extra keys
    { ...make("misspelt peer password key (passwd)", (c) => (c["calico:bgp"] = { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, passwd: "hunter2-Xq9" }] }), "calico:bgp.peers[0].passwd"), secret: "hunter2-Xq9" },
    { ...edit("misspelt Grafana password key", "calico:monitoring", { install: { grafanaAdminPasword: "gr-pw-7Tz" } }, "calico:monitoring.install.grafanaAdminPasword"), secret: "gr-pw-7Tz" },
    { ...edit("ssh key under private_key", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], private_key: "-----BEGIN KEY-----Zk3" } }, "calico:nodePrep.ssh.private_key"), secret: "-----BEGIN KEY-----Zk3" },
    { ...edit("peer password as a number", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: 987654321 }] }, "calico:bgp.peers[0].password"), secret: "987654321" },
    { ...edit("peer password as a list", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: ["pw-list-4Rk"] }] }, "calico:bgp.peers[0].password"), secret: "pw-list-4Rk" },
    { ...edit("Grafana password as a mapping", "calico:monitoring", { install: { grafana: true, grafanaAdminPassword: { value: "pw-map-8Hd" } } }, "calico:monitoring.install.grafanaAdminPassword"), secret: "pw-map-8Hd" },
    // (A kubeconfig given as a mapping is legal under the CLI, which passes it on as JSON text.)
    { ...edit("kubeconfig under a misspelt key", "calico:kubeconfg", { users: [{ name: "u", user: { token: "tok-Vb2m" } }] }), secret: "tok-Vb2m" },
    { ...edit("secure entry with an extra key", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: { secure: "v1:cipher-Jw5", note: "x" } }] }, "calico:bgp.peers[0].password"), secret: "cipher-Jw5" },
    { ...edit("token under an unknown key", "calico:registry", { url: "r.example/", token: "reg-tok-Pq1" }, "calico:registry.token"), secret: "reg-tok-Pq1" },
    // Third pass (issue 32): a misspelt top-level key echoes nothing, whatever it holds.
    { ...edit("kubeconfig under calico:kube-config", "calico:kube-config", "apiVersion: v1\nusers: [{user: {token: kc-tok-Hh8}}]"), secret: "kc-tok-Hh8" },
    { ...edit("password under a misspelt top-level key", "calico:bgpPassword", "bgp-pw-Lq2"), secret: "bgp-pw-Lq2" },
    // Namespaces the program creates and deletes may not be anyone else's.
    ...["kube-system", "calico-system", "tigera-operator", "default", "calico-apiserver", "kube-public", "kube-node-lease", "monitoring"].map((ns) =>
        make(`benchmark namespace ${ns}`, (c) => (c["calico:benchmark"] = { enabled: true, nodes: ["n1", "n2"], namespace: ns }), "calico:benchmark.namespace"),
    ),
    make("benchmark namespace equal to a custom monitoring namespace", (c) => ((c["calico:benchmark"] = { enabled: true, nodes: ["n1", "n2"], namespace: "obs" }), (c["calico:monitoring"] = { namespace: "obs" })), "calico:benchmark.namespace"),
    ...["kube-system", "calico-system", "tigera-operator", "default"].map((ns) =>
        make(`installed monitoring in namespace ${ns}`, (c) => (c["calico:monitoring"] = { namespace: ns, install: { prometheus: true } }), "calico:monitoring.namespace"),
    ),
    // Names and labels the program owns.
    make("a peer named like the generated reflector peer", (c) => (c["calico:bgp"] = { peers: [{ name: "peer-with-route-reflectors", peerIP: "192.0.2.1", asNumber: 65010 }] }), "calico:bgp.peers[0].name"),
    make("a peer named like a rack's generated reflector peer", (c) => {
        tor(c, [{ name: "r1", nodes: ["n1"], switches: [sw()] }]);
        c["calico:bgp"].peers = [{ name: "rack-r1-reflectors", peerIP: "192.0.2.1", asNumber: 65010 }];
    }, "calico:bgp.peers[0].name"),
    make("a switch named like a rack's generated reflector peer", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ name: "rack-r1-reflectors", ...sw() }] }]), "calico:bgp.tor.racks[0].switches[0].name"),
    ...["kubernetes.io/hostname", "topology.kubernetes.io/zone", "node-role.kubernetes.io/worker", "node.k8s.io/rack", "projectcalico.org/rack", "operator.tigera.io/rack"].map((label) =>
        make(`rack label ${label}`, (c) => ((c["calico:bgp"] = { mode: "tor", tor: { rackLabel: label, racks: [{ name: "r1", nodes: ["n1"], switches: [sw()] }] } })), "calico:bgp.tor.rackLabel"),
    ),
    make("a declared node's rack label contradicts its rack", (c) => {
        tor(c, [{ name: "r1", nodes: ["n1"], switches: [sw()] }]);
        c["calico:cluster"].nodes = [{ name: "n1", labels: { rack: "r2" } }];
    }, "calico:cluster.nodes[0].labels.rack"),
    make("a declared node's custom rack label contradicts its rack", (c) => {
        c["calico:bgp"] = { mode: "tor", tor: { rackLabel: "example.com/rack", racks: [{ name: "r1", nodes: ["n1"], switches: [sw()] }] } };
        c["calico:cluster"].nodes = [{ name: "n1", labels: { "example.com/rack": "r9" } }];
    }, "calico:cluster.nodes[0].labels.example.com/rack"),
    make("a node labelled route-reflector that is no reflector", (c) => {
        c["calico:cluster"].nodes = [{ name: "n1", labels: { "route-reflector": "true" } }];
        c["calico:bgp"] = { peers: [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65010 }] };
    }, "calico:cluster.nodes[0].labels.route-reflector"),
    // Rules the README states, now enforced.
    make("a CRD manifest on v3.27.3 (its CRDs are inside tigera-operator.yaml)", (c) => ((c["calico:version"] = "v3.27.3"), (c["calico:kubernetesVersion"] = "1.28"), (c["calico:network"].ipPools = [c["calico:network"].ipPools[0]]), (c["calico:network"].ipPools[0].cidr = "10.244.0.0/16"), (c["calico:operator"] = { crdsManifest: "/srv/calico/operator-crds.yaml" })), "calico:operator.crdsManifest"),
    { ...edit("an ed25519 public key as the SSH private key", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], privateKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPubKeyPk7 ops@laptop" } }, "calico:nodePrep.ssh.privateKey"), secret: "AAAAC3NzaC1lZDI1NTE5AAAAIPubKeyPk7" },
    { ...edit("an RSA public key as the SSH private key", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], privateKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABRsaPk2" } }, "calico:nodePrep.ssh.privateKey"), secret: "AAAAB3NzaC1yc2EAAAADAQABRsaPk2" },
    { ...edit("an ECDSA public key as the SSH private key", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], privateKey: "ecdsa-sha2-nistp256 AAAAE2VjZHNhEcdsaPk3" } }, "calico:nodePrep.ssh.privateKey"), secret: "AAAAE2VjZHNhEcdsaPk3" },
    edit("an empty Grafana admin password with Grafana installed", "calico:monitoring", { install: { grafana: true, grafanaAdminPassword: "" } }, "calico:monitoring.install.grafanaAdminPassword"),
    // BGP passwords that BIRD or the kernel cannot take: counted in bytes, no control characters.
    { ...edit("peer password of 81 bytes", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "p".repeat(81) }] }, "calico:bgp.peers[0].password"), secret: "p".repeat(81) },
    { ...edit("peer password of 41 two-byte characters (82 bytes)", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "é".repeat(41) }] }, "calico:bgp.peers[0].password"), secret: "é".repeat(41) },
    { ...edit("peer password with a newline", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "pw-nl-K3\nrest" }] }, "calico:bgp.peers[0].password"), secret: "pw-nl-K3" },
    { ...edit("peer password with a tab", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "pw\ttab-M7" }] }, "calico:bgp.peers[0].password"), secret: "tab-M7" },
    { ...edit("peer password with DEL", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "pw-del-Z4\u007f" }] }, "calico:bgp.peers[0].password"), secret: "pw-del-Z4" },
    { ...make("switch password with a carriage return", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "sw-cr-Q8\r" }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: "sw-cr-Q8" },
    { ...make("switch password of 100 bytes", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "s".repeat(100) }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: "s".repeat(100) },

    // name collisions: one Kubernetes object, one resource or one Secret key for two things
    make("a peer and a switch with one name", (c) => {
        tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ name: "edge", ...sw() }] }]);
        c["calico:bgp"].peers = [{ name: "edge", peerIP: "192.0.2.1", asNumber: 65010 }];
    }, "calico:bgp.tor.racks[0].switches[0].name"),
    make("one switch name in two racks", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ name: "s", ...sw("192.168.1.1") }] }, { name: "r2", nodes: ["n2"], switches: [{ name: "s", ...sw("192.168.2.1") }] }]), "calico:bgp.tor.racks[1].switches[0].name"),
    make("two peers with one peerIP", (c) => (c["calico:bgp"] = { peers: [{ name: "a", peerIP: "192.0.2.1", asNumber: 65010 }, { name: "b", peerIP: "192.0.2.1", asNumber: 65011 }] }), "calico:bgp.peers[1].peerIP"),
    make("a peer on a switch's IP", (c) => {
        tor(c, [{ name: "r1", nodes: ["n1"], switches: [sw("192.168.1.1")] }]);
        c["calico:bgp"].peers = [{ name: "p", peerIP: "192.168.1.1", asNumber: 65010 }];
    }, "calico:bgp.tor.racks[0].switches[0].peerIP"),
    edit("ssh hosts that sanitise to one name", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }, { host: "10-0-0-1" }], privateKey: "k" } }, "calico:nodePrep.ssh.nodes[1].host"),
    // ambiguous addresses, compared in normal form
    edit("pod CIDR with leading zeros", "calico:cluster.podCidr", "010.244.0.0/16"),
    edit("service CIDR in hex", "calico:cluster.serviceCidr", "0x0a.96.0.0/12"),
    edit("peer IP with an IPv6 zone id", "calico:bgp", { peers: [{ name: "p", peerIP: "fe80::1%eth0", asNumber: 65010 }] }, "calico:bgp.peers[0].peerIP"),
    edit("pool as IPv4-mapped IPv6", "calico:network.ipPools[0].cidr", "::ffff:10.244.0.0/113"),
    edit("prefix length with a leading zero", "calico:network.ipPools[0].cidr", "10.244.0.0/017"),
    // derived values and dangerous addresses
    edit("default block size larger than a /28 pool", "calico:network.ipPools[0].cidr", "10.244.0.0/28", "calico:network.ipPools[0].blockSize"),
    make("a /0 pool", (c) => ((c["calico:cluster"].podCidr = "0.0.0.0/0"), (c["calico:network"].ipPools = [{ name: "all", cidr: "0.0.0.0/0", blockSize: 26 }])), "calico:network.ipPools[0].cidr"),
    edit("advertising 0.0.0.0/0", "calico:bgp", { advertise: { serviceExternalIPs: ["0.0.0.0/0"] } }, "calico:bgp.advertise.serviceExternalIPs[0]"),
    edit("advertising ::/0", "calico:bgp", { advertise: { serviceLoadBalancerIPs: ["::/0"] } }, "calico:bgp.advertise.serviceLoadBalancerIPs[0]"),
    edit("external IPs overlapping the pod CIDR", "calico:bgp", { advertise: { serviceExternalIPs: ["10.244.10.0/24"] } }, "calico:bgp.advertise.serviceExternalIPs[0]"),
    ...["0.0.0.0", "255.255.255.255", "224.0.0.5", "127.0.0.1", "169.254.1.1", "10.96.0.10"].map((ip) => edit(`peer on ${ip}`, "calico:bgp", { peers: [{ name: "p", peerIP: ip, asNumber: 65010 }] }, "calico:bgp.peers[0].peerIP")),

    // cross-field limits
    ...[179, 5473, 9091, 9093, 9099, 9098].filter((p) => p !== 179).map((port) => edit(`BGP listen port on ${port}`, "calico:bgp", { listenPort: port }, "calico:bgp.listenPort")),
    edit("gate poll interval above its timeout", "calico:bgp", { migration: { waitTimeoutSeconds: 30, pollIntervalSeconds: 45 } }, "calico:bgp.migration.pollIntervalSeconds"),
    edit("gate poll interval equal to its timeout", "calico:bgp", { migration: { waitTimeoutSeconds: 30, pollIntervalSeconds: 30 } }, "calico:bgp.migration.pollIntervalSeconds"),
    make("MTU 1200 with an IPv6 pool", (c) => (c["calico:network"].mtu = 1200), "calico:network.mtu", dualStackConfig),
    { ...edit("BGP password of 81 characters", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65010, password: "L".repeat(81) }] }, "calico:bgp.peers[0].password"), secret: "L".repeat(81) },
    edit("empty BGP password", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65010, password: "" }] }, "calico:bgp.peers[0].password"),
    make("more rack nodes than nodeCount", (c) => tor(c, [{ name: "r1", nodes: Array.from({ length: 11 }, (_, i) => `n${i}`), switches: [sw()] }]), "calico:bgp.tor.racks"),

    // config that would be silently ignored: a mis-cased or misspelt namespace
    edit("mis-cased namespace", "Calico:network", { bgp: false }),
    edit("misspelt namespace", "calcio:network", { bgp: false }),

    // strings that reach Kubernetes objects must be valid for their field before anything renders
    edit("node label key with a space", "calico:cluster.nodes", [{ name: "n1", labels: { "my rack": "r1" } }], "calico:cluster.nodes[0].labels.my rack"),
    edit("node label key with a bad prefix", "calico:cluster.nodes", [{ name: "n1", labels: { "Example_COM/rack": "r1" } }], "calico:cluster.nodes[0].labels.Example_COM/rack"),
    edit("node label value too long", "calico:cluster.nodes", [{ name: "n1", labels: { rack: "r".repeat(64) } }], "calico:cluster.nodes[0].labels.rack"),
    edit("node label value with a slash", "calico:cluster.nodes", [{ name: "n1", labels: { rack: "r1/a" } }], "calico:cluster.nodes[0].labels.rack"),
    edit("rack label key ending in a dot", "calico:bgp", { mode: "tor", tor: { rackLabel: "rack.", racks: [{ name: "r1", nodes: ["n1"], switches: [sw()] }] } }, "calico:bgp.tor.rackLabel"),
    edit("ServiceMonitor release label with a space", "calico:monitoring", { serviceMonitors: { releaseLabel: "kube prometheus" } }, "calico:monitoring.serviceMonitors.releaseLabel"),
    edit("node-prep image with upper case", "calico:nodePrep", { image: "Docker.io/Library/BusyBox:1.36" }, "calico:nodePrep.image"),
    edit("node-prep image with a space", "calico:nodePrep", { image: "busybox 1.36" }, "calico:nodePrep.image"),
    edit("registry URL with a scheme", "calico:registry", { url: "https://registry.example.com/" }, "calico:registry.url"),
    edit("registry image path with a leading slash", "calico:registry", { url: "registry.example.com/", imagePath: "/calico" }, "calico:registry.imagePath"),
    edit("API server host with a scheme", "calico:cluster.apiServer", { host: "https://10.0.0.1" }, "calico:cluster.apiServer.host"),
    edit("API server host with a port", "calico:cluster.apiServer", { host: "10.0.0.1:6443" }, "calico:cluster.apiServer.host"),
    edit("ssh host with a space", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "node 1" }], privateKey: "k" } }, "calico:nodePrep.ssh.nodes[0].host"),
    edit("ssh user with a shell metacharacter", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1", user: "root;reboot" }], privateKey: "k" } }, "calico:nodePrep.ssh.nodes[0].user"),

    // more of each class, so that each is covered as a whole rather than by one example
    ...[
        ["pwd", "pw-short-1a"], ["apiToken", "tok-2b"], ["secretKey", "sk-3c"], ["sshKey", "ssh-4d"], ["credentials", "cred-5e"], ["bgpPassword", "bp-6f"],
    ].map(([key, value]) => ({ ...edit(`secret-looking unknown peer key ${key}`, "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, [key]: value }] }, `calico:bgp.peers[0].${key}`), secret: value })),
    { ...edit("switch password as a number", "calico:bgp", { mode: "tor", tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: 424242 }] }] } }, "calico:bgp.tor.racks[0].switches[0].password"), secret: "424242" },
    { ...edit("ssh private key as a list", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1" }], privateKey: ["key-list-7g"] } }, "calico:nodePrep.ssh.privateKey"), secret: "key-list-7g" },
    { ...edit("secure entry with an extra key for Grafana", "calico:monitoring", { install: { grafana: true, grafanaAdminPassword: { secure: "v1:gr-cipher-8h", extra: true } } }, "calico:monitoring.install.grafanaAdminPassword"), secret: "gr-cipher-8h" },
    ...[
        ["calico:registry", '{"url": "r.example/", "__proto__": {"imagePath": "x"}}', "calico:registry.__proto__"],
        ["calico:nodePrep", '{"constructor": {"mode": "none"}}', "calico:nodePrep.constructor"],
        ["calico:bgp", '{"mode": "tor", "tor": {"racks": [{"name": "r1", "nodes": ["n1"], "switches": [{"peerIP": "192.168.1.1", "asNumber": 65001}], "__proto__": {"asNumber": 1}}]}}', "calico:bgp.tor.racks[0].__proto__"],
        ["calico:calicoctl", '{"prototype": {"path": "/bin/sh"}}', "calico:calicoctl.prototype"],
    ].map(([key, json, path]) => make(`prototype key at ${path}`, (c) => (c[key] = JSON.parse(json)), path)),
    edit("peer IP with leading zeros", "calico:bgp", { peers: [{ name: "p", peerIP: "192.000.2.1", asNumber: 65010 }] }, "calico:bgp.peers[0].peerIP"),
    edit("switch IP in hex", "calico:bgp", { mode: "tor", tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [{ peerIP: "0xc0.168.1.1", asNumber: 65001 }] }] } }, "calico:bgp.tor.racks[0].switches[0].peerIP"),
    edit("reflector cluster ID in octal", "calico:bgp", { mode: "routeReflector", routeReflectors: { nodes: ["a", "b"], clusterId: "0364.0.0.1" } }, "calico:bgp.routeReflectors.clusterId"),
    edit("peer as an IPv4-mapped IPv6 address", "calico:bgp", { peers: [{ name: "p", peerIP: "::ffff:192.0.2.1", asNumber: 65010 }] }, "calico:bgp.peers[0].peerIP"),
    edit("advertised range with leading zeros", "calico:bgp", { advertise: { serviceExternalIPs: ["192.0.02.0/24"] } }, "calico:bgp.advertise.serviceExternalIPs[0]"),
    make("IPv6 pool of /124 with the default block size", (c) => (c["calico:network"].ipPools[2] = { name: "p6", cidr: "fd00:10:244::/124", encapsulation: "VXLAN" }), "calico:network.ipPools[2].blockSize", dualStackConfig),
    edit("default block size larger than a /27 pool", "calico:network.ipPools[1].cidr", "10.244.128.0/27", "calico:network.ipPools[1].blockSize"),
    ...["127.0.0.1", "224.0.0.1", "0.0.0.0", "fe80::1"].map((ip) => edit(`switch on ${ip}`, "calico:bgp", { mode: "tor", tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [{ peerIP: ip, asNumber: 65001 }] }] } }, "calico:bgp.tor.racks[0].switches[0].peerIP")),
    edit("peer inside the pod CIDR", "calico:bgp", { peers: [{ name: "p", peerIP: "10.244.3.4", asNumber: 65010 }] }, "calico:bgp.peers[0].peerIP"),
    edit("load-balancer range overlapping the pod CIDR", "calico:bgp", { advertise: { serviceLoadBalancerIPs: ["10.244.0.0/16"] } }, "calico:bgp.advertise.serviceLoadBalancerIPs[0]"),
    make("three switches sharing one IP across racks", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [sw("192.168.1.1")] }, { name: "r2", nodes: ["n2"], switches: [sw("192.168.1.1")] }]), "calico:bgp.tor.racks[1].switches[0].peerIP"),
    make("a peer named like a switch of another rack", (c) => {
        tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ name: "tor-a", ...sw() }] }]);
        c["calico:bgp"].peers = [{ name: "tor-a", peerIP: "192.0.2.9", asNumber: 65010 }];
    }, "calico:bgp.tor.racks[0].switches[0].name"),
    edit("ssh hosts differing only by a dot and a dash", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "node.a" }, { host: "node-a" }], privateKey: "k" } }, "calico:nodePrep.ssh.nodes[1].host"),
    edit("gate poll interval of 60 with a 20 s timeout", "calico:bgp", { migration: { waitTimeoutSeconds: 20, pollIntervalSeconds: 60 } }, "calico:bgp.migration.pollIntervalSeconds"),
    make("MTU 1000 with an IPv6 pool", (c) => (c["calico:network"].mtu = 1000), "calico:network.mtu", dualStackConfig),
    { ...edit("switch password of 100 characters", "calico:bgp", { mode: "tor", tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "Z".repeat(100) }] }] } }, "calico:bgp.tor.racks[0].switches[0].password"), secret: "Z".repeat(100) },
    edit("node label key with two slashes", "calico:cluster.nodes", [{ name: "n1", labels: { "a/b/c": "r1" } }], "calico:cluster.nodes[0].labels.a/b/c"),
    edit("node-prep image with an uppercase tag only", "calico:nodePrep", { image: "busybox:" }, "calico:nodePrep.image"),
    edit("registry URL with a query", "calico:registry", { url: "registry.example.com/?x=1/" }, "calico:registry.url"),
    edit("API server host with a path", "calico:cluster.apiServer", { host: "10.0.0.1/api" }, "calico:cluster.apiServer.host"),
    edit("ssh user starting with a dash", "calico:nodePrep", { mode: "ssh", ssh: { nodes: [{ host: "10.0.0.1", user: "-oProxyCommand=x" }], privateKey: "k" } }, "calico:nodePrep.ssh.nodes[0].user"),
    edit("misspelt namespace with a digit", "calico1:bgp", { asNumber: 64512 }),

    // numbers beyond 2^53 − 1, which would lose digits
    edit("nodeCount beyond 2^53", "calico:cluster.nodeCount", 12345678901234567890n),
    edit("AS number beyond 2^53", "calico:bgp.asNumber", 98765432109876543210n),
    edit("negative conntrack max beyond 2^53", "calico:nodePrep.conntrack", { max: -9007199254740993n }, "calico:nodePrep.conntrack.max"),
    // durations in the grammar of the tool that reads them, URLs with the schemes their reader takes
    edit("ServiceMonitor interval with a fraction (Prometheus has none)", "calico:monitoring.serviceMonitors", { interval: "1.5m" }, "calico:monitoring.serviceMonitors.interval"),
    edit("ServiceMonitor interval units out of order", "calico:monitoring.serviceMonitors", { interval: "30s1m" }, "calico:monitoring.serviceMonitors.interval"),
    edit("ServiceMonitor interval empty", "calico:monitoring.serviceMonitors", { interval: "" }, "calico:monitoring.serviceMonitors.interval"),
    edit("peer restart time as a bare number", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.9", asNumber: 65010, maxRestartTime: "90" }] }, "calico:bgp.peers[0].maxRestartTime"),
    edit("peer restart time of 300 years", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.9", asNumber: 65010, maxRestartTime: "2628000h" }] }, "calico:bgp.peers[0].maxRestartTime"),
    edit("Prometheus URL with a javascript: scheme", "calico:monitoring.install", { prometheusUrl: "javascript:alert(1)" }, "calico:monitoring.install.prometheusUrl"),
    edit("Prometheus URL over ftp", "calico:monitoring.install", { prometheusUrl: "ftp://prom.example.com/" }, "calico:monitoring.install.prometheusUrl"),
    edit("calicoctl mirror as a file: URL", "calico:calicoctl", { downloadBaseUrl: "file:///etc/" }, "calico:calicoctl.downloadBaseUrl"),
    edit("interface regex with a lookbehind", "calico:network.autodetection", { interface: "(?<=e)th0" }, "calico:network.autodetection.interface"),
    edit("skipInterface regex with a bad class", "calico:network.autodetection", { skipInterface: "[[:nope:]]" }, "calico:network.autodetection.skipInterface"),

    // config that would be silently ignored
    edit("reflectors listed while auto resolves to mesh", "calico:bgp", { routeReflectors: { nodes: ["a", "b"] } }, "calico:bgp.routeReflectors"),
    make("racks with BGP off", (c) => ((c["calico:network"].bgp = false), (c["calico:bgp"] = { tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [sw()] }] } })), "calico:bgp.tor"),
    make("reflectors with BGP off", (c) => ((c["calico:network"].bgp = false), (c["calico:bgp"] = { routeReflectors: { nodes: ["a", "b"] } })), "calico:bgp.routeReflectors"),
    // hybrid: reflectors in their racks, at least 2 per rack
    edit("hybrid: a reflector in no rack", "calico:bgp", { routeReflectors: { nodes: ["a", "b"] }, tor: { racks: [{ name: "r1", nodes: ["a", "n1"], switches: [sw()] }] } }, "calico:bgp.routeReflectors.nodes[1]"),
    edit("hybrid: a rack with one reflector", "calico:bgp", { mode: "hybrid", routeReflectors: { nodes: ["a", "b", "c"] }, tor: { racks: [{ name: "r1", nodes: ["a", "b", "n1"], switches: [sw()] }, { name: "r2", nodes: ["c", "n2"], switches: [sw("192.168.2.1")] }] } }, "calico:bgp.tor.racks[1].nodes"),
    edit("hybrid without reflectors", "calico:bgp", { mode: "hybrid", tor: { racks: [{ name: "r1", nodes: ["n1"], switches: [sw()] }] } }, "calico:bgp.routeReflectors"),
    edit("hybrid without racks", "calico:bgp", { mode: "hybrid", routeReflectors: { nodes: ["a", "b"] } }, "calico:bgp.tor"),
    edit("reflectors with mode tor", "calico:bgp", { mode: "tor", routeReflectors: { nodes: ["a", "b"] }, tor: { racks: [{ name: "r1", nodes: ["a", "b"], switches: [sw()] }] } }, "calico:bgp.routeReflectors"),
    // the baseline policy
    edit("baseline policy: an unknown mode", "calico:policy", { baseline: { enabled: true, mode: "audit" } }, "calico:policy.baseline.mode"),
    edit("baseline policy: staged on v3.27.3, which has no staged policies", "calico:policy", { baseline: { enabled: true, mode: "staged" } }, "calico:policy.baseline.mode", () => ({ ...baseConfig(), "calico:version": "v3.27.3", "calico:kubernetesVersion": "1.28" })),
    edit("baseline policy: a selector that does not parse", "calico:policy", { baseline: { enabled: true, selector: "env == 'prod" } }, "calico:policy.baseline.selector"),
    edit("baseline policy: a namespace that is not a DNS label", "calico:policy", { baseline: { enabled: true, excludeNamespaces: ["Ingress_Nginx"] } }, "calico:policy.baseline.excludeNamespaces[0]"),
    edit("baseline policy: a negative order", "calico:policy", { baseline: { enabled: true, order: -1 } }, "calico:policy.baseline.order"),
    // the network benchmark
    edit("benchmark without nodes", "calico:benchmark", { enabled: true }, "calico:benchmark.nodes"),
    edit("benchmark between a node and itself", "calico:benchmark", { enabled: true, nodes: ["n1", "n1"] }, "calico:benchmark.nodes[1]"),
    edit("benchmark with three nodes", "calico:benchmark", { enabled: true, nodes: ["n1", "n2", "n3"] }, "calico:benchmark.nodes"),
    edit("benchmark across racks without racks", "calico:benchmark", { enabled: true, acrossRacks: true }, "calico:benchmark.acrossRacks"),
    edit("benchmark with both nodes and acrossRacks", "calico:benchmark", { enabled: true, nodes: ["n1", "n2"], acrossRacks: true }, "calico:benchmark.acrossRacks"),
    edit("benchmark with both nodes and nodeSelector", "calico:benchmark", { enabled: true, nodes: ["n1", "n2"], nodeSelector: "node-role.kubernetes.io/worker" }, "calico:benchmark.nodeSelector"),
    edit("benchmark nodeSelector that is not a label selector", "calico:benchmark", { enabled: true, nodeSelector: "role == 'worker'" }, "calico:benchmark.nodeSelector"),
    edit("benchmark nodeSelector with a shell substitution", "calico:benchmark", { enabled: true, nodeSelector: "rack=$(id)" }, "calico:benchmark.nodeSelector"),
    edit("benchmark rackLabel without nodeSelector", "calico:benchmark", { enabled: true, nodes: ["n1", "n2"], rackLabel: "topology.kubernetes.io/zone" }, "calico:benchmark.rackLabel"),
    edit("benchmark rackLabel that is not a label key", "calico:benchmark", { enabled: true, nodeSelector: "worker", rackLabel: "rack name" }, "calico:benchmark.rackLabel"),
    edit("benchmark with no pings", "calico:benchmark", { enabled: true, nodes: ["n1", "n2"], pingCount: 0 }, "calico:benchmark.pingCount"),
    edit("benchmark iperf3 run of an hour", "calico:benchmark", { enabled: true, nodes: ["n1", "n2"], durationSeconds: 3600 }, "calico:benchmark.durationSeconds"),
    edit("baseline policy: a misspelt key", "calico:policy", { baseline: { enabled: true, exclude: ["x"] } }, "calico:policy.baseline.exclude"),
    // settings that contradict each other (bad input, third pass, class 7)
    ...["10.96.0.1", "10.96.0.10", "10.111.255.254"].map((host) => make(`eBPF API server at the Service IP ${host}`, (c) => bpfWith(c, host), "calico:cluster.apiServer.host")),
    ...["10.244.0.1", "10.244.200.7"].map((host) => make(`eBPF API server at a pod address ${host}`, (c) => bpfWith(c, host), "calico:cluster.apiServer.host")),
    ...["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "KUBERNETES.DEFAULT.SVC."].map((host) => make(`eBPF API server by the Service's name ${host}`, (c) => bpfWith(c, host), "calico:cluster.apiServer.host")),
    edit("IPv6 range in the IPv4 autodetection", "calico:network.autodetection", { cidrs: ["fd00:10::/64"] }, "calico:network.autodetection.cidrs[0]"),
    edit("IPv6 range second in the IPv4 autodetection", "calico:network.autodetection", { cidrs: ["10.0.0.0/8", "2001:db8::/32"] }, "calico:network.autodetection.cidrs[1]"),
    edit("IPv6 address as the IPv4 autodetection's canReach", "calico:network.autodetection", { canReach: "2001:db8::1" }, "calico:network.autodetection.canReach"),
    edit("bracketed IPv6 address as canReach", "calico:network.autodetection", { canReach: "[2001:db8::53]" }, "calico:network.autodetection.canReach"),
    make("benchmark on a one-node cluster", (c) => ((c["calico:cluster"].nodeCount = 1), (c["calico:benchmark"] = { enabled: true, nodes: ["n1", "n2"] })), "calico:benchmark.enabled"),
    ...([
        ["bgp.listenPort", 10250],
        ["bgp.listenPort", 6443],
        ["bgp.listenPort", 10256],
        ["bgp.listenPort", 10248],
        ["bgp.listenPort", 10249],
        ["monitoring.felixMetricsPort", 10250],
        ["monitoring.felixMetricsPort", 6443],
        ["monitoring.felixMetricsPort", 10256],
        ["monitoring.typhaMetricsPort", 10250],
        ["monitoring.typhaMetricsPort", 10249],
        ["monitoring.typhaMetricsPort", 10248],
    ] as const).map(([key, port]) => edit(`${key} on Kubernetes' port ${port}`, `calico:${key}`, port)),
    ...([
        ["operator.manifest", "https://user:s3cr3t-1@mirror.example.com/tigera-operator.yaml", "s3cr3t-1"],
        ["operator.manifest", "https://ghp_t0ken2@raw.example.com/calico/tigera-operator.yaml", "ghp_t0ken2"],
        ["operator.crdsManifest", "http://deploy:s3cr3t-3@10.0.0.5:8080/operator-crds.yaml", "s3cr3t-3"],
        ["registry.url", "bob:hunter2-4@registry.example.com/", "hunter2-4"],
        ["registry.url", "robot$ci:t0ken-5@registry.example.com:5000/mirror/", "t0ken-5"],
        ["monitoring.install.prometheusUrl", "http://admin:prom-6@prometheus.monitoring:9090", "prom-6"],
        ["calicoctl.downloadBaseUrl", "https://u:dl-7@mirror.example.com/calico", "dl-7"],
        ["monitoring.install.grafanaChartPath", "https://charts:chart-8@charts.example.com/grafana-8.5.2.tgz", "chart-8"],
        ["monitoring.install.prometheusChartPath", "oci://puller:oci-9@registry.example.com/charts/kube-prometheus-stack", "oci-9"],
    ] as const).map(([key, url, secret]): InvalidCase => ({ ...edit(`credentials in ${key}`, `calico:${key}`, url), secret })),
    ...([
        ["operator.manifest", "https://:only-pass-10@mirror.example.com/tigera-operator.yaml", "only-pass-10"],
        ["monitoring.install.prometheusUrl", "https://tok-11@prometheus.example.com", "tok-11"],
        ["calicoctl.downloadBaseUrl", "https://tok-12@mirror.example.com/calico", "tok-12"],
        ["operator.crdsManifest", "ftp://u:ftp-13@files.example.com/operator-crds.yaml", "ftp-13"],
        ["monitoring.install.grafanaChartPath", "oci://tok-14@registry.example.com/charts/grafana", "tok-14"],
        ["nodePrep.image", "puller:img-15@registry.example.com/busybox:1.36.1", "img-15"],
        ["monitoring.install.prometheusUrl", "http://u:v6-16@[2001:db8::1]:9090", "v6-16"],
        ["operator.manifest", "https://user%40corp:p%40ss-17@mirror.example.com/x.yaml", "p%40ss-17"],
        ["operator.manifest", "HTTPS://U:CAPS-18@MIRROR.EXAMPLE.COM/X.YAML", "CAPS-18"],
    ] as const).map(([key, url, secret]): InvalidCase => ({ ...edit(`credentials in ${key}: ${url.replace(secret, "…")}`, `calico:${key}`, url), secret })),
    // ports every node already uses, for the metrics ports the earlier cases did not reach
    ...([
        ["monitoring.typhaMetricsPort", 6443],
        ["monitoring.typhaMetricsPort", 10256],
        ["monitoring.felixMetricsPort", 10248],
        ["monitoring.felixMetricsPort", 10249],
    ] as const).map(([key, port]) => edit(`${key} on Kubernetes' port ${port}`, `calico:${key}`, port)),
    // the eBPF API server: the Service range's and the pod range's own edges, a cluster-domain name, an IPv6 pod address
    ...["10.96.0.0", "10.111.255.255", "10.244.255.255", "10.244.0.0"].map((host) => make(`eBPF API server at the range edge ${host}`, (c) => bpfWith(c, host), "calico:cluster.apiServer.host")),
    make("eBPF API server by the Service's name in a custom cluster domain", (c) => bpfWith(c, "kubernetes.default.svc.k8s.internal"), "calico:cluster.apiServer.host"),
    make("eBPF API server at an IPv6 pod address", (c) => bpfWith(c, "fd00:10:244::5"), "calico:cluster.apiServer.host", dualStackConfig),
    // IPv6 in the IPv4 autodetection: the whole space, loopback, link-local, third in a list
    edit("IPv6 default route range in the IPv4 autodetection", "calico:network.autodetection", { cidrs: ["::/0"] }, "calico:network.autodetection.cidrs[0]"),
    edit("IPv6 range third in the IPv4 autodetection", "calico:network.autodetection", { cidrs: ["10.0.0.0/8", "192.168.0.0/16", "fd00::/8"] }, "calico:network.autodetection.cidrs[2]"),
    edit("IPv6 loopback as canReach", "calico:network.autodetection", { canReach: "::1" }, "calico:network.autodetection.canReach"),
    edit("IPv6 link-local address as canReach", "calico:network.autodetection", { canReach: "fe80::1" }, "calico:network.autodetection.canReach"),
    make("benchmark by nodeSelector on a one-node cluster", (c) => ((c["calico:cluster"].nodeCount = 1), (c["calico:benchmark"] = { enabled: true, nodeSelector: "kubernetes.io/os=linux" })), "calico:benchmark.enabled"),
    // installed monitoring in more namespaces the program does not own
    ...["calico-apiserver", "kube-public", "kube-node-lease"].map((ns) =>
        make(`installed monitoring in namespace ${ns}`, (c) => (c["calico:monitoring"] = { namespace: ns, install: { prometheus: true } }), "calico:monitoring.namespace"),
    ),
    // BGP passwords BIRD or the kernel cannot take: every control character class, multi-byte lengths
    ...([
        ["NUL", "\u0000"],
        ["BEL", "\u0007"],
        ["vertical tab", "\u000b"],
        ["form feed", "\u000c"],
        ["ESC", "\u001b"],
        ["unit separator", "\u001f"],
        ["STX", "\u0002"],
        ["DLE", "\u0010"],
    ] as const).flatMap(([name, ch], i) => [
        { ...edit(`peer password with ${name}`, "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: `pw-c${i}-Vb${ch}x` }] }, "calico:bgp.peers[0].password"), secret: `pw-c${i}-Vb` },
        ...(i < 6 ? [{ ...make(`switch password with ${name}`, (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: `sw-c${i}-Nm${ch}x` }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: `sw-c${i}-Nm` }] : []),
    ]),
    { ...edit("peer password of 27 three-byte characters (81 bytes)", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "€".repeat(27) }] }, "calico:bgp.peers[0].password"), secret: "€".repeat(27) },
    { ...edit("peer password of 21 four-byte characters (84 bytes)", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: "🔑".repeat(21) }] }, "calico:bgp.peers[0].password"), secret: "🔑".repeat(21) },
    { ...edit("peer password of 80 ASCII bytes and one é (82 bytes)", "calico:bgp", { peers: [{ name: "p", peerIP: "192.0.2.1", asNumber: 65001, password: `${"a".repeat(80)}é` }] }, "calico:bgp.peers[0].password"), secret: `${"a".repeat(80)}é` },
    { ...make("switch password of 27 three-byte characters (81 bytes)", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "€".repeat(27) }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: "€".repeat(27) },
    { ...make("switch password of 21 four-byte characters (84 bytes)", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "🔑".repeat(21) }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: "🔑".repeat(21) },
    { ...make("switch password of 41 two-byte characters (82 bytes)", (c) => tor(c, [{ name: "r1", nodes: ["n1"], switches: [{ ...sw(), password: "é".repeat(41) }] }]), "calico:bgp.tor.racks[0].switches[0].password"), secret: "é".repeat(41) },
];

/** The eBPF dataplane with the API server at `host`. */
function bpfWith(c: RawConfig, host: string): void {
    c["calico:network"].dataplane = "bpf";
    c["calico:cluster"].apiServer = { host, port: 6443 };
}
