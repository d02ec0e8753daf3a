#!/usr/bin/env bash
# Installs what tapegrad needs from Debian's packages (only what is missing). Run as root, or
# with sudo available. Extra package names given as arguments are installed too.
set -euo pipefail
packages=(build-essential cmake pkg-config libxtensor-dev libxtensor-blas-dev libopenblas-dev
          libopenblas-openmp-dev doctest-dev libxsimd-dev zlib1g-dev libzip-dev libcli11-dev
          dataset-fashion-mnist libcpp-httplib-dev fortunes "$@")
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Programs linked to OpenBLAS load libopenblas.so.0, and Debian's update-alternatives decides
# which build that is (pthreads by default). Select the OpenMP build, whose threads are the pool
# tapegrad's own kernels use, unless an administrator chose a build by hand. Likewise for
# libblas.so.3 and liblapack.so.3 (what libtorch links): OpenBLAS's are thin interfaces over
# libopenblas.so.0, and the pthread one over the OpenMP core splits a product among threads
# OpenMP never starts (libtorch hung in its first large GEMM at 1 thread).
for name in libopenblas.so.0 libblas.so.3 liblapack.so.3; do
  alternative=$name-$(gcc -print-multiarch)
  if update-alternatives --query "$alternative" 2>/dev/null | grep -q '^Status: auto$'; then
    openmp=$(update-alternatives --list "$alternative" | grep /openblas-openmp/ || true)
    if [ -n "$openmp" ] && [ "$(readlink -f "/etc/alternatives/$alternative")" != "$openmp" ]; then
      echo "setup: selecting OpenBLAS's OpenMP build ($openmp)"
      $sudo update-alternatives --set "$alternative" "$openmp" >/dev/null
    fi
  fi
done
