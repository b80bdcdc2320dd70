#!/usr/bin/env bash
# Builds the e2e toolchain from Go modules (through the Go module proxy only) into a cache outside
# the checkout, keyed by the wrapper modules' contents: a second run rebuilds nothing.
#
#   e2e/toolchain/build.sh            build what is missing, print each binary's build time,
#                                     and print the bin folder on the last line
#
# What is upstream and what is ours is listed in README.md ("End-to-end tests against a local
# control plane"). Go is needed here only; the product itself needs none.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CALICO_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/calico-pulumi-e2e}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/stamps" "$cache/src"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

log() { printf '%s\n' "$*" >&2; }

# key DIR EXTRA...: a hash of the wrapper module (go.mod, go.sum, our .go files) and the build flags.
key() {
    local dir="$1"; shift
    { (cd "$dir" && find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print0 | sort -z | xargs -0 sha256sum)
      printf '%s\n' "$@" "$(go env GOVERSION)"; } | sha256sum | cut -c1-16
}

# build NAME DIR KEY_EXTRA -- GO_BUILD_ARGS...: builds into $bin unless the stamp says it is current.
build() {
    local name="$1" dir="$2" extra="$3"; shift 4
    local k; k="$(key "$dir" "$extra" "$*")"
    if [ -x "$bin/$name" ] && [ "$(cat "$cache/stamps/$name" 2>/dev/null)" = "$k" ]; then
        log "$name: cached"
        return
    fi
    local t0=$SECONDS
    (cd "$dir" && go build -trimpath -o "$bin/$name.new" "$@")
    mv "$bin/$name.new" "$bin/$name"
    echo "$k" > "$cache/stamps/$name"
    log "$name: built in $((SECONDS - t0)) s"
}

# --- Pulumi CLI v3.248.0 (upstream) and our two stand-ins (language host, command provider) ---------
build pulumi "$here/pulumi" v3.248.0 -- -tags osusergo,grpcnotrace \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
build pulumi-language-nodejs "$here/pulumi" standin -- ./cmd/pulumi-language-nodejs
build pulumi-resource-command "$here/pulumi" standin -- ./cmd/pulumi-resource-command

# --- pulumi-resource-kubernetes v4.25.0 (upstream; the only provider/v4 commit the proxy serves) ----
kp_src="$cache/src/kubernetes-provider"
kp_key="$(key "$here/kubernetes-provider" 4.25.0)"
if [ "$(cat "$cache/stamps/kubernetes-provider-src" 2>/dev/null)" != "$kp_key" ]; then
    # A fresh copy of our wrapper, plus the two embedded files generated from the module's sources.
    rm -rf "$kp_src"; cp -R "$here/kubernetes-provider" "$kp_src"
    # `go list -m` prints an empty Dir for a module not yet in the module cache, so download it first.
    (cd "$kp_src" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4)
    mod_dir="$(cd "$kp_src" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
    [ -n "$mod_dir" ] || { echo "build.sh: cannot find the pulumi-kubernetes provider module" >&2; exit 1; }
    (cd "$kp_src" && go run ./cmd/embedgen "$mod_dir/cmd/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes 4.25.0)
    echo "$kp_key" > "$cache/stamps/kubernetes-provider-src"
fi
build pulumi-resource-kubernetes "$kp_src" 4.25.0 -- \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.25.0" \
    ./cmd/pulumi-resource-kubernetes

# --- Kubernetes v1.34.4 control plane, etcd v3.6.5, kwok v0.7.0 (all upstream) --------------------
kv=v1.34.4
kflags="-X k8s.io/component-base/version.gitVersion=$kv -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34"
kflags="$kflags -X k8s.io/client-go/pkg/version.gitVersion=$kv -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=34"
for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    build "$c" "$here/kubernetes" "$kv" -- -ldflags "$kflags" "k8s.io/kubernetes/cmd/$c"
done
build etcd "$here/etcd" v3.6.5 -- ./cmd/etcd
build kwok "$here/kwok" v0.7.0 -- sigs.k8s.io/kwok/cmd/kwok
# kwok's Logs CRD, from the same module: e2e/cluster.sh installs it so that the simulator can tell
# kwok which output a fake container has (`kubectl logs` of the benchmark's Jobs).
kwok_dir="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
mkdir -p "$bin/kwok-crds"
cp "$kwok_dir/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$bin/kwok-crds/logs.yaml"

echo "$bin"
