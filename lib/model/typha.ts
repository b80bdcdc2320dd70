/**
 * Typha replica count as the tigera-operator computes it (pkg/common `GetExpectedTyphaScale`,
 * unchanged from operator v1.32.7 to v1.40.3): one Typha for every 200 nodes plus one for high
 * availability, with special cases for tiny clusters so that there is always room to reschedule.
 */

/** Nodes one Typha instance is sized for, per the operator. */
export const MAX_NODES_PER_TYPHA = 200;

/**
 * Expected number of Typha replicas for a cluster of `nodes` schedulable nodes:
 * ≤ 2 → 1, ≤ 4 → 2, otherwise max(3, ⌊n/200⌋ + 2).
 * @throws RangeError for a negative or non-integer count.
 */
export function expectedTyphaReplicas(nodes: number): number {
    if (!Number.isInteger(nodes) || nodes < 0) {
        throw new RangeError(`node count must be a non-negative integer, got ${nodes}`);
    }
    if (nodes <= 2) return 1;
    if (nodes <= 4) return 2;
    return Math.max(3, Math.floor(nodes / MAX_NODES_PER_TYPHA) + 2);
}
