#!/usr/bin/env bash
# Issue 17 "Measure": `vigil eval` on N items against a plain `vigil scan` of the same items
# (goal: within 10%). Derives N benign JPEGs from the shared PDQ images (cropped, scaled to
# 320-800 px, JPEG quality 70-95: bench/eval/make_pdq_corpus.py), a labelled CSV for them and
# the demo bank, then times, alternating, R runs each of
#   vigil scan --no-store   (read + decode + every detector + policy; nothing stored)
#   vigil scan              (the same, recorded in a fresh SQLite store; VIGIL_BENCH_STORE=0
#                            leaves it out)
#   vigil eval              (read + decode + every detector + policy per detector + metrics)
# with the same plugins and threads, and prints the medians of wall and CPU time, and the
# same for the fastest run of each. Numbers: docs/performance.md.
#
#   bench/eval/eval_vs_scan.sh [N=1000] [RUNS=3] [THREADS=2]      (VIGIL_BUILD=build/release)
#
# VIGIL_BENCH_CORPUS=DIR keeps the generated corpus in DIR and reuses it when DIR/corpus.csv
# already has N items (made once: 10,000 items take a minute or two to draw).
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000}" runs="${2:-3}" threads="${3:-2}"
build="${VIGIL_BUILD:-build/release}"
vigil="$PWD/$build/bin/vigil"
[ -x "$vigil" ] || { echo "eval_vs_scan: build $vigil first" >&2; exit 1; }
shared="${VIGIL_TESTDATA:-$PWD/../shared/testdata}/pdq/images-and-lists"
[ -d "$shared" ] || { echo "eval_vs_scan: no shared PDQ images at $shared" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
corpus="${VIGIL_BENCH_CORPUS:-$work/corpus}"
if [ "$(($(wc -l <"$corpus/corpus.csv" 2>/dev/null || echo 0) - 1))" -ne "$n" ]; then
  rm -rf "$corpus/items" "$corpus/corpus.csv"
  /usr/bin/python3 bench/eval/make_pdq_corpus.py "$shared" "$corpus" "$n" >&2
fi
store="$work/store.db"
"$vigil" --store "$store" lists import --type pdq --format te-csv --bank demo-known \
  samples/demo/demo-bank.te.csv >/dev/null
policy="$work/policy.toml"   # the built-in policy names the classifier; use one that does not
printf '[defaults]\nunmatched = "review"\n' > "$policy"

# One run: "wall cpu" seconds; cpu = user + system of vigil and its workers, which a busy
# machine (other sessions' builds) disturbs far less than the wall time.
run() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$work/time"
}
declare -a w_nostore w_store w_eval c_nostore c_store c_eval
for r in $(seq "$runs"); do
  read -r w c < <(run "$vigil" --store "$store" scan --no-store --threads "$threads" --policy "$policy" "$corpus/items")
  w_nostore+=("$w"); c_nostore+=("$c")
  if [ "${VIGIL_BENCH_STORE:-1}" != 0 ]; then
    rm -f "$work/s$r.db"*
    read -r w c < <(run "$vigil" --store "$work/s$r.db" scan --threads "$threads" --policy "$policy" "$corpus/items")
    w_store+=("$w"); c_store+=("$c")
  fi
  read -r w c < <(run "$vigil" --store "$store" eval --threads "$threads" --policy "$policy" "$corpus/corpus.csv")
  w_eval+=("$w"); c_eval+=("$c")
  echo "run $r: scan --no-store ${w_nostore[-1]} s wall ${c_nostore[-1]} s cpu; eval ${w_eval[-1]} s wall ${c_eval[-1]} s cpu" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
least() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { echo "$1 / $2" | bc -l; }
echo "items=$n runs=$runs threads=$threads load=$(cut -d' ' -f1-3 /proc/loadavg)"
kinds="nostore eval"
[ "${VIGIL_BENCH_STORE:-1}" != 0 ] && kinds="nostore store eval"
for what in $kinds; do
  declare -n w="w_$what" c="c_$what"
  printf '%-15s wall median %7.2f s (%6.1f items/s)  cpu median %7.2f s   walls: %s  cpus: %s\n' \
    "$what" "$(median "${w[@]}")" "$(echo "$n / $(median "${w[@]}")" | bc -l)" \
    "$(median "${c[@]}")" "${w[*]}" "${c[*]}"
done
printf 'eval / scan --no-store: wall %.3f, cpu %.3f (fastest runs: wall %.3f, cpu %.3f)\n' \
  "$(ratio "$(median "${w_eval[@]}")" "$(median "${w_nostore[@]}")")" \
  "$(ratio "$(median "${c_eval[@]}")" "$(median "${c_nostore[@]}")")" \
  "$(ratio "$(least "${w_eval[@]}")" "$(least "${w_nostore[@]}")")" \
  "$(ratio "$(least "${c_eval[@]}")" "$(least "${c_nostore[@]}")")"
if [ "${VIGIL_BENCH_STORE:-1}" != 0 ]; then
  printf 'eval / scan: wall %.3f, cpu %.3f\n' \
    "$(ratio "$(median "${w_eval[@]}")" "$(median "${w_store[@]}")")" \
    "$(ratio "$(median "${c_eval[@]}")" "$(median "${c_store[@]}")")"
fi
