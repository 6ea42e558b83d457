#!/usr/bin/env bash
# Run inside the prometheus image (bash -s, no network but loopback): every shared library resolves,
# and Prometheus starts, scrapes itself and answers a query.
set -euo pipefail
if ldd /usr/bin/prometheus | grep -q 'not found'; then ldd /usr/bin/prometheus; exit 1; fi
/usr/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus \
  --web.listen-address=127.0.0.1:9090 --log.level=error &
for _ in $(seq 150); do curl -sf http://127.0.0.1:9090/-/ready >/dev/null && break; sleep 0.2; done
for _ in $(seq 50); do
  if curl -sf 'http://127.0.0.1:9090/api/v1/query?query=up' | grep -q '"value":\[[0-9.]*,"1"\]'; then
    echo "prometheus ready and scraped itself (up == 1); libraries: $(ldd /usr/bin/prometheus | awk '{print $1}' | paste -sd' ')"
    kill %1
    exit 0
  fi
  sleep 0.2
done
echo "prometheus did not scrape itself" >&2
exit 1
