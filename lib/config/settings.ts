/**
 * ClusterSettings: the fully resolved, validated, typed view of a stack's config. Everything
 * downstream (model, render, components, plan) reads only this.
 */
import type { ConfigIssue } from "./errors";
import type { ParsedConfig } from "./schema";
import type { CalicoRelease, CalicoVersion, KubernetesVersion } from "../model/versions";
import type { Secret } from "./secret";

/** IP pool encapsulation, as the Installation CRD spells it. */
export type Encapsulation = "None" | "IPIP" | "IPIPCrossSubnet" | "VXLAN" | "VXLANCrossSubnet";

/** A pool with every default filled in. */
export interface ResolvedIpPool {
    /** Pool name (also the IPPool object name the operator creates). */
    readonly name: string;
    /** Pool CIDR, inside calico:cluster.podCidr. */
    readonly cidr: string;
    /** 4 or 6. */
    readonly family: 4 | 6;
    /** Per-node block prefix length. */
    readonly blockSize: number;
    /** Encapsulation mode. */
    readonly encapsulation: Encapsulation;
    /** SNAT for traffic leaving the pool. */
    readonly natOutgoing: boolean;
    /** Canonical Calico selector of the nodes that allocate from this pool. */
    readonly nodeSelector: string;
    /** Do not advertise this pool over BGP. */
    readonly disableBGPExport: boolean;
}

/** How BGP is laid out. `disabled` when calico:network.bgp is false (VXLAN-only clusters). */
export type BgpMode = "mesh" | "routeReflector" | "tor" | "hybrid" | "disabled";

/** A BGP peer outside the cluster (router or ToR switch), resolved to one BGPPeer object. */
export interface ResolvedPeer {
    /** BGPPeer object name. */
    readonly name: string;
    /** Address of the remote router. */
    readonly peerIP: string;
    /** Remote AS. */
    readonly asNumber: number;
    /** Canonical selector of the Calico nodes that peer with it. */
    readonly nodeSelector: string;
    /** Keep the original next hop (ToR designs, so the switch routes straight to the node). */
    readonly keepOriginalNextHop?: boolean;
    /** Graceful-restart window. */
    readonly maxRestartTime?: string;
    /** The session password, when the peer has one. */
    readonly password?: Secret;
    /** Rack this peer belongs to (tor and hybrid modes). */
    readonly rack?: string;
    /** Config key the peer came from, for messages. */
    readonly configKey: string;
}

/** Why a setting has the value it has. Shown by `plan`. */
export interface Decision {
    /** What was decided, e.g. "bgp.mode". */
    readonly topic: string;
    /** The value chosen. */
    readonly choice: string;
    /** Why, in one sentence. */
    readonly reason: string;
}

/** Everything the program needs, resolved. */
export interface ClusterSettings {
    readonly calicoVersion: CalicoVersion;
    readonly release: CalicoRelease;
    readonly kubernetesVersion: KubernetesVersion;
    readonly cluster: {
        readonly name: string;
        /** The provider's clusterIdentifier (calico:cluster.identifier, else the name): the cluster's identity in the state. */
        readonly identifier: string;
        readonly nodeCount: number;
        readonly podCidrs: readonly string[];
        readonly serviceCidrs: readonly string[];
        readonly nodes: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
        readonly apiServer?: { readonly host: string; readonly port: number };
    };
    readonly network: Omit<ParsedConfig["network"], "ipPools"> & { readonly ipPools: readonly ResolvedIpPool[] };
    readonly bgp: {
        /** The mode in effect. */
        readonly mode: BgpMode;
        /** The mode written in config (`auto` when left to the profile). */
        readonly requestedMode: ParsedConfig["bgp"]["mode"];
        /** nodeToNodeMeshEnabled in the BGPConfiguration. */
        readonly meshEnabled: boolean;
        readonly asNumber: number;
        readonly logSeverityScreen: ParsedConfig["bgp"]["logSeverityScreen"];
        readonly listenPort?: number;
        /** Reflector nodes and cluster ID; empty list unless the mode is routeReflector or hybrid. */
        readonly routeReflectors: { readonly nodes: readonly string[]; readonly clusterId: string; readonly allowSingleReflector: boolean };
        /** ToR racks (empty unless the mode is tor or hybrid). */
        readonly racks: readonly { readonly name: string; readonly nodes: readonly string[]; readonly asNumber?: number }[];
        /** Label key that names a node's rack. */
        readonly rackLabel: string;
        /** Every external peer: ToR switches and calico:bgp.peers. */
        readonly peers: readonly ResolvedPeer[];
        readonly advertise: ParsedConfig["bgp"]["advertise"];
        readonly migration: ParsedConfig["bgp"]["migration"];
    };
    readonly registry?: ParsedConfig["registry"];
    readonly operator: ParsedConfig["operator"];
    readonly monitoring: ParsedConfig["monitoring"];
    readonly nodePrep: ParsedConfig["nodePrep"];
    readonly policy: ParsedConfig["policy"];
    readonly benchmark: ParsedConfig["benchmark"];
    readonly calicoctl: ParsedConfig["calicoctl"];
    readonly kubeconfig?: Secret;
    /** Context of the kubeconfig that every tool targets (the provider, calicoctl, the waits). */
    readonly kubeContext?: string | Secret;
    /** calico:protect: guard the stack against destroy, and protect what pod networking depends on. */
    readonly protect: boolean;
    /**
     * The Calico version the cluster runs before this update (the stack's last `calicoVersion`
     * output), when known. It decides how kube-proxy is kept off eBPF nodes during an upgrade
     * (lib/render/kubeproxy.ts).
     */
    readonly deployedCalicoVersion?: CalicoVersion;
    readonly typha: { readonly expectedReplicas: number };
    /** Each profile decision and why. */
    readonly decisions: readonly Decision[];
    /** Non-fatal findings. */
    readonly warnings: readonly ConfigIssue[];
}

/**
 * The IP families pods use, from the pod CIDRs. Pools lie inside them and every pod family has a
 * pool, so this equals the pools' families, and it still holds when the pools are managed out of
 * band (`ipPools: []`).
 */
export function podFamilies(s: ClusterSettings): ReadonlySet<4 | 6> {
    return new Set(s.cluster.podCidrs.map((c) => (c.includes(":") ? 6 : 4)));
}
