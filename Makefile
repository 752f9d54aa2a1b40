# Thin wrapper: the two commands the README starts with, plus a few conveniences.
.PHONY: demo test build bench format clean

demo:            ## set up, build, scan the demo corpus, open the reviewer console
	bash scripts/setup.sh
	bash scripts/build.sh release
	bash scripts/demo.sh

test:            ## set up, then release + ASan/UBSan tests and a fuzz smoke run
	bash scripts/test.sh

build:
	bash scripts/setup.sh
	bash scripts/build.sh release

bench: build     ## run every benchmark (results: docs/performance.md)
	for b in build/release/bench/*; do [ -x "$$b" ] && "$$b"; done

format:
	git ls-files '*.cc' '*.h' '*.c' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
