/**
 * Raw config to checked settings, in one place for the program, the CalicoCluster component and
 * `plan`: parse, validate and resolve (lib/config), then the checks that need the rendered objects
 * (lib/render): the BGP topology and the baseline policy. It sits above both, so that config never
 * imports render.
 */
import { ConfigValidationError } from "./config/errors";
import { parseSettings, type LoadResult } from "./config/load";
import type { ClusterSettings } from "./config/settings";
import { topologyOf } from "./render/bgp";
import { renderBaselinePolicy } from "./render/policy";
import { checkBaselinePolicy } from "./render/policy-check";

export type { LoadResult } from "./config/load";

/** The config key a failed topology check is about. */
function topologyCheckPath(s: ClusterSettings, id: string): string {
    if (id.startsWith("rack-")) {
        const i = s.bgp.racks.findIndex((r) => `rack-${r.name}` === id);
        return i >= 0 ? `calico:bgp.tor.racks[${i}]` : "calico:bgp.tor.racks";
    }
    if (id === "every-node-peers") return "calico:bgp.tor.racks";
    if (id.includes("reflector")) return "calico:bgp.routeReflectors.nodes";
    return "calico:bgp";
}

/**
 * Validate, resolve and check raw config.
 * @param raw config keyed `calico:<key>` (other namespaces are ignored), values already JSON-decoded
 * @throws ConfigValidationError listing every error
 */
export function loadSettings(raw: Readonly<Record<string, unknown>>): LoadResult {
    const { settings, warnings } = parseSettings(raw);
    // A topology check that fails is an error, in plan and in the program alike, before anything
    // is registered: a [FAIL] means some node would lose its routes.
    const failed = topologyOf(settings).checks.filter((c) => !c.ok);
    if (failed.length) throw new ConfigValidationError(failed.map((c) => ({ path: topologyCheckPath(settings, c.id), value: undefined, message: `topology check failed: ${c.message}` })));
    // Likewise the baseline policy: one that would cut BGP, Typha, health, metrics or DNS is refused.
    const policyFailed = checkBaselinePolicy(settings, renderBaselinePolicy(settings)).filter((c) => !c.ok);
    if (policyFailed.length) throw new ConfigValidationError(policyFailed.map((c) => ({ path: "calico:policy.baseline", value: undefined, message: `policy check failed: ${c.message}` })));
    return { settings, warnings };
}
