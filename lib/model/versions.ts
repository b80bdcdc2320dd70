/**
 * The Calico releases this project can install, with everything that is pinned to them.
 *
 * Kept as data so that the config schema, the plan command and the Pulumi program all read the
 * same matrix; adding a release is adding an entry here plus its CRDs to the schema tests.
 */

/** A Calico release this project supports. */
export type CalicoVersion = "v3.31.3" | "v3.27.3";

/** A Kubernetes minor version this project supports (the best-practice guide's restriction). */
export type KubernetesVersion = "1.28" | "1.33" | "1.34";

/** Everything pinned to one Calico release. */
export interface CalicoRelease {
    /** The Calico tag, e.g. "v3.31.3". */
    readonly version: CalicoVersion;
    /** The tigera-operator image tag that ships with this release. */
    readonly operatorVersion: string;
    /** Fully qualified operator image, as in the release's tigera-operator.yaml. */
    readonly operatorImage: string;
    /**
     * Official manifest with the operator Namespace, RBAC and Deployment. For v3.27.3 it also embeds
     * every CRD; from v3.31 the CRDs moved out into `crdsManifestUrl`.
     */
    readonly operatorManifestUrl: string;
    /** The separate CRD manifest, applied strictly before the operator (undefined when embedded). */
    readonly crdsManifestUrl?: string;
    /** Kubernetes minor versions the release was tested against, from its published requirements page. */
    readonly testedKubernetes: readonly string[];
    /** Where `testedKubernetes` comes from. */
    readonly supportSource: string;
    /** Whether the Installation CRD knows `linuxDataplane: Nftables` (added in v3.29). */
    readonly supportsNftables: boolean;
    /** Whether Installation `calicoNetwork.ipPools[].name` exists (added in v3.28; older CRDs prune it). */
    readonly ipPoolNames: boolean;
    /**
     * Whether the operator can manage kube-proxy and bootstrap the API endpoint for eBPF itself
     * (`kubeProxyManagement` / `bpfNetworkBootstrap`, added in v3.30).
     */
    readonly operatorManagesKubeProxy: boolean;
    /**
     * Whether the operator creates the `calico-typha-metrics` Service when typhaMetricsPort is set.
     * tigera/operator pkg/render/typha.go renders it from the v1.34 line on (v1.40.3 here); v1.32.7,
     * which ships with v3.27.3, renders no such Service, so this project creates it there.
     */
    readonly operatorCreatesTyphaMetricsService: boolean;
    /**
     * How many Installation ipPools the operator takes. v1.32.7: at most one per IP family
     * (pkg/controller/installation/validation.go, "only one IPPool per version is allowed");
     * v1.40.3: up to 25 (api/v1/installation_types.go, `+kubebuilder:validation:MaxItems=25`).
     */
    readonly ipPoolLimit: { readonly perFamily: number } | { readonly total: number };
    /**
     * Whether `ipPools: []` means "pools managed out of band". v1.40.3 documents it
     * (api/v1/installation_types.go IPPools: "If an empty list is provided, the operator will not
     * create any IP pools"); v1.32.7 only says "If omitted, a single pool will be configured".
     */
    readonly emptyPoolsOutOfBand: boolean;
    /** BGPConfiguration logSeverityScreen values (libcalico-go validator.go logLevelRegex; Trace from v3.29). */
    readonly bgpLogLevels: readonly string[];
    /**
     * Whether the operator adds the "/" after Installation `registry` itself. v1.40.3 does
     * (pkg/components/references.go GetReference: `!strings.HasSuffix(registry, "/")`); v1.32.7
     * concatenates registry and image as written.
     */
    readonly operatorAddsRegistrySlash: boolean;
    /** Whether eBPF supports dual stack (v1.32.7 validation.go: "bpf dataplane does not support dual stack"). */
    readonly bpfDualStack: boolean;
    /**
     * Whether `calicoctl ipam configure` takes `--max-blocks-per-host` (calicoctl/calicoctl/commands/
     * ipam/configure.go: v3.31.3's usage has it, v3.27.3's only `--strictaffinity`).
     */
    readonly calicoctlMaxBlocksPerHost: boolean;
    /**
     * Whether the release has staged policies: the StagedGlobalNetworkPolicy CRD is in v3.31.3's
     * operator-crds.yaml (crd.projectcalico.org_stagedglobalnetworkpolicies) and calicoctl has its
     * resource manager (calicoctl/calicoctl/resourcemgr/stagedglobalnetworkpolicy.go); v3.27.3 has
     * neither.
     */
    readonly stagedPolicies: boolean;
    /**
     * Whether global policies have `spec.tier`: v3.31.3's CRD has it, and calicoctl reads a policy
     * without one back with `tier: default` (libcalico-go/lib/clientv3/globalnetworkpolicy.go:148,
     * Get, from the policy's name); v3.27.3's CRD has no such field.
     */
    readonly policyTiers: boolean;
    /**
     * sha256 of the release's calicoctl binaries, by `<os>-<arch>` (the file is
     * `calicoctl-<os>-<arch>`), as Calico publishes them in the release's SHA256SUMS and Kubespray
     * pins them (calicoctl_binary_checksums in roles/kubespray_defaults/vars/main/checksums.yml, or
     * roles/kubespray-defaults/defaults/main/checksums.yml in older releases). A downloaded calicoctl
     * runs only if its sha256 is one of these or one the user gives (calico:calicoctl.checksums).
     */
    readonly calicoctlSha256: Readonly<Record<string, string>>;
}

const RAW = "https://raw.githubusercontent.com/projectcalico/calico";

/**
 * The support matrix. Sources (each release's "System requirements" page, Kubernetes section):
 * - Calico v3.27: "tested against Kubernetes v1.27, v1.28, v1.29"
 *   https://docs.tigera.io/archive/v3.27/getting-started/kubernetes/requirements
 * - Calico v3.31: "tested against Kubernetes v1.32, v1.33, v1.34" (v1.35 was added to the list later)
 *   https://docs.tigera.io/calico/3.31/getting-started/kubernetes/requirements
 * The best-practice guide restricts us to Kubernetes 1.28, 1.33 and 1.34, so the supported pairs are
 * v3.27.3 × 1.28, v3.31.3 × 1.33 and v3.31.3 × 1.34.
 */
export const CALICO_RELEASES: Readonly<Record<CalicoVersion, CalicoRelease>> = {
    "v3.31.3": {
        version: "v3.31.3",
        operatorVersion: "v1.40.3",
        operatorImage: "quay.io/tigera/operator:v1.40.3",
        operatorManifestUrl: `${RAW}/v3.31.3/manifests/tigera-operator.yaml`,
        crdsManifestUrl: `${RAW}/v3.31.3/manifests/operator-crds.yaml`,
        testedKubernetes: ["1.32", "1.33", "1.34"],
        supportSource: "https://docs.tigera.io/calico/3.31/getting-started/kubernetes/requirements",
        supportsNftables: true,
        ipPoolNames: true,
        operatorManagesKubeProxy: true,
        operatorCreatesTyphaMetricsService: true,
        ipPoolLimit: { total: 25 },
        emptyPoolsOutOfBand: true,
        bgpLogLevels: ["Trace", "Debug", "Info", "Warning", "Error", "Fatal"],
        operatorAddsRegistrySlash: true,
        bpfDualStack: true,
        calicoctlMaxBlocksPerHost: true,
        stagedPolicies: true,
        policyTiers: true,
        // kubernetes-sigs/kubespray dee8a18 (PR 13196, "bump calico to v3.31.5"); amd64 and arm64
        // also agree with the AUR calicoctl-bin PKGBUILD for 3.31.3.
        calicoctlSha256: {
            "linux-amd64": "dc920efee0045d352780c73cfdd3f6fbd6eab9fdb0675897095c755715a8fc8d",
            "linux-arm64": "3cb41949679c963ac42a39c30024b225b53485985b9fb7f1eb6177e86a0ec564",
            "linux-ppc64le": "d7682534cee144c72eeb363798f750f8c44e40dac1ddc20a85b3e10dd164b2cf",
        },
    },
    "v3.27.3": {
        version: "v3.27.3",
        operatorVersion: "v1.32.7",
        operatorImage: "quay.io/tigera/operator:v1.32.7",
        operatorManifestUrl: `${RAW}/v3.27.3/manifests/tigera-operator.yaml`,
        testedKubernetes: ["1.27", "1.28", "1.29"],
        supportSource: "https://docs.tigera.io/archive/v3.27/getting-started/kubernetes/requirements",
        supportsNftables: false,
        ipPoolNames: false,
        operatorManagesKubeProxy: false,
        operatorCreatesTyphaMetricsService: false,
        ipPoolLimit: { perFamily: 1 },
        emptyPoolsOutOfBand: false,
        bgpLogLevels: ["Debug", "Info", "Warning", "Error", "Fatal"],
        operatorAddsRegistrySlash: false,
        bpfDualStack: false,
        calicoctlMaxBlocksPerHost: false,
        stagedPolicies: false,
        policyTiers: false,
        // kubernetes-sigs/kubespray 0be1e08 (roles/kubespray-defaults/defaults/main/checksums.yml);
        // amd64 and arm64 also agree with the AUR calicoctl-bin PKGBUILD for 3.27.3.
        calicoctlSha256: {
            "linux-amd64": "e22b8bb41684f8ffb5143b50bf3b2ab76985604d774d397cfb6fb11d8a19f326",
            "linux-arm64": "1fc5f58a18d8b1c487b4663fc5cbe23b45bd9d31617debd309f6dfac7c11a8ef",
            "linux-ppc64le": "5f2ac510c0ec31ec4c02ff2660f2502b68b655616d5b766a51bd99d2e3604fbc",
        },
    },
};

/** Calico versions in order of preference (the first is the default). */
export const CALICO_VERSIONS = ["v3.31.3", "v3.27.3"] as const satisfies readonly CalicoVersion[];

/** Kubernetes versions this project supports at all. */
export const KUBERNETES_VERSIONS = ["1.28", "1.33", "1.34"] as const satisfies readonly KubernetesVersion[];

/** True when `calico` was tested upstream against Kubernetes `kubernetes`. */
/** Whether a value (e.g. a stack output read back) names a supported Calico release. */
export function isCalicoVersion(v: unknown): v is CalicoVersion {
    return typeof v === "string" && (CALICO_VERSIONS as readonly string[]).includes(v);
}

export function isSupportedPair(calico: CalicoVersion, kubernetes: string): boolean {
    return CALICO_RELEASES[calico].testedKubernetes.includes(kubernetes);
}

/** The Calico versions that support a Kubernetes version, for error messages. */
export function calicoVersionsFor(kubernetes: string): CalicoVersion[] {
    return CALICO_VERSIONS.filter((v) => isSupportedPair(v, kubernetes));
}

/** "v3.31.3" → [3, 31, 3]; undefined when the text is not such a tag. */
function versionParts(v: unknown): number[] | undefined {
    const m = typeof v === "string" ? v.match(/^v(\d+)\.(\d+)\.(\d+)$/) : null;
    return m ? m.slice(1).map(Number) : undefined;
}

/**
 * Why changing a deployed cluster from Calico `previous` (the version the stack last deployed) to
 * `next` is refused, or undefined when it is allowed. Upgrades are allowed; a downgrade is refused,
 * because the older release's manifests lack CRDs the newer one installed (v3.31.3 → v3.27.3: tiers,
 * the staged policies, AdminNetworkPolicies, goldmanes, whiskers, …), so applying them would
 * delete those CRDs and every object of their kinds. Calico documents no downgrade path; the way
 * back is the backup taken before the upgrade.
 */
export function versionChangeRefusal(previous: unknown, next: CalicoVersion): string | undefined {
    const a = versionParts(previous);
    const b = versionParts(next);
    if (!a || !b) return undefined;
    const older = b[0] !== a[0] ? b[0] < a[0] : b[1] !== a[1] ? b[1] < a[1] : b[2] < a[2];
    if (!older) return undefined;
    return `calico:version: this stack runs Calico ${previous}, and going back to ${next} is refused: ${next}'s manifests lack CRDs that ${previous} installed (tiers, staged policies, AdminNetworkPolicies and more), so applying them would delete those CRDs and every object of their kinds. Calico documents no downgrade; keep calico:version ${previous}, or restore the backup taken before the upgrade (README "Upgrading Calico").`;
}
