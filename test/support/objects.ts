/** Test helper: the objects a plan sends to the cluster. */
import type { planResources } from "../../lib/render";
import { mapSecrets, type K8sObject } from "../../lib/render/objects";

/** Objects a plan sends to the cluster, secrets as placeholders, calicoctl objects included. */
export function objectsOf(plan: ReturnType<typeof planResources>): K8sObject[] {
    const out: K8sObject[] = [];
    for (const p of plan) {
        if (p.spec.kind === "object") out.push(mapSecrets(p.spec.object, (s) => s.placeholder()));
        if (p.spec.kind === "localCommand" && p.spec.object) out.push(p.spec.object);
    }
    return out;
}
