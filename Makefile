# Thin convenience wrapper. The README's commands need only bash (`bash scripts/demo.sh`,
# `bash scripts/test.sh`); scripts/install-deps.sh installs make for this file.
.PHONY: demo test build package bench format clean

demo:            ## set up, build, scan the demo corpus, open the reviewer console
	bash scripts/demo.sh

test:            ## set up, then release + ASan/UBSan tests and a fuzz smoke run
	bash scripts/test.sh

build:
	bash scripts/setup.sh
	bash scripts/build.sh release

package: build   ## the Debian package: build/release/vigil_<version>_<arch>.deb
	cmake --build build/release --target package

bench: build     ## run every benchmark (results: docs/performance.md)
	for b in build/release/bench/*; do [ -x "$$b" ] && "$$b"; done

format:
	git ls-files '*.cc' '*.h' '*.c' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
