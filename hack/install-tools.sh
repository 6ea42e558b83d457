#!/usr/bin/env bash
# Installs the tools the offline features need (ytt, kapp, vendir, promtool)
# and the upstream CRDs, built from pinned Go modules into the cache.
# Idempotent: a warm re-run only re-links cached files.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_go

build_module ytt "$YTT_VERSION" carvel.dev/ytt carvel.dev/ytt/cmd/ytt "" "-X carvel.dev/ytt/pkg/version.Version=${YTT_VERSION#v}"
build_module kapp "$KAPP_VERSION" carvel.dev/kapp carvel.dev/kapp/cmd/kapp "" "-X carvel.dev/kapp/pkg/kapp/version.Version=${KAPP_VERSION#v}"
build_module vendir "$VENDIR_VERSION" carvel.dev/vendir carvel.dev/vendir/cmd/vendir "" "-X carvel.dev/vendir/pkg/vendir/version.Version=${VENDIR_VERSION#v}"

# CRDs come from the same pinned modules' sources.
copy_crds() { # NAME VERSION MODULE FILE...
  local name="$1" version="$2" module="$3"; shift 3
  local dest="$CRDS_DIR/$name-$version"
  [ -f "$dest/.complete" ] && return 0
  step "extracting $name $version CRDs"
  local src; src="$(go_download "$module@$version")"
  rm -rf "$dest" && mkdir -p "$dest"
  local f; for f in "$@"; do cp "$src/$f" "$dest/"; done
  chmod -R u+w "$dest" && touch "$dest/.complete"
}
copy_crds flagger "$FLAGGER_VERSION" github.com/fluxcd/flagger artifacts/flagger/crd.yaml
carto_src_files=()
for f in clusterconfigtemplates clusterdeliveries clusterdeploymenttemplates clusterimagetemplates \
         clusterruntemplates clustersourcetemplates clustersupplychains clustertemplates deliverables \
         runnables workloads; do carto_src_files+=("config/crd/bases/carto.run_$f.yaml"); done
copy_crds cartographer "$CARTOGRAPHER_VERSION" github.com/vmware-tanzu/cartographer "${carto_src_files[@]}"
copy_crds kapp-controller "$KAPP_CONTROLLER_VERSION" carvel.dev/kapp-controller config/config/crds.yml
# Core kinds (ConfigMap, Service, Deployment, RBAC, ...) are checked against the pinned Kubernetes OpenAPI v3 documents.
copy_crds kubernetes "$KUBERNETES_VERSION" k8s.io/kubernetes api/openapi-spec/v3/api__v1_openapi.json \
  api/openapi-spec/v3/apis__apps__v1_openapi.json api/openapi-spec/v3/apis__rbac.authorization.k8s.io__v1_openapi.json

# promtool ships in Debian's prometheus package (also the integration environment's Prometheus).
if ! command -v promtool >/dev/null 2>&1; then
  step "installing Debian's prometheus package (promtool)"
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -q prometheus >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q prometheus >/dev/null; }) \
      || die "could not install Debian's prometheus package; install it (it provides promtool) and re-run"
    systemctl disable --now prometheus >/dev/null 2>&1 || true
    pkill -x prometheus >/dev/null 2>&1 || true
  else
    die "promtool not found: install Prometheus (Debian package 'prometheus') and re-run"
  fi
fi
step "tools ready in $BIN_DIR"
