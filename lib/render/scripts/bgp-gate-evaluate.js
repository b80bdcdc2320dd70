// The BGP session gate's evaluator (lib/render/scripts/bgp-gate.sh runs it with node, which is
// present wherever a Pulumi Node.js program runs). Plain CommonJS, so that the gate's command can
// carry it as text (through its environment) and the unit tests can require it.
//
//   node -e "$CALICO_GATE_EVALUATOR" --gate-probes NODES.json PERIOD     print one CalicoNodeStatus probe per node
//   node -e "$CALICO_GATE_EVALUATOR" --gate-evaluate REQ NOT_READY NODES.json PODS.json STATUS.json
//                                                                        print "ok ..." or "missing ..."
//
// Which nodes must pass (README "Safety", the session gate):
// - only nodes that run calico-node (a calico-node pod is bound to them): Windows nodes, virtual
//   kubelets and nodes outside the DaemonSet's selector have no BGP sessions to wait for;
// - a NotReady or cordoned node is named, and required unless calico:bgp.migration.notReadyNodes is
//   "skip" (the default "block" keeps the old topology until the node can prove its new sessions);
// - a CalicoNodeStatus counts only if calico-node's status reporter wrote it after the probe was
//   created (status.lastUpdated not before metadata.creationTimestamp): the gate deletes every old
//   probe before it creates its own, so a reporter that stopped can never pass with an old status.
"use strict";

const fs = require("fs");
const crypto = require("crypto");

const PROBE_LABEL = "calico-pulumi/bgp-probe";

/** A node's BGP address: calico-node's annotation, else the kubelet's InternalIP. */
function addressOf(node) {
    const a = (node.metadata.annotations || {})["projectcalico.org/IPv4Address"];
    if (a) return a.split("/")[0];
    const i = ((node.status || {}).addresses || []).find((x) => x.type === "InternalIP");
    return i ? i.address : "";
}

/** Why a node is not ready to prove sessions, or "" when it is. */
function notReadyReason(node) {
    if ((node.spec || {}).unschedulable) return "cordoned";
    const ready = ((node.status || {}).conditions || []).find((c) => c.type === "Ready");
    return ready && ready.status === "True" ? "" : "NotReady";
}

/** The probe object for a node: named by a hash of the node's name (node names may be 253 characters). */
function probeFor(nodeName, period) {
    const h = crypto.createHash("sha256").update(nodeName).digest("hex").slice(0, 10);
    return { apiVersion: "crd.projectcalico.org/v1", kind: "CalicoNodeStatus", metadata: { name: `calico-pulumi-bgp-${h}`, labels: { [PROBE_LABEL]: "true" } }, spec: { node: nodeName, classes: ["BGP"], updatePeriodSeconds: period } };
}

/** Established peer addresses by node, from statuses written after their probe was created. */
function sessionsByNode(statuses, meshCounts) {
    const fresh = {};
    const stale = new Set();
    for (const s of statuses) {
        const node = s.spec.node;
        const written = Date.parse(((s.status || {}).lastUpdated) || "");
        const created = Date.parse(s.metadata.creationTimestamp || "");
        if (!(written >= created)) {
            if ((s.status || {}).bgp) stale.add(node);
            continue;
        }
        const bgp = (s.status || {}).bgp || {};
        fresh[node] = [...(bgp.peersV4 || []), ...(bgp.peersV6 || [])].filter((p) => p.state === "Established" && (meshCounts || p.type !== "NodeMesh")).map((p) => p.peerIP);
    }
    return { fresh, stale };
}

/**
 * The gate's verdict on one poll.
 * @param {object} req the requirement (lib/render/gate.ts GateRequirement)
 * @param {"block"|"skip"} notReady what a NotReady or cordoned node does
 * @param {object[]} nodes the cluster's Nodes
 * @param {object[]} pods the calico-node pods
 * @param {object[]} statuses the probes (CalicoNodeStatus)
 * @returns {{ ok: boolean, required: string[], skipped: string[], missing: string[] }}
 */
function evaluate(req, notReady, nodes, pods, statuses) {
    const running = new Set(pods.filter((p) => p.spec && p.spec.nodeName && !["Succeeded", "Failed"].includes((p.status || {}).phase)).map((p) => p.spec.nodeName));
    const skipped = [];
    const required = [];
    for (const n of nodes) {
        const name = n.metadata.name;
        const why = notReadyReason(n);
        if (!running.has(name)) skipped.push(`${name} (runs no calico-node)`);
        else if (why && notReady === "skip") skipped.push(`${name} (${why}; calico:bgp.migration.notReadyNodes is skip)`);
        else required.push({ node: n, why });
    }
    const address = {};
    for (const n of nodes) address[n.metadata.name] = addressOf(n);
    const { fresh, stale } = sessionsByNode(statuses, req.mode === "mesh");
    const requiredNames = required.map((r) => r.node.metadata.name);
    const missing = [];
    for (const { node, why } of required) {
        const name = node.metadata.name;
        const up = new Set(fresh[name] || []);
        let peers = [];
        let switches = [];
        if (req.mode === "mesh") peers = requiredNames.filter((x) => x !== name);
        else if (req.mode === "routeReflector") peers = req.reflectors.filter((x) => x !== name);
        else {
            const rack = (node.metadata.labels || {})[req.rackLabel];
            const r = rack === undefined ? undefined : req.racks[rack];
            if (!r) {
                missing.push(`${name} (no rack: label ${req.rackLabel} missing or unknown; required: runs calico-node)`);
                continue;
            }
            if (req.mode === "tor") switches = r.switches;
            else {
                peers = r.reflectors.filter((x) => x !== name);
                switches = r.reflectors.includes(name) && !req.reflectorsOnly ? r.switches : [];
            }
        }
        // A peer node that is not in the cluster has no address, so its session is lacking.
        const wanted = [...peers.map((p) => ({ label: `${p} ${address[p] || "(not in the cluster)"}`, ip: address[p] })), ...switches.map((a) => ({ label: a, ip: a }))];
        const lack = wanted.filter((w) => !w.ip || !up.has(w.ip)).map((w) => w.label);
        if (!lack.length) continue;
        const state = fresh[name] ? "" : stale.has(name) ? "; its CalicoNodeStatus is older than the gate (status reporter stopped?)" : "; no CalicoNodeStatus written since the gate started";
        const reason = `required: runs calico-node${why ? `, ${why} (calico:bgp.migration.notReadyNodes is block)` : ""}`;
        missing.push(`${name} (has ${wanted.length - lack.length}/${wanted.length}; lacks ${lack.join(", ")}${state}; ${reason})`);
    }
    return { ok: missing.length === 0, required: requiredNames, skipped, missing };
}

/** The one line the gate script reads. */
function verdictLine(v) {
    const skipped = v.skipped.length ? `; not required: ${v.skipped.slice(0, 20).join(", ")}${v.skipped.length > 20 ? ", ..." : ""}` : "";
    if (v.ok) return `ok ${v.required.length}${skipped}`;
    return `missing ${v.missing.length} of ${v.required.length}: ${v.missing.slice(0, 20).join(", ")}${v.missing.length > 20 ? ", ..." : ""}${skipped}`;
}

const items = (file) => JSON.parse(fs.readFileSync(file, "utf8")).items;

function main(argv) {
    if (argv[0] === "--gate-probes") {
        for (const n of items(argv[1])) console.log(JSON.stringify(probeFor(n.metadata.name, Number(argv[2]))));
        return;
    }
    if (argv[0] === "--gate-evaluate") {
        const pods = items(argv[4]);
        // No calico-node pod at all would make every node "not required" and pass vacuously.
        if (!pods.length) {
            console.log("missing all: no calico-node pod found (namespace calico-system, label k8s-app=calico-node)");
            return;
        }
        console.log(verdictLine(evaluate(JSON.parse(argv[1]), argv[2], items(argv[3]), pods, items(argv[5]))));
        return;
    }
    console.error(`bgp-gate-evaluate: unknown mode ${argv[0]}`);
    process.exitCode = 2;
}

if (process.argv[1] === "--gate-probes" || process.argv[1] === "--gate-evaluate") main(process.argv.slice(1));

module.exports = { evaluate, verdictLine, probeFor, addressOf, notReadyReason, PROBE_LABEL };
