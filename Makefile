# Harv — the two commands a newcomer runs: `make run` and `make test`.
# `make` alone installs missing Debian packages (once) and builds build/harv.

BUILD    ?= build
JOBS     ?= $(shell nproc)
GEN      := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DHARV_WERROR=ON
endif
PORT     ?= 8080

.PHONY: all deps build run test test-asan fuzz bench clean format

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G "$(GEN)" -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@echo "Harv is starting: open http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	$(BUILD)/harv serve --listen 127.0.0.1:$(PORT)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# ASan+UBSan build of everything, whole test suite.
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

# libFuzzer targets (clang); run one with build-fuzz/fuzz/fuzz_http_request fuzz/corpus/http_request
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)

bench: build
	bench/http.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
