#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz (only the harnesses and what they link), replays the
# checked-in inputs, then runs each harness for a fixed time over a copy of its seed corpus.
# A finding fails the run; its input is left in build-fuzz/findings/<harness>/ and belongs in
# tests/fuzz/regressions/<harness>/ once fixed (ctest replays that folder in every build).
#   scripts/fuzz.sh                         # CI: every harness, FUZZ_SECONDS (20) each
#   scripts/fuzz.sh --seconds 600 wire      # a long local run of one harness
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=(entry event_json wire note bundle_json bundle)
fi
build="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${FUZZ_JOBS:-$(nproc)}"
start=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  # -O1 with line tables: quicker to build than -O2 -g, and assertions stay on (no NDEBUG).
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
    -DCMAKE_C_FLAGS_FUZZ="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" \
    -DDUTYLEDGER_FUZZ=ON >/dev/null
fi
ninja -C "$build" -j "$jobs" fuzz
echo "fuzz: built in $(( $(date +%s) - start )) s"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for h in "${harnesses[@]}"; do
  bin="$build/tests/fuzz/${h}_fuzz"
  corpus="$build/corpus/$h"
  findings="$build/findings/$h"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$h"/* "$corpus"/ 2>/dev/null || true
  # Inputs that once crashed must not crash again.
  if [ -d "tests/fuzz/regressions/$h" ]; then
    if ! "$bin" -runs=0 "tests/fuzz/regressions/$h"/* >"$build/$h-regressions.log" 2>&1; then
      echo "fuzz: $h: a regression input crashes again:"; tail -n 40 "$build/$h-regressions.log"
      failed+=("$h"); continue
    fi
  fi
  log="$build/$h.log"
  if "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/" "$corpus" >"$log" 2>&1; then
    runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+' || true)
    echo "fuzz: $h: ${runs:-?} runs in $seconds s, $cov, no finding"
  else
    echo "fuzz: $h: FINDING (input in $findings/):"
    grep -E -A30 'ERROR|invariant failed|runtime error' "$log" | head -n 60 || tail -n 60 "$log"
    failed+=("$h")
  fi
done
echo "fuzz: done in $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
