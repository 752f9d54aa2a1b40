#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), with ccache.
#   scripts/build.sh [release|debug|asan-ubsan|fuzz] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Paths relative to the checkout, so a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
jobs="${VIGIL_JOBS:-$(nproc)}"
cmake --build --preset "$preset" -j "$jobs" "${targets[@]}"
