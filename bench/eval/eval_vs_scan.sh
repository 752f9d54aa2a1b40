#!/usr/bin/env bash
# Issue 17 "Measure": `vigil eval` on N items against a plain `vigil scan` of the same items
# (goal: within 10%). Generates N benign 640x480 JPEGs (noise over gradients, drawn here),
# a labelled CSV for them and the demo bank, then times, alternating, R runs each of
#   vigil scan --no-store   (read + decode + every detector + policy; nothing stored)
#   vigil scan              (the same, recorded in a fresh SQLite store)
#   vigil eval              (read + decode + every detector + policy per detector + metrics)
# with the same plugins and threads, and prints the medians of wall and CPU time. Numbers: docs/performance.md.
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

# One run: "wall cpu" seconds; cpu = user + system of vigil and its workers, which a busy
# machine (other sessions' builds) disturbs far less than the wall time.
run() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$work/time"
}
declare -a w_nostore w_store w_eval c_nostore c_store c_eval
for r in $(seq "$runs"); do
  read -r w c < <(run "$vigil" --store "$store" scan --no-store --threads "$threads" --policy "$policy" "$work/items")
  w_nostore+=("$w"); c_nostore+=("$c")
  rm -f "$work/s$r.db"*
  read -r w c < <(run "$vigil" --store "$work/s$r.db" scan --threads "$threads" --policy "$policy" "$work/items")
  w_store+=("$w"); c_store+=("$c")
  read -r w c < <(run "$vigil" --store "$store" eval --threads "$threads" --policy "$policy" "$work/corpus.csv")
  w_eval+=("$w"); c_eval+=("$c")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { echo "$1 / $2" | bc -l; }
echo "items=$n runs=$runs threads=$threads load=$(cut -d' ' -f1-3 /proc/loadavg)"
for what in nostore store eval; do
  declare -n w="w_$what" c="c_$what"
  printf '%-15s wall median %7.2f s (%6.1f items/s)  cpu median %7.2f s   walls: %s  cpus: %s\n' \
    "$what" "$(median "${w[@]}")" "$(echo "$n / $(median "${w[@]}")" | bc -l)" \
    "$(median "${c[@]}")" "${w[*]}" "${c[*]}"
done
printf 'eval / scan --no-store: wall %.3f, cpu %.3f;  eval / scan: wall %.3f, cpu %.3f\n' \
  "$(ratio "$(median "${w_eval[@]}")" "$(median "${w_nostore[@]}")")" \
  "$(ratio "$(median "${c_eval[@]}")" "$(median "${c_nostore[@]}")")" \
  "$(ratio "$(median "${w_eval[@]}")" "$(median "${w_store[@]}")")" \
  "$(ratio "$(median "${c_eval[@]}")" "$(median "${c_store[@]}")")"
