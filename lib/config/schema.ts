/**
 * The config contract: the shape of every `calico:*` key, checked with zod. Field-level rules live
 * here (types, ranges, enums, unknown keys, CIDR and selector syntax); rules that compare fields
 * with each other live in validate.ts, and defaults that depend on cluster size in profiles.ts.
 */
import { z } from "zod";
import { parseCidr, parseCidrOrAddress, parsePeerIP, addressFamily } from "../model/cidr";
import { parseAsNumber } from "../model/asnumber";
import { parseGoDuration, PROMETHEUS_DURATION } from "../model/durations";
import { labelSelectorProblem } from "../model/label-selector";
import { parseSelector, SelectorSyntaxError } from "../model/selector";
import { CALICO_VERSIONS, KUBERNETES_VERSIONS } from "../model/versions";
import { Secret } from "./secret";

/** The operator's marker for "the default registry / image path" (tigera/operator pkg/components/references.go). */
export const USE_DEFAULT = "UseDefault";

/** DNS-1123 label: Kubernetes object names such as pool and peer names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: node names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const k8sName = z
    .string()
    .max(63, { error: "must be at most 63 characters" })
    .regex(DNS_LABEL, { error: "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit" });

const nodeName = z
    .string()
    .max(253, { error: "must be at most 253 characters" })
    .regex(DNS_SUBDOMAIN, { error: "must be a Kubernetes node name (DNS-1123 subdomain, lower case)" });

/**
 * Calico object names (IP pools, BGP peers): libcalico-go's `name` validator is a DNS-1123
 * subdomain of at most 253 characters (lib/validator/v3/validator.go nameRegex, v3.27.3 and v3.31.3).
 */
const calicoName = z
    .string()
    .max(253, { error: "must be at most 253 characters" })
    .regex(DNS_SUBDOMAIN, { error: "must be a Calico object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (DNS-1123 subdomain)" });

/** A Kubernetes label name part: 63 characters at most, alphanumeric at both ends, - _ . inside. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A Kubernetes label key: an optional DNS-1123 subdomain prefix and `/`, then a name. */
const labelKey = z.string().superRefine((v, ctx) => {
    const slash = v.lastIndexOf("/");
    const prefix = slash >= 0 ? v.slice(0, slash) : undefined;
    const name = slash >= 0 ? v.slice(slash + 1) : v;
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) ctx.addIssue({ code: "custom", message: "the prefix before / must be a DNS subdomain such as example.com" });
    if (!LABEL_NAME.test(name)) ctx.addIssue({ code: "custom", message: "must be a label key: at most 63 letters, digits, - _ or ., starting and ending with a letter or digit (optionally prefix/)" });
});

/** A Kubernetes label value: empty, or a label name part. */
const labelValue = z.string().refine((v) => v === "" || LABEL_NAME.test(v), { error: "must be a label value: empty, or at most 63 letters, digits, - _ or ., starting and ending with a letter or digit" });

/** An image reference as the container runtime reads it: [registry/]path[:tag][@digest], lower-case path. */
const imageRef = z.string().regex(/^([a-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, { error: "must be an image reference such as registry.example.com/library/busybox:1.36.1" });

/** A host name or an IP address (no scheme, no port, no spaces). */
const hostName = z.string().refine((v) => v.length <= 253 && (DNS_SUBDOMAIN.test(v.toLowerCase()) || /^[0-9.]+$/.test(v) && /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || (v.includes(":") && /^[0-9a-fA-F:]+$/.test(v))), { error: "must be a host name or an IP address, without scheme or port" });

const cidr = z.string().superRefine((v, ctx) => {
    const parsed = parseCidr(v);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `invalid CIDR: ${parsed}` });
});

/** A CIDR whose host bits may be set: Go's net.ParseCIDR, as the operator parses autodetection CIDRs. */
const looseCidr = z.string().superRefine((v, ctx) => {
    const parsed = parseCidr(v, { hostBits: true });
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `invalid CIDR: ${parsed}` });
});

/** A CIDR or a single address: libcalico-go's `net` validator (BGPConfiguration service IP blocks). */
const cidrOrAddress = z.string().superRefine((v, ctx) => {
    const parsed = parseCidrOrAddress(v);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `invalid CIDR or address: ${parsed}` });
});

/** BGPPeer `peerIP`: an address, `<IPv4>:<port>` or `[<IPv6>]:<port>` (libcalico-go `IP:port`). */
const peerIP = z.string().superRefine((v, ctx) => {
    const parsed = parsePeerIP(v);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});


const ipv4Address = z.string().refine((v) => addressFamily(v) === 4, { error: "must be an IPv4 address such as 244.0.0.1" });

/** A Kubernetes label selector (`kubectl get -l`), e.g. `node-role.kubernetes.io/worker,rack in (r1,r2)`. */
const labelSelector = z.string().superRefine((v, ctx) => {
    const problem = labelSelectorProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: `invalid Kubernetes label selector: ${problem}` });
});

const selector = z.string().superRefine((v, ctx) => {
    try {
        parseSelector(v);
    } catch (e) {
        if (e instanceof SelectorSyntaxError) {
            ctx.addIssue({ code: "custom", message: `invalid Calico selector: ${e.reason} at position ${e.position}` });
        } else throw e;
    }
});

/**
 * BGP AS numbers as calicoctl reads them (numorstring.ASNumber): a whole number, or a string in
 * asplain ("64512") or asdot ("65000.100") form; carried on as the one uint32 calicoctl stores.
 */
const asNumber = z.union([z.number(), z.string()], { error: 'must be an AS number: a whole number such as 64512, or asdot text in quotes such as "65000.100"' }).transform((v, ctx) => {
    const r = parseAsNumber(v);
    if ("error" in r) {
        ctx.addIssue({ code: "custom", message: r.error });
        return z.NEVER;
    }
    return r.value;
});

const port = z.int({ error: "must be a whole number" }).min(1, { error: "port must be 1–65535" }).max(65535, { error: "port must be 1–65535" });

/** Go durations (metav1.Duration, parsed by time.ParseDuration): 90s, 1.5m, 2h45m. Negative ones are refused (ours): a restart time cannot be. */
const goDuration = z.string().superRefine((v, ctx) => {
    const ns = parseGoDuration(v);
    if (typeof ns === "string") ctx.addIssue({ code: "custom", message: ns });
    else if (ns < 0) ctx.addIssue({ code: "custom", message: "must not be negative: it is how long BIRD keeps a restarting peer's routes" });
});

/** Prometheus durations, as the prometheus-operator CRDs' pattern accepts them: 30s, 1m30s, 1h. */
const prometheusDuration = z
    .string()
    .min(1, { error: "must be a Prometheus duration such as 30s or 1m30s" })
    .regex(PROMETHEUS_DURATION, { error: "must be a Prometheus duration such as 30s, 1m30s or 1h: units y w d h m s ms in that order, each at most once, no fractions" });

/** An http(s) URL: what Grafana's datasource and curl (the calicoctl download) are given. */
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://mirror.example.com/calico" });

/** A secret field: plaintext or encrypted in the stack, always carried as a Secret. */
const secret = z.instanceof(Secret, { error: "must be a secret (set it with `pulumi config set --secret`)" });

/** One CIDR or several (dual stack), as an array or kubeadm's comma-separated form. */
const cidrList = z
    .union([z.string(), z.array(z.string())], { error: "must be a CIDR or a list of CIDRs" })
    .transform((v) => (Array.isArray(v) ? v : v.split(",").map((s) => s.trim())))
    .pipe(z.array(cidr).min(1, { error: "at least one CIDR is required" }).max(2, { error: "at most two CIDRs (one IPv4, one IPv6)" }));

/** Node declared in config so that the planner can evaluate selectors against real labels. */
export const nodeSchema = z.strictObject({
    /** Kubernetes node name (DNS-1123 subdomain). */
    name: nodeName,
    /**
     * Labels the node has, or will get from this program; the topology check evaluates selectors against them.
     * @default {}
     */
    labels: z.record(labelKey, labelValue).default({}),
});

export const clusterSchema = z.strictObject({
    /** Cluster name (DNS-1123 label); also the provider's `clusterIdentifier` unless `identifier` is set, so rotating a kubeconfig never replaces resources. */
    name: k8sName,
    /**
     * The Kubernetes provider's `clusterIdentifier`: the cluster's identity in the stack's state. Unset, it is `name`. A change
     * replaces the provider and so every resource it manages (the operator, the Installation, the CRDs and with them every Calico
     * object), so a deployed stack refuses it; to rename a cluster, set this to the old name and change `name`.
     */
    identifier: k8sName.optional(),
    /** Number of nodes (at least 1); it drives the BGP profile (full mesh up to 100 nodes) and the expected Typha replicas. */
    nodeCount: z.int({ error: "must be a whole number" }).min(1, { error: "a cluster has at least 1 node" }),
    /** Pod CIDR: one CIDR, a list, or kubeadm's comma-separated form; must equal kubeadm's `networking.podSubnet`. Dual stack: one IPv4 and one IPv6. */
    podCidr: cidrList,
    /** Service CIDR, in the same forms as `podCidr`; must not overlap it. */
    serviceCidr: cidrList,
    /**
     * Named nodes with their labels (reflectors, rack members, nodes a peer selects), so the offline plan can check who peers with whom.
     * @default []
     */
    nodes: z.array(nodeSchema).default([]),
    /** The API server's real endpoint; required by the eBPF dataplane, which replaces kube-proxy. */
    apiServer: z
        .strictObject({
            /** Host name or IP address of the API server, without scheme or port. */
            host: hostName,
            /**
             * API server port.
             * @default 6443
             */
            port: port.default(6443),
        })
        .optional(),
});

export const autodetectionSchema = z.strictObject({
    /** Use the first valid interface (Calico's default method). Give exactly one method. */
    firstFound: z.boolean().optional(),
    /** `NodeInternalIP`: use the address the kubelet reports (the only Kubernetes method). */
    kubernetes: z.literal("NodeInternalIP", { error: "the only Kubernetes method is NodeInternalIP" }).optional(),
    /** RE2 regular expression of interface names to use (comma-separated list allowed). */
    interface: z.string().min(1).optional(),
    /** RE2 regular expression of interface names to skip. */
    skipInterface: z.string().min(1).optional(),
    /** Use the interface that routes to this address or host name. */
    canReach: z.string().min(1).optional(),
    /** Use the address inside one of these CIDRs (host bits may be set). */
    cidrs: z.array(looseCidr).min(1).optional(),
});

export const ENCAPSULATIONS = ["None", "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet"] as const;

export const ipPoolSchema = z.strictObject({
    /** Pool name (DNS-1123 subdomain); not rendered on v3.27.3, whose CRD has no pool names. */
    name: calicoName,
    /** Pool CIDR: inside `cluster.podCidr`, disjoint from other pools and Services, not link-local. */
    cidr,
    /** Per-node block prefix length: IPv4 20–32, IPv6 116–128, not larger than the pool. Unset: 26 (IPv4) or 122 (IPv6). */
    blockSize: z.int({ error: "must be a whole number" }).optional(),
    /** `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN` or `VXLANCrossSubnet` (IPIP on IPv4 only; None and IPIP need BGP). Unset: IPIP for IPv4 with BGP, None for IPv6 with BGP, VXLAN without BGP. */
    encapsulation: z.enum(ENCAPSULATIONS).optional(),
    /**
     * Masquerade traffic from pods to outside the pool.
     * @default true
     */
    natOutgoing: z.boolean().default(true),
    /**
     * Calico selector of the nodes that take addresses from this pool.
     * @default "all()"
     */
    nodeSelector: selector.default("all()"),
    /**
     * Do not advertise this pool's routes over BGP.
     * @default false
     */
    disableBGPExport: z.boolean().default(false),
});

export const networkSchema = z.strictObject({
    /**
     * Run BGP (`false`: no BGP at all, pools must use VXLAN).
     * @default true
     */
    bgp: z.boolean().default(true),
    /**
     * `iptables`, `nftables` (v3.31.3) or `bpf` (needs `cluster.apiServer`; on v3.27.3 not with dual-stack pools, which operator v1.32.7 refuses: `pkg/controller/installation/validation.go:156`).
     * @default "iptables"
     */
    dataplane: z.enum(["iptables", "nftables", "bpf"]).default("iptables"),
    /** Pod MTU, 68–65535 (at least 1280 with an IPv6 pool); unset lets Calico detect it from the host interface. */
    mtu: z.int({ error: "must be a whole number" }).min(68, { error: "MTU must be 68–65535: IPv4 needs at least 68 (RFC 791) and no IP packet is larger than 65535" }).max(65535, { error: "MTU must be 68–65535: IPv4 needs at least 68 (RFC 791) and no IP packet is larger than 65535" }).optional(),
    /** How calico-node finds each node's address (`nodeAddressAutodetectionV4`): exactly one method. Unset: Calico's default (first found). */
    autodetection: autodetectionSchema.optional(),
    /** IP pools. Unset: one pool per pod CIDR. `[]` (v3.31.3 only): pools are managed out of band. Mixing IPIP and VXLAN across IPv4 pools is a warning (only sensible mid-migration). */
    ipPools: z.array(ipPoolSchema).optional(),
    /**
     * Support `hostPort` in pods (the portmap plugin).
     * @default true
     */
    hostPorts: z.boolean().default(true),
    /** IPAM settings (IPAMConfig `default`), set with `calicoctl ipam configure` once Calico is up; unset fields keep Calico's defaults. */
    ipam: z
        .strictObject({
            /** Only a block's own node may assign its addresses (no borrowing from other nodes' blocks), so each node's pod routes stay whole blocks. Unset: Calico's default, false. */
            strictAffinity: z.boolean().optional(),
            /** Most blocks a node may hold (0: no limit), v3.31.3 only (calicoctl v3.27.3 cannot set it). Unset: Calico's default, 0. */
            maxBlocksPerHost: z.int({ error: "must be a whole number" }).min(0, { error: "must be 0 (no limit) or more" }).max(2147483647, { error: "must fit the IPAMConfig CRD's int32 field" }).optional(),
            /** Allocate new blocks automatically; calicoctl sets it at neither release, so only Calico's default (true) is accepted. */
            autoAllocateBlocks: z.boolean().optional(),
        })
        .optional(),
    /**
     * Encrypt pod traffic between nodes with WireGuard: FelixConfiguration `wireguardEnabled` (and `wireguardEnabledV6` with an IPv6 pool) by `calicoctl patch`; node preparation loads the module.
     * @default false
     */
    wireguard: z.boolean().default(false),
    /** Replicas of calico-kube-controllers and the API server, at least 1. Unset: the operator's default (2). */
    controlPlaneReplicas: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1 (the operator refuses 0)" }).max(2147483647, { error: "must fit the operator's int32 field" }).optional(),
});

const passwordPeerFields = {
    /** Keep the original next hop when re-advertising routes from this peer. Unset: true for top-of-rack switches, BGP's default for other peers. */
    keepOriginalNextHop: z.boolean().optional(),
    /** Go duration (e.g. `120s`) BIRD keeps a restarting peer's routes (graceful restart); not negative. */
    maxRestartTime: goDuration.optional(),
    /** BGP session password (a secret: `pulumi config set --secret --path`, or a `pulumi.Input<string>` in code). It reaches the cluster only in the Secret `calico-system/bgp-passwords`, referenced by `secretKeyRef`. */
    password: secret.optional(),
};

export const peerSchema = z.strictObject({
    /** BGPPeer name (DNS-1123 subdomain). */
    name: calicoName,
    /** The router's address: an IP, `<IPv4>:<port>` or `[<IPv6>]:<port>`. */
    peerIP,
    /** The router's AS number: 1–4294967295, or asdot text in quotes (`"65000.100"`). */
    asNumber,
    /**
     * Calico selector of the nodes that peer with this router.
     * @default "all()"
     */
    nodeSelector: selector.default("all()"),
    ...passwordPeerFields,
});

export const switchSchema = z.strictObject({
    /** BGPPeer name. Unset: `tor-<rack>-<index>`. */
    name: calicoName.optional(),
    /** The switch's address: an IP, `<IPv4>:<port>` or `[<IPv6>]:<port>`. */
    peerIP,
    /** The switch's AS number (same forms as `bgp.asNumber`). */
    asNumber,
    ...passwordPeerFields,
});

export const rackSchema = z.strictObject({
    /** Rack name (DNS-1123 label); nodes get the label `<rackLabel>=<name>`. */
    name: k8sName,
    /**
     * Nodes in the rack; the program labels them `<rackLabel>=<rack name>`.
     * @default []
     */
    nodes: z.array(nodeName).default([]),
    /** AS number of this rack's nodes (AS-per-rack designs). Unset: `bgp.asNumber`. */
    asNumber: asNumber.optional(),
    /** The rack's top-of-rack switches (at least one); every node of the rack peers with each. */
    switches: z.array(switchSchema).min(1, { error: "a rack needs at least one top-of-rack switch to peer with" }),
});

export const bgpSchema = z.strictObject({
    /**
     * `auto`: `hybrid` if racks and reflectors are both set, `tor` if only racks are, else `mesh` up to 100 nodes and `routeReflector` above. `hybrid`: each rack's reflectors peer with the rack's switches, and the rack's other nodes peer only with those reflectors. An explicit mode that contradicts the size is a warning.
     * @default "auto"
     */
    mode: z.enum(["auto", "mesh", "routeReflector", "tor", "hybrid"]).default("auto"),
    /**
     * The cluster's AS number: 1–4294967295, or asdot text in quotes (`"65000.100"`); the same forms in every AS field.
     * @default 64512
     */
    asNumber: asNumber.default(64512),
    /**
     * BIRD and confd log level: `Trace` (v3.31.3 only), `Debug`, `Info`, `Warning`, `Error` or `Fatal`.
     * @default "Info"
     */
    logSeverityScreen: z.enum(["Trace", "Debug", "Info", "Warning", "Error", "Fatal"]).default("Info"),
    /** BGP listen port. Unset: 179. */
    listenPort: port.optional(),
    /** Route reflectors (mode `routeReflector`, or `hybrid` with each reflector listed in its rack): at least 2 (in `hybrid`, per rack) unless `allowSingleReflector`. */
    routeReflectors: z
        .strictObject({
            /**
             * Reflector nodes; the program labels them `route-reflector=true` and sets their cluster ID.
             * @default []
             */
            nodes: z.array(nodeName).default([]),
            /**
             * Route-reflector cluster ID shared by every reflector: an unused IPv4 address, outside pod and Service CIDRs.
             * @default "244.0.0.1"
             */
            clusterId: ipv4Address.default("244.0.0.1"),
            /**
             * Accept a single reflector (a single point of failure); the guide asks for at least 2.
             * @default false
             */
            allowSingleReflector: z.boolean().default(false),
        })
        .optional(),
    /** Top-of-rack peering (mode `tor`: each rack's nodes peer with its switches; mode `hybrid`: only the rack's reflectors do), with no node-to-node mesh. */
    tor: z
        .strictObject({
            /**
             * The node label that names a node's rack.
             * @default "rack"
             */
            rackLabel: labelKey.default("rack"),
            /** The racks, at least one. */
            racks: z.array(rackSchema).min(1, { error: "top-of-rack mode needs at least one rack" }),
        })
        .optional(),
    /**
     * Extra BGP routers (edge routers, route servers).
     * @default []
     */
    peers: z.array(peerSchema).default([]),
    /** Service addresses advertised over BGP. */
    advertise: z
        .strictObject({
            /**
             * CIDRs or single addresses of cluster IPs to advertise (inside `cluster.serviceCidr`).
             * @default []
             */
            serviceClusterIPs: z.array(cidrOrAddress).default([]),
            /**
             * CIDRs or single addresses of external IPs to advertise.
             * @default []
             */
            serviceExternalIPs: z.array(cidrOrAddress).default([]),
            /**
             * CIDRs or single addresses of LoadBalancer IPs to advertise.
             * @default []
             */
            serviceLoadBalancerIPs: z.array(cidrOrAddress).default([]),
        })
        .prefault({}),
    /** The session gate of topology changes (see the runbooks): it needs every live node's full set of new sessions on 3 consecutive polls before old sessions go. */
    migration: z
        .strictObject({
            /**
             * How long the session gate waits for every node's new sessions before it fails the update (10–3600).
             * @default 300
             */
            waitTimeoutSeconds: z.int().min(10).max(3600).default(300),
            /**
             * Seconds between the gate's polls of CalicoNodeStatus (1–60).
             * @default 5
             */
            pollIntervalSeconds: z.int().min(1).max(60).default(5),
            /**
             * What a NotReady or cordoned node that runs calico-node does to the gate: `block` (it must prove its new
             * sessions like any other, so the old topology stays until it can) or `skip` (it is named and not waited
             * for). Nodes that run no calico-node are never waited for. (README: Safety)
             * @default "block"
             */
            notReadyNodes: z.enum(["block", "skip"]).default("block"),
        })
        .prefault({}),
});

export const registrySchema = z.strictObject({
    /** Registry for every Calico image (host and optional path, no scheme), or `UseDefault`. On v3.27.3 it must end with `/` (operator v1.32.7 appends the image path as written); on v3.31.3 the operator adds the `/` itself. */
    url: z.string().min(1).superRefine((v, ctx) => {
        if (v === USE_DEFAULT) return;
        if (!/^([a-z0-9.-]+(:[0-9]+)?)(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/.test(v)) ctx.addIssue({ code: "custom", message: "must be a registry host (and optional path) without scheme, e.g. registry.example.com/ or registry.example.com:5000/mirror/, or UseDefault" });
    }),
    /** Image path inside the registry (e.g. `calico` or `mirror/calico`), or `UseDefault`. */
    imagePath: z.string().regex(/^([a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*|UseDefault)$/, { error: "must be an image path such as calico or mirror/calico (lower case, no leading or trailing /), or UseDefault" }).optional(),
    /**
     * Names of image pull Secrets in the operator's namespace.
     * @default []
     */
    pullSecrets: z.array(k8sName).default([]),
});

export const operatorSchema = z.strictObject({
    /** Mirror URL or local path of `tigera-operator.yaml` (air-gapped clusters). Unset: the release URL of `version`. */
    manifest: z.string().min(1).optional(),
    /** Mirror URL or local path of `operator-crds.yaml` (v3.31.3 only). Unset: the release URL. */
    crdsManifest: z.string().min(1).optional(),
});

export const monitoringSchema = z.strictObject({
    /**
     * Create the metrics Services, ServiceMonitors, alert rules and dashboards.
     * @default true
     */
    enabled: z.boolean().default(true),
    /**
     * Namespace of ServiceMonitors, rules, dashboards and the optional installs.
     * @default "monitoring"
     */
    namespace: k8sName.default("monitoring"),
    /**
     * Felix metrics port (Installation `nodeMetricsPort`; host network, so not a port Calico uses: 179, 5473, 9098, 9099).
     * @default 9091
     */
    felixMetricsPort: port.default(9091),
    /**
     * Typha metrics port (Installation `typhaMetricsPort`; host network, not equal to `felixMetricsPort`).
     * @default 9093
     */
    typhaMetricsPort: port.default(9093),
    /**
     * kube-controllers metrics port; another value is a `calicoctl patch` of KubeControllersConfiguration.
     * @default 9094
     */
    kubeControllersMetricsPort: port.default(9094),
    /** prometheus-operator ServiceMonitors for the three metrics endpoints. */
    serviceMonitors: z
        .strictObject({
            /**
             * Create the ServiceMonitors.
             * @default true
             */
            enabled: z.boolean().default(true),
            /**
             * The `release` label Prometheus's `serviceMonitorSelector` matches.
             * @default "prometheus"
             */
            releaseLabel: labelValue.refine((v) => v !== "", { error: "must not be empty" }).default("prometheus"),
            /**
             * Scrape interval (Prometheus duration such as `30s`).
             * @default "30s"
             */
            interval: prometheusDuration.default("30s"),
            /**
             * Declare that the prometheus-operator CRDs already exist in the cluster (kube-prometheus-stack installed); without them and without `install.prometheus`, ServiceMonitors, rules and dashboards are skipped.
             * @default false
             */
            crdsPresent: z.boolean().default(false),
        })
        .prefault({}),
    /** PrometheusRule alerts (see Monitoring in the README). */
    alerts: z
        .strictObject({
            /**
             * Create the alert rules.
             * @default true
             */
            enabled: z.boolean().default(true),
            /**
             * IP pool utilisation (between 0 and 1) above which to warn.
             * @default 0.85
             */
            ipPoolUtilisationWarning: z.number().gt(0).lt(1).default(0.85),
        })
        .prefault({}),
    /** Grafana dashboards as ConfigMaps for the Grafana sidecar. */
    dashboards: z
        .strictObject({
            /**
             * Create the dashboards.
             * @default true
             */
            enabled: z.boolean().default(true),
        })
        .prefault({}),
    /** Optional Prometheus and Grafana, rendered by Pulumi from pinned charts (no helm binary). */
    install: z
        .strictObject({
            /**
             * Install kube-prometheus-stack.
             * @default false
             */
            prometheus: z.boolean().default(false),
            /**
             * Install Grafana.
             * @default false
             */
            grafana: z.boolean().default(false),
            /**
             * Service type of Grafana: `ClusterIP` or `NodePort`.
             * @default "ClusterIP"
             */
            serviceType: z.enum(["ClusterIP", "NodePort"]).default("ClusterIP"),
            /**
             * Grafana's node port when `serviceType` is `NodePort` (30000–32767).
             * @default 30010
             */
            grafanaNodePort: z.int().min(30000).max(32767).default(30010),
            /** Grafana admin password (a secret); it reaches Grafana only through a Kubernetes Secret. */
            grafanaAdminPassword: secret.optional(),
            /**
             * Exact kube-prometheus-stack chart version.
             * @default "65.1.1"
             */
            prometheusChartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact chart version such as 65.1.1" }).default("65.1.1"),
            /**
             * Exact Grafana chart version.
             * @default "8.5.2"
             */
            grafanaChartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact chart version such as 8.5.2" }).default("8.5.2"),
            /** Local kube-prometheus-stack chart (directory or `.tgz`) instead of the chart repository: air-gapped clusters. */
            prometheusChartPath: z.string().min(1).optional(),
            /** Local Grafana chart (directory or `.tgz`) instead of the chart repository: air-gapped clusters. */
            grafanaChartPath: z.string().min(1).optional(),
            /** http(s) URL of Prometheus for Grafana's datasource when Prometheus is not installed here. */
            prometheusUrl: httpUrl.optional(),
        })
        .prefault({}),
});

export const nodePrepSchema = z.strictObject({
    /**
     * `daemonset` (a privileged init container on every node), `ssh` (commands over SSH) or `none`.
     * @default "daemonset"
     */
    mode: z.enum(["daemonset", "ssh", "none"]).default("daemonset"),
    /**
     * Write the NetworkManager keyfile that keeps it off Calico's interfaces.
     * @default true
     */
    networkManager: z.boolean().default(true),
    /** Connection-tracking sysctls. */
    conntrack: z
        .strictObject({
            /** `net.netfilter.nf_conntrack_max` (65536–67108864). */
            max: z.int().min(65536).max(67108864).optional(),
            /** `net.netfilter.nf_conntrack_buckets` (16384–16777216). */
            buckets: z.int().min(16384).max(16777216).optional(),
        })
        .prefault({}),
    /**
     * Extra kernel modules to load (ipip, vxlan and wireguard are added from the network settings).
     * @default []
     */
    modules: z.array(z.string().regex(/^[a-z0-9_-]+$/, { error: "must be a kernel module name" })).default([]),
    /** Image of the node-preparation DaemonSet, pulled through `registry` when set. Unset: `docker.io/library/busybox:1.36.1`. */
    image: imageRef.optional(),
    /**
     * Where the DaemonSet's init container mounts the host's `/etc` (as `<rootDir>/etc`) and what its script reads as ROOT: an absolute folder other than `/`.
     * @default "/host"
     */
    rootDir: z.string().regex(/^\/[^\0]*[^/]$/, { error: "must be an absolute folder other than /, e.g. /host" }).default("/host"),
    /** SSH access for `mode: ssh`. */
    ssh: z
        .strictObject({
            /** The nodes to prepare, at least one. */
            nodes: z
                .array(
                    z.strictObject({
                        /** Host name or IP address. */
                        host: hostName,
                        /**
                         * POSIX user; a user other than root runs the script with `sudo -n`.
                         * @default "root"
                         */
                        user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a POSIX user name such as root or ops" }).default("root"),
                        /**
                         * SSH port.
                         * @default 22
                         */
                        port: port.default(22),
                    }),
                )
                .min(1),
            /** SSH private key (a secret; a public key is refused by name). */
            privateKey: secret,
        })
        .optional(),
});

export const policySchema = z.strictObject({
    /**
     * An opt-in baseline GlobalNetworkPolicy (Calico's "global default deny" best practice): workloads
     * outside Kubernetes', Calico's and the excluded namespaces may only reach DNS, the Kubernetes API
     * and (from the monitoring namespace) Calico's metrics ports, unless a policy ordered before it
     * allows more. It selects workload endpoints only, never host endpoints, so BGP, Typha, health
     * and metrics on the host network are untouched; `plan` proves this on the rendered policy.
     */
    baseline: z
        .strictObject({
            /**
             * Apply the baseline policy.
             * @default false
             */
            enabled: z.boolean().default(false),
            /**
             * `enforce`: a GlobalNetworkPolicy that denies. `staged`: a StagedGlobalNetworkPolicy that only reports what it would deny (Calico v3.31.3; v3.27.3 has no staged policies): stage first, then enforce.
             * @default "enforce"
             */
            mode: z.enum(["enforce", "staged"]).default("enforce"),
            /**
             * Namespaces the baseline leaves alone, besides kube-system, calico-system, calico-apiserver, tigera-operator and (when this stack installs Prometheus or Grafana) the monitoring namespace.
             * @default []
             */
            excludeNamespaces: z.array(k8sName).default([]),
            /** A Calico selector ANDed with the baseline's own, to narrow the workloads it applies to (e.g. `!has(policy-exempt)`). */
            selector: selector.optional(),
            /**
             * The policy's order: Calico evaluates lower orders first, and Kubernetes NetworkPolicies have order 1000, so the default lets them allow traffic before the baseline denies it.
             * @default 10000
             */
            order: z.number({ error: "must be a number" }).min(0, { error: "must be at least 0" }).max(1e9, { error: "must be at most 1000000000" }).default(10000),
        })
        .prefault({}),
});

export const benchmarkSchema = z.strictObject({
    /**
     * Run the network benchmark (ping latency and iperf3 bandwidth for node → remote node, node → remote pod and pod → remote pod, the guide's tables) on `pulumi up`, and again whenever this section, `runId` or a dataplane setting (pool encapsulation, MTU, dataplane, WireGuard) changes.
     * @default false
     */
    enabled: z.boolean().default(false),
    /** The two nodes: the clients run on the first, the iperf3 servers on the second. Or set `acrossRacks` or `nodeSelector`. */
    nodes: z.array(nodeName).length(2, { error: "name exactly two nodes: the client node, then the server node" }).optional(),
    /**
     * Take the first node of each of the first two racks of `calico:bgp.tor.racks`, so the traffic crosses the fabric between racks.
     * @default false
     */
    acrossRacks: z.boolean().default(false),
    /**
     * Pick the two nodes when the run starts, from the cluster: among the nodes this Kubernetes label selector matches (e.g. `node-role.kubernetes.io/worker`), the first by name that has `rackLabel` is the client, and the first after it in another rack the server, so the traffic crosses racks. For clusters whose racks are node labels rather than `calico:bgp.tor.racks`.
     */
    nodeSelector: labelSelector.optional(),
    /** The node label whose value names a node's rack, for `nodeSelector`. Unset: `calico:bgp.tor.rackLabel`, else `rack`. */
    rackLabel: labelKey.optional(),
    /**
     * Pings per path (the latency is their average).
     * @default 20
     */
    pingCount: z.int({ error: "must be a whole number" }).min(1, { error: "must be 1–1000" }).max(1000, { error: "must be 1–1000" }).default(20),
    /**
     * Seconds of each iperf3 run.
     * @default 10
     */
    durationSeconds: z.int({ error: "must be a whole number" }).min(1, { error: "must be 1–300" }).max(300, { error: "must be 1–300" }).default(10),
    /**
     * Change it to run the benchmark again without changing anything else.
     * @default ""
     */
    runId: z.string().max(63, { error: "must be at most 63 characters" }).default(""),
    /** An image with ping and iperf3, pulled through `calico:registry` when set. Unset: `docker.io/nicolaka/netshoot:v0.13`. */
    image: imageRef.optional(),
    /**
     * Namespace of the benchmark's pods, Jobs and its results ConfigMap.
     * @default "calico-benchmark"
     */
    namespace: k8sName.default("calico-benchmark"),
    /**
     * How long the whole run may take before `up` fails.
     * @default 900
     */
    timeoutSeconds: z.int({ error: "must be a whole number" }).min(60, { error: "must be 60–3600" }).max(3600, { error: "must be 60–3600" }).default(900),
});

export const calicoctlSchema = z.strictObject({
    /** A calicoctl binary to use instead of downloading the release one. */
    path: z.string().min(1).optional(),
    /** Where downloaded binaries are kept between runs. Unset: `.calicoctl`. */
    cacheDir: z.string().min(1).optional(),
    /** http(s) mirror of the GitHub release download base URL. */
    downloadBaseUrl: httpUrl.optional(),
    /**
     * sha256 of calicoctl binaries the program may download, by `<version>/<os>-<arch>` (for example
     * `v3.31.3/linux-amd64`), added to the pinned checksums of the official releases: for a mirror
     * that serves its own builds, or an architecture without a pinned checksum. A download whose
     * sha256 matches neither is refused and never run.
     * @default {}
     */
    checksums: z
        .record(
            z.string().regex(/^v\d+\.\d+\.\d+\/[a-z0-9]+-[a-z0-9]+$/, { error: "must be <version>/<os>-<arch>, e.g. v3.31.3/linux-amd64" }),
            z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a sha256 in 64 lower-case hex digits" }),
        )
        .default({}),
});

/** Every top-level key, without the `calico:` prefix. */
export const topLevelSchemas = {
    /**
     * Calico release to install (`v3.31.3` or `v3.27.3`); pins the operator image and manifests. A downgrade of a deployed stack is refused.
     * @default "v3.31.3"
     */
    version: z.enum(CALICO_VERSIONS).default("v3.31.3"),
    // Typed and documented in args.ts (CalicoConfig): preprocess makes zod's input type `unknown`.
    kubernetesVersion: z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.enum(KUBERNETES_VERSIONS)),
    /** The cluster (required): name, size, CIDRs and the nodes the plan should know by name. */
    cluster: clusterSchema,
    /** Pod networking: BGP, dataplane, MTU, address autodetection, IP pools, WireGuard. */
    network: networkSchema.prefault({}),
    /** The BGP fabric: full mesh, route reflectors or top-of-rack peering, extra peers, advertised Service addresses and the migration gate. */
    bgp: bgpSchema.prefault({}),
    /** A private registry for every Calico image (air-gapped clusters). */
    registry: registrySchema.optional(),
    /** Where the operator manifests come from (mirrors or local copies for air-gapped clusters). */
    operator: operatorSchema.prefault({}),
    /** Metrics Services, ServiceMonitors, alerts, dashboards and optional Prometheus/Grafana. */
    monitoring: monitoringSchema.prefault({}),
    /** Node preparation before calico-node starts: NetworkManager, conntrack sysctls and kernel modules. */
    nodePrep: nodePrepSchema.prefault({}),
    /** Network policy: an opt-in baseline (default deny with allows for DNS, the Kubernetes API and the metrics ports), enforced or staged. */
    policy: policySchema.prefault({}),
    /** The network benchmark: ping and iperf3 between two nodes, node to node, node to pod and pod to pod, in the guide's tables. */
    benchmark: benchmarkSchema.prefault({}),
    /** The calicoctl binary that applies the projectcalico.org/v3 objects. */
    calicoctl: calicoctlSchema.prefault({}),
    /** Kubeconfig contents (a secret) for the provider, calicoctl and the session gate. Unset: the ambient `KUBECONFIG`. */
    kubeconfig: secret.optional(),
    /** The kubeconfig context the provider, calicoctl (`K8S_CURRENT_CONTEXT`) and the session gate use; may be stored as a secret, and then stays one everywhere. */
    kubeContext: z.union([z.string().min(1), secret], { error: "must be the name of a context in the kubeconfig" }).optional(),
    /**
     * Protect what pod networking depends on. `true`: `pulumi destroy` stops before it deletes anything (a guard command,
     * deleted first, fails), and the CRDs, the operator, the Installation and the APIServer are Pulumi-`protect`ed, so no
     * update can replace them, and the CRDs stay in the cluster if they ever leave the program. `false`, for a disposable
     * cluster: `pulumi up` lifts the protection, and a `pulumi destroy` after it removes everything. (README: Safety)
     * @default true
     */
    protect: z.boolean().default(true),
} as const;

/** One object schema for the whole config, keyed without the prefix. */
export const configSchema = z.strictObject(topLevelSchemas);

/** The config after zod, before cross-field validation and profile resolution. */
export type ParsedConfig = z.output<typeof configSchema>;

/** Names of fields whose values are secrets wherever they appear. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["password", "privateKey", "grafanaAdminPassword", "kubeconfig"]);
