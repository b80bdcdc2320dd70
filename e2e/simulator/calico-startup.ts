/**
 * STAND-IN for what calico-node and calico-kube-controllers write to the datastore when their
 * containers start. kwok runs no container, so the pods the REAL tigera-operator renders never start;
 * this writes only the cluster-wide objects those start-ups write, derived from the DaemonSet and
 * Deployment the real operator rendered (their image tag and environment), never from the program's
 * config. The per-node part of calico-node (BGP, the status reporter) is e2e/simulator/bgp.ts.
 *
 * calico-node start-up (node/pkg/lifecycle/startup/startup.go at v3.27.3 and v3.31.3):
 * - ClusterInformation `default` (libcalico-go clientv3 EnsureInitialized): calicoVersion is the
 *   release calico-node was built as (its image tag here), clusterType from CLUSTER_TYPE, a random
 *   clusterGUID when it has none, datastoreReady true when unset;
 * - FelixConfiguration `default` (ensureDefaultConfig): created with reportingInterval 0s and
 *   logSeverityScreen Info, or those two filled in when unset;
 * - the default IP pools (configureIPPools): none with NO_DEFAULT_POOLS=true (operator v1.40.3 always
 *   sets it and creates the pools itself); otherwise, from CALICO_IPV4POOL_* / CALICO_IPV6POOL_*
 *   (operator v1.32.7 renders the Installation's pools there), named default-ipv4-ippool and
 *   default-ipv6-ippool, and ONLY when no pool of that IP version exists: calico-node never changes
 *   an existing pool. (When IPv6 is supported but no IPv6 CIDR is given, calico-node generates a
 *   random ULA pool; no operator path used here renders that, and this stand-in logs it if it would.)
 *
 * calico-kube-controllers start-up (kube-controllers/pkg/config/runconfig.go, getOrCreateSnapshot):
 * KubeControllersConfiguration `default` with the release's defaults when none exists.
 */
import { randomBytes } from "node:crypto";
import { Kube, PATHS, type KubeObject } from "./kube";
import { literalEnv } from "./pod-process";

const NS = "calico-system";

function envOf(workload: KubeObject | undefined, container: string): Record<string, string> {
    const c = workload?.spec?.template?.spec?.containers?.find((x: any) => x.name === container);
    return literalEnv(c);
}

function tagOf(workload: KubeObject | undefined, container: string): string | undefined {
    const c = workload?.spec?.template?.spec?.containers?.find((x: any) => x.name === container);
    return c?.image ? String(c.image).split(":").pop() : undefined;
}

/** A workload's pods were scheduled (kwok then reports them running): its containers have started. */
function started(workload: KubeObject | undefined): boolean {
    return !!workload && !workload.metadata["deletionTimestamp"] && Number(workload.status?.readyReplicas ?? workload.status?.numberReady ?? 0) > 0;
}

const bool = (v: string | undefined, dflt: boolean) => (v === undefined || v === "" ? dflt : v.toLowerCase() === "true");

/** IPIP/VXLAN mode names as calico-node's createIPPool parses them. */
function mode(v: string | undefined): string {
    switch ((v ?? "").toLowerCase()) {
        case "always":
            return "Always";
        case "crosssubnet":
        case "cross-subnet":
            return "CrossSubnet";
        default:
            return "Never";
    }
}

/** KubeControllersConfiguration `default` as each release's kube-controllers creates it. */
function kubeControllersDefaults(version: string): object {
    const period = "5m0s";
    return {
        logSeverityScreen: "Info",
        healthChecks: "Enabled",
        etcdV3CompactionPeriod: "10m0s",
        controllers: {
            node: { reconcilerPeriod: period, syncLabels: "Enabled", leakGracePeriod: "15m0s", ...(version === "v3.27.3" ? {} : { hostEndpoint: { autoCreate: "Disabled", createDefaultHostEndpoint: "Enabled" } }) },
            policy: { reconcilerPeriod: period },
            workloadEndpoint: { reconcilerPeriod: period },
            serviceAccount: { reconcilerPeriod: period },
            namespace: { reconcilerPeriod: period },
            ...(version === "v3.27.3" ? {} : { loadBalancer: { assignIPs: "AllServices" } }),
        },
    };
}

/** Writes what calico-node's and kube-controllers' start-up write, once their pods are up. */
export class CalicoStartup {
    constructor(private readonly kube: Kube, private readonly log: (m: string) => void) {}

    async reconcile(): Promise<void> {
        const node = await this.kube.get(`${PATHS.daemonsets(NS)}/calico-node`);
        if (started(node)) await this.calicoNode(node!);
        const kc = await this.kube.get(`${PATHS.deployments(NS)}/calico-kube-controllers`);
        if (started(kc)) await this.kubeControllers(tagOf(kc, "calico-kube-controllers") ?? "");
    }

    private async calicoNode(ds: KubeObject): Promise<void> {
        const version = tagOf(ds, "calico-node");
        if (!version) return;
        const env = envOf(ds, "calico-node");
        const infoPath = `${PATHS.calico("clusterinformations")}/default`;
        const info = await this.kube.get(infoPath);
        if (info?.spec?.calicoVersion !== version) {
            const spec = { ...(info?.spec ?? {}), calicoVersion: version, clusterType: env.CLUSTER_TYPE ?? info?.spec?.clusterType ?? "", clusterGUID: info?.spec?.clusterGUID || randomBytes(16).toString("hex"), datastoreReady: info?.spec?.datastoreReady ?? true };
            await this.kube.upsert(PATHS.calico("clusterinformations"), { apiVersion: "crd.projectcalico.org/v1", kind: "ClusterInformation", metadata: { name: "default" }, spec });
            this.log(`calico-node start-up (stand-in): ClusterInformation calicoVersion ${version}`);
        }
        const felixPath = `${PATHS.calico("felixconfigurations")}/default`;
        const felix = await this.kube.get(felixPath);
        if (!felix) {
            await this.kube.request("POST", PATHS.calico("felixconfigurations"), { apiVersion: "crd.projectcalico.org/v1", kind: "FelixConfiguration", metadata: { name: "default" }, spec: { reportingInterval: "0s", logSeverityScreen: "Info" } });
        } else if (felix.spec?.reportingInterval === undefined || !felix.spec?.logSeverityScreen) {
            await this.kube.mergePatch(felixPath, { spec: { reportingInterval: felix.spec?.reportingInterval ?? "0s", logSeverityScreen: felix.spec?.logSeverityScreen || "Info" } });
        }
        if (bool(env.NO_DEFAULT_POOLS, false)) return;
        const pools = await this.kube.list(PATHS.calico("ippools"));
        const has = (v6: boolean) => pools.some((p) => String(p.spec?.cidr ?? "").includes(":") === v6);
        if (!has(false) && env.CALICO_IPV4POOL_CIDR) {
            await this.createPool("default-ipv4-ippool", env.CALICO_IPV4POOL_CIDR, env.CALICO_IPV4POOL_IPIP, env.CALICO_IPV4POOL_VXLAN, bool(env.CALICO_IPV4POOL_NAT_OUTGOING, true), Number(env.CALICO_IPV4POOL_BLOCK_SIZE ?? 26), env.CALICO_IPV4POOL_NODE_SELECTOR, bool(env.CALICO_IPV4POOL_DISABLE_BGP_EXPORT, false));
        }
        if (!has(true) && bool(env.FELIX_IPV6SUPPORT, true)) {
            if (env.CALICO_IPV6POOL_CIDR) {
                await this.createPool("default-ipv6-ippool", env.CALICO_IPV6POOL_CIDR, undefined, env.CALICO_IPV6POOL_VXLAN, bool(env.CALICO_IPV6POOL_NAT_OUTGOING, false), Number(env.CALICO_IPV6POOL_BLOCK_SIZE ?? 122), env.CALICO_IPV6POOL_NODE_SELECTOR, bool(env.CALICO_IPV6POOL_DISABLE_BGP_EXPORT, false));
            } else this.log("calico-node start-up (stand-in): calico-node would create a random IPv6 ULA pool here; not played");
        }
    }

    private async createPool(name: string, cidr: string, ipip: string | undefined, vxlan: string | undefined, natOutgoing: boolean, blockSize: number, nodeSelector: string | undefined, disableBGPExport: boolean): Promise<void> {
        // With the defaults libcalico-go's IPPools().Create fills in (clientv3/ippool.go, validateAndSetDefaults).
        const spec = { cidr, natOutgoing, ipipMode: mode(ipip), vxlanMode: mode(vxlan), blockSize, nodeSelector: nodeSelector || "all()", disableBGPExport, allowedUses: ["Workload", "Tunnel"] };
        await this.kube.request("POST", PATHS.calico("ippools"), { apiVersion: "crd.projectcalico.org/v1", kind: "IPPool", metadata: { name }, spec });
        this.log(`calico-node start-up (stand-in): IPPool ${name} ${JSON.stringify(spec)}`);
    }

    private async kubeControllers(version: string): Promise<void> {
        if (await this.kube.get(`${PATHS.calico("kubecontrollersconfigurations")}/default`)) return;
        await this.kube.request("POST", PATHS.calico("kubecontrollersconfigurations"), { apiVersion: "crd.projectcalico.org/v1", kind: "KubeControllersConfiguration", metadata: { name: "default" }, spec: kubeControllersDefaults(version) });
        this.log(`calico-kube-controllers start-up (stand-in): KubeControllersConfiguration default (${version})`);
    }
}
