/**
 * The whole plan for a stack: every resource in registration order. Node preparation comes first
 * (NetworkManager must let go of Calico's interfaces before calico-node creates them), then the
 * operator, the Installation, the BGP fabric and monitoring.
 */
import type { ClusterSettings } from "../config/settings";
import { renderOperator } from "./operator";
import { planInstallation } from "./installation";
import { planBgp, planFelix } from "./bgp";
import { planMonitoring } from "./monitoring";
import { planNodePrep } from "./nodeprep";
import type { PlannedResource } from "./plan";

/** Build the ordered plan. */
export function buildPlan(s: ClusterSettings): PlannedResource[] {
    const nodePrep = planNodePrep(s);
    const operator = renderOperator(s);
    const installation = planInstallation(s, nodePrep.map((r) => r.name));
    const bgp = planBgp(s);
    return [...nodePrep, ...operator, ...installation, ...bgp, ...planFelix(s), ...planMonitoring(s)];
}
