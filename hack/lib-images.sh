#!/usr/bin/env bash
# Shared helpers for building container images from local files only: cached
# Debian root filesystems (debootstrap), rootfs -> Docker image import, and
# "already built from these inputs" checks. Source after hack/lib.sh.
#
# Layout under $CACHE_DIR:
#   rootfs/<suite>-<variant>-<hash>/rootfs.tar   debootstrap result (+ .complete, .build-seconds)
#   images/<name>-<tag>/                         .inputs (hash), .build-seconds, .complete
#   debs/<suite>/                                downloaded .deb files, shared by every rootfs
# Every image carries the label supplychain.local/inputs=<hash of its inputs>; a
# tag whose label matches is not rebuilt.
[ -n "${CACHE_DIR:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOTFS_DIR="$CACHE_DIR/rootfs"
IMAGES_DIR="$CACHE_DIR/images"
DEBS_DIR="$CACHE_DIR/debs"
INPUTS_LABEL=supplychain.local/inputs
IMAGE_PREFIX=supplychain.local
mkdir -p "$ROOTFS_DIR" "$IMAGES_DIR" "$DEBS_DIR"

# hash_inputs STRING... -> sha256 (first 16 hex) of the strings, one per line.
hash_inputs() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# hash_files PATH... -> sha256 (first 16 hex) over the names and contents of
# the files (directories are walked in sorted order).
hash_files() {
  local p
  for p in "$@"; do
    [ -e "$p" ] || die "input $p does not exist"
    find "$p" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sed "s|  $p|  |"
  done | sha256sum | cut -c1-16
}

# hash_functions NAME... -> hash of the bodies of shell functions, so that a
# changed recipe rebuilds while a changed comment does not.
hash_functions() { declare -f "$@" | sha256sum | cut -c1-16; }

# with_progress NAME LOG CMD...: run CMD with output appended to LOG, printing a
# progress line every 30s; on failure show the log's tail and die.
with_progress() {
  local name="$1" log="$2"; shift 2
  local start=$SECONDS
  ("$@") >>"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local waited=0
    while [ $waited -lt 30 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      printf '    ... %s: %ds, %s\n' "$name" "$((SECONDS - start))" "$(tail -n 1 "$log" | cut -c1-100)" >&2
    fi
  done
  if ! wait "$pid"; then
    tail -n 25 "$log" >&2
    die "$name failed; full log: $log"
  fi
}

# require_engine: die with the fix when no Docker engine answers.
require_engine() {
  timeout 20 docker info >/dev/null 2>&1 \
    || die "no container engine answers (\`docker info\` fails): run \`bash hack/install-engine.sh\` (or \`make kind-env\`) first"
}

# image_dir NAME TAG -> the cache directory recording how NAME:TAG was built.
image_dir() { printf '%s/%s-%s' "$IMAGES_DIR" "$1" "$2"; }

# image_current IMAGE HASH: true when IMAGE exists and was built from inputs HASH.
image_current() {
  local got
  got="$(docker image inspect -f "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null)" || return 1
  [ "$got" = "$2" ]
}

# image_built NAME TAG SECONDS HASH: record a finished image build in the cache.
image_built() {
  local dir; dir="$(image_dir "$1" "$2")"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "$3" > "$dir/.build-seconds"
  echo "$4" > "$dir/.inputs"
  touch "$dir/.complete"
}

# apt_install PACKAGE...: install Debian packages this build needs on the machine itself.
apt_install() {
  step "installing Debian's $*"
  command -v apt-get >/dev/null 2>&1 || die "$* missing and no apt-get: install $* and re-run"
  local sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  "${sudo[@]}" apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q "$@" >/dev/null; } \
    || die "cannot install $*; install it and re-run"
}

# --- Debian root filesystems ----------------------------------------------------

# _debootstrap_into DIR SUITE VARIANT PACKAGES(comma list): the recipe of a cached rootfs.
_debootstrap_into() {
  local dir="$1" suite="$2" variant="$3" packages="$4"
  local args=(--variant="$variant" --cache-dir="$DEBS_DIR/$suite" --components=main)
  [ -z "$packages" ] || args+=(--include="$packages")
  mkdir -p "$DEBS_DIR/$suite"
  echo "+ debootstrap ${args[*]} $suite $dir ${DEBIAN_MIRROR:-}"
  # shellcheck disable=SC2086  # an unset mirror lets debootstrap use its default
  debootstrap "${args[@]}" "$suite" "$dir" ${DEBIAN_MIRROR:-}
  # No package caches, lists, logs or host-specific files in an image.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/* \
    "$dir"/tmp/* "$dir"/var/tmp/* "$dir"/debootstrap
  : > "$dir/etc/resolv.conf"
  : > "$dir/etc/hostname"
  rm -f "$dir/etc/machine-id" "$dir/var/lib/dbus/machine-id"
  [ ! -d "$dir/etc/systemd" ] || : > "$dir/etc/machine-id"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$dir/etc/apt/apt.conf.d/90supplychain"
}

# debian_rootfs SUITE VARIANT PACKAGE... -> path of a cached rootfs tarball made by
# debootstrap (VARIANT: minbase, buildd, ...), keyed by suite, variant, the sorted
# package list and the recipe. Built (as root) on first use, with progress and log.
debian_rootfs() {
  local suite="$1" variant="$2"; shift 2
  local packages; packages="$(printf '%s\n' "$@" | LC_ALL=C sort -u | paste -sd, -)"
  local key; key="$(hash_inputs "$suite" "$variant" "$packages" "$(hash_functions _debootstrap_into)")"
  local dir="$ROOTFS_DIR/$suite-$variant-$key" lock=""
  # One debootstrap at a time (they share the .deb cache): concurrent callers wait,
  # then reuse what the other one built.
  [ -f "$dir/.complete" ] || { exec {lock}>"$ROOTFS_DIR/.lock" && flock "$lock"; }
  if [ ! -f "$dir/.complete" ]; then
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    [ "$(id -u)" = 0 ] || die "debootstrap needs root to build the $suite root filesystem"
    local log="$LOG_DIR/rootfs-$suite-$variant-$key.log" start=$SECONDS
    step "debootstrap $suite ($variant, ${packages:-no extra packages}) (log: $log)"
    : > "$log"
    rm -rf "$dir" && mkdir -p "$dir"
    local work; work="$(mktemp -d "$dir/work.XXXXXX")"
    with_progress "debootstrap $suite" "$log" _debootstrap_into "$work/root" "$suite" "$variant" "$packages"
    tar --numeric-owner -C "$work/root" -cf "$dir/rootfs.tar.tmp" . || die "cannot archive the $suite root filesystem"
    mv "$dir/rootfs.tar.tmp" "$dir/rootfs.tar"
    rm -rf "$work"
    echo "$packages" > "$dir/packages"
    echo "$((SECONDS - start))" > "$dir/.build-seconds"
    touch "$dir/.complete"
    step "debootstrap $suite done in $((SECONDS - start))s"
  fi
  # Release the lock: a caller in the same shell may debootstrap another rootfs next.
  [ -z "$lock" ] || exec {lock}>&-
  printf '%s/rootfs.tar' "$dir"
}

# image_id IMAGE -> the id IMAGE now names (empty when absent).
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# drop_replaced OLD_ID: remove an image that a rebuild took the tag from, unless it
# still has a tag, a container or child images (docker refuses then; that is fine).
drop_replaced() {
  [ -n "$1" ] || return 0
  [ "$(docker image inspect -f '{{len .RepoTags}}' "$1" 2>/dev/null)" = 0 ] || return 0
  docker rmi "$1" >/dev/null 2>&1 || true
}

# import_rootfs IMAGE HASH SOURCE [CHANGE...]: import SOURCE (a rootfs tarball, or
# a directory to archive) as IMAGE, labelled with the inputs HASH. Each CHANGE is a
# Dockerfile instruction for `docker import --change` (ENV, CMD, ENTRYPOINT, ...).
import_rootfs() {
  local image="$1" hash="$2" src="$3"; shift 3
  local changes=(--change "LABEL $INPUTS_LABEL=$hash") c
  for c in "$@"; do changes+=(--change "$c"); done
  if [ -d "$src" ]; then
    tar --numeric-owner -C "$src" -c . | docker import "${changes[@]}" - "$image" >/dev/null
  else
    docker import "${changes[@]}" "$src" "$image" >/dev/null
  fi || die "cannot import $src as $image"
}

# unpack_rootfs TARBALL DIR: a fresh copy of a cached rootfs to add files to.
unpack_rootfs() {
  rm -rf "$2" && mkdir -p "$2"
  tar --numeric-owner -C "$2" -xf "$1" || die "cannot unpack $1"
}

# --- The shared Debian base image -------------------------------------------------

DEBIAN_BASE_PACKAGES=(bash ca-certificates curl iptables conntrack)
DEBIAN_BASE_IMAGE="$IMAGE_PREFIX/debian-base:$DEBIAN_SUITE"

# build_debian_base: supplychain.local/debian-base:<suite>, Debian minbase plus
# bash, curl, ca-certificates, iptables and conntrack. Other images build FROM it.
build_debian_base() {
  local rootfs hash start
  require_engine
  rootfs="$(debian_rootfs "$DEBIAN_SUITE" minbase "${DEBIAN_BASE_PACKAGES[@]}")"
  start=$SECONDS
  hash="$(hash_inputs "$rootfs" "$(hash_functions import_rootfs)")"
  if ! image_current "$DEBIAN_BASE_IMAGE" "$hash"; then
    step "importing $DEBIAN_BASE_IMAGE"
    local old; old="$(image_id "$DEBIAN_BASE_IMAGE")"
    import_rootfs "$DEBIAN_BASE_IMAGE" "$hash" "$rootfs" \
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["/bin/bash"]'
    drop_replaced "$old"
    image_built debian-base "$DEBIAN_SUITE" "$(( SECONDS - start + $(cat "$(dirname "$rootfs")/.build-seconds") ))" "$hash"
  fi
}
