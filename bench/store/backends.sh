#!/usr/bin/env bash
# The store's backends side by side (issue 13, "Measure"): `vigil scan` items/s into SQLite
# and into PostgreSQL on the same corpus, and `vigil stats` on each resulting store, plus
# `vigil store migrate` rows/s. Numbers go in docs/performance.md ("Store backends").
#
#   bash bench/store/backends.sh [FILES]     # FILES random 64-byte files (default 2000)
#
# The corpus: the demo images (../shared/testdata/pdq/images-and-lists) and the demo
# manifest's URLs, plus FILES small files of random bytes (benign; the exact detector
# hashes them, the PDQ detector skips them), scanned with the build's vigil-pdq, vigil-exact
# and vigil-url and the default policy without the classifier's rules. PostgreSQL: a
# throw-away server (scripts/postgres.sh) on 127.0.0.1, stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
files="${1:-2000}"
bin=build/release/bin/vigil
[ -x "$bin" ] || { echo "backends: build vigil first (bash scripts/build.sh release vigil vigil-worker vigil-pdq vigil-exact vigil-url)" >&2; exit 1; }
work="$(mktemp -d /tmp/vigil-bench-store.XXXXXX)"
export VIGIL_PG_STATE="$work/pg.env"
cleanup() { bash scripts/postgres.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
bash scripts/postgres.sh start >/dev/null
# shellcheck disable=SC1090
eval "$(bash scripts/postgres.sh env)"
psql_() { "$VIGIL_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$VIGIL_PG_PORT" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE bench_scan" -c "CREATE DATABASE bench_migrate"
url="postgresql://postgres@127.0.0.1:$VIGIL_PG_PORT"

mkdir -p "$work/corpus/files"
cp -r ../shared/testdata/pdq/images-and-lists "$work/corpus/images"
python3 - "$work/corpus/files" "$files" <<'PY'
import os, random, sys
random.seed(13)
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], f"f{i}.bin"), "wb") as f:
        f.write(bytes(random.getrandbits(8) for _ in range(64)))
PY
python3 - policy/default.toml "$work/policy.toml" <<'PY'
import sys
blocks = open(sys.argv[1]).read().split("\n[[rules]]\n")
kept = [blocks[0]] + [b for b in blocks[1:] if "vigil.classifier" not in b]
open(sys.argv[2], "w").write("\n[[rules]]\n".join(kept))
PY
export HOME="$work/home"
mkdir -p "$HOME"
# A team store keeps the media of items queued for review (encrypted); the SQLite run keeps
# it too (keep_media), so that both do the same work.
(umask 077; head -c 32 /dev/urandom > "$work/media.key")
printf '[store]\nmedia_key_file = "media.key"\nkeep_media = true\n' > "$work/org.toml"
export VIGIL_CONFIG="$work/org.toml"
run() {  # store label
  local store="$1" label="$2"
  "$bin" lists import --type pdq --format te-csv --bank demo-known samples/demo/demo-bank.te.csv --store "$store" >/dev/null
  "$bin" lists import --type url --format plain --bank demo-urls samples/demo/demo-urls.txt --store "$store" >/dev/null
  local start end
  start=$(date +%s.%N)
  "$bin" scan "$work/corpus" --manifest samples/demo/demo-manifest.jsonl --policy "$work/policy.toml" \
      --store "$store" >/dev/null 2>"$work/$label.err" || { cat "$work/$label.err" >&2; exit 1; }
  end=$(date +%s.%N)
  local items
  items=$(grep -o 'scanned [0-9]* items' "$work/$label.err" | grep -o '[0-9]*')
  local stats_start stats_end
  stats_start=$(date +%s.%N)
  "$bin" stats --json --store "$store" >/dev/null
  stats_end=$(date +%s.%N)
  python3 -c "import sys; i=int(sys.argv[2]); s=float(sys.argv[4])-float(sys.argv[3]); st=float(sys.argv[6])-float(sys.argv[5]); print(f'{sys.argv[1]:<11} scan: {i} items in {s:.2f} s = {i/s:.0f} items/s; stats: {st*1000:.0f} ms')" \
      "$label" "$items" "$start" "$end" "$stats_start" "$stats_end"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
for round in 1 2 3; do
  rm -f "$work/store.db"* ; psql_ -d postgres -c "DROP DATABASE IF EXISTS bench_scan" -c "CREATE DATABASE bench_scan"
  run "$work/store.db" "sqlite"
  run "$url/bench_scan" "postgresql"
done
start=$(date +%s.%N)
"$bin" store migrate --from "$work/store.db" --to "$url/bench_migrate" --json > "$work/migrate.json"
end=$(date +%s.%N)
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); s=float(sys.argv[3])-float(sys.argv[2]); print(f'migrate: {r[\"rows\"]} rows in {s:.2f} s = {r[\"rows\"]/s:.0f} rows/s')" \
    "$work/migrate.json" "$start" "$end"
