/**
 * The resource plan: every resource the Pulumi program registers, as plain data, in registration
 * order. Components turn entries into Pulumi resources; the plan command prints and writes the same
 * entries. One list, two consumers: plan can never disagree with what `pulumi up` does.
 */
import type { K8sObject } from "./objects";
import type { Secret } from "../config/secret";

/** Which component registers a resource. */
export type ComponentName = "operator" | "installation" | "bgp" | "policy" | "monitoring" | "benchmark" | "nodePrep" | "safety";

/** One sub-component of CalicoCluster. */
export interface ComponentInfo {
    readonly component: ComponentName;
    /** Its Pulumi type token. */
    readonly type: string;
    /** Its resource name is `<CalicoCluster name>-<suffix>`. */
    readonly suffix: string;
    /** What it registers, for docs and the plan. */
    readonly description: string;
}

/**
 * The sub-components, in construction and plan order: the one list of them. Each one's resources
 * depend only on resources of the components before it.
 */
export const COMPONENTS: readonly ComponentInfo[] = [
    { component: "nodePrep", type: "calico:index:NodePreparation", suffix: "nodeprep", description: "NetworkManager, sysctl and kernel-module preparation of the nodes" },
    { component: "operator", type: "calico:index:TigeraOperator", suffix: "operator", description: "tigera-operator: CRDs, then the operator" },
    { component: "installation", type: "calico:index:CalicoInstallation", suffix: "installation", description: "Installation and APIServer, with their readiness waits and eBPF prerequisites" },
    { component: "bgp", type: "calico:index:BgpFabric", suffix: "bgp", description: "BGP configuration, peers, reflector labels and the hitless-migration wait" },
    { component: "policy", type: "calico:index:CalicoPolicy", suffix: "policy", description: "the opt-in baseline GlobalNetworkPolicy (default deny with allows), enforced or staged" },
    { component: "monitoring", type: "calico:index:CalicoMonitoring", suffix: "monitoring", description: "metrics Services, ServiceMonitors, alert rules, dashboards and optional Prometheus/Grafana" },
    { component: "benchmark", type: "calico:index:NetworkBenchmark", suffix: "benchmark", description: "the opt-in network benchmark: ping and iperf3 between two nodes, in the guide's tables" },
    { component: "safety", type: "calico:index:StackSafety", suffix: "safety", description: "the destroy guard: a command that depends on every other resource and fails its delete while calico:protect is true" },
];

/** A Kubernetes object registered as a resource of its own type (typed class or CustomResource). */
export interface ObjectSpec {
    readonly kind: "object";
    /** The object. */
    readonly object: K8sObject;
}

/**
 * Whether a planned resource is a server-side-apply Patch of an object someone else owns (Nodes,
 * kube-proxy): its Pulumi type says so (`…Patch`), so no flag repeats it.
 */
export function isPatch(p: PlannedResource): boolean {
    return p.spec.kind === "object" && p.type.endsWith("Patch");
}

/** A multi-document manifest from a URL or file (`yaml.v2.ConfigFile`). */
export interface ManifestSpec {
    readonly kind: "manifest";
    /** URL or local path. */
    readonly source: string;
    /** What the manifest holds, for the plan output. */
    readonly description: string;
    /**
     * Set when this manifest holds the release's CRDs: the names of the other resources that have held
     * them (the other release's holder). Each CRD child carries an alias to its name under each of them
     * (see crdAliasNames), so a version change never deletes a CRD.
     */
    readonly crdHolderAliases?: readonly string[];
}

/** A local shell command (`command.local.Command`): calicoctl and the BGP session wait. */
export interface LocalCommandSpec {
    readonly kind: "localCommand";
    readonly create: string;
    readonly update?: string;
    readonly delete?: string;
    /** Standard input (the object YAML for calicoctl). */
    readonly stdin?: string;
    /** Plain environment variables. */
    readonly environment: Readonly<Record<string, string>>;
    /** Whether the kubeconfig secret is passed in the environment. */
    readonly needsKubeconfig: boolean;
    /** The projectcalico.org/v3 object this command manages (for IPAM, the IPAMConfig calicoctl writes), for plan --out. */
    readonly object?: K8sObject;
    /** Standalone script body (for the wait command), for plan --out. */
    readonly script?: string;
    /** Its stdout carries no secret and feeds a stack output (the benchmark's results); otherwise stdout is kept secret. */
    readonly publicStdout?: boolean;
    /**
     * For a calicoctl command: the calicoctl invocations its create and delete scripts end with, as
     * data (the same arguments and input the script passes), so a test can hand exactly these to the
     * real calicoctl of each version without the script around them.
     */
    readonly calicoctl?: { readonly create: CalicoctlCall; readonly delete: CalicoctlCall };
}

/** One calicoctl invocation: its arguments after the binary, and its standard input. */
export interface CalicoctlCall {
    readonly args: readonly string[];
    readonly stdin?: string;
    /** The script ignores its failure (a delete that restores Calico's defaults on a cluster being torn down). */
    readonly mayFail?: boolean;
}

/** A command over SSH on one node (`command.remote.Command`). */
export interface RemoteCommandSpec {
    readonly kind: "remoteCommand";
    readonly host: string;
    readonly user: string;
    readonly port: number;
    readonly create: string;
    readonly script: string;
    /** SSH private key (a secret). */
    readonly privateKey: Secret;
}

/** A Helm chart rendered by Pulumi (`helm.v4.Chart`): no helm binary needed. */
export interface ChartSpec {
    readonly kind: "chart";
    /** Chart name in `repo`, or a local chart directory or .tgz when `repo` is absent. */
    readonly chart: string;
    readonly version: string;
    readonly repo?: string;
    readonly namespace: string;
    readonly values: Record<string, unknown>;
}

/** What a resource is. */
export type ResourceSpec = ObjectSpec | ManifestSpec | LocalCommandSpec | RemoteCommandSpec | ChartSpec;

/** One resource the program registers. */
export interface PlannedResource {
    /** Pulumi resource name, unique within the stack and stable across runs. */
    readonly name: string;
    /** Pulumi type token. */
    readonly type: string;
    /** The component that registers it. */
    readonly component: ComponentName;
    /** Names of resources that must exist (and be ready) first. */
    readonly dependsOn: readonly string[];
    /** What to register. */
    readonly spec: ResourceSpec;
    /**
     * Leave the object in the cluster when this resource leaves the program (Pulumi `retainOnDelete`):
     * for an object a newer release's operator takes over under the same name.
     */
    readonly retainOnDelete?: boolean;
    /** Names this resource had before (Pulumi `aliases`), so a renamed resource updates in place. */
    readonly aliases?: readonly string[];
    /**
     * Pulumi `protect` (calico:protect): the engine refuses to delete or replace it. Set on what pod
     * networking depends on and what never leaves the program (the Installation, the APIServer, the
     * operator manifests, whose CRDs, operator Namespace and Deployment are protected too).
     */
    readonly protect?: boolean;
}

/** Pulumi type tokens for the non-object kinds. */
export const TYPES = {
    configFile: "kubernetes:yaml/v2:ConfigFile",
    localCommand: "command:local:Command",
    remoteCommand: "command:remote:Command",
    chart: "kubernetes:helm.sh/v4:Chart",
} as const;
