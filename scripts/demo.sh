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

vigil=("$bin/vigil" --store "$store")
echo "== plugins"
"${vigil[@]}" plugins list
echo "== demo lists (TEST DATA: benign images, reserved test domains; samples/demo/README.md)"
"${vigil[@]}" lists import --type pdq --format te-csv --bank demo-known samples/demo/demo-bank.te.csv
"${vigil[@]}" lists import --type url --format plain --bank demo-urls samples/demo/demo-urls.txt
echo "== scanning $corpus and samples/demo/demo-manifest.jsonl into $store"
"${vigil[@]}" scan "$corpus" --manifest samples/demo/demo-manifest.jsonl > build/demo/scan.txt
tail -n 8 build/demo/scan.txt
echo "   (every flagged item: build/demo/scan.txt)"
echo "== summary"
"${vigil[@]}" stats

if [ -x "$bin/vigil-review" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/vigil-review" --store "$store" --config config/reviewer.toml
fi
if [ -x "$bin/vigil-review" ]; then
  echo "No display here. On a desktop, open the queue with: $bin/vigil-review --store $store --config config/reviewer.toml"
else
  echo "The reviewer console is not built; read the queue with: $bin/vigil --store $store queue show"
fi
echo "Text view of the queue (screen-reader friendly): $bin/vigil --store $store queue show"
