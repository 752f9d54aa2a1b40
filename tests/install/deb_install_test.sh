#!/usr/bin/env bash
# The Debian package installs a working Vigil (issue 12, item 8 and its "Done when"):
#   deb_install_test.sh BUILD_DIR SOURCE_DIR TESTDATA_DIR
# 1. builds the .deb from the existing build (cpack; nothing is rebuilt);
# 2. checks its Depends (from dpkg-shlibdeps) name the libraries the binaries and plugins
#    link, and that every one is installed here (install-deps.sh installs them);
# 3. unpacks it into a scratch root outside the checkout (dpkg -x) and checks that no
#    file in it names the checkout or the build tree;
# 4. from the scratch directory, with an empty environment, runs the unpacked
#    `vigil plugins list --json` (the four first-party detectors load, first-party, from
#    the scratch root) and scans the shared PDQ images plus a URL into a scratch store
#    with ONNX Runtime required: every image gets the exact, PDQ and classifier signals,
#    the URL the URL detector's, and the dynamic loader maps nothing from the checkout;
# 5. runs the classifier on a vendor model copy (developer mode), which puts it in a
#    vigil-worker under Landlock: ONNX Runtime must load there from the installed dir.
set -euo pipefail
build="$(cd "${1:?usage: deb_install_test.sh BUILD_DIR SOURCE_DIR TESTDATA_DIR}" && pwd -P)"
src="$(cd "${2:?source dir}" && pwd -P)"
testdata="${3:?test data dir}"
fail() { echo "deb_install_test: $*" >&2; exit 1; }
images="$testdata/pdq/images-and-lists"
[ -d "$images" ] || fail "the shared test data is missing at $images (../shared/testdata)"
testdata="$(cd "$testdata" && pwd -P)"
images="$testdata/pdq/images-and-lists"
for tool in cpack dpkg-deb dpkg-query python3; do
  command -v "$tool" >/dev/null || fail "$tool is needed (scripts/install-deps.sh installs it)"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/vigil-deb-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work/" in "$src/"* | "$build/"*) fail "the scratch dir $work is inside the checkout" ;; esac

# 1. The package, from the release build as it is.
if ! (cd "$build" && cpack --config CPackConfig.cmake -B "$work/pkg") >"$work/cpack.log" 2>&1; then
  tail -n 30 "$work/cpack.log" >&2
  fail "cpack failed"
fi
debs=("$work"/pkg/vigil_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single vigil_*.deb"
deb="${debs[0]}"

# 2. Depends.
depends="$(dpkg-deb -f "$deb" Depends)"
[ -n "$depends" ] || fail "the package has no Depends"
# Package names only, one a line ("libc6 (>= 2.34) | libc7" gives libc6 and libc7).
names="$(tr ',|' '\n\n' <<<"$depends" | awk 'NF { print $1 }')"
# What the host, the worker, the plugins and the console link: dpkg-shlibdeps saw them all.
for lib in libc6 libstdc++6 libsqlite3-0 libsodium23 libseccomp2 libprotobuf32 libcurl4 \
           libjpeg62-turbo libpng16-16 libwebp7 libopencv-dnn406 libonnx1 libidn2-0 libglfw3; do
  grep -Fxq -- "$lib" <<<"$names" ||
    fail "Depends lacks $lib (dpkg-shlibdeps did not see every binary and plugin): $depends"
done
IFS=',' read -r -a groups <<<"$depends"
for group in "${groups[@]}"; do
  ok=0
  IFS='|' read -r -a alternatives <<<"$group"
  for alternative in "${alternatives[@]}"; do
    name="$(awk '{ print $1 }' <<<"$alternative")"
    if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed"; then
      ok=1
    fi
  done
  [ "$ok" -eq 1 ] || fail "dependency '$group' is not installed here (scripts/install-deps.sh)"
done

# 3. Unpack into a scratch root; nothing in it may name the checkout or the build tree.
root="$work/root"
dpkg-deb -x "$deb" "$root"
usr="$root/usr"
for f in bin/vigil bin/vigil-worker bin/vigil-review bin/vigil-review-launcher \
         lib/vigil/host.toml lib/vigil/plugins/vigil-exact.so lib/vigil/plugins/vigil-pdq.so \
         lib/vigil/plugins/vigil-url.so lib/vigil/plugins/vigil-classifier.so \
         lib/vigil/onnxruntime/libonnxruntime.so.1 share/vigil/policy/default.toml \
         share/vigil/reviewer.toml share/applications/vigil-review.desktop; do
  [ -f "$usr/$f" ] || fail "the package lacks /usr/$f"
done
manifests=("$usr"/lib/vigil/models/*/manifest.json)
[ -f "${manifests[0]}" ] || fail "the package has no classifier model (lib/vigil/models/*/manifest.json)"
leaked="$(find "$root" -name 'sample-*' -o -name '*.key' -o -name 'dev-signing' -o -name '.prepared-*')"
[ -z "$leaked" ] || fail "the package carries build-tree files: $leaked"
for path in "$src" "$build"; do
  named="$(grep -rlaF -- "$path" "$root" || true)"
  [ -z "$named" ] || fail "these files name $path (must be relocatable): $named"
done

# 4. Run it from the scratch dir, in an empty environment, on a scratch store.
cd "$work"
mkdir -p home
clean_env=(env -i HOME="$work/home" PATH=/usr/bin:/bin LC_ALL=C.UTF-8)
run() { "${clean_env[@]}" "$usr/bin/vigil" "$@"; }
run --store "$work/store.db" plugins list --json >list.json 2>list.err ||
  fail "vigil plugins list failed: $(tail -n 3 list.err)"
python3 - "$usr" list.json <<'PY' || fail "vigil plugins list: the first-party detectors did not all load"
import json, sys
usr, listing = sys.argv[1], json.load(open(sys.argv[2]))
want = {"vigil.exact", "vigil.pdq", "vigil.url", "vigil.classifier"}
problems = ["load error: %s" % e for e in listing.get("errors", [])]
found = set()
for plugin in listing["plugins"]:
    for detector in plugin["detectors"]:
        if detector["id"] not in want:
            continue
        found.add(detector["id"])
        if not plugin["path"].startswith(usr + "/lib/vigil/plugins/"):
            problems.append("%s loaded from %s" % (detector["id"], plugin["path"]))
        if plugin.get("trust") != "first-party":
            problems.append("%s is not trusted as first-party: %s" % (detector["id"], plugin.get("trust")))
problems += ["%s did not load" % d for d in sorted(want - found)]
for p in problems:
    print("deb_install_test: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

url="https://vigil-deb-test.example/page"
if ! "${clean_env[@]}" LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld" "$usr/bin/vigil" \
    --store "$work/store.db" --set vigil.classifier.backend=onnxruntime \
    scan "$images" "$url" --json >scan.jsonl 2>scan.err; then
  fail "vigil scan failed: $(tail -n 3 scan.err)"
fi
python3 - "$images" scan.jsonl <<'PY' || fail "the scan from the scratch root is incomplete"
import json, os, sys
images, lines = sys.argv[1], [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
expected = sum(1 for d, _, fs in os.walk(images) for f in fs
               if f.lower().endswith((".jpg", ".png", ".webp")))
problems, seen_images, seen_url = [], 0, False
for item in lines:
    by = {}
    for signal in item.get("signals", []):
        by.setdefault(signal["detector"], set()).add(signal["type"])
    if item.get("media_kind") == "image":
        seen_images += 1
        if item.get("status") != "ok":
            problems.append("%s: %s %s" % (item["item"], item.get("status"), item.get("error")))
        for detector, kind in (("vigil.exact", "sha256"), ("vigil.pdq", "pdq"),
                               ("vigil.classifier", "score:Neutral")):
            if kind not in by.get(detector, set()):
                problems.append("%s: no %s signal from %s" % (item["item"], kind, detector))
    elif item.get("media_kind") == "url":
        seen_url = True
        if "vigil.url" not in by:
            problems.append("the URL item has no signal from vigil.url: %s" % item)
if seen_images != expected:
    problems.append("%d image items scanned, %d images in %s" % (seen_images, expected, images))
if not seen_url:
    problems.append("no URL item in the scan output")
for p in problems:
    print("deb_install_test: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
grep -hq "calling init: $usr/lib/vigil/onnxruntime/libonnxruntime.so.1" "$work"/ld.* ||
  fail "ONNX Runtime was not loaded from the scratch root's lib/vigil/onnxruntime"
from_tree="$(grep -hE "(file=|calling init: )($src|$build)/" "$work"/ld.* | head -n 3 || true)"
[ -z "$from_tree" ] || fail "the installed vigil loaded files from the checkout: $from_tree"
rm -f "$work"/ld.*
# The store recorded the scan.
run --store "$work/store.db" stats --json >stats.json 2>stats.err ||
  fail "vigil stats failed on the scratch store: $(tail -n 3 stats.err)"

# 5. A vendor model (not the shipped one) puts vigil.classifier into a worker, under
# Landlock: ONNX Runtime is required, so it must be readable in the installed dir.
model_dir="$(dirname "${manifests[0]}")"
mkdir vendor-model
cp "$model_dir"/* vendor-model/
one_image="$(find "$images" -name '*.jpg' | sort | head -n 1)"
if ! run --store "$work/store.db" --developer-mode \
    --set "vigil.classifier.model=$work/vendor-model/manifest.json" \
    --set vigil.classifier.backend=onnxruntime scan "$one_image" --json >worker.jsonl 2>worker.err; then
  fail "the classifier in a worker failed: $(tail -n 3 worker.err)"
fi
run --store "$work/store.db" --developer-mode \
    --set "vigil.classifier.model=$work/vendor-model/manifest.json" plugins list --json \
    >worker-list.json 2>/dev/null || fail "vigil plugins list with a vendor model failed"
python3 - worker.jsonl worker-list.json <<'PY' || fail "the classifier did not run in a worker"
import json, sys
items = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
listing = json.load(open(sys.argv[2]))
iso = [p.get("isolation") for p in listing["plugins"]
       if any(d["id"] == "vigil.classifier" for d in p["detectors"])]
ok = (len(items) == 1 and items[0].get("status") == "ok" and iso == ["worker"] and
      any(s["detector"] == "vigil.classifier" for s in items[0]["signals"]))
if not ok:
    print("deb_install_test: worker scan %s, isolation %s" % (items, iso), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
echo "deb_install_test: $(basename "$deb") unpacked to a scratch root: 4 first-party detectors," \
     "scan of $images ok, ONNX Runtime in process and in a worker from the package"
