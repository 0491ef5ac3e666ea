#!/usr/bin/env bash
# Installs what dutyledger needs from Debian 12's packages, if anything is missing.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config clang-format
  librocksdb-dev libcapnp-dev capnproto libboost-dev libboost-system-dev libssl-dev
  libjemalloc-dev libabsl-dev
  libsodium-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  openssl python3
  # scripts/fuzz.sh: clang with libFuzzer's runtime (libclang-rt-14-dev holds libclang_rt.fuzzer)
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
