#!/usr/bin/env bash
# Prometheus for the operations tests (tests/DataWeaver.Operations.Tests/Prometheus): Debian's prometheus package (it
# brings promtool), one server on loopback that scrapes every target a test writes into $DATAWEAVER_PROMETHEUS_TARGETS
# (file service discovery, every second) and evaluates ops/prometheus/dataweaver-alerts.yml.
#   source eng/services/prometheus.sh     # from eng/test.sh; a test may also run it (bash eng/services/prometheus.sh)
# Idempotent: installs only when missing, starts only when not answering, and a new start begins with no data.
_dw_prom_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DATAWEAVER_PROMETHEUS_URL="${DATAWEAVER_PROMETHEUS_URL:-http://127.0.0.1:9490}"
export DATAWEAVER_PROMETHEUS_DIR="${DATAWEAVER_PROMETHEUS_DIR:-/tmp/dataweaver-prometheus}"
export DATAWEAVER_PROMETHEUS_TARGETS="$DATAWEAVER_PROMETHEUS_DIR/targets"

_dw_prom_start() {
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    echo "prometheus.sh: installing prometheus (needed by the operations tests)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; } || return 1
  fi
  if curl -fsS "$DATAWEAVER_PROMETHEUS_URL/-/ready" >/dev/null 2>&1; then
    mkdir -p "$DATAWEAVER_PROMETHEUS_TARGETS"
    return 0
  fi
  local dir="$DATAWEAVER_PROMETHEUS_DIR" listen="${DATAWEAVER_PROMETHEUS_URL#http://}"
  if [ -f "$dir/prometheus.pid" ] && kill -0 "$(cat "$dir/prometheus.pid")" 2>/dev/null; then
    kill "$(cat "$dir/prometheus.pid")" 2>/dev/null; sleep 1   # ours, but not answering: start it afresh
  fi
  rm -rf "$dir"; mkdir -p "$dir/data" "$DATAWEAVER_PROMETHEUS_TARGETS"
  cp "$_dw_prom_root/ops/prometheus/dataweaver-alerts.yml" "$dir/dataweaver-alerts.yml"
  cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "$dir/dataweaver-alerts.yml" ]
scrape_configs:
  - job_name: dataweaver-tests
    file_sd_configs:
      - files: [ "$DATAWEAVER_PROMETHEUS_TARGETS/*.json" ]
        refresh_interval: 1s
YAML
  nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
    --web.listen-address="$listen" >"$dir/prometheus.log" 2>&1 &
  echo $! >"$dir/prometheus.pid"
  for _ in $(seq 1 60); do
    curl -fsS "$DATAWEAVER_PROMETHEUS_URL/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "prometheus.sh: Prometheus did not become ready; see $dir/prometheus.log" >&2
  return 1
}
_dw_prom_start || echo "prometheus.sh: no Prometheus; its tests will be skipped" >&2
