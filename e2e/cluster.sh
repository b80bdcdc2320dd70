#!/usr/bin/env bash
# A local Kubernetes control plane for the e2e tier, on 127.0.0.1 only.
#
#   e2e/cluster.sh up DIR [STACK_FILE]   start etcd, kube-apiserver, kube-controller-manager,
#                                        kube-scheduler, kwok (the fake nodes' kubelets) and the
#                                        simulator (e2e/simulator: it runs the real tigera-operator
#                                        and calico-apiserver for the pods the cluster asks for, and
#                                        stands in for calico-node's start-up and BGP status); write
#                                        DIR/kubeconfig; wait until the cluster is ready. Fake nodes
#                                        come from STACK_FILE.
#   e2e/cluster.sh down DIR              stop everything `up` started, by pid, newest first.
#
# Every wait is bounded. Logs go to DIR/*.log. The toolchain comes from e2e/toolchain/build.sh
# (E2E_BIN overrides where its binaries are). Scenario switches are environment variables, read by
# the simulator when it starts (README, "End-to-end tests against a local control plane"):
#   E2E_NODES             fake nodes in all (declared, reflector and rack nodes first); default 6
#   E2E_BGP_SESSIONS      up | never | flap | rr-only   how simulated BGP sessions behave (up)
#   E2E_BGP_DELAY_SECONDS seconds before a new session is Established (2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 up DIR [STACK_FILE] | down DIR" >&2; exit 2; }
mkdir -p "$dir"; dir="$(cd "$dir" && pwd)"
bin="${E2E_BIN:-${CALICO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/calico-pulumi-e2e}/bin}"

# wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND every 0.5 s, fail after SECONDS.
wait_for() {
    local limit="$1" what="$2"; shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then echo "cluster: $what not ready after ${limit}s (logs in $dir)" >&2; return 1; fi
        sleep 0.5
    done
}

# start NAME COMMAND...: run in the background with its own log and pid file.
start() {
    local name="$1"; shift
    "$@" >"$dir/$name.log" 2>&1 &
    echo $! > "$dir/$name.pid"
    echo "$name" >> "$dir/started"
}

stop_all() {
    [ -f "$dir/started" ] || return 0
    local name pid
    for name in $(tac "$dir/started"); do
        pid="$(cat "$dir/$name.pid" 2>/dev/null || true)"
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/$name.pid"
    done
    # The real tigera-operator and calico-apiserver run as the simulator's children
    # (e2e/simulator/pod-process.ts); the simulator stops them on SIGTERM, and this stops them (and
    # removes the network namespace apiserver-pod.ts made) if the simulator had to be killed.
    local f
    for f in "$dir"/*.child.pid; do
        [ -f "$f" ] || continue
        pid="$(cat "$f")"
        kill "$pid" 2>/dev/null || true; sleep 1; kill -9 "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    if [ -f "$dir/netns" ]; then ip netns del "$(cat "$dir/netns")" 2>/dev/null || true; rm -f "$dir/netns"; fi
    rm -f "$dir/started"
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

certs() {
    local pki="$dir/pki"; mkdir -p "$pki"; cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=e2e-ca" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=e2e-admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 2 -extfile client.ext 2>/dev/null
    # The front proxy: kube-apiserver's client identity towards aggregated API servers (calico-apiserver),
    # with its own CA, as kubeadm sets it up.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout front-proxy-ca.key -out front-proxy-ca.crt -days 2 -subj "/CN=e2e-front-proxy-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout front-proxy-client.key -out front-proxy-client.csr -subj "/CN=front-proxy-client" 2>/dev/null
    openssl x509 -req -in front-proxy-client.csr -CA front-proxy-ca.crt -CAkey front-proxy-ca.key -CAcreateserial -out front-proxy-client.crt -days 2 -extfile client.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    cd - >/dev/null
}

kubeconfig() {
    local port="$1" pki="$dir/pki"
    cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $pki/ca.crt
users:
- name: e2e-admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: e2e
  context: {cluster: e2e, user: e2e-admin}
current-context: e2e
EOF
}

up() {
    local stack_file="${1:-}"
    stop_all
    for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
        [ -x "$bin/$b" ] || { echo "cluster: $bin/$b is missing: run e2e/toolchain/build.sh" >&2; exit 1; }
    done
    rm -rf "$dir/etcd-data" "$dir/pki"; : > "$dir/started"
    certs
    local etcd_port peer_port api_port pki="$dir/pki"
    etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"
    start etcd "$bin/etcd" --data-dir "$dir/etcd-data" --unsafe-no-fsync \
        --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "default=http://127.0.0.1:$peer_port" --listen-metrics-urls ""
    wait_for 30 etcd curl -fsS "http://127.0.0.1:$etcd_port/health"

    # Aggregated APIs (calico-apiserver's projectcalico.org/v3): the front-proxy client certificate
    # identifies kube-apiserver to them, and aggregator routing dials the Service's endpoint (a pod
    # IP, which e2e/simulator/apiserver-pod.ts serves from a network namespace) since no kube-proxy
    # runs here to make the Service IP work.
    start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
        --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" --client-ca-file "$pki/ca.crt" \
        --authorization-mode Node,RBAC --allow-privileged=true \
        --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub" \
        --service-account-signing-key-file "$pki/sa.key" --service-cluster-ip-range 10.96.0.0/12 \
        --enable-priority-and-fairness=false --profiling=false \
        --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalDNS \
        --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
        --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
        --requestheader-extra-headers-prefix X-Remote-Extra- \
        --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
        --enable-aggregator-routing=true
    kubeconfig "$api_port"
    wait_for 90 kube-apiserver curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$api_port/readyz"

    # The node lifecycle controller runs, as in a real cluster: it lifts the not-ready taint the API
    # server puts on a new Node (so Deployments that tolerate no taint can schedule) and marks pods
    # NotReady when a node stops renewing its Lease (kwok renews them: --node-lease-duration-seconds).
    start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$dir/kubeconfig" \
        --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
        --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
        --controllers '*,-nodeipam,-cloud-node-lifecycle,-route,-service' --use-service-account-credentials=false
    start kube-scheduler "$bin/kube-scheduler" --kubeconfig "$dir/kubeconfig" \
        --authentication-kubeconfig "$dir/kubeconfig" --authorization-kubeconfig "$dir/kubeconfig" \
        --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false
    export KUBECONFIG="$dir/kubeconfig"
    # kwok serves every fake node's kubelet API (container logs) on one port; the nodes name it in
    # status.daemonEndpoints (--node-port) and reach it as InternalDNS 127.0.0.1 (e2e/simulator/nodes.ts),
    # and it presents the API server's certificate, so the API server verifies it like a kubelet's.
    # Logs objects (kwok's CRD) say which file holds a fake container's output.
    local kwok_port; kwok_port="$(free_port)"
    "$bin/kubectl" apply -f "$bin/kwok-crds/logs.yaml" >/dev/null
    wait_for 30 "kwok Logs CRD" "$bin/kubectl" wait --for condition=established --timeout 5s crd/logs.kwok.x-k8s.io
    start kwok "$bin/kwok" --kubeconfig "$dir/kubeconfig" --manage-all-nodes=false \
        --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
        --cidr 10.250.0.0/16 --node-ip 10.249.0.1 \
        --node-port "$kwok_port" --server-address "127.0.0.1:$kwok_port" \
        --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" --enable-crds Logs \
        --node-lease-duration-seconds 40
    wait_for 60 "default ServiceAccount (kube-controller-manager)" "$bin/kubectl" get serviceaccount default -n default

    local sim=(node -r ts-node/register/transpile-only "$here/simulator/main.ts")
    (cd "$root" && "${sim[@]}" nodes "$dir/kubeconfig" "${stack_file:-}") > "$dir/nodes.log" 2>&1 || { cat "$dir/nodes.log" >&2; exit 1; }
    wait_for 60 "fake nodes Ready (kwok)" "${sim[@]}" ready "$dir/kubeconfig"
    export E2E_BIN="$bin"
    start simulator bash -c "cd '$root' && exec node -r ts-node/register/transpile-only '$here/simulator/main.ts' run '$dir/kubeconfig' '$dir'"
    wait_for 30 simulator test -f "$dir/simulator.ready"
    echo "cluster up: $("$bin/kubectl" get nodes --no-headers | wc -l) fake nodes; KUBECONFIG=$dir/kubeconfig" >&2
}

case "$cmd" in
    up) shift 2; up "$@" ;;
    down) stop_all ;;
    *) echo "usage: $0 up DIR [STACK_FILE] | down DIR" >&2; exit 2 ;;
esac
