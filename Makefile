# Thin front over CMake. `make demo` and `make test` install what is missing first.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-asan test-noomp bench install clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/spartan

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSPARTAN_SANITIZE=ON -DSPARTAN_WERROR=ON -DSPARTAN_MPI=OFF $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

test-noomp: deps
	cmake -S . -B build-noomp -DCMAKE_BUILD_TYPE=Release -DSPARTAN_OPENMP=OFF -DSPARTAN_WERROR=ON $(CMAKE_FLAGS)
	cmake --build build-noomp -j $(JOBS)
	cd build-noomp && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/install-deps.sh --bench
	cmake -S . -B $(BUILD) -DSPARTAN_BENCH=ON >/dev/null && cmake --build $(BUILD) -j $(JOBS)
	@bash bench/run.sh $(BUILD)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-noomp
