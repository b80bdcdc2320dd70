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

/** The BGPPeer the program creates from every client to the reflectors (route-reflector mode). */
export const RR_PEER_NAME = "peer-with-route-reflectors";

/** The BGPPeer the program creates from a rack's nodes to the rack's reflectors (hybrid mode). */
export const rackReflectorPeerName = (rack: string): string => `rack-${rack}-reflectors`;

/**
 * Why the program refuses to go from the BGP mode a stack last deployed to the configured one, or
 * undefined when the change can be made hitlessly in one update. Mesh ↔ hybrid is the one pair that
 * cannot, in either direction:
 * - mesh → hybrid: a reflector's cluster ID takes it out of the mesh at once (confd's
 *   bird.cfg.template at both tags), and in hybrid it peers only with its own rack, so the other
 *   racks' sessions to it go before any gate has proven the new ones;
 * - hybrid → mesh: the reflectors keep their cluster IDs until their patches are deleted, after the
 *   gate, and in hybrid nothing else connects them to the other racks, so the mesh gate (every node
 *   reaches every other one) can never pass.
 * Going through top of rack or route reflectors is two hitless updates. `plan --from` shows both
 * failures on the session model (lib/render/migration.ts).
 * @param previous the stack's last exported `bgp.mode` (anything, as read from a StackReference)
 * @param next the configured mode
 */
export function topologyChangeRefusal(previous: unknown, next: string): string | undefined {
    if (previous === "mesh" && next === "hybrid") {
        return `calico:bgp.mode: this stack runs the node-to-node mesh, and going straight to hybrid is refused: each reflector would leave the mesh (its cluster ID) before its rack's switch sessions and the other racks' sessions are proven Established. Go through top of rack in two updates: first mode "tor" with the racks, then "hybrid" with the reflectors (README "Migrating: top of rack ↔ hybrid"); npm run plan -- --stack <stack> --from <old stack file> shows each step.`;
    }
    if (previous === "hybrid" && next === "mesh") {
        return `calico:bgp.mode: this stack runs hybrid (top of rack through route reflectors), and going straight to the mesh is refused: the reflectors keep their cluster IDs, which keep them out of the mesh, until after the session gate, so the gate could never see every node reach every other one. Go through top of rack in two updates: first mode "tor" (drop routeReflectors), then "mesh" (README "Migrating: top of rack ↔ hybrid"); npm run plan -- --stack <stack> --from <old stack file> shows each step.`;
    }
    return undefined;
}
