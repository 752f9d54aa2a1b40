#!/usr/bin/env bash
# The README's first command (`bash scripts/demo.sh`; `make demo` wraps it): set up the
# machine, build, scan the demo corpus with every built plugin into a fresh embedded
# store, then open the reviewer console, or print a summary when there is no display.
# Needs nothing but bash and sudo (or root) on a fresh Debian 12: set-up installs the rest.
set -euo pipefail
usage() {
  cat <<'TXT'
Usage: bash scripts/demo.sh [--no-setup] [--help]
  1. scripts/setup.sh: Debian packages (apt-get, needs root or sudo), the pinned ONNX
     Runtime and the demo model from the npm registry (SHA-256 checked);
  2. scripts/build.sh release;
  3. scans ../shared/testdata/pdq/images-and-lists and samples/demo/demo-manifest.jsonl
     into build/demo/store.db and opens vigil-review (or prints a summary without display).
  --no-setup   skip steps 1 and 2 (use the existing build/release)
TXT
}
setup=1
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --no-setup) setup=0 ;;
    *) echo "demo: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if [ "$setup" -eq 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh release
fi
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
