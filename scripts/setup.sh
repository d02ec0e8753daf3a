#!/usr/bin/env bash
# Installs what tapegrad needs from Debian's packages (only what is missing). Run as root, or
# with sudo available. Extra package names given as arguments are installed too.
set -euo pipefail
packages=(build-essential cmake pkg-config libxtensor-dev libxtensor-blas-dev libopenblas-dev
          libopenblas-openmp-dev doctest-dev libxsimd-dev zlib1g-dev libzip-dev libcli11-dev
          dataset-fashion-mnist "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
