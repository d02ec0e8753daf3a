#!/usr/bin/env bash
# Do tapegrad programs share the machine? Times each workload alone, then two copies started
# together (COPIES=n for another count), and prints together/alone per copy: about 2 on a 2-core
# machine when the cores are shared fairly, far more when idle threads spin. Settings come from
# the environment (try OMP_WAIT_POLICY=active). Usage: alone_vs_together.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
copies=${COPIES:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
workloads=(
  "fashion_mnist_cnn --epochs 1 --limit 6000"
  "fashion_mnist_mlp --epochs 1 --limit 20000"
)

# Runs one workload with its output in folder $2 and prints its wall time in seconds.
run() {
  local start=$EPOCHREALTIME
  # shellcheck disable=SC2086  # the workload's words are the program and its arguments
  "$build"/examples/$1 --output "$2" >"$2.log" 2>&1
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

printf "%-45s %8s  %s\n" "workload ($(nproc) cores, $copies together)" "alone s" \
       "together s per copy (ratio to alone)"
for w in "${workloads[@]}"; do
  run "$w" "$out/warm" >/dev/null  # page cache and CPU frequency, as for the runs that count
  alone=$(run "$w" "$out/alone")
  for k in $(seq "$copies"); do run "$w" "$out/copy$k" >"$out/time$k" & done
  wait
  line=""
  for k in $(seq "$copies"); do
    t=$(cat "$out/time$k")
    line+=$(awk -v t="$t" -v a="$alone" 'BEGIN { printf " %.2f (%.2fx)", t, t / a }')
  done
  printf "%-45s %8.2f %s\n" "$w" "$alone" "$line"
done
