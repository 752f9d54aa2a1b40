#!/usr/bin/env bash
# Installs every Debian 12 package Vigil needs to build, test, benchmark and run its demo.
# Idempotent: packages already installed are skipped, so a second run costs a dpkg query.
# Needs root (or sudo) for apt-get; prints what it installs.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev
  # the Debian package (dpkg-shlibdeps, file), and make for the Makefile wrapper only:
  # the README's commands need bash alone
  dpkg-dev file make
  # SDK and host
  libboost1.81-dev libboost-url1.81-dev libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3 libssl-dev libsodium-dev libseccomp-dev
  # the team store (issue 13): the PostgreSQL client library and a server for tests
  libpq-dev postgresql-15
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libpugixml-dev libidn2-dev
  # outbound HTTPS for plugins (vigil.http/1, docs/isolation.md)
  libcurl4-openssl-dev
  # decoders
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev libexif-dev libmagic-dev
  # classifier fallback backend and model checker
  libopencv-dev libonnx-dev python3-onnx python3-numpy
  # reviewer console
  libimgui-dev libglfw3-dev libgl-dev xvfb xauth mesa-utils libgl1-mesa-dri
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libfaiss-dev liburiparser-dev
  # tools the demo and tests use to make benign images
  imagemagick
  # video (issue 16): FFmpeg's libraries for decode once, and the ffmpeg CLI that tests
  # and bench/video use to make benign clips from its test sources
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  # the Python package `vigil` (issue 17 item 1) and `vigil eval --html` plots (item 3)
  # (python3-munkres satisfies python3-fonttools' "scipy | munkres": scipy would pull
  # Boost 1.74, which conflicts with libboost1.81-dev)
  pybind11-dev python3-matplotlib python3-munkres
  # `python3 -m venv`: the documented install of the Python package into a virtual
  # environment, and its test (python/tests/venv_install.sh)
  python3-venv
  # the service and fleet (issue 14): NATS JetStream server and C client, and wrk, the
  # HTTP load generator for issue 14's HTTP measurements (bench/service/run.sh)
  nats-server libnats-dev wrk
  # the vigil.python bridge (issue 17 item 2) embeds CPython: libpython3.11 and its headers
  python3-dev libpython3-dev
  # the openssl CLI: tests/service makes a throw-away TLS certificate with it
  openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm fetch the pinned ONNX Runtime and nsfwjs packages from the npm registry.
# Machines that already have them (for example from NodeSource) keep theirs.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
