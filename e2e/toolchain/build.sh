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
    build_keyed "$name" "$dir" "$(key "$dir" "$extra" "$*")" "$@"
}

# build_keyed NAME DIR KEY GO_BUILD_ARGS...: the build itself, skipped when $bin/NAME has stamp KEY.
build_keyed() {
    local name="$1" dir="$2" k="$3"; shift 3
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

# Upstream source bundles (../shared/upstream/src, README there): the projects whose own modules the
# proxy refuses. Each is unpacked once into the cache, keyed by its sha256; its dependencies come
# from the proxy. Nothing of them is copied into the checkout.
upstream_src="${CALICO_E2E_UPSTREAM_SRC:-$here/../../../shared/upstream/src}"

# unpack BUNDLE: the folder BUNDLE.tar.xz unpacks to (once), printed.
unpack() {
    local tb="$upstream_src/$1.tar.xz" sum dest
    [ -f "$tb" ] || { echo "build.sh: $tb is missing (../shared/upstream/src)" >&2; exit 1; }
    sum="$(sha256sum "$tb" | cut -c1-16)"
    dest="$cache/src/$1-$sum"
    if [ ! -f "$dest/.unpacked" ]; then
        rm -rf "$dest"; mkdir -p "$dest"
        tar -xJf "$tb" -C "$dest" --strip-components=1
        touch "$dest/.unpacked"
    fi
    echo "$dest"
}

# bundle_key BUNDLE EXTRA...: the tarball's hash with the build flags and Go version.
bundle_key() {
    local tb="$upstream_src/$1.tar.xz"; shift
    { sha256sum "$tb" | cut -c1-64; printf '%s\n' "$@" "$(go env GOVERSION)"; } | sha256sum | cut -c1-16
}

# gomod_edit DIR EDIT_ARGS...: `go mod edit` once per unpacked folder (a stamp file records it). The
# builds of edited modules run with -mod=mod, so the go.sum lines the edit needs come from the proxy.
gomod_edit() {
    local dir="$1"; shift
    [ -f "$dir/.gomod-edited" ] && return
    (cd "$dir" && go mod edit "$@")
    touch "$dir/.gomod-edited"
}

# Two groups of builds run side by side: on two cores the parallel cold build is several minutes
# shorter than one queue, since much of each build (linking, single large packages) is serial.
# Each group stops at its first failure; the script fails if either did.
pulumi_tools() {
    # --- Pulumi CLI v3.248.0 (upstream module) --------------------------------------------------------
    build pulumi "$here/pulumi" v3.248.0 -- -tags osusergo,grpcnotrace \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

    # --- pulumi-language-nodejs v3.248.0 (bundle) -----------------------------------------------------
    # Its go.mod points pkg/v3 and sdk/v3 at folders of the pulumi repository that the bundle does not
    # hold: require the released v3.248.0 of both instead (the clipboard replace stays).
    lh="$(unpack pulumi-language-hosts-v3.248.0)"
    pv="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0"
    pulumi_mods=(-dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3
        -require github.com/pulumi/pulumi/pkg/v3@v3.248.0 -require github.com/pulumi/pulumi/sdk/v3@v3.248.0)
    gomod_edit "$lh/sdk/nodejs/cmd/pulumi-language-nodejs" "${pulumi_mods[@]}"
    GOFLAGS=-mod=mod build_keyed pulumi-language-nodejs "$lh/sdk/nodejs/cmd/pulumi-language-nodejs" \
        "$(bundle_key pulumi-language-hosts-v3.248.0 nodejs "$pv")" -ldflags "$pv" .

    # --- pulumi-resource-command v1.2.1 (bundle: local and remote Command) ----------------------------
    pc="$(unpack pulumi-command-v1.2.1)"
    cv="-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v1.2.1"
    build_keyed pulumi-resource-command "$pc/provider" "$(bundle_key pulumi-command-v1.2.1 "$cv")" \
        -ldflags "$cv" ./cmd/pulumi-resource-command

    # --- pulumi-resource-kubernetes v4.32.0 (bundle) --------------------------------------------------
    # 4.32.0 is the newest release whose source is here (the SDK pins 4.34.2). Its go.mod replaces sdk/v4
    # with a folder the bundle lacks (require the release), and pins two versions the proxy refuses:
    # pulumi/pkg/v3 v3.243.0 (v3.245.0 is the nearest served) and a fluxcd/pkg/ssa pseudo-version
    # (v0.72.0). The main package go:embeds what upstream's `go generate` writes from schema.json and
    # terraform-mapping.json, so that generator runs first, as upstream's Makefile runs it.
    kp="$(unpack pulumi-kubernetes-v4.32.0)/provider"
    kv4="-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.32.0"
    gomod_edit "$kp" -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4 \
        -require github.com/pulumi/pulumi-kubernetes/sdk/v4@v4.32.0 \
        -require github.com/pulumi/pulumi/pkg/v3@v3.245.0 -require github.com/fluxcd/pkg/ssa@v0.72.0
    if [ ! -f "$kp/cmd/pulumi-resource-kubernetes/schema-embed.json" ]; then
        (cd "$kp/cmd/pulumi-resource-kubernetes" && VERSION=4.32.0 GOFLAGS=-mod=mod go run generate.go)
    fi
    GOFLAGS=-mod=mod build_keyed pulumi-resource-kubernetes "$kp" \
        "$(bundle_key pulumi-kubernetes-v4.32.0 "$kv4" ssa-v0.72.0 pkg-v3.245.0)" -ldflags "$kv4" ./cmd/pulumi-resource-kubernetes

}

calico_and_kubernetes() {
    # --- calicoctl v3.31.3 and v3.27.3 (bundles), as bin/calicoctl-<version> ---------------------------
    # Only the root module is built (its replaces point inside the bundle). The version is set the way
    # each tag's Makefile sets it, so `calicoctl version` prints the release: v3.31.3's lib.Makefile
    # stamps pkg/buildinfo.Version, v3.27.3's calicoctl/Makefile stamps commands.VERSION (printed) and
    # commands/common.VERSION (the one CheckVersionMismatch compares with the cluster's).
    for cv in v3.31.3 v3.27.3; do
        cs="$(unpack "calico-$cv")"
        if [ "$cv" = v3.27.3 ]; then
            cp=github.com/projectcalico/calico/calicoctl/calicoctl
            vflag="-X $cp/commands.VERSION=$cv -X $cp/commands/common.VERSION=$cv -X main.VERSION=$cv"
        else vflag="-X github.com/projectcalico/calico/pkg/buildinfo.Version=$cv"; fi
        build_keyed "calicoctl-$cv" "$cs" "$(bundle_key "calico-$cv" "$vflag")" -ldflags "$vflag" ./calicoctl/calicoctl
    done

    # --- calico-apiserver v3.31.3 and v3.27.3 (bundles), as bin/calico-apiserver-<version> --------------
    # The aggregated API server behind projectcalico.org/v3, which the real operator deploys and whose
    # pods e2e/simulator/apiserver-pod.ts runs. Versions stamped as each tag's Makefile does.
    for cv in v3.31.3 v3.27.3; do
        cs="$(unpack "calico-$cv")"
        if [ "$cv" = v3.27.3 ]; then vflag="-X github.com/projectcalico/calico/apiserver/cmd/apiserver/server.VERSION=$cv"
        else vflag="-X github.com/projectcalico/calico/pkg/buildinfo.Version=$cv"; fi
        build_keyed "calico-apiserver-$cv" "$cs" "$(bundle_key "calico-$cv" apiserver "$vflag")" -ldflags "$vflag" ./apiserver/cmd/apiserver
    done

    # --- tigera-operator v1.40.3 and v1.32.7 (bundles), as bin/tigera-operator-<version> ---------------
    # Each pins a tigera/api commit the proxy refuses: replace it with that commit's bundle. v1.40.3
    # go:embeds four Istio charts (pkg/render/istio/*.tgz) its Makefile downloads; they are not here,
    # and empty placeholders let it build (only an Istio resource would then fail; no stack makes one).
    # The version is stamped the way each tag's Makefile stamps it (version.VERSION). The main package
    # is ./cmd at v1.40.3 and the module root at v1.32.7.
    for triple in v1.40.3:b8353932c447:./cmd v1.32.7:ca74195900cb:.; do
        ov="${triple%%:*}" rest="${triple#*:}"; api="${rest%%:*}" main="${rest#*:}"
        os="$(unpack "tigera-operator-$ov")"
        ta="$(unpack "tigera-api-$api")"
        gomod_edit "$os" -replace "github.com/tigera/api=$ta"
        if [ -d "$os/pkg/render/istio" ]; then
            for chart in base istiod cni ztunnel; do [ -e "$os/pkg/render/istio/$chart.tgz" ] || : > "$os/pkg/render/istio/$chart.tgz"; done
        fi
        ovflag="-X github.com/tigera/operator/version.VERSION=$ov"
        GOFLAGS=-mod=mod build_keyed "tigera-operator-$ov" "$os" "$(bundle_key "tigera-operator-$ov" "$ovflag" "$(bundle_key "tigera-api-$api")")" \
            -ldflags "$ovflag" "$main"
    done

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

}

( set -e; pulumi_tools ) &
p1=$!
( set -e; calico_and_kubernetes ) &
p2=$!
rc=0
wait "$p1" || rc=1
wait "$p2" || rc=1
[ "$rc" -eq 0 ] || { echo "build.sh: a build failed (see above)" >&2; exit 1; }
echo "$bin"
