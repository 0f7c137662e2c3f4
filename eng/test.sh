#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need when it is missing, then runs them.
#   bash eng/test.sh            # everything except the long soak tests
#   bash eng/test.sh --soak     # the soak tests too
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
need_deb() {
  # need_deb PACKAGE CHECK-COMMAND...
  local package=$1; shift
  if "$@" >/dev/null 2>&1; then return 0; fi
  echo "test.sh: installing $package (needed by the tests)"
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
}

# Apache Avro's own implementation, the interop peer of our Avro codec (importable from /usr/bin/python3 only).
need_deb python3-avro /usr/bin/python3 -c 'import avro.schema, avro.datafile, avro.io'
# A real terminal for the CLI's live-table tests (tests/DataWeaver.Cli.Tests/Run/LiveTableTerminalTests.cs).
need_deb tmux tmux -V
# Kafka needs no Debian package: Confluent.Kafka brings its own librdkafka (librdkafka.redist), which DataWeaver.Kafka pins.

# Brokers for DataWeaver.RabbitMq.Tests and DataWeaver.Mqtt.Tests, on loopback only.
source eng/services/rabbitmq.sh
source eng/services/mosquitto.sh
# Prometheus on loopback for the operations tests (installs Debian's prometheus package when missing).
source eng/services/prometheus.sh
# Alertmanager (end-to-end alert test) and headless Chromium (web view test), installed when missing.
source eng/services/alertmanager.sh
source eng/services/chromium.sh
# PostgreSQL 15 (wal_level=logical, a known password) for the DataWeaver.PostgreSql tests.
source eng/services/postgres.sh
# OpenSSH sshd (SFTP, a test user with password and key) on 127.0.0.1:2222 for the DataWeaver.Sftp tests.
source eng/services/sshd.sh

filter="Category!=Soak"
if [ "${1:-}" = "--soak" ]; then filter=""; fi

# NATS JetStream on loopback for tests/DataWeaver.Nats.Tests.
source eng/services/nats.sh

log=$(mktemp)
dotnet build DataWeaver.Engine.sln -c Release -nologo -v quiet
set +e
dotnet test DataWeaver.Engine.sln -c Release --no-build -nologo --blame-hang-timeout 5m ${filter:+--filter "$filter"} >"$log" 2>&1
status=$?
set -e
grep -vE '^\s+Passed [A-Za-z]' "$log" || true

# The performance gate (docs/perf/README.md): the perf harness in quick mode (about a minute), its floors are ratios
# measured in the same run; a floor missed (exit 1) or a failed peer (exit 2) fails the script.
set +e
dotnet run -c Release --no-build --project perf/DataWeaver.Perf -- --quick --gate
gate=$?
set -e
if [ "$gate" != 0 ]; then
  echo "test.sh: the performance gate failed (exit $gate)"
  if [ "$status" = 0 ]; then status=$gate; fi
fi

# One closing line for the whole run, summed over the test projects.
sum() { grep -hoE "$1: +[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
echo "$(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
rm -f "$log"
exit "$status"
