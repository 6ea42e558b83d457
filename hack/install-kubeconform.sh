#!/usr/bin/env bash
# Builds kubeconform, the validation benchmark's peer, from its pinned Go module into the tool cache
# (benchmarks/validate_bench.py compares `supplychain validate` with it). Idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_go
build_module kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform \
  github.com/yannh/kubeconform/cmd/kubeconform
step "kubeconform ready: $BIN_DIR/kubeconform"
