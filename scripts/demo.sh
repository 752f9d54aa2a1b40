#!/usr/bin/env bash
# The main job (`make demo`): scan the demo corpus with every built plugin into a fresh
# embedded store, then open the reviewer console, or print a summary when there is no
# display.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/bin
corpus="$(pwd)/../shared/testdata/pdq/images-and-lists"
store=build/demo/store.db
if [ ! -d "$corpus" ]; then
  echo "demo: the demo corpus is missing at $corpus (../shared/testdata beside the checkout)" >&2
  exit 1
fi
rm -rf build/demo && mkdir -p build/demo

echo "== plugins"
"$bin/vigil" plugins list
echo "== scanning $corpus into $store"
"$bin/vigil" --store "$store" scan "$corpus" > build/demo/scan.txt
tail -n 5 build/demo/scan.txt
echo "   (full list: build/demo/scan.txt)"

if [ -x "$bin/vigil-review" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/vigil-review" --store "$store"
fi
echo "== summary"
sqlite3 -header -column "$store" \
  "SELECT status, count(*) AS items FROM items GROUP BY status;" 2>/dev/null || true
if [ -x "$bin/vigil-review" ]; then
  echo "No display: to review the queue, run on a desktop: $bin/vigil-review --store $store"
else
  echo "The reviewer console is not built yet; the store is at $store."
fi
