#!/usr/bin/env bash
# The README's test command (`bash scripts/test.sh`; what .ci/run runs; `make test` wraps
# it): installs what is missing, then
#   1. release build: every GoogleTest suite and conformance check, in parallel, including
#      tests/install (the .deb is built, unpacked into a scratch root and run from there);
#   2. ASan+UBSan build: the unit and CLI tests under the sanitizers (the suites labelled
#      `heavy`: servers killed mid-burst, restarts, the fleet, thousands of items, every
#      frame of the reference clips, run in the release stage only: same code, at length);
#   3. fuzz build (clang/libFuzzer): each fuzz target runs briefly as a smoke test.
# Fails, never skips, when ../shared/testdata is missing. Needs only bash and sudo/root.
set -euo pipefail
for arg in "$@"; do
  case "$arg" in
    -h|--help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      echo "Usage: bash scripts/test.sh [--help]   (VIGIL_JOBS, VIGIL_FUZZ_SECONDS tune it)"
      exit 0 ;;
    *) echo "test: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
testdata="$(pwd)/../shared/testdata"
if [ ! -d "$testdata/pdq" ] || [ ! -d "$testdata/url" ] || [ ! -d "$testdata/formats" ]; then
  echo "test: the shared test data is missing at $testdata (it sits beside the checkout)" >&2
  exit 1
fi
bash scripts/setup.sh

start=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - start )) s)"; }

stage "release build"
bash scripts/build.sh release
stage "release tests"
ctest --preset release -j "$(nproc)"

stage "asan-ubsan build"
bash scripts/build.sh asan-ubsan
stage "asan-ubsan tests"
ctest --preset asan-ubsan -j "$(nproc)" --label-exclude heavy

stage "fuzz smoke (libFuzzer, ${VIGIL_FUZZ_SECONDS:-10} s per target)"
bash scripts/build.sh fuzz vigil_fuzzers
# Only the vigil_fuzzers target is built in this tree, so every program in bin/ is a fuzzer.
fuzzers=0
for fuzzer in build/fuzz/bin/*; do
  [ -f "$fuzzer" ] && [ -x "$fuzzer" ] || continue
  fuzzers=$((fuzzers + 1))
  corpus="build/fuzz/corpus/$(basename "$fuzzer")"
  mkdir -p "$corpus"
  "$fuzzer" -max_total_time="${VIGIL_FUZZ_SECONDS:-10}" -rss_limit_mb=4096 "$corpus" \
    >"build/fuzz/$(basename "$fuzzer").log" 2>&1 \
    || { echo "fuzz target $fuzzer failed:"; tail -40 "build/fuzz/$(basename "$fuzzer").log"; exit 1; }
  echo "   $(basename "$fuzzer"): $(grep -o 'stat::number_of_executed_units: [0-9]*' "build/fuzz/$(basename "$fuzzer").log" || tail -1 "build/fuzz/$(basename "$fuzzer").log")"
done
if [ "$fuzzers" -eq 0 ]; then
  echo "test: no fuzz target was built (build/fuzz/bin is empty)" >&2
  exit 1
fi
stage "all tests passed"
