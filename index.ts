/**
 * calico-pulumi as a library: `new CalicoCluster(name, args)` in any Pulumi program, and the offline
 * `plan` of the same arguments. Importing this module registers nothing; the project's own Pulumi
 * program is main.ts.
 */
export { CalicoCluster, type CalicoClusterArgs, type CalicoClusterOutputs } from "./components/cluster";
export { outputsOf } from "./components/program";
export type { CalicoConfig } from "./lib/config/args";
export type { ClusterSettings } from "./lib/config/settings";
export type { CalicoOutputs, MetricsEndpoint } from "./lib/render/outputs";
export type { PlannedResource } from "./lib/render/resource-spec";
export type { TopologyReport, TopologyCheck } from "./lib/render/topology-report";
export { ConfigValidationError, type ConfigIssue } from "./lib/config/errors";
export { plan, planReport, ArgumentsError, type CalicoPlan } from "./lib/offline-plan";
export { CALICO_VERSIONS, KUBERNETES_VERSIONS, type CalicoVersion, type KubernetesVersion } from "./lib/model/versions";
