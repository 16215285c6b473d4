#!/usr/bin/env bash
# Look at the documentation site in a real (headless) browser: build it, serve it on the loopback
# interface, and take screenshots of pages with rule code and Mermaid diagrams. Not run by CI;
# what was seen is written down in docs/development/browser-check.md.
#
# Needs: the project installed with its docs extra (pip install -e ".[docs]"), Chromium
# (Debian: apt-get install chromium) and npm (to fetch Mermaid once, since the site normally
# loads it from a CDN and this check may run without network access).
#
#   tools/browser_check.sh [OUTPUT_DIR]     # default: /tmp/sbstrategy-browser-check
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-/tmp/sbstrategy-browser-check}"
port="${PORT:-8765}"
mkdir -p "$out"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium not found (Debian: apt-get install chromium)" >&2
  exit 1
fi

echo "== Mermaid 11 from the npm registry (the major version mkdocs-material loads)"
(cd "$work" && npm pack mermaid@11 --silent >/dev/null && tar xzf mermaid-*.tgz package/dist/mermaid.min.js)
export SBSTRATEGY_MERMAID_JS="$work/package/dist/mermaid.min.js"

echo "== building the site"
python tools/update_docs.py --check
mkdocs build --strict --quiet -d "$work/site"

echo "== serving it on 127.0.0.1:$port"
python -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
  if python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null; then break; fi
  sleep 0.1
done

shoot() { # NAME PATH [HEIGHT]
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$1" --virtual-time-budget=10000 \
    --window-size="1280,${3:-2000}" --screenshot="$out/$1.png" \
    "http://127.0.0.1:$port/$2" 2>/dev/null
  echo "   $out/$1.png  <- /$2"
}

echo "== screenshots"
shoot home ""
shoot tutorial tutorials/first-rule-file/ 2400
shoot language reference/language/ 2400
shoot readiness-stages worked-examples/readiness-stages/ 3600
shoot combine how-to/combine-frameworks/ 2600
echo "done: look at the PNG files"
