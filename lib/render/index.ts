/**
 * The whole plan for a stack: every resource in registration order, under the names the component
 * registers them with. Node preparation comes first (NetworkManager must let go of Calico's
 * interfaces before calico-node creates them), then the operator, the Installation, the BGP fabric
 * and monitoring: the order of COMPONENTS.
 */
import type { ClusterSettings } from "../config/settings";
import { renderOperator } from "./operator";
import { planInstallation } from "./installation";
import { planBgp, planFelix } from "./bgp";
import { planMonitoring } from "./monitoring";
import { planNodePrep } from "./nodeprep";
import { planPolicy } from "./policy";
import { planBenchmark } from "./benchmark";
import { PROTECTED_RESOURCES, planSafety } from "./safety";
import { COMPONENTS, type ComponentName, type PlannedResource } from "./resource-spec";
import { LEGACY_NAME, qualifiedName } from "./resources";

/** Each component's renderer; `sofar` is what the components before it planned (local names). */
const RENDERERS: Readonly<Record<ComponentName, (s: ClusterSettings, sofar: readonly PlannedResource[]) => PlannedResource[]>> = {
    nodePrep: planNodePrep,
    operator: renderOperator,
    // calico-node must not start before node preparation has run on the nodes.
    installation: (s, sofar) => planInstallation(s, sofar.filter((p) => p.component === "nodePrep").map((p) => p.name)),
    bgp: (s) => [...planBgp(s), ...planFelix(s)],
    policy: planPolicy,
    monitoring: planMonitoring,
    benchmark: planBenchmark,
    safety: planSafety,
};

/**
 * Build the ordered plan of the CalicoCluster named `name`.
 *
 * Every resource name is `<name>-<local name>`, so that two CalicoClusters in one program never
 * register the same URN. The component named `calico` (the program's, LEGACY_NAME) also carries each
 * resource's earlier unprefixed name as an alias, so a stack deployed before names were prefixed
 * updates in place. Only that one: two instances aliasing the same old URN is an engine error
 * (pulumi pkg/resource/deploy/step_generator.go getOldResource, "aliased to the same", v3.248.0).
 */
export function planResources(s: ClusterSettings, name: string = LEGACY_NAME): PlannedResource[] {
    const local: PlannedResource[] = [];
    for (const c of COMPONENTS) local.push(...RENDERERS[c.component](s, local));
    const q = (n: string) => qualifiedName(name, n);
    return local.map((p) => ({
        ...p,
        ...(s.protect && PROTECTED_RESOURCES.has(p.name) ? { protect: true } : {}),
        name: q(p.name),
        dependsOn: p.dependsOn.map(q),
        ...(name === LEGACY_NAME ? { aliases: [p.name] } : {}),
        ...(p.spec.kind === "manifest" && p.spec.crdHolderAliases
            ? { spec: { ...p.spec, crdHolderAliases: [...p.spec.crdHolderAliases.map(q), ...(name === LEGACY_NAME ? [...p.spec.crdHolderAliases, p.name] : [])] } }
            : {}),
    }));
}
