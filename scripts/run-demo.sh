#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the demonstration: a generated city
# ending in an accident, the investigation report on it (text; HTML in build/demo-report.html),
# and an independent check of the ledger it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh >/dev/null
dl=$PWD/build/tools/dutyledger/dutyledger
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dl" demo --data "$work/ledger" "$@"
"$dl" investigate --data "$work/ledger" --incident acc-E00001 --format html --lang zh-CN \
  --out build/demo-report.html --bundle "$work/evidence"
"$dl" verify --data "$work/ledger"
"$dl" verify-bundle "$work/evidence"
echo "The report as HTML (Chinese): build/demo-report.html"
