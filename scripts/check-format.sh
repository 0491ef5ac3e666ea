#!/usr/bin/env bash
# Fails when clang-format would change any C++ file of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find ledger projections net tools tests -name '*.cc' -o -name '*.h')
bad=$(echo "$files" | xargs -r clang-format --dry-run 2>&1 | grep -c 'warning:' || true)
if [ "$bad" != "0" ]; then
  echo "clang-format would change $bad places; run: clang-format -i \$(git ls-files '*.cc' '*.h')"
  echo "$files" | xargs -r clang-format --dry-run 2>&1 | grep 'warning:' | head -20
  exit 1
fi
