#!/usr/bin/env bash
# Run inside the prometheus image (bash -s, no network but loopback): the binary has Kubernetes pod
# discovery, starts, scrapes itself and answers a query.
set -euo pipefail
if ldd /usr/bin/prometheus 2>&1 | grep -q 'not found'; then ldd /usr/bin/prometheus; exit 1; fi
# A configuration with kubernetes_sd_configs must load (the Kubernetes discovery plugin is built in).
cat > /tmp/sd-check.yml <<'YAML'
scrape_configs:
- job_name: pods
  kubernetes_sd_configs:
  - role: pod
    api_server: http://127.0.0.1:1
YAML
/usr/bin/prometheus --config.file=/tmp/sd-check.yml --storage.tsdb.path=/tmp/sd-check --web.listen-address=127.0.0.1:9091 \
  --log.level=error > /tmp/sd-check.log 2>&1 &
sd=$!
sleep 2
if ! kill -0 "$sd" 2>/dev/null; then cat /tmp/sd-check.log; echo "prometheus refused kubernetes_sd_configs" >&2; exit 1; fi
kill "$sd"
/usr/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus \
  --web.listen-address=127.0.0.1:9090 --log.level=error &
main=$!
for _ in $(seq 150); do curl -sf http://127.0.0.1:9090/-/ready >/dev/null && break; sleep 0.2; done
for _ in $(seq 50); do
  if curl -sf 'http://127.0.0.1:9090/api/v1/query?query=up' | grep -q '"value":\[[0-9.]*,"1"\]'; then
    echo "prometheus loads kubernetes_sd_configs, is ready and scraped itself (up == 1)"
    kill "$main"
    exit 0
  fi
  sleep 0.2
done
echo "prometheus did not scrape itself" >&2
exit 1
