#!/usr/bin/env bash
# Run inside the flagger-loadtester image (bash -s, no network but loopback): start the loadtester,
# then send it a webhook of type bash that runs hey and curl against the loadtester itself.
set -euo pipefail
/home/app/loadtester -port=8080 -log-level=error &
for _ in $(seq 100); do curl -sf http://127.0.0.1:8080/healthz >/dev/null && break; sleep 0.1; done
cmd='hey -n 20 -c 2 http://127.0.0.1:8080/healthz | grep -q "\[200\].*20 responses" && curl -sSf http://127.0.0.1:8080/healthz'
payload="{\"name\":\"smoke\",\"namespace\":\"smoke\",\"phase\":\"Progressing\",\"metadata\":{\"type\":\"bash\",\"cmd\":$(printf '%s' "$cmd" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')}}"
curl -sSf --max-time 30 -d "$payload" http://127.0.0.1:8080/ >/dev/null
echo "loadtester ran a bash webhook: hey 20/20 x 200 and curl OK; $(curl --version | head -n 1 | cut -d' ' -f1-2); bash $BASH_VERSION"
kill %1
