#!/usr/bin/env bash
# The main job: render the product, check it, and show what the canary stage stamps for a sample app.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
SC=".venv/bin/supplychain"
OUT="out/demo"
mkdir -p "$OUT"

step "rendering templates, RBAC, overlay Secret and Package; patching TAP's delivery-basic and source-to-url-package"
"$SC" render --package \
  --chains tests/fixtures/ootb/delivery-basic.yaml \
  --chains tests/fixtures/ootb/source-to-url-package.yaml -o "$OUT/bundle.yaml"
grep -E '^kind: ' "$OUT/bundle.yaml" | sort | uniq -c

step "validating every document against the pinned CRD schemas (and what the templates stamp)"
"$SC" validate "$OUT/bundle.yaml"

step "linting Flagger analysis and supply-chain wiring"
"$SC" lint "$OUT/bundle.yaml"

step "stamping the patched delivery-basic for Deliverable prod/hello-app (examples/demo)"
"$SC" render --only chains --chains tests/fixtures/ootb/delivery-basic.yaml -o "$OUT/delivery-basic.yaml"
"$SC" stamp --blueprint "$OUT/delivery-basic.yaml" \
  --templates "$OUT/bundle.yaml" --templates tests/fixtures/ootb-templates/delivery.yaml \
  --owner examples/demo/deliverable.yaml --outputs examples/demo/outputs.yaml -o "$OUT/stamped.yaml"
python3 - "$OUT/stamped.yaml" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "Canary":
        print(yaml.safe_dump(doc, sort_keys=False))
PY

step "queries Flagger will run for that Canary, checked with promtool"
"$SC" queries "$OUT/stamped.yaml"

step "drawing the patched delivery"
"$SC" graph --blueprint "$OUT/delivery-basic.yaml" --templates "$OUT/bundle.yaml" -o "$OUT/delivery-basic.svg"
step "done: outputs in $OUT/"
