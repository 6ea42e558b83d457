#!/usr/bin/env bash
# Builds Cartographer's own offline template tester, `cartotest`, from the pinned
# Cartographer Go module into the tool cache. The differential stamping tests and
# the stamping benchmark compare `supplychain test` with it. Idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_go
build_module cartotest "$CARTOGRAPHER_VERSION" github.com/vmware-tanzu/cartographer \
  github.com/vmware-tanzu/cartographer/cmd/cartotest
step "cartotest ready: $BIN_DIR/cartotest"
