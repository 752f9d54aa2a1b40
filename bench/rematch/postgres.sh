#!/usr/bin/env bash
# `vigil rematch` and `vigil stats` on 1M stored items in the team store (issue 13,
# "Measure"): a throw-away PostgreSQL 15 (scripts/postgres.sh, on 127.0.0.1, removed at the
# end), an empty store database seeded by rematch_bench with the same synthetic rows as its
# SQLite run (1M items, 4M signals), the rematch benchmarks run against it, then
# `vigil stats --json` on it timed three times. Numbers go in docs/performance.md.
#
#   bash bench/rematch/postgres.sh [ITEMS] [BENCHMARK_FILTER]   # defaults: 1000000, all
set -euo pipefail
cd "$(dirname "$0")/../.."
items="${1:-1000000}"
filter="${2:-.}"
bench=build/release/bench/rematch_bench
bin=build/release/bin/vigil
for f in "$bench" "$bin"; do
  [ -x "$f" ] || { echo "rematch/postgres: build first (bash scripts/build.sh release rematch_bench vigil)" >&2; exit 1; }
done
work="$(mktemp -d /tmp/vigil-bench-rematch-pg.XXXXXX)"
export VIGIL_PG_STATE="$work/pg.env"
cleanup() { bash scripts/postgres.sh stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
bash scripts/postgres.sh start >/dev/null
# shellcheck disable=SC1090
eval "$(bash scripts/postgres.sh env)"
"$VIGIL_PG_BIN/psql" -X -q -h 127.0.0.1 -p "$VIGIL_PG_PORT" -U postgres -d postgres \
    -c "CREATE DATABASE bench_rematch"
url="postgresql://postgres@127.0.0.1:$VIGIL_PG_PORT/bench_rematch"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $items items"
start=$(date +%s.%N)
VIGIL_REMATCH_STORE="$url" VIGIL_REMATCH_ITEMS="$items" "$bench" --benchmark_filter="$filter" \
    --benchmark_counters_tabular=true
end=$(date +%s.%N)
python3 -c "import sys; print(f'rematch_bench on the team store, seeding included: {float(sys.argv[2])-float(sys.argv[1]):.1f} s')" "$start" "$end"
export HOME="$work/home"
mkdir -p "$HOME"
for round in 1 2 3; do
  start=$(date +%s.%N)
  "$bin" stats --json --store "$url" >"$work/stats.json"
  end=$(date +%s.%N)
  python3 -c "import json,sys; s=json.load(open(sys.argv[3])); print(f'vigil stats --json: {(float(sys.argv[2])-float(sys.argv[1]))*1000:.0f} ms ({s.get(\"items\", s)} items)')" \
      "$start" "$end" "$work/stats.json"
done
