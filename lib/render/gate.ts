/**
 * The BGP session gate: a bounded wait that proves every node has the sessions of the new topology
 * Established before anything that would drop its old sessions runs (the mesh turned off, or the
 * old peers and reflector labels removed).
 *
 * How it reads session state, and why so:
 * - calicoctl has no resource manager for CalicoNodeStatus at v3.27.3 or v3.31.3 (calicoctl/
 *   calicoctl/resourcemgr lists none), so the gate uses the Kubernetes API through kubectl.
 * - It creates a CalicoNodeStatus probe (crd.projectcalico.org/v1, the version calico-node itself
 *   reads and writes) for every node the live cluster has, not only the declared ones, polls their
 *   BGP status, and deletes the probes once the gate has passed: upstream calls CalicoNodeStatus a
 *   debugging aid that costs calico-node work while it exists.
 * - Each node needs its full set of new sessions Established on `STABLE` consecutive polls (a
 *   flapping session does not pass), peer by peer (gateRequirement): a node without a rack label
 *   in a rack topology fails the gate, since it would be left with no session.
 *
 * - Only nodes that run calico-node are waited for; a NotReady or cordoned one blocks unless
 *   calico:bgp.migration.notReadyNodes is `skip`; a status counts only if calico-node wrote it after
 *   the gate's own probe was created (lib/render/scripts/bgp-gate-evaluate.js says why).
 *
 * The script (lib/render/scripts/bgp-gate.sh) is POSIX sh plus node (always present where a
 * Pulumi Node.js program runs) to read kubectl's JSON; its text is the same for every gate, and its
 * parameters are the Command's environment, a pure function of the settings.
 */
import type { ClusterSettings } from "../config/settings";
import { clusterAccessPrelude, KUBECTL_WITH_CONTEXT } from "./calicoctl";
import { readScript } from "./scripts";
import { peerAddress } from "../model/cidr";

import { GATE_STABLE_POLLS } from "../model/topology";
export { GATE_STABLE_POLLS };
/** Label on the probes, so that one delete removes them all (the scripts name it too). */
export const PROBE_LABEL = "calico-pulumi/bgp-probe";

/** The sessions one rack's nodes need (top of rack and hybrid). */
export interface RackRequirement {
    /** Addresses of the rack's switches (BGPPeer peerIP without a port, as CalicoNodeStatus reports it). */
    readonly switches: readonly string[];
    /** Hybrid: the rack's reflectors (node names). */
    readonly reflectors?: readonly string[];
}

/**
 * What the gate requires of each live node, by topology. Every requirement names the peers (node
 * names, resolved to the node's BGP address at gate time, or switch addresses), not a count, so
 * sessions the old topology left in place (a ToR node's switch sessions while it gains reflector
 * sessions) never pass for new ones.
 */
export type GateRequirement =
    | { readonly mode: "mesh" }
    | { readonly mode: "routeReflector"; readonly reflectors: readonly string[] }
    | { readonly mode: "tor" | "hybrid"; readonly rackLabel: string; readonly racks: Readonly<Record<string, RackRequirement>>; readonly reflectorsOnly?: boolean };

/**
 * The requirement for these settings (undefined when BGP is off): in a mesh every other node; a
 * route-reflector client every reflector and a reflector every other reflector; a top-of-rack node
 * each switch of its rack; in hybrid mode a node of a rack the rack's other reflectors, and a
 * reflector the rack's switches too, unless `reflectorsOnly` (hybrid's first gate, before the
 * switch peers narrow to the reflectors).
 */
export function gateRequirement(s: ClusterSettings, opts: { readonly reflectorsOnly?: boolean } = {}): GateRequirement | undefined {
    switch (s.bgp.mode) {
        case "mesh":
            return { mode: "mesh" };
        case "routeReflector":
            return { mode: "routeReflector", reflectors: [...s.bgp.routeReflectors.nodes] };
        case "tor":
        case "hybrid": {
            const racks: Record<string, RackRequirement> = {};
            for (const rack of s.bgp.racks) {
                const switches = s.bgp.peers.filter((p) => p.rack === rack.name).map((p) => peerAddress(p.peerIP));
                racks[rack.name] = s.bgp.mode === "hybrid" ? { switches, reflectors: s.bgp.routeReflectors.nodes.filter((n) => rack.nodes.includes(n)) } : { switches };
            }
            return { mode: s.bgp.mode, rackLabel: s.bgp.rackLabel, racks, ...(s.bgp.mode === "hybrid" && opts.reflectorsOnly ? { reflectorsOnly: true } : {}) };
        }
        default:
            return undefined;
    }
}

/** The evaluator's source (lib/render/scripts/bgp-gate-evaluate.js), which the gate runs with `node -e`. */
export const EVALUATOR_SCRIPT = "bgp-gate-evaluate.js";

/**
 * The gate's parameters, as the Command's environment: the script text itself is the same file for
 * every gate, so a changed requirement or timing changes only these values.
 */
export function gateEnvironment(s: ClusterSettings, req: GateRequirement): Record<string, string> {
    const m = s.bgp.migration;
    return {
        CALICO_GATE_REQUIREMENT: JSON.stringify(req),
        CALICO_GATE_EVALUATOR: readScript(EVALUATOR_SCRIPT),
        CALICO_GATE_TIMEOUT: String(m.waitTimeoutSeconds),
        CALICO_GATE_INTERVAL: String(m.pollIntervalSeconds),
        CALICO_GATE_STABLE: String(GATE_STABLE_POLLS),
        // How often calico-node's status reporter refreshes a probe; no slower than the polls.
        CALICO_GATE_PERIOD: String(Math.min(m.pollIntervalSeconds, 10)),
        CALICO_GATE_NOT_READY: m.notReadyNodes,
        CALICO_GATE_WHAT: req.mode === "hybrid" && req.reflectorsOnly ? "hybrid reflector" : req.mode,
    };
}

/**
 * The whole command: cluster access (the provider's kubeconfig and context) and `k`, then the gate
 * script (lib/render/scripts/bgp-gate.sh); its parameters are in `environment`.
 */
export function renderGateCommand(s: ClusterSettings, req: GateRequirement): { command: string; script: string; environment: Record<string, string> } {
    const script = readScript("bgp-gate.sh");
    return { command: `${clusterAccessPrelude()}\n${KUBECTL_WITH_CONTEXT}\n${script}`, script, environment: gateEnvironment(s, req) };
}
