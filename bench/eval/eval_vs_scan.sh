#!/usr/bin/env bash
# Issue 17 "Measure": `vigil eval` on N items against a plain `vigil scan` of the same items
# (goal: within 10%). Generates N benign 640x480 JPEGs (noise over gradients, drawn here),
# a labelled CSV for them and the demo bank, then times, alternating, R runs each of
#   vigil scan --no-store   (read + decode + every detector + policy; nothing stored)
#   vigil scan              (the same, recorded in a fresh SQLite store)
#   vigil eval              (read + decode + every detector + policy per detector + metrics)
# with the same plugins and threads, and prints the medians. Numbers: docs/performance.md.
#
#   bench/eval/eval_vs_scan.sh [N=1000] [RUNS=3] [THREADS=2]      (VIGIL_BUILD=build/release)
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-1000}" runs="${2:-3}" threads="${3:-2}"
build="${VIGIL_BUILD:-build/release}"
vigil="$PWD/$build/bin/vigil"
[ -x "$vigil" ] || { echo "eval_vs_scan: build $vigil first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/items" "$n" <<'PY'
import os, sys
import numpy
from PIL import Image
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
rng = numpy.random.default_rng(17)
y, x = numpy.mgrid[0:480, 0:640]
with open(os.path.join(out, "..", "corpus.csv"), "w") as csv:
    csv.write("path,label\n")
    for i in range(n):
        base = (x * (i % 7 + 1) + y * (i % 5 + 1)) % 256
        pixels = numpy.stack([base, (base + 85 * (i % 3)) % 256, 255 - base], axis=2)
        pixels = (pixels + rng.integers(0, 40, pixels.shape)).clip(0, 255).astype(numpy.uint8)
        name = "img%06d.jpg" % i
        Image.fromarray(pixels).save(os.path.join(out, name), quality=90)
        csv.write("items/%s,%s\n" % (name, "known" if i % 10 == 0 else "benign"))
PY
store="$work/store.db"
"$vigil" --store "$store" lists import --type pdq --format te-csv --bank demo-known \
  samples/demo/demo-bank.te.csv >/dev/null
policy="$work/policy.toml"   # the built-in policy names the classifier; use one that does not
printf '[defaults]\nunmatched = "review"\n' > "$policy"

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
declare -a t_nostore t_store t_eval
for r in $(seq "$runs"); do
  t_nostore+=("$(seconds "$vigil" --store "$store" scan --no-store --threads "$threads" --policy "$policy" "$work/items")")
  rm -f "$work/s$r.db"*
  t_store+=("$(seconds "$vigil" --store "$work/s$r.db" scan --threads "$threads" --policy "$policy" "$work/items")")
  t_eval+=("$(seconds "$vigil" --store "$store" eval --threads "$threads" --policy "$policy" "$work/corpus.csv")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fastest() { printf '%s\n' "$@" | sort -g | head -1; }
m_nostore=$(median "${t_nostore[@]}") m_store=$(median "${t_store[@]}") m_eval=$(median "${t_eval[@]}")
echo "items=$n runs=$runs threads=$threads load=$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'scan --no-store  %8.2f s  %7.1f items/s   runs: %s\n' "$m_nostore" "$(echo "$n / $m_nostore" | bc -l)" "${t_nostore[*]}"
printf 'scan (store)     %8.2f s  %7.1f items/s   runs: %s\n' "$m_store" "$(echo "$n / $m_store" | bc -l)" "${t_store[*]}"
printf 'eval             %8.2f s  %7.1f items/s   runs: %s\n' "$m_eval" "$(echo "$n / $m_eval" | bc -l)" "${t_eval[*]}"
printf 'medians: eval / scan --no-store = %.3f, eval / scan = %.3f\n' \
  "$(echo "$m_eval / $m_nostore" | bc -l)" "$(echo "$m_eval / $m_store" | bc -l)"
f_nostore=$(fastest "${t_nostore[@]}") f_store=$(fastest "${t_store[@]}") f_eval=$(fastest "${t_eval[@]}")
printf 'fastest runs: eval / scan --no-store = %.3f, eval / scan = %.3f\n' \
  "$(echo "$f_eval / $f_nostore" | bc -l)" "$(echo "$f_eval / $f_store" | bc -l)"
