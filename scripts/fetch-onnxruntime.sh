#!/usr/bin/env bash
# Fetches ONNX Runtime (library + C API headers) into third_party/onnxruntime/ so that the
# classifier can use it as its fast backend. Debian 12 does not package ONNX Runtime; the
# npm registry is the one reachable source that ships a Linux build:
#   onnxruntime-node@1.30.0           -> bin/napi-v6/linux/x64/libonnxruntime.so.1 (MIT)
#   com.github.asus4.onnxruntime@0.4.9 -> the C API headers (ORT_API_VERSION 29; the 1.30
#                                        library serves every API version up to its own)
# Both tarballs are pinned by version and SHA-256. Only the .so and the C headers are kept.
# Idempotent: when the files are already in place and match, nothing is downloaded.
#
# Usage: scripts/fetch-onnxruntime.sh [DEST]   (default: <repo>/third_party/onnxruntime)
set -euo pipefail

ORT_NODE_PKG="onnxruntime-node@1.30.0"
ORT_NODE_TGZ="onnxruntime-node-1.30.0.tgz"
ORT_NODE_SHA256="6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75"
ORT_HDR_PKG="com.github.asus4.onnxruntime@0.4.9"
ORT_HDR_TGZ="com.github.asus4.onnxruntime-0.4.9.tgz"
ORT_HDR_SHA256="e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d"

LIB_IN_TGZ="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
HDR_DIR_IN_TGZ="package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
# The C API is these four headers; the C++ wrappers and Apple provider headers are left out.
HEADERS=(onnxruntime_c_api.h onnxruntime_ep_c_api.h onnxruntime_error_code.h
         cpu_provider_factory.h)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$repo_root/third_party/onnxruntime}"
stamp="$dest/.fetched-$ORT_NODE_SHA256-$ORT_HDR_SHA256"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "fetch-onnxruntime: only linux-x64 is supported (this is $(uname -s)-$(uname -m));" \
       "the classifier will use OpenCV DNN" >&2
  exit 1
fi

if [ -f "$stamp" ] && [ -f "$dest/lib/libonnxruntime.so.1" ] &&
   [ -f "$dest/include/onnxruntime_c_api.h" ]; then
  echo "fetch-onnxruntime: already present in $dest"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-onnxruntime: npm is needed (apt install npm)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch PKG TGZ SHA256
  local pkg="$1" tgz="$2" want="$3" got
  echo "fetch-onnxruntime: npm pack $pkg"
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  got="$(sha256sum "$work/$tgz" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    echo "fetch-onnxruntime: SHA-256 mismatch for $tgz: got $got, pinned $want;" \
         "refusing to use it" >&2
    exit 1
  fi
}

fetch "$ORT_NODE_PKG" "$ORT_NODE_TGZ" "$ORT_NODE_SHA256"
fetch "$ORT_HDR_PKG" "$ORT_HDR_TGZ" "$ORT_HDR_SHA256"

mkdir -p "$work/x"
tar -xzf "$work/$ORT_NODE_TGZ" -C "$work/x" "$LIB_IN_TGZ"
hdr_members=()
for h in "${HEADERS[@]}"; do hdr_members+=("$HDR_DIR_IN_TGZ/$h"); done
tar -xzf "$work/$ORT_HDR_TGZ" -C "$work/x" "${hdr_members[@]}"

# Replace the destination atomically enough for a set-up script: stage, then move.
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/lib" "$dest.tmp/include"
install -m 0644 "$work/x/$LIB_IN_TGZ" "$dest.tmp/lib/libonnxruntime.so.1"
ln -s libonnxruntime.so.1 "$dest.tmp/lib/libonnxruntime.so"
for h in "${HEADERS[@]}"; do
  install -m 0644 "$work/x/$HDR_DIR_IN_TGZ/$h" "$dest.tmp/include/$h"
done
cat > "$dest.tmp/README" <<EOF
ONNX Runtime for Vigil's classifier, fetched by scripts/fetch-onnxruntime.sh.
lib/libonnxruntime.so.1  from npm $ORT_NODE_PKG (sha256 $ORT_NODE_SHA256), MIT licence
include/*.h              from npm $ORT_HDR_PKG (sha256 $ORT_HDR_SHA256), MIT licence
EOF
touch "$dest.tmp/$(basename "$stamp")"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "fetch-onnxruntime: installed into $dest"
