#!/usr/bin/env bash
# Headless Chromium for the web view test (tests/DataWeaver.Operations.Tests/WebView): Debian's chromium package, driven
# by the test over the DevTools protocol. Installs only when missing; starts nothing (the test starts its own browser).
#   source eng/services/chromium.sh     # from eng/test.sh
_dw_chromium_install() {
  command -v chromium >/dev/null 2>&1 && return 0
  echo "chromium.sh: installing chromium (needed by the web view test)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
}
_dw_chromium_install || echo "chromium.sh: no chromium; the web view test will be skipped" >&2
