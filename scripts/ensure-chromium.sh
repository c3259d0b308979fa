#!/usr/bin/env bash
# The e2e suite drives the system's Chromium (Playwright cannot download its own browser here).
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
if [ -z "$(find_chromium)" ] || ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium (and wrk for benchmarks)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium fonts-dejavu-core wrk >/dev/null
  fi
fi
[ -n "$(find_chromium)" ] || { echo "Chromium is missing: install it (Debian: 'sudo apt-get install chromium') or set CHROMIUM_PATH."; exit 1; }
echo "Chromium: $(find_chromium)"
