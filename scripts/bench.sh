#!/usr/bin/env bash
# Builds the benchmarks (Release, with libtorch-dev for the libtorch side) and runs them all:
# per-op overhead on tiny tensors, matmul forward+backward against the BLAS floor, and the
# training-step race (each side in its own process, with its own peak memory and settings;
# both on the OpenBLAS build setup.sh selects).
# Arguments go to the race driver (e.g. --repeat 5 --rounds 21).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh libtorch-dev
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BENCH=ON \
      -DTAPEGRAD_TESTS=OFF -DTAPEGRAD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target benchmarks
cd build-bench/bench
./op_overhead
./matmul
./race "$@"
