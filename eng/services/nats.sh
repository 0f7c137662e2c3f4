#!/usr/bin/env bash
# NATS JetStream for the tests of DataWeaver.Nats (sourced by eng/test.sh; also runnable alone: bash eng/services/nats.sh).
# Idempotent: installs nats-server from Debian only when missing, starts it only when nothing answers on 127.0.0.1:4222,
# with JetStream on loopback and its own store directory, wiped before a start (no state from earlier runs), and waits
# until the server reports healthy. Stop it with: kill "$(cat /tmp/dataweaver-nats/nats.pid)".
# The tests that restart a broker start their own nats-server on a free port (tests/DataWeaver.Nats.Tests/Support).
nats_dir=/tmp/dataweaver-nats
nats_ready() { (exec 3<>/dev/tcp/127.0.0.1/8222 && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && grep -q '"ok"' <&3) 2>/dev/null; }
if ! command -v nats-server >/dev/null 2>&1; then
  echo "nats.sh: installing nats-server (needed by the tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
fi
if ! nats_ready; then
  rm -rf "$nats_dir" && mkdir -p "$nats_dir"
  nats-server -js -a 127.0.0.1 -p 4222 -m 8222 -sd "$nats_dir/store" -P "$nats_dir/nats.pid" -l "$nats_dir/nats.log" &
  for _ in $(seq 1 100); do nats_ready && break; sleep 0.1; done
  nats_ready || { echo "nats.sh: nats-server did not become ready (log: $nats_dir/nats.log)"; return 1 2>/dev/null || exit 1; }
fi
