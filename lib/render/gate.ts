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
 * The script is POSIX sh plus node (always present where a Pulumi TypeScript program runs) to read
 * kubectl's JSON; it is a pure function of the settings, so a second preview shows no change.
 */
import type { ClusterSettings } from "../config/settings";
import { clusterAccessPrelude, KUBECTL_WITH_CONTEXT, shQuote } from "./calicoctl";
import { peerAddress } from "../model/cidr";

import { GATE_STABLE_POLLS } from "../model/topology";
export { GATE_STABLE_POLLS };
/** Label on the probes, so that one delete removes them all. */
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

/**
 * Node program: `node -e EVALUATE REQUIREMENT NODES.json STATUS.json` prints one line,
 * `ok N` or `missing K of N: node (have/need), ...`, and exits 0. Outside a mesh only sessions that
 * are not mesh sessions count. Kept as plain JavaScript text so the command is byte-identical
 * everywhere.
 */
export const EVALUATE_JS = [
    `const fs=require("fs");`,
    `const req=JSON.parse(process.argv[1]);`,
    `const nodes=JSON.parse(fs.readFileSync(process.argv[2],"utf8")).items;`,
    `const st=JSON.parse(fs.readFileSync(process.argv[3],"utf8")).items;`,
    // A node's BGP address: calico-node's annotation, else the kubelet's InternalIP.
    `const ipOf=n=>{const a=(n.metadata.annotations||{})["projectcalico.org/IPv4Address"];if(a)return a.split("/")[0];const i=((n.status||{}).addresses||[]).find(x=>x.type==="InternalIP");return i?i.address:"";};`,
    `const ipByName={};for(const n of nodes)ipByName[n.metadata.name]=ipOf(n);`,
    `const byNode={};for(const s of st){const b=((s.status||{}).bgp)||{};byNode[s.spec.node]=[...(b.peersV4||[]),...(b.peersV6||[])].filter(p=>p.state==="Established"&&(req.mode==="mesh"||p.type!=="NodeMesh")).map(p=>p.peerIP);}`,
    `const missing=[];`,
    `for(const n of nodes){const name=n.metadata.name;const up=new Set(byNode[name]||[]);let peers,addrs=[];`,
    `if(req.mode==="mesh")peers=nodes.map(x=>x.metadata.name).filter(x=>x!==name);`,
    `else if(req.mode==="routeReflector")peers=req.reflectors.filter(x=>x!==name);`,
    `else{const rack=(n.metadata.labels||{})[req.rackLabel];const r=rack===undefined?undefined:req.racks[rack];`,
    `if(!r){missing.push(name+" (no rack: label "+req.rackLabel+" missing or unknown)");continue;}`,
    `if(req.mode==="tor"){peers=[];addrs=r.switches;}else{const rr=r.reflectors.includes(name);peers=r.reflectors.filter(x=>x!==name);addrs=rr&&!req.reflectorsOnly?r.switches:[];}}`,
    // A peer node that is not in the cluster has no address, so it is missing.
    `const need=peers.length+addrs.length;const have=peers.filter(x=>ipByName[x]&&up.has(ipByName[x])).length+addrs.filter(a=>up.has(a)).length;`,
    `if(have<need)missing.push(name+" ("+have+"/"+need+")");}`,
    `console.log(missing.length?"missing "+missing.length+" of "+nodes.length+": "+missing.slice(0,20).join(", ")+(missing.length>20?", ...":""):"ok "+nodes.length);`,
].join("");

/** The gate script (after clusterAccessPrelude). */
export function renderGateScript(s: ClusterSettings, req: GateRequirement): string {
    const m = s.bgp.migration;
    const probe = PROBE_LABEL;
    return [
        `command -v kubectl >/dev/null 2>&1 || { echo "BGP session gate: kubectl is not on PATH; install kubectl (within one minor version of the cluster) where pulumi runs. The node-to-node mesh is left as it is." >&2; exit 1; }`,
        KUBECTL_WITH_CONTEXT,
        `req=${shQuote(JSON.stringify(req))}`,
        `evaluate=${shQuote(EVALUATE_JS)}`,
        `timeout=${m.waitTimeoutSeconds}`,
        `interval=${m.pollIntervalSeconds}`,
        `stable=${GATE_STABLE_POLLS}`,
        `work=$(mktemp -d); trap 'rm -rf "$work"; [ -z "\${kc:-}" ] || rm -f "$kc"' EXIT`,
        `k get nodes -o json > "$work/nodes.json"`,
        // One probe per live node; names are DNS-1123 (node names may be up to 253 characters).
        `node -e 'const n=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).items;` +
            `for(const x of n){const h=require("crypto").createHash("sha256").update(x.metadata.name).digest("hex").slice(0,10);` +
            `console.log(JSON.stringify({apiVersion:"crd.projectcalico.org/v1",kind:"CalicoNodeStatus",metadata:{name:"calico-pulumi-bgp-"+h,labels:{"${probe}":"true"}},spec:{node:x.metadata.name,classes:["BGP"],updatePeriodSeconds:${Math.min(m.pollIntervalSeconds, 10)}}}))}' "$work/nodes.json" > "$work/probes.json"`,
        `k apply -f "$work/probes.json" >/dev/null`,
        `deadline=$(( $(date +%s) + timeout ))`,
        `ok=0`,
        `while :; do`,
        `  k get nodes -o json > "$work/nodes.json"`,
        `  k get caliconodestatuses.crd.projectcalico.org -l ${probe}=true -o json > "$work/status.json"`,
        `  result=$(node -e "$evaluate" "$req" "$work/nodes.json" "$work/status.json")`,
        `  case "$result" in ok*) ok=$((ok + 1)) ;; *) ok=0 ;; esac`,
        `  if [ "$ok" -ge "$stable" ]; then break; fi`,
        `  if [ "$(date +%s)" -ge "$deadline" ]; then`,
        `    echo "BGP session gate: after \${timeout}s, nodes still lack their new BGP sessions (Established on $stable consecutive checks): \${result#missing }. Nothing that would drop their old sessions has run. Check calico-node on those nodes and TCP 179 to their peers (kubectl get caliconodestatuses.crd.projectcalico.org -l ${probe}=true -o yaml), then run pulumi up again; calico:bgp.migration.waitTimeoutSeconds sets the wait." >&2`,
        `    exit 1`,
        `  fi`,
        `  sleep "$interval"`,
        `done`,
        `k delete caliconodestatuses.crd.projectcalico.org -l ${probe}=true --ignore-not-found >/dev/null`,
        `echo "BGP session gate passed: every node (\${result#ok }) has its ${req.mode === "hybrid" && req.reflectorsOnly ? "hybrid reflector" : req.mode} sessions Established"`,
    ].join("\n");
}

/** The whole command: cluster access (the provider's kubeconfig and context), then the gate. */
export function renderGateCommand(s: ClusterSettings, req: GateRequirement): { command: string; script: string } {
    const script = renderGateScript(s, req);
    return { command: `${clusterAccessPrelude()}\n${script}`, script };
}
