/**
 * SIMULATOR of the tigera-operator's outcome, for the e2e tier only. The real operator cannot run
 * here (its Go module is not served by the proxy, and its pods would need real nodes), so this plays
 * what the program waits on and touches, as tigera/operator v1.32.7 / v1.40.3 produce it:
 *
 * - Installation `default`: status.calicoVersion, status.variant and the `Ready` condition (the
 *   operator copies TigeraStatus `calico` Available=True into Installation condition Ready);
 * - APIServer `default`: status.state = Ready; TigeraStatus `calico` and `apiserver`;
 * - FelixConfiguration and KubeControllersConfiguration `default`, and the IP pools of the
 *   Installation (crd.projectcalico.org/v1, as calicoctl and calico-node read them);
 * - ClusterInformation `default` with calicoVersion, as calico-node writes it when it starts;
 * - with eBPF: FELIX_BPFENABLED on calico-node (v1.32.7), FelixConfiguration bpfEnabled (v1.40.3),
 *   and v1.40.3's kubeproxy controller (KubeProxySimulator, below);
 * - namespace calico-system with the calico-node DaemonSet and the calico-typha and
 *   calico-kube-controllers Deployments (kwok makes their pods Ready through the real controllers);
 * - the operator-owned Services: calico-kube-controllers-metrics, and calico-typha-metrics only on
 *   the v1.40.3 line (tigera/operator pkg/render/typha.go; v1.32.7 creates none).
 *
 * Everything it creates for an Installation carries an ownerReference to it, so deleting the
 * Installation lets the real garbage collector remove it, as with the operator's own objects.
 */
import { Kube, PATHS, type KubeObject } from "./kube";

/** The operator release a tigera-operator Deployment image names, and the Calico it installs. */
const OPERATOR_LINES: Record<string, { calico: string; typhaMetricsService: boolean; operatorManagesKubeProxy: boolean }> = {
    "v1.32.7": { calico: "v3.27.3", typhaMetricsService: false, operatorManagesKubeProxy: false },
    "v1.40.3": { calico: "v3.31.3", typhaMetricsService: true, operatorManagesKubeProxy: true },
};
/** The annotation v1.40.3 writes beside bpfEnabled (pkg/render/node.go BPFOperatorAnnotation). */
const BPF_ANNOTATION = "operator.tigera.io/bpfEnabled";

const NS = "calico-system";

function owner(inst: KubeObject) {
    return [{ apiVersion: "operator.tigera.io/v1", kind: "Installation", name: inst.metadata.name, uid: inst.metadata.uid, blockOwnerDeletion: false }];
}

/** Typha replicas as the operator computes them (pkg/common, GetExpectedTyphaScale). */
export function operatorTyphaReplicas(nodes: number): number {
    if (nodes <= 2) return 1;
    if (nodes <= 4) return 2;
    return Math.max(3, Math.floor(nodes / 200) + 2);
}

function workload(kind: "DaemonSet" | "Deployment", name: string, inst: KubeObject, hostNetwork: boolean, replicas?: number, env: { name: string; value: string }[] = []): KubeObject {
    const labels = { "k8s-app": name };
    return {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace: NS, labels, ownerReferences: owner(inst) },
        spec: {
            ...(replicas !== undefined ? { replicas } : {}),
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    hostNetwork,
                    serviceAccountName: name,
                    tolerations: [{ operator: "Exists" }],
                    containers: [{ name, image: `quay.io/calico/${name.replace(/^calico-/, "")}:simulated`, ...(env.length ? { env } : {}) }],
                },
            },
        },
    };
}

function service(name: string, inst: KubeObject, selector: string, portName: string, port: number): KubeObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: NS, labels: { "k8s-app": selector }, ownerReferences: owner(inst) },
        spec: { selector: { "k8s-app": selector }, ports: [{ name: portName, port, targetPort: port }] },
    };
}

function condition(type: string, status: "True" | "False", reason: string, generation?: number) {
    return { type, status, reason, message: reason, lastTransitionTime: new Date().toISOString(), observedGeneration: generation ?? 1 };
}

/** Brings the cluster to what the operator would make of the current Installation and APIServer. */
export class OperatorSimulator {
    private readonly kubeProxy: KubeProxySimulator;

    constructor(private readonly kube: Kube, private readonly log: (m: string) => void) {
        this.kubeProxy = new KubeProxySimulator(kube, log, Number(process.env.E2E_KUBEPROXY_DELAY_SECONDS ?? 3) * 1000, (name, degraded) => this.tigeraStatus(name, degraded));
    }

    private async operatorLine(): Promise<(typeof OPERATOR_LINES)[string] & { version: string }> {
        const d = await this.kube.get(`${PATHS.deployments("tigera-operator")}/tigera-operator`);
        const image: string = d?.spec?.template?.spec?.containers?.[0]?.image ?? "";
        const version = image.split(":").pop() ?? "";
        return { version, ...(OPERATOR_LINES[version] ?? OPERATOR_LINES["v1.40.3"]) };
    }

    private async crdExists(name: string): Promise<boolean> {
        return (await this.kube.get(`${PATHS.crds}/${name}`)) !== undefined;
    }

    /** One reconcile pass; safe to run repeatedly. */
    async reconcile(): Promise<void> {
        if (!(await this.crdExists("installations.operator.tigera.io"))) return;
        const inst = await this.kube.get(`${PATHS.operator("installations")}/default`);
        const operator = await this.kube.get(`${PATHS.deployments("tigera-operator")}/tigera-operator`);
        if (inst && !inst.metadata["deletionTimestamp"] && operator) await this.reconcileInstallation(inst);
        const api = await this.kube.get(`${PATHS.operator("apiservers")}/default`);
        if (api && !api.metadata["deletionTimestamp"] && inst && operator) {
            if (api.status?.state !== "Ready") {
                await this.kube.request("PUT", `${PATHS.operator("apiservers")}/default/status`, { ...api, status: { ...(api.status ?? {}), state: "Ready", conditions: [condition("Ready", "True", "AllObjectsAvailable", api.metadata["generation"] as number)] } });
                this.log("APIServer default: Ready");
            }
            await this.tigeraStatus("apiserver");
        }
    }

    /** TigeraStatus `name`: Available, or Degraded with `degraded` as its message. */
    private async tigeraStatus(name: string, degraded?: string): Promise<void> {
        const path = `${PATHS.operator("tigerastatuses")}/${name}`;
        let ts = await this.kube.get(path);
        if (!ts) ts = await this.kube.request("POST", PATHS.operator("tigerastatuses"), { apiVersion: "operator.tigera.io/v1", kind: "TigeraStatus", metadata: { name }, spec: {} });
        const isDegraded = ts!.status?.conditions?.some((c: any) => c.type === "Degraded" && c.status === "True" && c.message === degraded);
        const isAvailable = ts!.status?.conditions?.some((c: any) => c.type === "Available" && c.status === "True");
        if (degraded !== undefined && !isDegraded) {
            await this.kube.request("PUT", `${path}/status`, { ...ts, status: { conditions: [condition("Available", "False", "ResourceValidationError"), condition("Progressing", "False", "ResourceValidationError"), { ...condition("Degraded", "True", "ResourceValidationError"), message: degraded }] } });
        } else if (degraded === undefined && !isAvailable) {
            await this.kube.request("PUT", `${path}/status`, { ...ts, status: { conditions: [condition("Available", "True", "AllObjectsAvailable"), condition("Progressing", "False", "AllObjectsAvailable"), condition("Degraded", "False", "AllObjectsAvailable")] } });
        }
    }

    private async reconcileInstallation(inst: KubeObject): Promise<void> {
        const line = await this.operatorLine();
        const nodes = (await this.kube.list(PATHS.nodes)).length;
        if (!(await this.kube.get(`${PATHS.namespaces}/${NS}`))) {
            await this.kube.request("POST", PATHS.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, ownerReferences: owner(inst) } });
        }
        for (const sa of ["calico-node", "calico-typha", "calico-kube-controllers"]) {
            if (!(await this.kube.get(`/api/v1/namespaces/${NS}/serviceaccounts/${sa}`))) {
                await this.kube.request("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: sa, namespace: NS, ownerReferences: owner(inst) } });
            }
        }
        const bpf = inst.spec?.calicoNetwork?.linuxDataplane === "BPF";
        // v1.32.7 turns eBPF on with an environment variable on calico-node (pkg/render/node.go:1499);
        // v1.40.3 no longer does, and sets FelixConfiguration bpfEnabled instead (below).
        const nodeEnv = bpf && !line.operatorManagesKubeProxy ? [{ name: "FELIX_BPFENABLED", value: "true" }] : [];
        await this.kube.upsert(PATHS.daemonsets(NS), workload("DaemonSet", "calico-node", inst, true, undefined, nodeEnv));
        await this.kube.upsert(PATHS.deployments(NS), workload("Deployment", "calico-typha", inst, true, operatorTyphaReplicas(nodes)));
        await this.kube.upsert(PATHS.deployments(NS), workload("Deployment", "calico-kube-controllers", inst, false, inst.spec?.controlPlaneReplicas ?? 1));
        await this.kube.upsert(PATHS.services(NS), service("calico-typha", inst, "calico-typha", "calico-typha", 5473));
        const kcPort = 9094;
        await this.kube.upsert(PATHS.services(NS), service("calico-kube-controllers-metrics", inst, "calico-kube-controllers", "metrics-port", kcPort));
        const typhaMetricsPort = inst.spec?.typhaMetricsPort;
        if (line.typhaMetricsService && typhaMetricsPort) {
            await this.kube.upsert(PATHS.services(NS), service("calico-typha-metrics", inst, "calico-typha", "calico-typha-metrics", typhaMetricsPort));
        }
        // Defaults as the operator writes them (KubeControllersConfiguration requires spec.controllers).
        const defaults: [string, string, object][] = [
            ["felixconfigurations", "FelixConfiguration", { bpfLogLevel: "", logSeverityScreen: "Info", reportingInterval: "0s" }],
            ["kubecontrollersconfigurations", "KubeControllersConfiguration", { controllers: { node: { reconcilerPeriod: "5m", syncLabels: "Enabled" } }, prometheusMetricsPort: 9094 }],
        ];
        for (const [plural, kind, spec] of defaults) {
            if (!(await this.kube.get(`${PATHS.calico(plural)}/default`))) {
                await this.kube.request("POST", PATHS.calico(plural), { apiVersion: "crd.projectcalico.org/v1", kind, metadata: { name: "default" }, spec });
                this.log(`${kind} default created`);
            }
        }
        // v1.40.3 (pkg/controller/installation/core_controller.go, setBPFEnabledOnFelixConfiguration):
        // with eBPF, FelixConfiguration default gets bpfEnabled: true and a matching annotation, on a
        // fresh install and when taking over from an operator that used FELIX_BPFENABLED.
        if (line.operatorManagesKubeProxy) {
            const felix = await this.kube.get(`${PATHS.calico("felixconfigurations")}/default`);
            if (felix && (felix.spec?.bpfEnabled ?? false) !== bpf && (bpf || felix.spec?.bpfEnabled !== undefined)) {
                await this.kube.mergePatch(`${PATHS.calico("felixconfigurations")}/default`, { metadata: { annotations: { [BPF_ANNOTATION]: String(bpf) } }, spec: { bpfEnabled: bpf } });
                this.log(`FelixConfiguration default: bpfEnabled ${bpf}`);
            }
            await this.kubeProxy.reconcile(inst);
        }
        for (const pool of inst.spec?.calicoNetwork?.ipPools ?? []) {
            const name = pool.name ?? (pool.cidr.includes(":") ? "default-ipv6-ippool" : "default-ipv4-ippool");
            const enc = pool.encapsulation ?? "IPIP";
            const spec = {
                cidr: pool.cidr,
                blockSize: pool.blockSize ?? (pool.cidr.includes(":") ? 122 : 26),
                natOutgoing: (pool.natOutgoing ?? "Enabled") === "Enabled",
                nodeSelector: pool.nodeSelector ?? "all()",
                ipipMode: enc === "IPIP" ? "Always" : enc === "IPIPCrossSubnet" ? "CrossSubnet" : "Never",
                vxlanMode: enc === "VXLAN" ? "Always" : enc === "VXLANCrossSubnet" ? "CrossSubnet" : "Never",
            };
            await this.kube.upsert(PATHS.calico("ippools"), { apiVersion: "crd.projectcalico.org/v1", kind: "IPPool", metadata: { name }, spec });
        }
        // What calico-node writes at start-up: ClusterInformation default with the version it runs
        // (calicoctl compares its own version with it, and the program's calicoctl commands read it).
        const info = await this.kube.get(`${PATHS.calico("clusterinformations")}/default`);
        if (info?.spec?.calicoVersion !== line.calico) {
            await this.kube.upsert(PATHS.calico("clusterinformations"), { apiVersion: "crd.projectcalico.org/v1", kind: "ClusterInformation", metadata: { name: "default" }, spec: { ...(info?.spec ?? {}), calicoVersion: line.calico, clusterGUID: info?.spec?.clusterGUID ?? "e2e0000000000000000000000000000a", clusterType: "k8s,operator,bgp,kdd", datastoreReady: true } });
            this.log(`ClusterInformation default: calicoVersion ${line.calico}`);
        }
        await this.tigeraStatus("calico");
        const generation = inst.metadata["generation"] as number;
        const ready = inst.status?.conditions?.find((c: any) => c.type === "Ready");
        if (inst.status?.calicoVersion !== line.calico || ready?.status !== "True" || ready?.observedGeneration !== generation) {
            await this.kube.request("PUT", `${PATHS.operator("installations")}/default/status`, {
                ...inst,
                status: { ...(inst.status ?? {}), variant: "Calico", calicoVersion: line.calico, mtu: inst.spec?.calicoNetwork?.mtu ?? 1450, computed: inst.spec, conditions: [condition("Ready", "True", "AllObjectsAvailable", generation), condition("Progressing", "False", "AllObjectsAvailable", generation), condition("Degraded", "False", "AllObjectsAvailable", generation)] },
            });
            this.log(`Installation default: Ready (Calico ${line.calico}, operator ${line.version}, generation ${generation})`);
        }
    }
}

/** The key v1.40.3 puts in kube-proxy's nodeSelector (pkg/render/node.go DisableKubeProxyKey). */
const DISABLE_KUBE_PROXY = "operator.tigera.io/disable-kube-proxy";

/**
 * v1.40.3's kubeproxy controller (pkg/controller/kubeproxy/controller.go, Reconcile): with
 * `kubeProxyManagement: Enabled`, it merge-patches kube-system/kube-proxy's nodeSelector with
 * DISABLE_KUBE_PROXY=true once FelixConfiguration default has bpfEnabled: true, removes the key
 * when it is not, and refuses a DaemonSet that another tool manages (validateDaemonSetUnmanaged),
 * reporting TigeraStatus kubeproxy-monitor Degraded. The real controller runs on its own watches,
 * after the installation controller; `delayMs` (E2E_KUBEPROXY_DELAY_SECONDS) plays that lag, so a
 * program that does not wait for the key is caught.
 */
class KubeProxySimulator {
    private dueAt?: number;

    constructor(private readonly kube: Kube, private readonly log: (m: string) => void, private readonly delayMs: number, private readonly status: (name: string, degraded?: string) => Promise<void>) {}

    async reconcile(inst: KubeObject): Promise<void> {
        if (inst.spec?.calicoNetwork?.kubeProxyManagement !== "Enabled") return;
        const path = `${PATHS.daemonsets("kube-system")}/kube-proxy`;
        const ds = await this.kube.get(path);
        if (!ds) return this.status("kubeproxy-monitor", "failed to retrieve kube-proxy DaemonSet");
        const labels = ds.metadata.labels ?? {};
        const managedBy = labels["app.kubernetes.io/managed-by"] ?? (labels["addonmanager.kubernetes.io/mode"] !== undefined ? "addonmanager" : undefined) ?? ds.metadata.annotations?.["argocd.argoproj.io/tracking-id"];
        if (managedBy !== undefined) return this.status("kubeproxy-monitor", `DaemonSet is likely managed by: ${managedBy}`);
        const felix = await this.kube.get(`${PATHS.calico("felixconfigurations")}/default`);
        const selector = ds.spec?.template?.spec?.nodeSelector ?? {};
        const want = felix?.spec?.bpfEnabled === true;
        const has = selector[DISABLE_KUBE_PROXY] === "true";
        if (want === has || (!want && !(DISABLE_KUBE_PROXY in selector))) {
            this.dueAt = undefined;
            return this.status("kubeproxy-monitor");
        }
        this.dueAt ??= Date.now() + this.delayMs;
        if (Date.now() < this.dueAt) return;
        this.dueAt = undefined;
        await this.kube.mergePatch(path, { spec: { template: { spec: { nodeSelector: { [DISABLE_KUBE_PROXY]: want ? "true" : null } } } } });
        this.log(`kube-proxy DaemonSet: nodeSelector ${DISABLE_KUBE_PROXY} ${want ? "set (kube-proxy disabled)" : "removed (kube-proxy deployed)"}`);
        await this.status("kubeproxy-monitor");
    }
}
