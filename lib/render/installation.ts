/**
 * The operator custom resources: Installation `default` and APIServer `default`, plus what the eBPF
 * dataplane needs (the API endpoint ConfigMap, and kube-proxy kept off Calico nodes: kubeproxy.ts).
 */
import type { ClusterSettings } from "../config/settings";
import { compact, kubernetesType, type K8sObject } from "./objects";
import { OPERATOR_NAMESPACE, OPERATOR_RESOURCES } from "./operator";
import { TYPES, type PlannedResource } from "./resource-spec";
import { KUBEADM_CHECK, renderPodSubnetCheck } from "./kubeadm";
import { IPAM_CONFIG, ipamCommand } from "./ipam";
import { KUBE_PROXY_RESOURCES, kubeProxyMode, renderKubeProxyGate, renderKubeProxyGuideCommand } from "./kubeproxy";

/**
 * Readiness, as the provider's `pulumi.com/waitFor` takes it (a JSON list: every expression must
 * hold; pulumi-kubernetes pkg/metadata/overrides.go). The operator copies its TigeraStatus
 * conditions onto the Installation, renaming Available to Ready (tigera/operator
 * pkg/controller/status `UpdateStatusCondition`), and writes `status.calicoVersion` only once the
 * install is available (pkg/controller/installation/core_controller.go:1715 at v1.40.3, :1511 at
 * v1.32.7, after `r.status.IsAvailable()`). Waiting for both means that after a version change the
 * resources that depend on the Installation (the calicoctl objects) wait for the new release to be
 * Ready, not for the old Ready condition that is still there; and since the expression names the
 * version, a version change always updates the Installation, so the wait always runs.
 */
export function installationWaitFor(version: string): string {
    return JSON.stringify(["condition=Ready", `jsonpath={.status.calicoVersion}=${version}`]);
}
/** The APIServer controller sets `status.state: Ready` once the Calico API server is available. */
export const APISERVER_WAIT_FOR = "jsonpath={.status.state}=Ready";

/** Resource names. */
export const INSTALLATION_RESOURCES = {
    installation: "installation",
    apiServer: "apiserver",
    servicesEndpoint: "kubernetes-services-endpoint",
} as const;

const DATAPLANE = { iptables: "Iptables", nftables: "Nftables", bpf: "BPF" } as const;

/**
 * The name the operator gives a pool whose `name` is unset, when that name does not depend on the
 * cluster: `default-ipv4-ippool` / `default-ipv6-ippool` for a single pool or a dual-stack pair
 * (tigera/operator v1.40.3 pkg/controller/ippool/defaults.go:210-228; before that, an unnamed pool
 * takes the name of an existing pool with its CIDR, which is how the v3.27.3 pools are adopted).
 * Such a name is left out of the Installation: it means the same, and it keeps an upgrade from
 * v3.27.3 previewable, because until the CRDs are updated the live Installation CRD has no
 * `ipPools[].name` and the API server refuses the field in the preview's server-side dry run.
 */
export function operatorDefaultPoolName(pools: readonly { readonly family: 4 | 6 }[], pool: { readonly family: 4 | 6 }): string | undefined {
    const dualStackPair = pools.length === 2 && pools[0].family !== pools[1].family;
    return pools.length === 1 || dualStackPair ? `default-ipv${pool.family}-ippool` : undefined;
}

/**
 * Annotations for the operator's custom resources (Installation, APIServer): how the provider
 * updates and deletes them, where its defaults would leave a stack stuck with the real operator.
 *
 * `patchForce`: the operator writes its defaults back into the Installation's spec ("poor-man's
 * defaulting", tigera/operator v1.40.3 pkg/controller/installation/core_controller.go 903-910, a
 * patch from the operator's own field manager), so it co-owns fields the program sets, such as
 * `.spec.calicoNetwork.ipPools`; the provider's server-side apply of any later change to them then
 * fails with a field conflict. The program is the source of truth for the fields it sets and takes
 * them back; the operator's defaults for the fields it does not set stay.
 *
 * Background deletion, as `kubectl delete` does, never the provider's default foreground deletion,
 * under which neither resource ever goes:
 * - Installation: foreground deletion adds the `foregroundDeletion` finalizer, and the v1.40.3
 *   operator removes the CNI ServiceAccounts' finalizers only once every Installation finalizer
 *   but its own is gone (core_controller.go 1382-1390), while `foregroundDeletion` waits for those
 *   ServiceAccounts: a deadlock;
 * - APIServer: the operator renders calico-apiserver for as long as the APIServer object exists,
 *   deleting or not (pkg/controller/apiserver/apiserver_controller.go:224 at v1.40.3, :209 at
 *   v1.32.7), so the garbage collector deletes the Deployment and the operator makes it again.
 * All three were found by the real operator in the e2e tier (README, "Safety").
 */
export const OPERATOR_CR_ANNOTATIONS = { "pulumi.com/patchForce": "true", "pulumi.com/deletionPropagationPolicy": "background" } as const;

/**
 * `nodeAddressAutodetectionV4`, always owned by the program. When it is unset and an IPv4 pool
 * exists, the operator writes `{firstFound: true}` back into the Installation under its own field
 * manager (tigera/operator v1.40.3 pkg/controller/installation/core_controller.go 620-626, v1.32.7
 * 674-680); a method the user sets later then sits beside it, and the operator refuses two methods
 * ("no more than one node address autodetection method can be specified per-family",
 * validation.go:476 at v1.40.3): the update never becomes Ready. So the program renders the
 * default itself, and `firstFound: false` beside any other method, which its forced apply takes
 * over (found by the real operator in the e2e day2-installation scenario).
 */
function autodetectionV4(net: ClusterSettings["network"]): Record<string, unknown> | undefined {
    const ad = net.autodetection;
    if (ad) return compact({ ...ad, firstFound: ad.firstFound ?? false });
    return net.ipPools.some((p) => p.family === 4) ? { firstFound: true } : undefined;
}

/** Installation `default` from settings. */
export function renderInstallation(s: ClusterSettings): K8sObject {
    const net = s.network;
    const ad = net.autodetection;
    const bpf = net.dataplane === "bpf";
    const calicoNetwork = compact({
        bgp: net.bgp ? "Enabled" : "Disabled",
        linuxDataplane: DATAPLANE[net.dataplane],
        // From v3.30 the operator disables kube-proxy itself for eBPF (and re-enables it when leaving).
        kubeProxyManagement: kubeProxyMode(s) === "operator" ? "Enabled" : undefined,
        hostPorts: net.hostPorts ? "Enabled" : "Disabled",
        mtu: net.mtu,
        nodeAddressAutodetectionV4: autodetectionV4(net),
        ipPools: net.ipPools.map((p) =>
            compact({
                // Pool names arrived in the v3.28 CRD; older operators would prune the field.
                name: s.release.ipPoolNames && p.name !== operatorDefaultPoolName(net.ipPools, p) ? p.name : undefined,
                cidr: p.cidr,
                blockSize: p.blockSize,
                encapsulation: p.encapsulation,
                natOutgoing: p.natOutgoing ? "Enabled" : "Disabled",
                nodeSelector: p.nodeSelector,
                disableBGPExport: p.disableBGPExport ? true : undefined,
            }),
        ),
    });
    const spec = compact({
        variant: "Calico",
        calicoNetwork,
        registry: s.registry?.url,
        imagePath: s.registry?.imagePath,
        imagePullSecrets: s.registry?.pullSecrets.length ? s.registry.pullSecrets.map((name) => ({ name })) : undefined,
        controlPlaneReplicas: net.controlPlaneReplicas,
        nodeMetricsPort: s.monitoring.enabled ? s.monitoring.felixMetricsPort : undefined,
        typhaMetricsPort: s.monitoring.enabled ? s.monitoring.typhaMetricsPort : undefined,
        serviceCIDRs: [...s.cluster.serviceCidrs],
    });
    return {
        apiVersion: "operator.tigera.io/v1",
        kind: "Installation",
        metadata: { name: "default", annotations: { "pulumi.com/waitFor": installationWaitFor(s.release.version), ...OPERATOR_CR_ANNOTATIONS } },
        spec,
    };
}

/** APIServer `default`: serves projectcalico.org/v3, which calicoctl and kubectl use. Updated and deleted as OPERATOR_CR_ANNOTATIONS says. */
export function renderApiServer(): K8sObject {
    return {
        apiVersion: "operator.tigera.io/v1",
        kind: "APIServer",
        metadata: { name: "default", annotations: { "pulumi.com/waitFor": APISERVER_WAIT_FOR, ...OPERATOR_CR_ANNOTATIONS } },
        spec: {},
    };
}

/**
 * The eBPF dataplane replaces kube-proxy, so calico-node must reach the API server without the
 * Service IP; the operator reads the address from this ConfigMap.
 */
export function renderServicesEndpoint(s: ClusterSettings): K8sObject | undefined {
    if (s.network.dataplane !== "bpf" || !s.cluster.apiServer) return undefined;
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kubernetes-services-endpoint", namespace: OPERATOR_NAMESPACE },
        data: { KUBERNETES_SERVICE_HOST: s.cluster.apiServer.host, KUBERNETES_SERVICE_PORT: String(s.cluster.apiServer.port) },
    };
}

/** Every installation resource, after the operator (and node preparation, when given). */
export function planInstallation(s: ClusterSettings, after: readonly string[] = []): PlannedResource[] {
    const out: PlannedResource[] = [];
    const endpoint = renderServicesEndpoint(s);
    if (endpoint) {
        out.push({
            name: INSTALLATION_RESOURCES.servicesEndpoint,
            type: kubernetesType("v1", "ConfigMap"),
            component: "installation",
            dependsOn: [OPERATOR_RESOURCES.operator],
            spec: { kind: "object", object: endpoint },
        });
    }
    // The guide's podSubnet rule, checked against the live cluster before Calico takes pod addresses.
    out.push({ name: KUBEADM_CHECK, type: TYPES.localCommand, component: "installation", dependsOn: [], spec: renderPodSubnetCheck(s) });
    const install = renderInstallation(s);
    out.push({
        name: INSTALLATION_RESOURCES.installation,
        type: kubernetesType(install.apiVersion, install.kind),
        component: "installation",
        dependsOn: [OPERATOR_RESOURCES.operator, KUBEADM_CHECK, ...(endpoint ? [INSTALLATION_RESOURCES.servicesEndpoint] : []), ...after],
        spec: { kind: "object", object: install },
    });
    const api = renderApiServer();
    out.push({
        name: INSTALLATION_RESOURCES.apiServer,
        type: kubernetesType(api.apiVersion, api.kind),
        component: "installation",
        // The API server runs on the pod network, so it can only come up after the Installation.
        dependsOn: [OPERATOR_RESOURCES.operator, INSTALLATION_RESOURCES.installation],
        spec: { kind: "object", object: api },
    });
    const ipam = ipamCommand(s);
    // calicoctl needs Calico's API, so after the Installation and the APIServer are ready.
    if (ipam) out.push({ name: IPAM_CONFIG, type: TYPES.localCommand, component: "installation", dependsOn: [INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer], spec: ipam });
    const guide = renderKubeProxyGuideCommand(s);
    // Only once eBPF is up does kube-proxy become redundant.
    if (guide) out.push({ name: KUBE_PROXY_RESOURCES.guide, type: TYPES.localCommand, component: "installation", dependsOn: [INSTALLATION_RESOURCES.installation], spec: guide });
    const gate = renderKubeProxyGate(s);
    // After the Installation is Ready: the operator disables kube-proxy once calico-node runs eBPF.
    if (gate) out.push({ name: KUBE_PROXY_RESOURCES.gate, type: TYPES.localCommand, component: "installation", dependsOn: [INSTALLATION_RESOURCES.installation], spec: gate });
    return out;
}
