/**
 * The tigera-operator install: the official manifests of the selected release (or a mirror / local
 * copy for air-gapped clusters), CRDs strictly first.
 */
import type { ClusterSettings } from "../config/settings";
import { CALICO_RELEASES, type CalicoRelease } from "../model/versions";
import { TYPES, type PlannedResource } from "./resource-spec";

/** Namespace the operator manifest creates. */
export const OPERATOR_NAMESPACE = "tigera-operator";
/** Namespace the operator deploys Calico into. */
export const CALICO_NAMESPACE = "calico-system";

/** Resource names, shared with the components that depend on them. */
export const OPERATOR_RESOURCES = { crds: "operator-crds", operator: "tigera-operator" } as const;

/** The resource that holds a release's CRDs: its own CRD manifest, or the operator manifest that embeds them. */
export function crdHolder(release: CalicoRelease): string {
    return release.crdsManifestUrl ? OPERATOR_RESOURCES.crds : OPERATOR_RESOURCES.operator;
}

/** The Pulumi type of a CRD child of a yaml/v2 ConfigFile. */
export const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Aliases that keep a CRD the same Pulumi resource when a version change moves it to another
 * manifest resource. A yaml/v2 ConfigFile names each child `<ConfigFile name>:<object name>`
 * (pulumi-kubernetes provider/pkg/provider/yaml/v2/configfile.go: the resource prefix defaults to
 * the component's name; yaml.go Register), and a URN holds the parent's type, not its name. So
 * `tigera-operator:ippools.crd.projectcalico.org` (v3.27.3, embedded) and
 * `operator-crds:ippools.crd.projectcalico.org` (v3.31.3) differ only in that prefix: an alias from
 * one to the other turns "create one, delete the other" (which would delete the CRD and with it every
 * IP pool, BGP peer and the Installation) into an update in place. Returns no alias for other
 * children or other holders.
 * @param holder the ConfigFile's name
 * @param formerHolders the names of the ConfigFiles that may have held the CRDs before (ManifestSpec crdHolderAliases)
 */
export function crdAliasNames(holder: string, formerHolders: readonly string[], childType: string, childName: string): string[] {
    if (childType !== CRD_TYPE || !childName.startsWith(`${holder}:`)) return [];
    const object = childName.slice(holder.length + 1);
    return [...new Set(formerHolders)].filter((h) => h !== holder).sort().map((h) => `${h}:${object}`);
}

/** The local names of every release's CRD holder other than `holder` (planResources qualifies them). */
function otherCrdHolders(holder: string): string[] {
    return [...new Set(Object.values(CALICO_RELEASES).map(crdHolder))].filter((h) => h !== holder).sort();
}

/**
 * v3.31.3: operator-crds.yaml, then tigera-operator.yaml (which holds no CRDs).
 * v3.27.3: tigera-operator.yaml alone, which embeds the CRDs (ConfigFile applies CRDs first within it).
 */
export function renderOperator(s: ClusterSettings): PlannedResource[] {
    const out: PlannedResource[] = [];
    const release = s.release;
    if (release.crdsManifestUrl) {
        out.push({
            name: OPERATOR_RESOURCES.crds,
            type: TYPES.configFile,
            component: "operator",
            dependsOn: [],
            spec: { kind: "manifest", source: s.operator.crdsManifest ?? release.crdsManifestUrl, description: `Calico ${release.version} operator and projectcalico.org CRDs`, ...(crdHolder(release) === OPERATOR_RESOURCES.crds ? { crdHolderAliases: otherCrdHolders(OPERATOR_RESOURCES.crds) } : {}) },
        });
    }
    out.push({
        name: OPERATOR_RESOURCES.operator,
        type: TYPES.configFile,
        component: "operator",
        dependsOn: release.crdsManifestUrl ? [OPERATOR_RESOURCES.crds] : [],
        spec: {
            kind: "manifest",
            source: s.operator.manifest ?? release.operatorManifestUrl,
            description: `tigera-operator ${release.operatorVersion} (${release.operatorImage})${release.crdsManifestUrl ? "" : " with its embedded CRDs"}`,
            ...(crdHolder(release) === OPERATOR_RESOURCES.operator ? { crdHolderAliases: otherCrdHolders(OPERATOR_RESOURCES.operator) } : {}),
        },
    });
    return out;
}
