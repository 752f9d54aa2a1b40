#!/usr/bin/env bash
# Issue 14 "Measure" for `vigil serve` (docs/api.md, "Performance"):
#
#  1. PDQ lookups over HTTP against a COUNT-entry bank (default 10,000,000 random hashes,
#     written by service_bench_bank under a throw-away store folder): a real `vigil serve`
#     on 127.0.0.1, `wrk -t2 -c64 -d20s --latency` POSTing /v1/match with batches of 1 and
#     of 10 hashes (half near a bank entry, half random). Lookups/s = requests/s x batch.
#     Goal: >= 4,000 lookups/s and p99 < 10 ms.
#  2. Hash+match of a 1600x1000 JPEG (ffmpeg's testsrc2 pattern, benign) POSTed to
#     /v1/hash?match=1 (sha256, md5, PDQ, matched against the same bank) vs `vigil scan
#     --no-store` of N copies in process with only the hash detectors (vigil-pdq without
#     dihedral variants, vigil-exact): items/s and the ratio. Goal: >= 80%.
#
#   bench/service/run.sh [COUNT=10000000] [DURATION=20s] [COPIES=400]  (VIGIL_BUILD=build/release)
# Needs: vigil vigil-worker vigil-pdq vigil-exact service_bench_bank built; wrk, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-10000000}" duration="${2:-20s}" copies="${3:-400}"
build="${VIGIL_BUILD:-build/release}"
vigil="$PWD/$build/bin/vigil"
maker="$PWD/$build/bench/service_bench_bank"
plugins="$PWD/$build/lib/vigil/plugins"
for b in "$vigil" "$maker" "$plugins/vigil-pdq.so" "$plugins/vigil-exact.so"; do
  [ -e "$b" ] || { echo "service bench: build $b first (bash scripts/build.sh release vigil vigil-worker vigil-pdq vigil-exact service_bench_bank)" >&2; exit 1; }
done
for tool in wrk ffmpeg; do
  command -v "$tool" >/dev/null || { echo "service bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
store="$work/state/store.db"
banks="$work/state/lists/hash-banks"
mkdir -p "$banks"
"$maker" "$banks/bench-pdq.bank" "$count" "$work/queries.txt" 20000
token=$("$vigil" --store "$store" tokens create --name bench --scope match --rate 0 --by bench)

# The server: 2 request threads (the machine has 2 cores), port chosen by the kernel.
"$vigil" --store "$store" serve --listen 127.0.0.1:0 --threads 2 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/serve.out")
[ -n "$url" ] || { echo "service bench: vigil serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
echo "service bench: $count-entry PDQ bank, vigil serve at $url (2 threads); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# wrk's summary: requests/s, p99 (ms), and no non-2xx answers.
run_wrk() {  # script, label, batch
  local out="$work/wrk-$2.txt"
  VIGIL_TOKEN="$token" VIGIL_QUERIES="$work/queries.txt" VIGIL_BATCH="$3" VIGIL_IMAGE="$work/upload.jpg" \
    wrk -t2 -c64 -d"$duration" --latency -s "$1" "$url" >"$out"
  if grep -q "Non-2xx" "$out"; then cat "$out" >&2; echo "service bench: $2: errors" >&2; exit 1; fi
  local rps p99 p50
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(awk '$1 == "50%" { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  echo "$rps $p50 $p99"
}
for batch in 1 10; do
  read -r rps p50 p99 < <(run_wrk bench/service/match.lua "match$batch" "$batch")
  awk -v r="$rps" -v b="$batch" -v p50="$p50" -v p99="$p99" 'BEGIN {
    printf "match, batch %2d: %8.0f requests/s = %8.0f lookups/s; p50 %s, p99 %s (goals: >= 4000 lookups/s, p99 < 10ms)\n", b, r, r * b, p50, p99 }'
done

# Hash+match of a 1600x1000 JPEG over HTTP.
ffmpeg -loglevel error -f lavfi -i testsrc2=size=1600x1000 -frames:v 1 -q:v 3 "$work/upload.jpg"
read -r http_rps p50 p99 < <(run_wrk bench/service/hash_match.lua hash 1)
echo "hash+match over HTTP: $http_rps items/s (1600x1000 JPEG, $(stat -c %s "$work/upload.jpg") bytes); p50 $p50, p99 $p99"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

# The same work by `vigil scan` in process: COPIES copies (distinct bytes), hash detectors only.
mkdir -p "$work/items" "$work/plugins"
for f in vigil-pdq vigil-exact; do cp "$plugins/$f".so* "$work/plugins/"; done
for ((i = 0; i < copies; i++)); do
  { cat "$work/upload.jpg"; printf '%016d' "$i"; } >"$work/items/item$i.jpg"
done
# The hash detectors only (the build's plugins are unsigned: --developer-mode) and a
# policy that names no other detector.
printf '[defaults]\nunmatched = "review"\n' >"$work/policy.toml"
start=$(date +%s.%N)
"$vigil" --store "$store" --plugin-dir "$work/plugins" --developer-mode \
  --set vigil.pdq.dihedral=false scan --no-store --threads 2 --policy "$work/policy.toml" \
  "$work/items" >"$work/scan.out" 2>"$work/scan.err" || {
  cat "$work/scan.err" >&2; exit 1; }
end=$(date +%s.%N)
scan_rps=$(awk -v n="$copies" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }')
echo "vigil scan --no-store in process: $copies items in $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }') s = $scan_rps items/s (2 threads)"
awk -v h="$http_rps" -v s="$scan_rps" 'BEGIN { printf "hash+match over HTTP / in process = %.0f%% (goal >= 80%%)\n", 100 * h / s }'
