/**
 * IP pool changes on a deployed cluster that the operator would not carry to the IPPool objects
 * calico-node reads. Read at the pinned tags, with each e2e scenario run on the real operator:
 *
 * - operator v1.32.7 (Calico v3.27.3) writes no IPPool: it hands the Installation's pool to
 *   calico-node as CALICO_IPV4POOL_* / CALICO_IPV6POOL_* (tigera/operator v1.32.7 pkg/render/node.go
 *   1429-1493), and calico-node creates a pool at start-up only when no pool of that IP family
 *   exists (calico v3.27.3 node/pkg/lifecycle/startup/startup.go:869). A changed field of an existing
 *   pool, or a removed pool, changes the DaemonSet's environment and nothing else.
 * - operator v1.40.3 (Calico v3.31.3) owns its pools and updates them by name through
 *   projectcalico.org/v3 (pkg/controller/ippool/pool_controller.go 303-326), whose validation refuses
 *   a new CIDR or block size for an existing pool ("IPPool CIDR cannot be modified",
 *   "IPPool BlockSize cannot be modified": libcalico-go lib/clientv3/ippool.go 383 and 430 at
 *   v3.31.3) and a second pool over the same CIDR under a new name (ippool.go:490). The operator then
 *   reports Degraded and the pool keeps its old values. Encapsulation, natOutgoing, nodeSelector and
 *   disableBGPExport, adding a pool and removing one, are carried through.
 */
import type { CalicoVersion } from "./versions";

/** A pool as the stack's `ipPools` output holds it (older stacks may lack a field). */
export interface DeployedPool {
    readonly name?: unknown;
    readonly cidr?: unknown;
    readonly blockSize?: unknown;
    readonly encapsulation?: unknown;
    readonly natOutgoing?: unknown;
    readonly nodeSelector?: unknown;
    readonly disableBGPExport?: unknown;
}

/** A configured pool (ResolvedIpPool's fields that reach the IPPool). */
export interface ConfiguredPool {
    readonly name: string;
    readonly cidr: string;
    readonly family: 4 | 6;
    readonly blockSize: number;
    readonly encapsulation: string;
    readonly natOutgoing: boolean;
    readonly nodeSelector: string;
    readonly disableBGPExport: boolean;
}

const FIELDS = ["cidr", "blockSize", "encapsulation", "natOutgoing", "nodeSelector", "disableBGPExport"] as const;
const familyOf = (cidr: unknown) => (String(cidr).includes(":") ? 6 : 4);
const show = (v: unknown) => JSON.stringify(v);
const RUNBOOK = `README "Runbook: changing an IP pool"`;

/**
 * Why changing the pools from `previous` (the stack's last `ipPools` output; anything, as read from a
 * StackReference) to `next` is refused, or undefined when the operator of `version` carries the
 * change through. `previousVersion` is the Calico version the stack last deployed: a pool change in
 * the same update as an upgrade is refused, because the new operator would meet pools the old one
 * handed to calico-node, which it neither owns nor adopts when they differ from the Installation
 * (pool_controller.go 248-290 at v1.40.3).
 */
export function poolChangeRefusal(previous: unknown, next: readonly ConfiguredPool[], version: CalicoVersion, previousVersion: unknown): string | undefined {
    if (!Array.isArray(previous) || previous.length === 0) return undefined;
    const before = previous as DeployedPool[];
    const changed = (p: DeployedPool, n: ConfiguredPool) => FIELDS.filter((f) => p[f] !== undefined && p[f] !== n[f]);
    if (typeof previousVersion === "string" && previousVersion !== version) {
        const same = before.length === next.length && before.every((p, i) => p.name === next[i].name && changed(p, next[i]).length === 0);
        if (!same) return `calico:network.ipPools: this update upgrades Calico from ${previousVersion} to ${version} and also changes the IP pools; the new operator would find pools it neither owns nor adopts. Upgrade with the pools as they are (${show(before.map((p) => p.cidr))}), then change them in an update of their own (${RUNBOOK}).`;
        return undefined;
    }
    if (version === "v3.27.3") {
        for (const p of before) {
            const n = next.find((x) => x.family === familyOf(p.cidr));
            if (!n) return `calico:network.ipPools: removing the IPv${familyOf(p.cidr)} pool ${show(p.cidr)} is refused: operator v1.32.7 never deletes a pool (calico-node created it at start-up, and only ever creates one), so the IPPool would stay and keep its addresses. Keep it in the config, and follow ${RUNBOOK} to migrate pods off it with calicoctl.`;
            const fields = changed(p, n);
            if (fields.length) {
                const what = fields.map((f) => `${f} ${show(p[f])} → ${show(n[f])}`).join(", ");
                return `calico:network.ipPools: changing the IPv${n.family} pool ${show(p.cidr)} (${what}) is refused: operator v1.32.7 hands the pool to calico-node, which creates a pool only when none of its IP family exists, so the change would reach the calico-node DaemonSet's environment and never the IPPool. Keep ${fields.map((f) => `${f} ${show(p[f])}`).join(", ")}; to change the pool itself, follow ${RUNBOOK} (calicoctl creates the new pool, then the old one is disabled and drained).`;
            }
        }
        return undefined;
    }
    for (const p of before) {
        const byName = next.find((x) => x.name === p.name);
        if (byName) {
            const fields = changed(p, byName).filter((f) => f === "cidr" || f === "blockSize");
            if (fields.length) {
                const what = fields.map((f) => `${f} ${show(p[f])} → ${show(byName[f])}`).join(", ");
                return `calico:network.ipPools: changing pool ${show(p.name)} (${what}) is refused: Calico's API refuses a new CIDR or block size for an existing pool, so operator v1.40.3 would report Degraded and keep the old pool. Add the new range as a pool with a new name, move the workloads, then remove the old pool in a later update (${RUNBOOK}).`;
            }
            continue;
        }
        const byCidr = next.find((x) => x.cidr === p.cidr);
        if (byCidr) return `calico:network.ipPools: renaming pool ${show(p.name)} to ${show(byCidr.name)} (same CIDR ${show(p.cidr)}) is refused: the operator would create a second pool over the same CIDR, which Calico's API refuses. Keep the name ${show(p.name)}.`;
    }
    return undefined;
}
