#!/usr/bin/env bash
# Produces samples/models/nsfwjs_expected.json: what nsfwjs@4.4.0 itself (Node, pure-JS
# tfjs CPU backend) says about benign images from the shared testdata, then checks the
# converted ONNX model against it through the C++ library (classifier_test's
# NsfwjsModelTest: top-1 equal, every probability within 1e-3, both backends).
# ADULT-CONTENT model (not a CSAM model); every image here is benign.
#
# Usage: samples/models/verify_against_nsfwjs.sh [CLASSIFIER_TEST_BINARY]
#   env TESTDATA      shared testdata dir   (default: <repo>/../shared/testdata)
#   env OUT           expected-values JSON  (default: samples/models/nsfwjs_expected.json)
#   env NODE_WORKDIR  reuse a dir that already has node_modules/{nsfwjs,@tensorflow/tfjs}
# Without a binary, only the JSON is written (run classifier_test yourself afterwards).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
testdata="${TESTDATA:-$repo_root/../shared/testdata}"
out="${OUT:-$repo_root/samples/models/nsfwjs_expected.json}"
test_binary="${1:-}"

# Benign photos and drawings, several sizes and aspect ratios (all RGB JPEG/PNG without
# EXIF rotation, so every decoder yields the same pixels).
images=(
  pdq/images-and-lists/bridge-mods/aaa-orig.jpg
  pdq/images-and-lists/bridge-mods/blur-a-lot.jpg
  pdq/images-and-lists/bridge-mods/high-contrast.jpg
  pdq/images-and-lists/bridge-mods/high-saturation.jpg
  pdq/images-and-lists/bridge-mods/sharpen-a-lot.jpg
  pdq/images-and-lists/bridge-mods/shrink-a-lot.jpg
  pdq/images-and-lists/bridge-mods/square-128x128.jpg
  pdq/images-and-lists/bridge-mods/square-512x512.jpg
  pdq/images-and-lists/reg-test-input/dih/bridge-2-rotate-90.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q0003.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q0122.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q0291.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q0746.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q1050.jpg
  pdq/images-and-lists/reg-test-input/labelme-subset/q2821.jpg
  pdq/images-and-lists/reg-test-input/pen-and-coaster.png
  pdq/images-and-lists/misc-images/small.jpg
  pdq/images-and-lists/misc-images/wee.jpg
)
for rel in "${images[@]}"; do
  [ -f "$testdata/$rel" ] || { echo "verify: missing $testdata/$rel" >&2; exit 1; }
done
command -v convert >/dev/null || { echo "verify: ImageMagick's convert is needed" >&2; exit 1; }

workdir="${NODE_WORKDIR:-}"
if [ -z "$workdir" ]; then
  workdir="$(mktemp -d)"
  trap 'rm -rf "$workdir"' EXIT
  echo "verify: npm install nsfwjs@4.4.0 @tensorflow/tfjs@4.22.0 into $workdir"
  (cd "$workdir" && npm init -y >/dev/null &&
   npm install --silent --no-audit --no-fund nsfwjs@4.4.0 @tensorflow/tfjs@4.22.0 >/dev/null)
fi
(cd "$workdir" && node "$repo_root/samples/models/verify_against_nsfwjs.mjs" \
     "$testdata" "$out" "${images[@]}") 2> >(grep -v -e 'tfjs-node' -e '^=*$' -e '^$' >&2)

if [ -n "$test_binary" ]; then
  echo "verify: checking the converted model against $out"
  "$test_binary" --gtest_filter='*NsfwjsModelTest*'
fi
