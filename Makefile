# gridgate: the two commands are `make sandbox` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
SANDBOX_DIR ?= .gridgate

.PHONY: all deps dev test test-dev sandbox release bench fuzz format format-check clean

all: dev

deps:
	@./scripts/install-deps.sh

dev: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

# Installs what is missing, builds with ASan+UBSan and runs every test (labels unit, integration,
# e2e, fuzz-smoke). This is what CI runs.
test: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

# Faster local loop without sanitizers.
test-dev: dev
	ctest --preset dev

release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

# Everything on loopback with a generated PKI and the embedded SQLite store (builds only the
# gridgate binary, optimised and hardened).
sandbox: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target gridgate
	./build/release/src/cli/gridgate sandbox --dir $(SANDBOX_DIR)

bench: release
	./bench/run.sh

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	./fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

format:
	find src tests fuzz bench examples -name '*.h' -o -name '*.cc' 2>/dev/null | xargs clang-format -i

format-check:
	./scripts/check-format.sh

clean:
	rm -rf build
