#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs before the first build, for `make demo` and
# `make test` alike: the Debian packages, then the pinned ONNX Runtime (npm) and the demo
# classifier model converted from nsfwjs (npm). Each step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/fetch-onnxruntime.sh
bash scripts/prepare-models.sh
