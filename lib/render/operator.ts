/**
 * The tigera-operator install: the official manifests of the selected release (or a mirror / local
 * copy for air-gapped clusters), CRDs strictly first.
 */
import type { ClusterSettings } from "../config/settings";
import { TYPES, type PlannedResource } from "./plan";

/** Namespace the operator manifest creates. */
export const OPERATOR_NAMESPACE = "tigera-operator";
/** Namespace the operator deploys Calico into. */
export const CALICO_NAMESPACE = "calico-system";

/** Resource names, shared with the components that depend on them. */
export const OPERATOR_RESOURCES = { crds: "operator-crds", operator: "tigera-operator" } as const;

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
            spec: { kind: "manifest", source: s.operator.crdsManifest ?? release.crdsManifestUrl, description: `Calico ${release.version} operator and projectcalico.org CRDs` },
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
        },
    });
    return out;
}
