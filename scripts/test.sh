#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test: once in Release, once
# under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
echo "== ASan + UBSan build and tests"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DTAPEGRAD_SANITIZE=ON -DTAPEGRAD_NATIVE=OFF >/dev/null
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -LE slow
