#!/usr/bin/env bash
# Re-fetches the vendored front-end files from the npm registry at their pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX=2.0.11 PICO=2.1.1 AXE=4.11.0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "htmx.org@$HTMX" "@picocss/pico@$PICO" "axe-core@$AXE" >/dev/null )
tar xzf "$tmp/htmx.org-$HTMX.tgz" -C "$tmp" package/dist/htmx.min.js && cp "$tmp/package/dist/htmx.min.js" static/js/htmx.min.js
tar xzf "$tmp/picocss-pico-$PICO.tgz" -C "$tmp" package/css/pico.min.css && cp "$tmp/package/css/pico.min.css" static/css/pico.min.css
tar xzf "$tmp/axe-core-$AXE.tgz" -C "$tmp" package/axe.min.js && cp "$tmp/package/axe.min.js" e2e/vendor/axe.min.js
echo "htmx $HTMX, Pico CSS $PICO, axe-core $AXE vendored."
