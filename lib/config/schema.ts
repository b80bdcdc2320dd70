/**
 * The config contract: the shape of every `calico:*` key, checked with zod. Field-level rules live
 * here (types, ranges, enums, unknown keys, CIDR and selector syntax); rules that compare fields
 * with each other live in validate.ts, and defaults that depend on cluster size in profiles.ts.
 */
import { z } from "zod";
import { parseCidr, parseCidrOrAddress, parsePeerIP, addressFamily } from "../model/cidr";
import { parseAsNumber } from "../model/asnumber";
import { parseGoDuration, PROMETHEUS_DURATION } from "../model/durations";
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
    /** Kubernetes node name. */
    name: nodeName,
    /** Labels the node has (or will get from this program). */
    labels: z.record(labelKey, labelValue).default({}),
});

export const clusterSchema = z.strictObject({
    name: k8sName,
    nodeCount: z.int({ error: "must be a whole number" }).min(1, { error: "a cluster has at least 1 node" }),
    podCidr: cidrList,
    serviceCidr: cidrList,
    nodes: z.array(nodeSchema).default([]),
    /** The API server endpoint, needed by the eBPF dataplane which replaces kube-proxy. */
    apiServer: z.strictObject({ host: hostName, port: port.default(6443) }).optional(),
});

export const autodetectionSchema = z.strictObject({
    firstFound: z.boolean().optional(),
    kubernetes: z.literal("NodeInternalIP", { error: "the only Kubernetes method is NodeInternalIP" }).optional(),
    interface: z.string().min(1).optional(),
    skipInterface: z.string().min(1).optional(),
    canReach: z.string().min(1).optional(),
    cidrs: z.array(looseCidr).min(1).optional(),
});

export const ENCAPSULATIONS = ["None", "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet"] as const;

export const ipPoolSchema = z.strictObject({
    name: calicoName,
    cidr,
    blockSize: z.int({ error: "must be a whole number" }).optional(),
    encapsulation: z.enum(ENCAPSULATIONS).optional(),
    natOutgoing: z.boolean().default(true),
    nodeSelector: selector.default("all()"),
    disableBGPExport: z.boolean().default(false),
});

export const networkSchema = z.strictObject({
    bgp: z.boolean().default(true),
    dataplane: z.enum(["iptables", "nftables", "bpf"]).default("iptables"),
    /**
     * Pod MTU; unset lets Calico auto-detect it from the host interface. The operator sets no bound;
     * ours are IP's own: 68 is the smallest MTU IPv4 allows (RFC 791) and 65535 the largest packet.
     */
    mtu: z.int({ error: "must be a whole number" }).min(68, { error: "MTU must be 68–65535: IPv4 needs at least 68 (RFC 791) and no IP packet is larger than 65535" }).max(65535, { error: "MTU must be 68–65535: IPv4 needs at least 68 (RFC 791) and no IP packet is larger than 65535" }).optional(),
    autodetection: autodetectionSchema.optional(),
    ipPools: z.array(ipPoolSchema).optional(),
    hostPorts: z.boolean().default(true),
    /** Encrypt pod traffic between nodes with WireGuard (FelixConfiguration wireguardEnabled[V6]). */
    wireguard: z.boolean().default(false),
    /** Replicas of calico-kube-controllers and the API server (operator default 2). */
    controlPlaneReplicas: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1 (the operator refuses 0)" }).max(2147483647, { error: "must fit the operator's int32 field" }).optional(),
});

const passwordPeerFields = {
    keepOriginalNextHop: z.boolean().optional(),
    maxRestartTime: goDuration.optional(),
    password: secret.optional(),
};

export const peerSchema = z.strictObject({
    name: calicoName,
    peerIP,
    asNumber,
    nodeSelector: selector.default("all()"),
    ...passwordPeerFields,
});

export const switchSchema = z.strictObject({
    name: calicoName.optional(),
    peerIP,
    asNumber,
    ...passwordPeerFields,
});

export const rackSchema = z.strictObject({
    name: k8sName,
    /** Nodes in the rack; the program labels them `<rackLabel>=<rack name>`. */
    nodes: z.array(nodeName).default([]),
    /** AS number of this rack's nodes (AS-per-rack designs); defaults to calico:bgp.asNumber. */
    asNumber: asNumber.optional(),
    switches: z.array(switchSchema).min(1, { error: "a rack needs at least one top-of-rack switch to peer with" }),
});

export const bgpSchema = z.strictObject({
    mode: z.enum(["auto", "mesh", "routeReflector", "tor"]).default("auto"),
    asNumber: asNumber.default(64512),
    /** BIRD and confd log level; Trace exists from Calico v3.29 (checked per version in validate.ts). */
    logSeverityScreen: z.enum(["Trace", "Debug", "Info", "Warning", "Error", "Fatal"]).default("Info"),
    listenPort: port.optional(),
    routeReflectors: z
        .strictObject({
            nodes: z.array(nodeName).default([]),
            clusterId: ipv4Address.default("244.0.0.1"),
            /** Accept a single reflector (a single point of failure); the guide asks for at least 2. */
            allowSingleReflector: z.boolean().default(false),
        })
        .optional(),
    tor: z
        .strictObject({
            rackLabel: labelKey.default("rack"),
            racks: z.array(rackSchema).min(1, { error: "top-of-rack mode needs at least one rack" }),
        })
        .optional(),
    peers: z.array(peerSchema).default([]),
    advertise: z
        .strictObject({
            serviceClusterIPs: z.array(cidrOrAddress).default([]),
            serviceExternalIPs: z.array(cidrOrAddress).default([]),
            serviceLoadBalancerIPs: z.array(cidrOrAddress).default([]),
        })
        .prefault({}),
    migration: z
        .strictObject({
            /** How long the session gate waits for every node's new sessions before it fails the update. */
            waitTimeoutSeconds: z.int().min(10).max(3600).default(300),
            pollIntervalSeconds: z.int().min(1).max(60).default(5),
        })
        .prefault({}),
});

export const registrySchema = z.strictObject({
    /**
     * Registry for every Calico image, or `UseDefault` (the operator's own defaults). Whether it must end
     * with "/" depends on the operator version; validate.ts checks that.
     */
    url: z.string().min(1).superRefine((v, ctx) => {
        if (v === USE_DEFAULT) return;
        if (!/^([a-z0-9.-]+(:[0-9]+)?)(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/.test(v)) ctx.addIssue({ code: "custom", message: "must be a registry host (and optional path) without scheme, e.g. registry.example.com/ or registry.example.com:5000/mirror/, or UseDefault" });
    }),
    imagePath: z.string().regex(/^([a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*|UseDefault)$/, { error: "must be an image path such as calico or mirror/calico (lower case, no leading or trailing /), or UseDefault" }).optional(),
    pullSecrets: z.array(k8sName).default([]),
});

export const operatorSchema = z.strictObject({
    /** Mirror URL or local path of tigera-operator.yaml (air-gapped clusters). */
    manifest: z.string().min(1).optional(),
    /** Mirror URL or local path of operator-crds.yaml (v3.31.3 only). */
    crdsManifest: z.string().min(1).optional(),
});

export const monitoringSchema = z.strictObject({
    enabled: z.boolean().default(true),
    namespace: k8sName.default("monitoring"),
    felixMetricsPort: port.default(9091),
    typhaMetricsPort: port.default(9093),
    kubeControllersMetricsPort: port.default(9094),
    serviceMonitors: z
        .strictObject({
            enabled: z.boolean().default(true),
            releaseLabel: labelValue.refine((v) => v !== "", { error: "must not be empty" }).default("prometheus"),
            interval: prometheusDuration.default("30s"),
            /** Declare that the prometheus-operator CRDs already exist in the cluster. */
            crdsPresent: z.boolean().default(false),
        })
        .prefault({}),
    alerts: z
        .strictObject({
            enabled: z.boolean().default(true),
            /** IP pool utilisation (0–1) above which to warn. */
            ipPoolUtilisationWarning: z.number().gt(0).lt(1).default(0.85),
        })
        .prefault({}),
    dashboards: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    install: z
        .strictObject({
            prometheus: z.boolean().default(false),
            grafana: z.boolean().default(false),
            serviceType: z.enum(["ClusterIP", "NodePort"]).default("ClusterIP"),
            grafanaNodePort: z.int().min(30000).max(32767).default(30010),
            grafanaAdminPassword: secret.optional(),
            /** Pinned chart versions (Pulumi renders them itself; no helm binary). */
            prometheusChartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact chart version such as 65.1.1" }).default("65.1.1"),
            grafanaChartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact chart version such as 8.5.2" }).default("8.5.2"),
            /** Local kube-prometheus-stack chart (directory or .tgz) instead of the chart repository: air-gapped clusters. */
            prometheusChartPath: z.string().min(1).optional(),
            /** Local Grafana chart (directory or .tgz) instead of the chart repository: air-gapped clusters. */
            grafanaChartPath: z.string().min(1).optional(),
            /** Prometheus URL for the Grafana datasource when Prometheus is not installed here. */
            prometheusUrl: httpUrl.optional(),
        })
        .prefault({}),
});

export const nodePrepSchema = z.strictObject({
    mode: z.enum(["daemonset", "ssh", "none"]).default("daemonset"),
    networkManager: z.boolean().default(true),
    conntrack: z
        .strictObject({
            max: z.int().min(65536).max(67108864).optional(),
            buckets: z.int().min(16384).max(16777216).optional(),
        })
        .prefault({}),
    modules: z.array(z.string().regex(/^[a-z0-9_-]+$/, { error: "must be a kernel module name" })).default([]),
    image: imageRef.optional(),
    /** Where the DaemonSet's init container mounts the host's /etc (as ROOT/etc); not / itself. */
    rootDir: z.string().regex(/^\/[^\0]*[^/]$/, { error: "must be an absolute folder other than /, e.g. /host" }).default("/host"),
    ssh: z
        .strictObject({
            nodes: z.array(z.strictObject({ host: hostName, user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "must be a POSIX user name such as root or ops" }).default("root"), port: port.default(22) })).min(1),
            privateKey: secret,
        })
        .optional(),
});

export const calicoctlSchema = z.strictObject({
    /** A calicoctl binary to use instead of downloading the release one. */
    path: z.string().min(1).optional(),
    /** Where downloaded binaries are kept between runs. */
    cacheDir: z.string().min(1).optional(),
    /** Mirror of the GitHub release download base URL. */
    downloadBaseUrl: httpUrl.optional(),
});

/** Every top-level key, without the `calico:` prefix. */
export const topLevelSchemas = {
    version: z.enum(CALICO_VERSIONS).default("v3.31.3"),
    kubernetesVersion: z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.enum(KUBERNETES_VERSIONS)),
    cluster: clusterSchema,
    network: networkSchema.prefault({}),
    bgp: bgpSchema.prefault({}),
    registry: registrySchema.optional(),
    operator: operatorSchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    nodePrep: nodePrepSchema.prefault({}),
    calicoctl: calicoctlSchema.prefault({}),
    kubeconfig: secret.optional(),
    /** A context name; a Secret when the user stored it with --secret (it then stays secret everywhere). */
    kubeContext: z.union([z.string().min(1), secret], { error: "must be the name of a context in the kubeconfig" }).optional(),
} as const;

/** One object schema for the whole config, keyed without the prefix. */
export const configSchema = z.strictObject(topLevelSchemas);

/** The config after zod, before cross-field validation and profile resolution. */
export type ParsedConfig = z.output<typeof configSchema>;

/** Names of fields whose values are secrets wherever they appear. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(["password", "privateKey", "grafanaAdminPassword", "kubeconfig"]);
