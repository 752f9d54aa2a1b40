#!/usr/bin/env bash
# Issue 14 "Measure": fleet items/s with 1 and 2 `vigil worker`s (goal: 2 >= 1.8x one).
# Starts a throw-away NATS JetStream and PostgreSQL (scripts/nats.sh, scripts/postgres.sh,
# own state files, stopped at the end), makes N distinct benign JPEGs (the shared PDQ test
# images, each copy with 16 random bytes after its end so every one is a new item), then
# for W in 1 2: a fresh team-store database and fresh streams, fleet_publish puts the N
# submissions on the queue, W workers (`vigil worker --once --threads T`) drain it, and the
# wall time from the workers' start to the last one's exit gives items/s. Every
# submission must be recorded done. Numbers: docs/fleet.md.
#
#   bench/fleet/fleet_bench.sh [N=400] [THREADS=1]      (VIGIL_BUILD=build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-400}" threads="${2:-1}"
build="${VIGIL_BUILD:-build/release}"
vigil="$PWD/$build/bin/vigil"
publish="$PWD/$build/bench/fleet_publish"
for b in "$vigil" "$publish"; do
  [ -x "$b" ] || { echo "fleet_bench: build $b first (vigil fleet_publish and the plugins)" >&2; exit 1; }
done
images=../shared/testdata/pdq/images-and-lists
[ -d "$images" ] || { echo "fleet_bench: shared test data missing: $images" >&2; exit 1; }
work="$(mktemp -d)"
export VIGIL_NATS_STATE="$PWD/build/bench-fleet-nats.env" VIGIL_PG_STATE="$PWD/build/bench-fleet-pg.env"
cleanup() {
  bash scripts/nats.sh stop >/dev/null 2>&1 || true
  bash scripts/postgres.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bash scripts/postgres.sh start >/dev/null
eval "$(bash scripts/postgres.sh env)"
mapfile -t sources < <(find "$images" -name '*.jpg' | sort)
mkdir -p "$work/items"
for ((i = 0; i < n; i++)); do
  src="${sources[$((i % ${#sources[@]}))]}"
  { cat "$src"; head -c 16 /dev/urandom; } >"$work/items/item$i.jpg"
done
head -c 32 /dev/urandom >"$work/media.key"
chmod 0600 "$work/media.key"
printf '[store]\nmedia_key_file = "%s"\n' "$work/media.key" >"$work/org.toml"

declare -A rate
for workers in 1 2; do
  bash scripts/nats.sh stop >/dev/null
  bash scripts/nats.sh start >/dev/null
  eval "$(bash scripts/nats.sh env)"
  db="fleet_bench_$workers"
  bash scripts/postgres.sh psql -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
  store="${VIGIL_PG_URL%/postgres}/$db"
  "$vigil" --config "$work/org.toml" --store "$store" stats >/dev/null
  "$publish" "$VIGIL_NATS_URL" "bench$workers" 1 "$work"/items/*.jpg
  start=$(date +%s.%N)
  pids=()
  for ((w = 0; w < workers; w++)); do
    "$vigil" --config "$work/org.toml" --store "$store" worker --nats "$VIGIL_NATS_URL" \
      --once --threads "$threads" 2>"$work/worker$workers-$w.log" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  end=$(date +%s.%N)
  done_count=$(bash scripts/postgres.sh psql -d "$db" -tA -c \
    "SELECT count(*) FROM submissions WHERE status = 'done'")
  [ "$done_count" -eq "$n" ] || { echo "fleet_bench: $done_count of $n recorded with $workers worker(s)" >&2; cat "$work"/worker$workers-*.log >&2; exit 1; }
  rate[$workers]=$(awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }')
  echo "fleet_bench: $workers worker(s) x $threads thread(s): $n items in $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s = ${rate[$workers]} items/s"
done
awk -v a="${rate[1]}" -v b="${rate[2]}" 'BEGIN { printf "fleet_bench: 2 workers / 1 worker = %.2fx (goal >= 1.8x)\n", b / a }'
