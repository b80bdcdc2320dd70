/**
 * A cluster's identity in the stack's state: the Kubernetes provider's `clusterIdentifier`. Every
 * Kubernetes resource of the stack belongs to that provider, and the provider is replaced when its
 * clusterIdentifier changes (pulumi-kubernetes v4.32.0 provider/pkg/provider/provider.go:490,
 * DiffConfig: a changed clusterIdentifier is a replacement), and with it every resource: the CRDs (and so every
 * Calico object), the operator, the Installation. So a deployed stack keeps its identifier.
 */

/**
 * Why changing the identifier from `previous` (the stack's last `clusterIdentifier` output, or
 * undefined for a new stack) to `next` is refused, or undefined when it is the same cluster.
 * @param name calico:cluster.name now, to suggest the way that keeps the identity
 */
export function identityChangeRefusal(previous: unknown, next: string, name: string): string | undefined {
    if (typeof previous !== "string" || previous === "" || previous === next) return undefined;
    return (
        `calico:cluster.name: this stack manages the cluster "${previous}" (the Kubernetes provider's clusterIdentifier), and changing it to "${next}" would replace the provider and with it every resource it manages: ` +
        `the CRDs (deleting every Calico object in the cluster), the operator and the Installation, while pods run on that network. ` +
        `If this is the same cluster under a new name, keep its identity: set calico:cluster.identifier to "${previous}" (the name can then be "${name}"). ` +
        `If it is another cluster, give it a stack of its own.`
    );
}
