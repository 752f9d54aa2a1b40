#!/usr/bin/env bash
# docs/python.md's install, as a test: a virtual environment that sees the Debian packages
# (numpy), `pip install --no-index` of the built package (nothing fetched), and an import
# that hashes an image. Usage: venv_install.sh PYTHON PACKAGE_DIR IMAGE
set -euo pipefail
python="$1" package="$2" image="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$package" "$work/package"   # pip writes build/ and *.egg-info beside the sources
rm -rf "$work/package/build" "$work/package/"*.egg-info
"$python" -m venv --system-site-packages "$work/env"
"$work/env/bin/pip" install --quiet --no-index --no-build-isolation "$work/package"
cd "$work"  # not the build tree: the import must come from the environment
"$work/env/bin/python" - "$image" "$work/env" <<'PY'
import os, sys
import vigil
assert vigil.__file__.startswith(sys.argv[2]), vigil.__file__
h = vigil.pdq(sys.argv[1])
assert len(h.hash) == 64 and h.quality > 0, h
print("installed", vigil.__file__, h.hash)
PY
