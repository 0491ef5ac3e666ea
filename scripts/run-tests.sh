#!/usr/bin/env bash
# Installs what is missing, builds, checks formatting and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/check-format.sh
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
