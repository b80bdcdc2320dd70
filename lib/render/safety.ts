/**
 * Stack safety (calico:protect, README "Safety"): the destroy guard, and which resources carry
 * Pulumi's `protect`.
 *
 * Why a guard as well as `protect`: the engine refuses to delete a protected resource only when it
 * reaches it, and carries on with every other delete (pulumi pkg/resource/deploy/step.go:616,
 * DeleteStep.Apply, and step_executor.go:439, cancelDueToError, v3.248.0). A destroy would so
 * delete the BGP peers, the node patches and the Felix settings, which depend on the protected
 * Installation and so go before it, and cut routes while Calico runs on. The guard depends on every
 * other resource, so a destroy deletes it first, and its failing delete is an ordinary error that
 * ends the destroy before anything else is deleted.
 */
import type { ClusterSettings } from "../config/settings";
import { INSTALLATION_RESOURCES } from "./installation";
import { OPERATOR_RESOURCES } from "./operator";
import type { LocalCommandSpec, PlannedResource } from "./resource-spec";
import { TYPES } from "./resource-spec";
import { readScript } from "./scripts";

/** The guard's planned name. */
export const DESTROY_GUARD = "destroy-guard";

/** Planned names that carry `protect` when calico:protect is true: they never leave the program. */
export const PROTECTED_RESOURCES: ReadonlySet<string> = new Set([OPERATOR_RESOURCES.crds, OPERATOR_RESOURCES.operator, INSTALLATION_RESOURCES.installation, INSTALLATION_RESOURCES.apiServer]);

/**
 * Children of the operator manifests that carry `protect` too (and CRDs `retainOnDelete`): the
 * CRDs, and the operator's Namespace and Deployment, which every release's tigera-operator.yaml
 * has. Other children (RBAC, service accounts) may change between releases, and an upgrade must be
 * able to delete one that a release dropped.
 */
export function protectsManifestChild(type: string, name: string): boolean {
    if (type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition") return true;
    return (type === "kubernetes:core/v1:Namespace" || type === "kubernetes:apps/v1:Deployment") && /(^|:)tigera-operator(\/tigera-operator)?$/.test(name);
}

/** The guard command: created as a no-op, its delete fails while the stack is protected. */
export function renderDestroyGuard(s: ClusterSettings): LocalCommandSpec {
    return {
        kind: "localCommand",
        create: "true",
        delete: readScript("destroy-guard.sh"),
        environment: { CALICO_PROTECT: String(s.protect) },
        needsKubeconfig: false,
    };
}

/** The safety component's plan: the guard, after every other resource. */
export function planSafety(s: ClusterSettings, sofar: readonly PlannedResource[]): PlannedResource[] {
    return [{ name: DESTROY_GUARD, type: TYPES.localCommand, component: "safety", dependsOn: sofar.map((p) => p.name), spec: renderDestroyGuard(s) }];
}
