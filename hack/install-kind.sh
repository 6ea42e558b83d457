#!/usr/bin/env bash
# Builds what the kind provider needs, offline and cached by version: the kind
# binary (Go module sigs.k8s.io/kind) and the images built from local files only.
#
# usage: hack/install-kind.sh [COMPONENT...]   (default: all)
# Components: debian-base kind
# A warm re-run only checks the cache and the image labels.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HACK_DIR/lib-images.sh"

ALL_COMPONENTS=(debian-base kind)

build_kind() {
  build_module kind "$KIND_VERSION" sigs.k8s.io/kind sigs.k8s.io/kind
}

main() {
  local components=("$@") c
  [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
  local start=$SECONDS
  for c in "${components[@]}"; do
    case "$c" in
      debian-base|kind) "build_${c//-/_}" ;;
      *) die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
  step "kind environment ready ($((SECONDS - start))s)"
}

main "$@"
