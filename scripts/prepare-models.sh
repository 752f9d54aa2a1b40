#!/usr/bin/env bash
# Builds the demo classifier model: the nsfwjs 4.4.0 MobileNetV2 (MIT, from the npm
# registry), converted from tfjs layers format to ONNX, with its Vigil model manifest.
# This is an ADULT-CONTENT model, NOT a CSAM model.
#
# Writes OUT_DIR/nsfwjs-mobilenetv2/{model.onnx, manifest.json} (default OUT_DIR:
# <repo>/build/models). Needs npm, node and Debian's /usr/bin/python3 with python3-onnx
# and python3-numpy. Idempotent: does nothing when the model is already there and was
# made from the same tarball by the same converter.
#
# Usage: scripts/prepare-models.sh [OUT_DIR]
set -euo pipefail

NSFWJS_PKG="nsfwjs@4.4.0"
NSFWJS_TGZ="nsfwjs-4.4.0.tgz"
NSFWJS_SHA256="585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382"
PYTHON=/usr/bin/python3  # Debian's, where python3-onnx lives (not a pyenv shim)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
samples="$repo_root/samples/models"
out_root="${1:-$repo_root/build/models}"
out="$out_root/nsfwjs-mobilenetv2"

for tool in npm node "$PYTHON"; do
  command -v "$tool" >/dev/null || { echo "prepare-models: $tool is needed" >&2; exit 1; }
done
"$PYTHON" -c "import onnx, numpy" 2>/dev/null ||
  { echo "prepare-models: $PYTHON lacks onnx/numpy (apt install python3-onnx python3-numpy)" >&2; exit 1; }

# The stamp ties the output to the tarball and to the converter and manifest versions.
inputs_digest="$(cat "$samples/convert_tfjs_to_onnx.py" "$samples/extract_nsfwjs_model.cjs" \
                     "$samples/nsfwjs-mobilenetv2.manifest.json" | sha256sum | cut -c1-16)"
stamp="$out/.prepared-$NSFWJS_SHA256-$inputs_digest"
if [ -f "$stamp" ] && [ -f "$out/model.onnx" ] && [ -f "$out/manifest.json" ]; then
  echo "prepare-models: $out is up to date"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "prepare-models: npm pack $NSFWJS_PKG"
(cd "$work" && npm pack --silent "$NSFWJS_PKG" >/dev/null)
got="$(sha256sum "$work/$NSFWJS_TGZ" | cut -d' ' -f1)"
if [ "$got" != "$NSFWJS_SHA256" ]; then
  echo "prepare-models: SHA-256 mismatch for $NSFWJS_TGZ: got $got, pinned $NSFWJS_SHA256" >&2
  exit 1
fi
# Only the MobileNetV2 model files (the package also carries InceptionV3 and a mid model).
tar -xzf "$work/$NSFWJS_TGZ" -C "$work" package/LICENSE \
    package/dist/models/mobilenet_v2/model.min.js \
    package/dist/models/mobilenet_v2/group1-shard1of1.min.js
node "$samples/extract_nsfwjs_model.cjs" "$work/package" "$work/tfjs"

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
"$PYTHON" "$samples/convert_tfjs_to_onnx.py" "$work/tfjs/model.json" "$out.tmp/model.onnx"
cp "$samples/nsfwjs-mobilenetv2.manifest.json" "$out.tmp/manifest.json"
cp "$work/package/LICENSE" "$out.tmp/LICENSE.nsfwjs"
cat > "$out.tmp/README" <<TXT
ADULT-CONTENT model (NOT a CSAM model). nsfwjs 4.4.0 MobileNetV2 by Infinite Red (MIT,
see LICENSE.nsfwjs), npm tarball sha256 $NSFWJS_SHA256, converted to ONNX by
samples/models/convert_tfjs_to_onnx.py. Labels: Drawing, Hentai, Neutral, Porn, Sexy.
TXT
touch "$out.tmp/$(basename "$stamp")"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "prepare-models: wrote $out/model.onnx and $out/manifest.json (ADULT-CONTENT demo model)"
