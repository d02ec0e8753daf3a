#!/usr/bin/env bash
# Installs the dependencies, builds the examples and trains the flagship: an MLP on
# Fashion-MNIST. Extra arguments go to the example (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target fashion_mnist_mlp
./build/examples/fashion_mnist_mlp --output out "$@"
