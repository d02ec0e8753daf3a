#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test in Release; then the test
# suites again under AddressSanitizer + UndefinedBehaviorSanitizer (tests only: no examples, no
# "slow" ones), then the threaded test under ThreadSanitizer (the library and that test only).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests also need: chromium (the playground in a real browser), curl and python3 (the
# playground's HTTP API test).
bash scripts/setup.sh chromium curl python3
jobs=$(nproc)
step() { echo "== $1 ($(date +%T), ${SECONDS}s so far)"; }

step "Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

step "ASan + UBSan build and tests"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DTAPEGRAD_SANITIZE=ON \
      -DTAPEGRAD_EXAMPLES=OFF >/dev/null
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -LE slow

# libgomp is not built with ThreadSanitizer, which then cannot see its barriers and reports
# races between OpenMP threads that cannot happen: one OpenMP (and OpenBLAS) thread per team,
# so the races looked for are those between the test's own threads.
step "ThreadSanitizer build and test_threads"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAPEGRAD_TSAN=ON \
      -DTAPEGRAD_EXAMPLES=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target test_threads
OMP_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir build-tsan --output-on-failure -R '^test_threads$'
step "done"
