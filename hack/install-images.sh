#!/usr/bin/env bash
# Builds the component images of the kind provider from local files only, cached by
# their inputs: flagger, flagger-loadtester, prometheus, cartographer, kapp-controller
# and hello-app, all named supplychain.local/<name>:<tag> (see hack/images/README.md).
# Binaries come from the Go-module builds of hack/install-env.sh and install-tools.sh
# (built first when missing), hey and the loadtester from their pinned modules,
# hello-app from examples/hello-app/app, Prometheus from Debian's package.
#
# usage: hack/install-images.sh [--print | --smoke] [IMAGE...]   (default: all)
#   --print  print the image references, one per line, and exit
#   --smoke  run each image's smoke test (also run after every build)
# A warm re-run only hashes the inputs and compares the images' labels.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HACK_DIR/lib-images.sh"

ALL_IMAGES=(flagger flagger-loadtester prometheus cartographer kapp-controller hello-app)
IMAGES_SRC="$HACK_DIR/images"
HELLO_APP_SRC="$REPO_ROOT/examples/hello-app/app"
HELLO_APP_TAG=v1

image_tag() {
  case "$1" in
    flagger) echo "$FLAGGER_VERSION" ;;
    flagger-loadtester) echo "$FLAGGER_LOADTESTER_VERSION" ;;
    prometheus) echo "$PROMETHEUS_VERSION" ;;
    cartographer) echo "$CARTOGRAPHER_VERSION" ;;
    kapp-controller) echo "$KAPP_CONTROLLER_VERSION" ;;
    hello-app) echo "$HELLO_APP_TAG" ;;
    *) usage_error "unknown image '$1' (known: ${ALL_IMAGES[*]})" ;;
  esac
}

usage_error() {
  printf 'error: %s\nusage: hack/install-images.sh [--print | --smoke] [IMAGE...]\n' "$1" >&2
  exit 2
}

image_ref() { printf '%s/%s:%s' "$IMAGE_PREFIX" "$1" "$(image_tag "$1")"; }

# --- binaries -----------------------------------------------------------------------

# env_binary NAME VERSION SCRIPT [COMPONENT]: path of a cached binary, built by SCRIPT when missing.
env_binary() {
  local name="$1" version="$2" script="$3" component=("${@:4}")
  cached "$name" "$version" || bash "$HACK_DIR/$script" "${component[@]}" >&2 || die "cannot build $name $version"
  local bin; bin="$(tool_dir "$name" "$version")/$name"
  [ -x "$bin" ] || die "$bin is missing after hack/$script ${component[*]}"
  printf '%s' "$bin"
}

hey_binary() {
  build_module hey "$HEY_VERSION" github.com/rakyll/hey github.com/rakyll/hey
  printf '%s' "$(tool_dir hey "$HEY_VERSION")/hey"
}

loadtester_binary() {
  build_module flagger-loadtester "$FLAGGER_LOADTESTER_VERSION" github.com/fluxcd/flagger \
    github.com/fluxcd/flagger/cmd/loadtester
  printf '%s' "$(tool_dir flagger-loadtester "$FLAGGER_LOADTESTER_VERSION")/flagger-loadtester"
}

# hello_app_binary: examples/hello-app/app built into the cache, keyed by its sources.
hello_app_binary() {
  local key; key="$(cd "$HELLO_APP_SRC" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  if ! cached hello-app "$key"; then
    local work; work="$(new_wrapper hello-app)"
    (cd "$HELLO_APP_SRC" && cp go.mod go.sum ./*.go "$work/") && rm -f "$work"/*_test.go
    build_dir hello-app "$key" "$work" . "-X main.BuildVersion=$key" >&2
  fi
  printf '%s' "$(tool_dir hello-app "$key")/hello-app"
}

# Prometheus from its Go module, with Kubernetes service discovery as the only discovery plugin
# (Debian's package is built without it). Built without `go mod tidy`, which would fetch the
# modules of every discovery plugin: `go build -mod=mod` records only what the build needs.
PROMETHEUS_TAGS=remove_all_sd,enable_kubernetes_sd
prometheus_binary() {
  local v="$PROMETHEUS_VERSION" module=github.com/prometheus/prometheus
  local dir; dir="$(tool_dir prometheus "$v")"
  if ! cached prometheus "$v"; then
    proxy_check "$module@$v"
    local gover work log="$LOG_DIR/build-prometheus-$v.log" start=$SECONDS release
    gover="$(cd "$(mktemp -d)" && go mod download -json "$module@$v" \
      | python3 -c 'import json,sys,re; t=open(json.load(sys.stdin)["GoMod"]).read(); print(re.search(r"^go (\S+)", t, re.M).group(1))')" \
      || die "cannot read the go directive of $module@$v"
    release="$(cat "$(go_download "$module@$v")/VERSION")"
    work="$(new_wrapper prometheus)"
    printf 'module supplychain.local/build/prometheus\n\ngo %s\n\nrequire %s %s\n' "$gover" "$module" "$v" > "$work/go.mod"
    local ld="-s -w" p=github.com/prometheus/common/version
    ld+=" -X $p.Version=$release -X $p.Revision=$v -X $p.Branch=module -X $p.BuildUser=supplychain -X $p.BuildDate=19700101-00:00:00"
    step "building prometheus $release ($module $v, tags $PROMETHEUS_TAGS) (log: $log)"
    : > "$log"
    # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
    with_progress "prometheus" "$log" bash -c 'cd "$1" && nice -n 10 go build -v -trimpath -tags "$2" -ldflags "$3" -o prometheus "$4"' \
      _ "$work" "$PROMETHEUS_TAGS" "$ld" "$module/cmd/prometheus"
    rm -rf "$dir" && mkdir -p "$dir"
    mv "$work/prometheus" "$dir/prometheus"
    rm -rf "$work"
    echo "$((SECONDS - start))" > "$dir/.build-seconds"
    touch "$dir/.complete"
    step "built prometheus $release in $((SECONDS - start))s"
  fi
  printf '%s' "$dir/prometheus"
}

# --- image builds ---------------------------------------------------------------------

# _context DIR FILE...: lay out a build context; each FILE is DEST=SRC (SRC empty: an empty dir).
_context() {
  local ctx="$1" spec dest src; shift
  cp -a "$IMAGES_SRC/scratch" "$ctx/scratch"
  mkdir "$ctx/scratch/tmp" && chmod 1777 "$ctx/scratch/tmp"
  for spec in "$@"; do
    dest="${spec%%=*}" src="${spec#*=}"
    if [ -z "$src" ]; then mkdir -p "$ctx/$dest"; continue; fi
    mkdir -p "$(dirname "$ctx/$dest")"
    ln -f "$src" "$ctx/$dest" 2>/dev/null || cp "$src" "$ctx/$dest"
  done
}

# build_image NAME FILE...: build supplychain.local/NAME:<tag> from hack/images/NAME.Dockerfile and
# FILEs (DEST=SRC), unless an image with the same inputs hash exists; then smoke-test it.
build_image() {
  local name="$1"; shift
  local image tag dockerfile="$IMAGES_SRC/$name.Dockerfile" base_args=() base_id="" spec src sums=""
  tag="$(image_tag "$name")" image="$(image_ref "$name")"
  if grep -q '^ARG BASE' "$dockerfile"; then
    build_debian_base
    base_id="$(docker image inspect -f '{{.Id}}' "$DEBIAN_BASE_IMAGE")" || die "no $DEBIAN_BASE_IMAGE"
    base_args=(--build-arg "BASE=$DEBIAN_BASE_IMAGE")
  fi
  for spec in "$@"; do
    src="${spec#*=}"
    sums+="${spec%%=*} $([ -z "$src" ] || sha256sum "$src" | cut -c1-64)"$'\n'
  done
  local hash; hash="$(hash_inputs "$(cat "$dockerfile")" "$(hash_files "$IMAGES_SRC/scratch")" "$base_id" "$sums" \
    "$(hash_functions build_image _context)")"
  if image_current "$image" "$hash"; then
    return 0
  fi
  local log="$LOG_DIR/image-$name-$tag.log" start=$SECONDS ctx old_id
  old_id="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  step "building image $image (log: $log)"
  : > "$log"
  ctx="$(mktemp -d "$IMAGES_DIR/context-$name.XXXXXX")"
  _context "$ctx" "$@"
  with_progress "docker build $name" "$log" docker build --network none --label "$INPUTS_LABEL=$hash" \
    "${base_args[@]}" -t "$image" -f "$dockerfile" "$ctx"
  rm -rf "$ctx"
  if ! smoke "$name" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    docker image rm "$image" >/dev/null 2>&1 || true
    die "the smoke test of $image failed; full log: $log"
  fi
  # The image this build replaced, now untagged (kept while a container still uses it).
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  image_built "$name" "$tag" "$((SECONDS - start))" "$hash"
  tail -n 1 "$log" > "$(image_dir "$name" "$tag")/smoke"
  step "built $image in $((SECONDS - start))s: $(cat "$(image_dir "$name" "$tag")/smoke")"
}

# --- smoke tests: each image's own binaries, run with no network ----------------------

# run_in IMAGE [docker run options and args...]
run_in() { docker run --rm --network none "$@"; }

# expect TEXT CMD...: run CMD; fail unless its output contains TEXT; print its first line.
expect() {
  local want="$1" out; shift
  out="$("$@" 2>&1)" || { printf '%s\n' "$out" >&2; return 1; }
  grep -qF -- "$want" <<<"$out" || { printf 'expected %s in:\n%s\n' "$want" "$out" >&2; return 1; }
  head -n 1 <<<"$out"
}

smoke() {
  local name="$1" image; image="$(image_ref "$1")"
  case "$name" in
    flagger)
      printf 'flagger -version: %s\n' "$(expect "${FLAGGER_VERSION#v}" run_in "$image" -version)" ;;
    flagger-loadtester)
      run_in -i --entrypoint bash "$image" -s < "$IMAGES_SRC/loadtester-smoke.sh" ;;
    prometheus)
      local v; v="$(expect "prometheus, version" run_in "$image" --version)"
      printf '%s; %s\n' "$v" "$(run_in -i --entrypoint bash "$image" -s < "$IMAGES_SRC/prometheus-smoke.sh")" ;;
    cartographer)
      expect "-cert-dir" run_in "$image" -h >/dev/null
      printf 'cartographer -h OK; %s\n' "$(expect "ytt version" run_in --entrypoint ytt "$image" --version)" ;;
    kapp-controller)
      expect "-sidecarexec" run_in "$image" -h >/dev/null
      # The sidecar mode starts as user 1000 and listens on its socket; home and CA bundle are its own.
      local cid; cid="$(docker run -d --network none -e KAPPCTRL_SIDECAREXEC_SOCK=/tmp/sidecarexec.sock "$image" --sidecarexec)"
      sleep 2
      expect "start sidecarexec" docker logs "$cid" >/dev/null || { docker rm -f "$cid" >/dev/null; return 1; }
      [ "$(docker inspect -f '{{.State.Running}}' "$cid")" = true ] || { docker logs "$cid" >&2; docker rm -f "$cid" >/dev/null; return 1; }
      docker rm -f "$cid" >/dev/null
      local owners; owners="$(docker create "$image" | { read -r c; docker export "$c" | tar -tvf - --numeric-owner; docker rm "$c" >/dev/null; })"
      grep -qE '^d.* 1000/0 .* home/kapp-controller/?$' <<<"$owners" || { echo "/home/kapp-controller is not owned by 1000:0" >&2; return 1; }
      grep -qE '^d.* 1000/0 .* etc/pki/tls/certs/?$' <<<"$owners" || { echo "/etc/pki/tls/certs is not owned by 1000:0" >&2; return 1; }
      local tool out=()
      for tool in ytt kapp vendir; do out+=("$(expect "$tool version" run_in --entrypoint "$tool" "$image" --version)"); done
      printf 'kapp-controller -h OK, --sidecarexec serves as uid 1000, home and CA dir owned by 1000:0; %s\n' "$(IFS=';'; echo "${out[*]}")" ;;
    hello-app)
      printf '%s\n' "$(expect "hello-app" run_in "$image" --version)" ;;
  esac
}

# --- per image ---------------------------------------------------------------------------

image_flagger() {
  build_image flagger "flagger=$(env_binary flagger "$FLAGGER_VERSION" install-env.sh flagger)"
}

image_flagger_loadtester() {
  local hey loadtester
  hey="$(hey_binary)" loadtester="$(loadtester_binary)"
  build_image flagger-loadtester "hey=$hey" "loadtester=$loadtester"
}

image_prometheus() {
  build_image prometheus "prometheus=$(prometheus_binary)" "prometheus.yml=$IMAGES_SRC/prometheus.yml"
}

image_cartographer() {
  local carto ytt
  carto="$(env_binary cartographer "$CARTOGRAPHER_VERSION" install-env.sh cartographer)"
  ytt="$(env_binary ytt "$YTT_VERSION" install-tools.sh)"
  build_image cartographer "cartographer=$carto" "ytt=$ytt"
}

image_kapp_controller() {
  local kc ytt kapp vendir bundle=/etc/ssl/certs/ca-certificates.crt
  kc="$(env_binary kapp-controller "$KAPP_CONTROLLER_VERSION" install-env.sh kapp-controller)"
  ytt="$(env_binary ytt "$YTT_VERSION" install-tools.sh)"
  kapp="$(env_binary kapp "$KAPP_VERSION" install-tools.sh)"
  vendir="$(env_binary vendir "$VENDIR_VERSION" install-tools.sh)"
  [ -f "$bundle" ] || die "$bundle is missing: install Debian's ca-certificates package"
  build_image kapp-controller "kapp-controller=$kc" "ytt=$ytt" "kapp=$kapp" "vendir=$vendir" \
    "home/kapp-controller=" "certs/ca-bundle.crt=$bundle" "certs/ca-bundle.crt.orig=$bundle"
}

image_hello_app() {
  build_image hello-app "hello-app=$(hello_app_binary)"
}

main() {
  local mode=build
  case "${1:-}" in
    --print) mode=print; shift ;;
    --smoke) mode=smoke; shift ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage_error "unknown option '$1'" ;;
  esac
  local images=("$@") i
  [ ${#images[@]} -gt 0 ] || images=("${ALL_IMAGES[@]}")
  for i in "${images[@]}"; do image_tag "$i" >/dev/null; done
  if [ "$mode" = print ]; then
    for i in "${images[@]}"; do image_ref "$i"; echo; done
    return 0
  fi
  require_engine
  local start=$SECONDS
  for i in "${images[@]}"; do
    if [ "$mode" = smoke ]; then
      docker image inspect "$(image_ref "$i")" >/dev/null 2>&1 || die "$(image_ref "$i") is not built"
      local out; out="$(smoke "$i")" || die "the smoke test of $(image_ref "$i") failed"
      printf '%s: %s\n' "$(image_ref "$i")" "$(tail -n 1 <<<"$out")"
    else
      "image_${i//-/_}"
    fi
  done
  [ "$mode" = smoke ] || step "images ready ($((SECONDS - start))s): ${images[*]}"
}

main "$@"
