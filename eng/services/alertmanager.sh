#!/usr/bin/env bash
# Alertmanager for the end-to-end alert test (tests/DataWeaver.Operations.Tests/Prometheus/AlertPathTests.cs): Debian's
# prometheus-alertmanager package (it brings amtool). Installs only when missing; starts nothing: the test runs its own
# Prometheus and Alertmanager on free loopback ports with short intervals and stops them at its end.
#   source eng/services/alertmanager.sh     # from eng/test.sh
_dw_am_install() {
  command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 && return 0
  echo "alertmanager.sh: installing prometheus-alertmanager (needed by the operations tests)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null; }
}
_dw_am_install || echo "alertmanager.sh: no Alertmanager; the end-to-end alert test will be skipped" >&2
