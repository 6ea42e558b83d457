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

# build_in_wrapper NAME VERSION MODULE PACKAGE [GO_MOD_EXTRA] [LDFLAGS]
# Builds PACKAGE from MODULE@VERSION inside a throwaway wrapper module (so the
# module's own replace directives cannot block the build) into the cache.
build_in_wrapper() {
  local name="$1" version="$2" module="$3" package="$4" extra="${5:-}" ldflags="${6:-}"
  local dir; dir="$(tool_dir "$name" "$version")"
  if [ -x "$dir/$name" ]; then link_bin "$name" "$dir/$name"; return 0; fi
  step "building $name $version from $module (first time only)"
  local work; work="$(mktemp -d)"
  cat > "$work/go.mod" <<GOMOD
module supplychain.local/build/$name

go 1.24

require $module $version
$extra
GOMOD
  printf 'package tools\n\nimport _ "%s"\n' "$package" > "$work/tools.go"
  local start=$SECONDS
  ( cd "$work" && go mod tidy >/dev/null 2>&1 || true
    cd "$work" && go get "$package@$version" >/dev/null 2>&1 || true
    cd "$work" && nice go build -trimpath -ldflags "-s -w $ldflags" -o "$work/$name" "$package" ) \
    || die "building $name $version failed (see output above)"
  mkdir -p "$dir" && mv "$work/$name" "$dir/$name" && rm -rf "$work"
  link_bin "$name" "$dir/$name"
  step "built $name in $((SECONDS - start))s"
}
