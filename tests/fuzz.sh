#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer build (clang, -DMCPROXY_FUZZ=ON) into build/fuzz and
# runs every fuzz target (tests/fuzz/*.cpp) for SECONDS each, starting from
# its seed corpus (tests/fuzz/corpus/NAME, copied so the seeds stay clean).
#
# That build is also an AddressSanitizer + UndefinedBehaviorSanitizer build
# of every library and of mcproxy and mcproxy-tester (CMakeLists.txt: the
# fuzz options add both sanitizers everywhere, plus libFuzzer's coverage
# counters, which change no behaviour): tests/run_all.sh runs its
# sanitized integration tests against it rather than compiling a third time.
#
# Usage: tests/fuzz.sh [SECONDS]     (default: FUZZ_SECONDS, else 20)
# Prints one line per target, "fuzz NAME: ok" or "fuzz NAME: FAILED" (with
# the log's tail), and exits 0 only if the build and every target passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
seconds=${1:-${FUZZ_SECONDS:-20}}
build=build/fuzz
mkdir -p build

if ! { CXX=clang++ cmake -S . -B "$build" -DMCPROXY_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
       && cmake --build "$build" -j"${JOBS:-$(nproc)}" >build/fuzz.log 2>&1; }; then
  tail -30 build/fuzz.log
  echo "fuzz build: FAILED (log: build/fuzz.log)"
  exit 1
fi

status=0
for src in tests/fuzz/*.cpp; do
  name=$(basename "$src" .cpp)
  corpus="tests/fuzz/corpus/$name"
  work="$build/corpus-$name"
  mkdir -p "$work"
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
  # -timeout: one input taking 5 s is a hang; -rss_limit_mb: a leak or a
  # runaway allocation is a finding, not a slow machine.
  if "$build/$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 \
      "$work" >"$build/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -oE 'Done [0-9]+ runs' "$build/$name.log" | grep -oE '[0-9]+' || echo '?') runs in $seconds s)"
  else
    tail -30 "$build/$name.log"
    echo "fuzz $name: FAILED (log: $build/$name.log)"
    status=1
  fi
done
exit "$status"
