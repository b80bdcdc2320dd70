/**
 * SIMULATOR of calico-node's BGP sessions, for the e2e tier only: what BIRD on real nodes would
 * report, derived from the BGP objects in the API server by Calico's peering rules, read in
 * confd's bird.cfg.template (confd/etc/calico/confd/templates/bird.cfg.template, v3.27.3 and
 * v3.31.3 alike):
 *
 * - node-to-node mesh: unless BGPConfiguration `default` sets nodeToNodeMeshEnabled=false, every
 *   node peers with every other node, except that a node with a route-reflector cluster ID takes
 *   no part in the mesh at all ("ignore node-to-node mesh setting"), and other nodes skip it;
 * - BGPPeer with peerSelector: nodes matching nodeSelector (or `node`) peer with the nodes matching
 *   peerSelector, and confd configures the reverse direction too, so both ends have the session;
 * - BGPPeer with peerIP: nodes matching nodeSelector peer with that address (a ToR switch or
 *   router, which this simulator assumes is configured to accept them).
 *
 * A session is one pair of ends. It is Established once it has been configured without a break for
 * E2E_BGP_DELAY_SECONDS; a pair that stays configured while its reason changes (mesh → explicit
 * peer) keeps its session. Scenarios (E2E_BGP_SESSIONS): `up` (default); `never` (sessions that are
 * not mesh sessions never come up); `flap` (they go up and down every few seconds); `rr-only` (only
 * sessions between two route reflectors come up). A test may switch the scenario while the cluster
 * runs by writing its name to DIR/bgp-scenario.
 *
 * It writes the status of every CalicoNodeStatus object (crd.projectcalico.org/v1, the version
 * calico-node itself reads and writes) and appends every change of a node's sessions to
 * DIR/bgp-history.jsonl, so a test can check that no node was ever without a session.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseSelector } from "../../lib/model/selector";
import { peerAddress } from "../../lib/model/cidr";
import { Kube, PATHS, type KubeObject } from "./kube";

/** Node annotation carrying the route-reflector cluster ID (Calico's Kubernetes datastore mapping). */
const CLUSTER_ID = "projectcalico.org/RouteReflectorClusterID";

/** Session behaviour scenarios. */
export type SessionScenario = "up" | "never" | "flap" | "rr-only";

/** What calico-node would know about one node. */
export interface SimNode {
    readonly name: string;
    readonly ip: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly clusterId?: string;
}

/** One configured session end: node `node` peers with `peer` (a node name or an external IP). */
export interface ConfiguredSession {
    readonly node: string;
    readonly peerIP: string;
    /** CalicoNodeStatus peer type. */
    readonly type: "NodeMesh" | "NodePeer" | "GlobalPeer";
    /** The other end is a node (not an external router). */
    readonly peerNode?: string;
}

function matches(selector: string | undefined, node: SimNode): boolean {
    if (!selector) return false;
    return parseSelector(selector).matches(node.labels);
}

/**
 * The sessions calico-node would configure on each node for these objects: the peering rules above,
 * as a pure function.
 */
export function configuredSessions(nodes: readonly SimNode[], meshEnabled: boolean, peers: readonly KubeObject[]): ConfiguredSession[] {
    const out = new Map<string, ConfiguredSession>();
    const add = (s: ConfiguredSession) => {
        const key = `${s.node}|${s.peerIP}`;
        const had = out.get(key);
        // One pair, one session: the mesh reason wins for the reported type while it holds.
        if (!had || s.type === "NodeMesh") out.set(key, s);
    };
    if (meshEnabled) {
        for (const a of nodes) for (const b of nodes) if (a !== b && !a.clusterId && !b.clusterId) add({ node: a.name, peerIP: b.ip, type: "NodeMesh", peerNode: b.name });
    }
    for (const p of peers) {
        const spec = p.spec ?? {};
        const local = nodes.filter((n) => (spec.node ? n.name === spec.node : spec.nodeSelector ? matches(spec.nodeSelector, n) : true));
        const type = spec.node || spec.nodeSelector ? "NodePeer" : "GlobalPeer";
        if (spec.peerSelector) {
            const remote = nodes.filter((n) => matches(spec.peerSelector, n));
            for (const a of local) for (const b of remote) if (a !== b) {
                add({ node: a.name, peerIP: b.ip, type, peerNode: b.name });
                add({ node: b.name, peerIP: a.ip, type, peerNode: a.name });
            }
        } else if (spec.peerIP) {
            const ip = peerAddress(String(spec.peerIP));
            for (const a of local) if (a.ip !== ip) add({ node: a.name, peerIP: ip, type });
        }
    }
    return [...out.values()].sort((x, y) => (x.node + x.peerIP).localeCompare(y.node + y.peerIP));
}

/** A session as BIRD would report it. */
export interface SessionState extends ConfiguredSession {
    readonly state: "Established" | "Connect";
    readonly since: string;
}

/** Runs the simulation against the API server. */
export class BgpSimulator {
    /** When each pair was first configured without a break (ms). */
    private readonly configuredSince = new Map<string, number>();
    private readonly lastReported = new Map<string, string>();
    private nodeByName = new Map<string, SimNode>();

    constructor(
        private readonly kube: Kube,
        private readonly historyFile: string,
        private scenario: SessionScenario,
        private readonly delayMs: number,
        private readonly log: (m: string) => void,
    ) {}

    private established(s: ConfiguredSession, now: number, since: number): boolean {
        if (now - since < this.delayMs) return false;
        if (s.type === "NodeMesh") return true;
        switch (this.scenario) {
            case "never":
                return false;
            case "flap":
                return Math.floor(now / 3000) % 2 === 0;
            case "rr-only":
                return !!this.nodeByName.get(s.node)?.clusterId && !!(s.peerNode && this.nodeByName.get(s.peerNode)?.clusterId);
            default:
                return true;
        }
    }

    /** One pass: read the objects, derive sessions, record history, write CalicoNodeStatus. */
    async tick(): Promise<void> {
        const override = join(dirname(this.historyFile), "bgp-scenario");
        if (existsSync(override)) {
            const next = readFileSync(override, "utf8").trim() as SessionScenario;
            if (next !== this.scenario) this.log(`sessions scenario: ${this.scenario} -> ${next}`);
            this.scenario = next;
        }
        const crds = await this.kube.get(`${PATHS.crds}/bgppeers.crd.projectcalico.org`);
        if (!crds) return;
        const now = Date.now();
        const k8sNodes = await this.kube.list(PATHS.nodes);
        const nodes: SimNode[] = k8sNodes.map((n) => ({
            name: n.metadata.name,
            ip: (n.status?.addresses ?? []).find((a: any) => a.type === "InternalIP")?.address ?? "",
            labels: n.metadata.labels ?? {},
            clusterId: n.metadata.annotations?.[CLUSTER_ID] || undefined,
        }));
        this.nodeByName = new Map(nodes.map((n) => [n.name, n]));
        const config = await this.kube.get(`${PATHS.calico("bgpconfigurations")}/default`);
        const meshEnabled = config?.spec?.nodeToNodeMeshEnabled !== false;
        const peers = await this.kube.list(PATHS.calico("bgppeers"));
        const sessions = configuredSessions(nodes, meshEnabled, peers);
        const live = new Set<string>();
        const states: SessionState[] = [];
        for (const s of sessions) {
            const key = s.peerNode ? [s.node, s.peerNode].sort().join("|") : `${s.node}|${s.peerIP}`;
            live.add(key);
            if (!this.configuredSince.has(key)) this.configuredSince.set(key, now);
            const since = this.configuredSince.get(key)!;
            states.push({ ...s, state: this.established(s, now, since) ? "Established" : "Connect", since: new Date(since).toISOString() });
        }
        for (const key of [...this.configuredSince.keys()]) if (!live.has(key)) this.configuredSince.delete(key);
        for (const n of nodes) {
            const mine = states.filter((s) => s.node === n.name);
            const summary = JSON.stringify(mine.map((s) => [s.peerIP, s.type, s.state]));
            if (this.lastReported.get(n.name) !== summary) {
                this.lastReported.set(n.name, summary);
                appendFileSync(this.historyFile, JSON.stringify({ t: now, node: n.name, established: mine.filter((s) => s.state === "Established").length, meshEnabled, sessions: mine.map((s) => ({ peerIP: s.peerIP, type: s.type, state: s.state })) }) + "\n");
            }
        }
        for (const st of await this.kube.list(PATHS.calico("caliconodestatuses"))) {
            const node = st.spec?.node;
            const mine = states.filter((s) => s.node === node);
            const peersV4 = mine.map((s) => ({ peerIP: s.peerIP, type: s.type, state: s.state, since: s.since }));
            const bgp = { numberEstablishedV4: peersV4.filter((p) => p.state === "Established").length, numberNotEstablishedV4: peersV4.filter((p) => p.state !== "Established").length, numberEstablishedV6: 0, numberNotEstablishedV6: 0, peersV4 };
            if (JSON.stringify(st.status?.bgp) === JSON.stringify(bgp)) continue;
            try {
                await this.kube.mergePatch(`${PATHS.calico("caliconodestatuses")}/${st.metadata.name}`, { status: { bgp, lastUpdated: new Date(now).toISOString(), agent: { birdV4: { state: "Ready", version: "v0.3.3+birdv1.6.8" } } } });
            } catch (e) {
                this.log(`CalicoNodeStatus ${st.metadata.name}: ${(e as Error).message}`);
            }
        }
    }
}
