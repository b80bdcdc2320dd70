/**
 * BGP topology maths: session counts for each layout. The full planner (per-node peers, reflector
 * reachability, rack coverage) builds on these.
 */

/** Largest cluster for which the guide recommends a full node-to-node mesh (route reflectors above). */
export const FULL_MESH_MAX_NODES = 100;

/** Sessions in a full node-to-node mesh: n(n−1)/2. */
export function meshSessions(nodes: number): number {
    return (nodes * (nodes - 1)) / 2;
}

/** Consecutive good polls the BGP session gate requires before old sessions may go (a flap resets the count). */
export const GATE_STABLE_POLLS = 3;

/** Node label that designates a route reflector (Calico docs and the guide); reflector BGPPeers select it. */
export const RR_LABEL = "route-reflector";
