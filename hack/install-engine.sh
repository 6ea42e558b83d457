#!/usr/bin/env bash
# Makes sure a Docker engine answers, for the kind provider.
#
# - A working engine (`docker info` succeeds) is left exactly as it is.
# - Otherwise Debian's docker.io is installed if dockerd is missing, and dockerd is
#   started in the background (log: $CACHE_DIR/logs/dockerd.log).
# - A probe then starts a privileged container. Where the machine's capability
#   bounding set lacks CAP_SYS_RESOURCE, runc refuses it ("unable to apply caps");
#   only then is the runc-nosysresource wrapper built, registered as dockerd's
#   default runtime, and dockerd restarted.
# Idempotent: a warm re-run is a couple of `docker` calls.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRAPPER=/usr/local/sbin/runc-nosysresource
DOCKERD_LOG="$LOG_DIR/dockerd.log"
PROBE_IMAGE=supplychain.local/probe:1

engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

install_docker() {
  command -v dockerd >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "no container engine and no apt-get: install Docker and re-run"
  step "installing Debian's docker.io"
  (as_root apt-get install -y -q docker.io >/dev/null 2>&1 || { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q docker.io >/dev/null; }) \
    || die "could not install Debian's docker.io; install Docker and re-run"
}

start_dockerd() {
  step "starting dockerd (log: $DOCKERD_LOG)"
  as_root bash -c "nohup dockerd >>'$DOCKERD_LOG' 2>&1 </dev/null &"
  local i
  for i in $(seq 1 60); do
    engine_answers && return 0
    sleep 1
  done
  tail -n 20 "$DOCKERD_LOG" >&2
  die "dockerd did not answer within 60s; log: $DOCKERD_LOG"
}

stop_dockerd() {
  local pid; pid="$(pgrep -x dockerd || true)"
  [ -n "$pid" ] || return 0
  as_root kill "$pid"
  local i
  for i in $(seq 1 30); do pgrep -x dockerd >/dev/null || return 0; sleep 1; done
  die "dockerd (pid $pid) did not stop within 30s"
}

# probe_image: a scratch image holding one static binary that exits 0.
probe_image() {
  docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 && return 0
  local work; work="$(new_wrapper probe)"
  printf 'module supplychain.local/probe\n\ngo 1.24\n' > "$work/go.mod"
  printf 'package main\n\nfunc main() {}\n' > "$work/main.go"
  (cd "$work" && go build -trimpath -ldflags '-s -w' -o rootfs/true .) || die "cannot build the probe binary"
  tar -C "$work/rootfs" -c . | docker import -c 'ENTRYPOINT ["/true"]' - "$PROBE_IMAGE" >/dev/null \
    || die "cannot import the probe image"
  rm -rf "$work"
}

# privileged_works: empty output when a privileged container starts; else the error.
privileged_probe() { docker run --rm --privileged --network none "$PROBE_IMAGE" 2>&1 >/dev/null; }

install_wrapper() {
  step "this machine's capability bounding set lacks CAP_SYS_RESOURCE: registering the runc-nosysresource runtime"
  local work; work="$(new_wrapper runc-nosysresource)"
  printf 'module supplychain.local/runc-nosysresource\n\ngo 1.24\n' > "$work/go.mod"
  cp "$HACK_DIR/build/runc-nosysresource/main.go" "$work/"
  (cd "$work" && go build -trimpath -ldflags '-s -w' -o runc-nosysresource .) || die "cannot build runc-nosysresource"
  as_root install -m 0755 "$work/runc-nosysresource" "$WRAPPER"
  rm -rf "$work"
  as_root mkdir -p /etc/docker
  as_root python3 - "$WRAPPER" <<'PY'
import json, os, sys
path = "/etc/docker/daemon.json"
config = json.load(open(path)) if os.path.exists(path) and os.path.getsize(path) else {}
config.setdefault("runtimes", {})["runc-nosysresource"] = {"path": sys.argv[1]}
config["default-runtime"] = "runc-nosysresource"
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(config, f, indent=2)
os.replace(tmp, path)
PY
  stop_dockerd
  start_dockerd
}

main() {
  command -v docker >/dev/null 2>&1 || install_docker
  if ! engine_answers; then
    install_docker
    start_dockerd
  fi
  probe_image
  local err; err="$(privileged_probe || true)"
  if [ -n "$err" ]; then
    if printf '%s' "$err" | grep -q 'unable to apply caps' && grep -q '^CapBnd:' /proc/self/status \
       && [ "$(( 0x$(awk '/^CapBnd:/ {print $2}' /proc/self/status) >> 24 & 1 ))" = 0 ]; then
      install_wrapper
      err="$(privileged_probe || true)"
      [ -z "$err" ] || die "privileged containers still fail with the runc-nosysresource runtime: $err"
    else
      die "privileged containers (kind's nodes) do not start: $err"
    fi
  fi
  step "container engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
}

main "$@"
