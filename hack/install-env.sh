#!/usr/bin/env bash
# Builds the integration environment's binaries from pinned Go modules into the
# cache (outside the repo): the Kubernetes control plane, etcd, kwok/kwokctl,
# Flagger, Cartographer and kapp-controller. ytt, kapp, vendir, the CRDs and
# Prometheus come from hack/install-tools.sh.
#
# usage: hack/install-env.sh [COMPONENT...]   (default: all)
# Components: kubernetes etcd kwok flagger cartographer kapp-controller
# A warm re-run only checks the cache and re-links binaries.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_COMPONENTS=(kubernetes etcd kwok flagger cartographer kapp-controller)

build_kubernetes() {
  local v="$KUBERNETES_VERSION" dir; dir="$(tool_dir kubernetes "$v")"
  if ! cached kubernetes "$v"; then
    proxy_check "k8s.io/kubernetes@$v"
    local gomod; gomod="$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
    local work; work="$(new_wrapper kubernetes)"
    python3 "$HACK_DIR/k8s-gomod.py" "$gomod" "$v" > "$work/go.mod" || die "cannot generate the Kubernetes wrapper go.mod"
    cp "$HACK_DIR/build/kube/main.go" "$work/main.go"
    local minor="${v#v1.}"; minor="${minor%%.*}"
    local ld="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
      ld+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    build_dir kubernetes "$v" "$work" . "$ld"
  fi
  local name
  for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    ln -sfn kubernetes "$dir/$name"
    link_bin "$name" "$dir/$name"
  done
}

build_etcd() {
  local v="$ETCD_VERSION"
  if ! cached etcd "$v"; then
    proxy_check "go.etcd.io/etcd/server/v3@$v"
    local work; work="$(new_wrapper etcd)"
    # server/v3 replaces its sibling modules with relative paths, so it is
    # built from a wrapper whose main calls etcdmain.Main.
    printf 'module supplychain.local/build/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$v" > "$work/go.mod"
    cp "$HACK_DIR/build/etcd/main.go" "$work/main.go"
    build_dir etcd "$v" "$work" . "-X go.etcd.io/etcd/api/v3/version.GitSHA=$v"
  fi
  link_bin etcd "$(tool_dir etcd "$ETCD_VERSION")/etcd"
}

build_kwok() {
  local ld="-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_VERSION"
  build_module kwok "$KWOK_VERSION" sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok "" "$ld"
  build_module kwokctl "$KWOK_VERSION" sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwokctl "" "$ld"
}

build_flagger() {
  build_module flagger "$FLAGGER_VERSION" github.com/fluxcd/flagger github.com/fluxcd/flagger/cmd/flagger "" \
    "-X github.com/fluxcd/flagger/pkg/version.VERSION=${FLAGGER_VERSION#v}"
  # The replay's reference test builds Flagger's own scheduler tests offline: fetch the whole
  # module graph (test dependencies included) into the module cache now.
  local marker; marker="$(tool_dir flagger "$FLAGGER_VERSION")/.test-deps"
  if [ ! -f "$marker" ]; then
    step "downloading Flagger $FLAGGER_VERSION's test dependencies into the Go module cache"
    (cd "$(go_download "github.com/fluxcd/flagger@$FLAGGER_VERSION")" && go mod download) \
      || die "cannot download Flagger's module graph from the Go module proxy ($(go env GOPROXY))"
    touch "$marker"
  fi
}

build_cartographer() {
  build_module cartographer "$CARTOGRAPHER_VERSION" github.com/vmware-tanzu/cartographer \
    github.com/vmware-tanzu/cartographer/cmd/cartographer
}

build_kapp_controller() {
  # kapp-controller's own go.mod pins cloud.google.com/go with a replace directive,
  # which `go install` refuses; the wrapper repeats it.
  build_module kapp-controller "$KAPP_CONTROLLER_VERSION" carvel.dev/kapp-controller carvel.dev/kapp-controller/cmd/controller \
    "replace cloud.google.com/go => cloud.google.com/go v0.60.0" "-X main.Version=${KAPP_CONTROLLER_VERSION#v}"
}

main() {
  require_go
  local components=("$@") c
  [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
  local start=$SECONDS
  for c in "${components[@]}"; do
    case "$c" in
      kubernetes|etcd|kwok|flagger|cartographer|kapp-controller) "build_${c//-/_}" ;;
      *) die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
  step "environment binaries ready in $BIN_DIR ($((SECONDS - start))s)"
}

main "$@"
