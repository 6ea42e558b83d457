#!/usr/bin/env bash
# Shared helpers for hack/ scripts: pinned versions, cache layout, progress output.
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HACK_DIR/.." && pwd)"
# shellcheck source=../supplychain/versions.env
source "$REPO_ROOT/supplychain/versions.env"
CACHE_DIR="${SUPPLYCHAIN_CACHE:-$HOME/.cache/supplychain}"
TOOLS_DIR="$CACHE_DIR/tools"
CRDS_DIR="$CACHE_DIR/crds"
BIN_DIR="$CACHE_DIR/bin"
mkdir -p "$TOOLS_DIR" "$CRDS_DIR" "$BIN_DIR"

# Some pinned module versions are not in the public checksum database; the
# wrapper modules below are built from the module proxy only.
export GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed: install Go >= 1.24 (https://go.dev/doc/install) and re-run."
  go version >/dev/null 2>&1 || die "'go version' failed: reinstall Go >= 1.24 and re-run."
}

# tool_dir NAME VERSION -> directory that holds the cached build of NAME at VERSION
tool_dir() { printf '%s/%s-%s' "$TOOLS_DIR" "$1" "$2"; }

# link_bin NAME PATH: expose a cached binary under $BIN_DIR/NAME
link_bin() { ln -sfn "$2" "$BIN_DIR/$1"; }

# go_download MODULE@VERSION -> prints the module's source directory in the module cache
go_download() {
  local out dir
  out="$(cd "$(mktemp -d)" && go mod download -json "$1" 2>&1)" || die "cannot download $1 from the Go module proxy: $out"
  dir="$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir","")); sys.exit(1 if d.get("Error") else 0)')" \
    || die "cannot download $1 from the Go module proxy: $out"
  printf '%s' "$dir"
}

# Wrapper-module builds with progress output and recorded build times.
LOG_DIR="$CACHE_DIR/logs"
mkdir -p "$LOG_DIR"

# proxy_check MODULE@VERSION: one clear error line when the Go module proxy cannot be reached.
proxy_check() {
  local out reason
  if ! out="$(cd "$(mktemp -d)" && go mod download -json "$1" 2>&1)"; then
    reason="$(printf '%s' "$out" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("Error", ""))
except ValueError: print("")' 2>/dev/null)"
    die "cannot download $1 from the Go module proxy ($(go env GOPROXY)): ${reason:-$out}. Check network access to the proxy or set GOPROXY, then re-run."
  fi
}

# cached NAME VERSION: true when NAME-VERSION is fully built.
cached() { [ -f "$(tool_dir "$1" "$2")/.complete" ]; }

# build_dir NAME VERSION WORKDIR PACKAGE LDFLAGS
# Builds PACKAGE inside the prepared wrapper module WORKDIR into the cache as NAME,
# logging to $LOG_DIR/build-NAME-VERSION.log, printing progress every 30s and
# recording the wall time in the cache directory's .build-seconds.
build_dir() {
  local name="$1" version="$2" work="$3" package="$4" ldflags="$5"
  local dir; dir="$(tool_dir "$name" "$version")"
  local log="$LOG_DIR/build-$name-$version.log"
  local start=$SECONDS
  step "building $name $version (log: $log)"
  : > "$log"
  (
    cd "$work"
    echo "+ go mod tidy"; go mod tidy
    echo "+ go build $package"
    nice -n 10 go build -v -trimpath -ldflags "-s -w $ldflags" -o "$work/$name" "$package"
  ) >>"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local waited=0
    while [ $waited -lt 30 ] && kill -0 "$pid" 2>/dev/null; do sleep 1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      printf '    ... %s: %ds, %s packages compiled\n' "$name" "$((SECONDS - start))" "$(grep -cv '^+\|^go: ' "$log" || true)" >&2
    fi
  done
  if ! wait "$pid"; then
    tail -n 20 "$log" >&2
    rm -rf "$work"
    die "building $name $version failed; full log: $log"
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  mv "$work/$name" "$dir/$name"
  echo "$((SECONDS - start))" > "$dir/.build-seconds"
  touch "$dir/.complete"
  rm -rf "$work"
  step "built $name $version in $((SECONDS - start))s"
}

# new_wrapper NAME: an empty temporary directory for a wrapper module.
new_wrapper() { mktemp -d "${TMPDIR:-/tmp}/supplychain-build-$1.XXXXXX"; }

# module_wrapper NAME MODULE VERSION PACKAGE [GO_MOD_EXTRA]: a wrapper module that
# requires MODULE@VERSION and imports PACKAGE (a main package) so it can be built
# with the wrapper's own replace directives. Prints the directory.
module_wrapper() {
  local name="$1" module="$2" version="$3" package="$4" extra="${5:-}"
  local work; work="$(new_wrapper "$name")"
  printf 'module supplychain.local/build/%s\n\ngo 1.24\n\nrequire %s %s\n%s\n' \
    "$name" "$module" "$version" "$extra" > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > "$work/tools.go"
  printf '%s' "$work"
}

# build_module NAME VERSION MODULE PACKAGE [GO_MOD_EXTRA] [LDFLAGS]: build and cache
# PACKAGE from MODULE@VERSION unless cached, then link it into $BIN_DIR.
build_module() {
  local name="$1" version="$2" module="$3" package="$4" extra="${5:-}" ldflags="${6:-}"
  if ! cached "$name" "$version"; then
    proxy_check "$module@$version"
    build_dir "$name" "$version" "$(module_wrapper "$name" "$module" "$version" "$package" "$extra")" "$package" "$ldflags"
  fi
  link_bin "$name" "$(tool_dir "$name" "$version")/$name"
}
