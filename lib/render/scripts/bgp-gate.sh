# The BGP session gate (after the cluster-access prelude, which defines `k`: kubectl with the
# provider's kubeconfig and context). It proves that every node that runs calico-node has the
# sessions of the new topology Established, on CALICO_GATE_STABLE consecutive polls, before anything
# that would drop its old sessions runs; it fails, naming each node, after CALICO_GATE_TIMEOUT
# seconds. Which nodes must pass, and when a status counts: lib/render/scripts/bgp-gate-evaluate.js.
#
# Environment (set by lib/render/gate.ts):
#   CALICO_GATE_REQUIREMENT  the sessions each node needs (JSON)
#   CALICO_GATE_EVALUATOR    the evaluator's source (run with node -e)
#   CALICO_GATE_TIMEOUT, CALICO_GATE_INTERVAL, CALICO_GATE_STABLE, CALICO_GATE_PERIOD  seconds and polls
#   CALICO_GATE_NOT_READY    block | skip (calico:bgp.migration.notReadyNodes)
#   CALICO_GATE_WHAT         what passed, for the last line ("routeReflector sessions")
# shellcheck shell=sh
command -v kubectl >/dev/null 2>&1 || { echo "BGP session gate: kubectl is not on PATH; install kubectl (within one minor version of the cluster) where pulumi runs. The node-to-node mesh is left as it is." >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "BGP session gate: node is not on PATH. The node-to-node mesh is left as it is." >&2; exit 1; }
probe=calico-pulumi/bgp-probe
work=$(mktemp -d)
# kc: the kubeconfig file the prelude wrote; this trap replaces the prelude's, so it removes it too.
# shellcheck disable=SC2154
trap 'rm -rf "$work"; [ -z "${kc:-}" ] || rm -f "$kc"' EXIT
evaluate() { node -e "$CALICO_GATE_EVALUATOR" -- "$@"; }

# Probes left by an earlier gate may carry a status that no reporter renews: delete them, so that
# every status the gate reads was written after this gate started.
k delete caliconodestatuses.crd.projectcalico.org -l "$probe=true" --ignore-not-found --wait=true >/dev/null
k get nodes -o json > "$work/nodes.json"
evaluate --gate-probes "$work/nodes.json" "$CALICO_GATE_PERIOD" > "$work/probes.json"
k create -f "$work/probes.json" >/dev/null

deadline=$(( $(date +%s) + CALICO_GATE_TIMEOUT ))
ok=0
while :; do
    k get nodes -o json > "$work/nodes.json"
    k get pods -n calico-system -l k8s-app=calico-node -o json > "$work/pods.json"
    k get caliconodestatuses.crd.projectcalico.org -l "$probe=true" -o json > "$work/status.json"
    result=$(evaluate --gate-evaluate "$CALICO_GATE_REQUIREMENT" "$CALICO_GATE_NOT_READY" "$work/nodes.json" "$work/pods.json" "$work/status.json")
    case "$result" in ok*) ok=$((ok + 1)) ;; *) ok=0 ;; esac
    if [ "$ok" -ge "$CALICO_GATE_STABLE" ]; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "BGP session gate: after ${CALICO_GATE_TIMEOUT}s, nodes still lack their new BGP sessions (Established on $CALICO_GATE_STABLE consecutive checks): ${result#missing }. Nothing that would drop their old sessions has run. Check calico-node on those nodes and TCP 179 to their peers (kubectl get caliconodestatuses.crd.projectcalico.org -l $probe=true -o yaml), then run pulumi up again; calico:bgp.migration.waitTimeoutSeconds sets the wait, and calico:bgp.migration.notReadyNodes whether NotReady nodes must pass." >&2
        exit 1
    fi
    sleep "$CALICO_GATE_INTERVAL"
done
k delete caliconodestatuses.crd.projectcalico.org -l "$probe=true" --ignore-not-found >/dev/null
echo "BGP session gate passed: every node that runs calico-node (${result#ok }) has its $CALICO_GATE_WHAT sessions Established"
