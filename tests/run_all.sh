#!/usr/bin/env bash
# Installs what is missing, builds mcproxy both ways (CMake, qmake), and runs
# every test: unit tests (CTest), namespace integration tests (pytest, needs
# root), clang-tidy on every layer, the benchmark and operations checks, a
# time-boxed fuzzing run of every fuzz target (clang + libFuzzer), and last
# the unit and integration tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer (tests/sanitize.sh).
# Ends with one line "all tests: N passed, N failed".
#
# Environment: FUZZ_SECONDS (per target, default 60), SKIP_INTEGRATION=1,
# SKIP_SANITIZE=1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0
failed=0
step() { printf '\n==== %s\n' "$*"; }
count() {  # count NAME PASSED FAILED
  passed=$((passed + $2)); failed=$((failed + $3))
  printf '%s: %s passed, %s failed\n' "$1" "$2" "$3"
}

step "dependencies"
scripts/install-deps.sh || { echo "installing dependencies failed"; exit 1; }

step "CMake build (warnings are errors)"
if ! scripts/build.sh; then echo "CMake build failed"; exit 1; fi

step "unit tests (CTest)"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300 | tee build/ctest.log
ctest_total=$(grep -oE 'out of [0-9]+' build/ctest.log | tail -1 | grep -oE '[0-9]+' || echo 0)
ctest_failed=$(grep -oE '[0-9]+ tests failed' build/ctest.log | tail -1 | grep -oE '^[0-9]+' || echo 0)
if [ "${ctest_total:-0}" -eq 0 ]; then ctest_failed=1; fi
count "unit" $((ctest_total - ctest_failed)) "$ctest_failed"

step "qmake build (the classic way)"
rm -rf build/qmake && mkdir -p build/qmake
if (cd build/qmake && QT_SELECT=qt5 qmake "$top/mcproxy.pro" && make -j"$(nproc)" >make.log 2>&1 \
    && ./mcproxy --version); then
  count "qmake" 1 0
else
  tail -20 build/qmake/make.log 2>/dev/null
  count "qmake" 0 1
fi

if [ "${SKIP_INTEGRATION:-0}" != 1 ] && ls tests/integration/test_*.py >/dev/null 2>&1; then
  step "integration tests (pytest, network namespaces)"
  MCPROXY_BIN="$top/build/mcproxy" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration \
    2>&1 | tee build/pytest.log
  p=$(grep -oE '[0-9]+ passed' build/pytest.log | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ (failed|errors?)' build/pytest.log | awk '{s+=$1} END {print s+0}')
  if [ "${p:-0}" -eq 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  count "integration" "${p:-0}" "${f:-0}"
fi

if [ -x tests/tidy.sh ]; then
  step "clang-tidy (.clang-tidy; every layer)"
  if tests/tidy.sh src/net src/wire src/config src/kernel src/core src/daemon; then count "tidy" 1 0; else count "tidy" 0 1; fi
fi

if [ -d tests/bench_smoke ]; then
  step "benchmark harness smoke test (bench/e2e quick case, no time thresholds)"
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/bench_smoke 2>&1 | tee build/bench_smoke.log
  p=$(grep -oE '[0-9]+ passed' build/bench_smoke.log | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ (failed|errors?)' build/bench_smoke.log | awk '{s+=$1} END {print s+0}')
  if [ "${p:-0}" -eq 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  count "bench smoke" "${p:-0}" "${f:-0}"
fi

if [ -d tests/ops ]; then
  step "operations tests (unit file, manuals, install, doc, debug lab, Debian package, unit under systemd)"
  MCPROXY_BUILD_DIR="$top/build" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/ops \
    2>&1 | tee build/ops.log
  p=$(grep -oE '[0-9]+ passed' build/ops.log | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ (failed|errors?)' build/ops.log | awk '{s+=$1} END {print s+0}')
  if [ "${p:-0}" -eq 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  count "ops" "${p:-0}" "${f:-0}"
fi

if ls tests/fuzz/*.cpp >/dev/null 2>&1; then
  step "fuzzing (libFuzzer, ${FUZZ_SECONDS:-60} s per target)"
  if CXX=clang++ cmake -S . -B build/fuzz -DMCPROXY_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
      && cmake --build build/fuzz -j"$(nproc)" >build/fuzz.log 2>&1; then
    for src in tests/fuzz/*.cpp; do
      name=$(basename "$src" .cpp)
      corpus="tests/fuzz/corpus/$name"
      work="build/fuzz/corpus-$name"
      mkdir -p "$work"
      [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
      if build/fuzz/"$name" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=5 -rss_limit_mb=1024 \
          "$work" >"build/fuzz/$name.log" 2>&1; then
        count "fuzz $name" 1 0
      else
        tail -30 "build/fuzz/$name.log"
        count "fuzz $name" 0 1
      fi
    done
  else
    tail -30 build/fuzz.log
    count "fuzz build" 0 1
  fi
fi

if [ "${SKIP_SANITIZE:-0}" != 1 ] && [ -x tests/sanitize.sh ]; then
  step "unit and integration tests under ASan + UBSan (tests/sanitize.sh)"
  rm -f build/asan/pytest.log
  SKIP_INTEGRATION="${SKIP_INTEGRATION:-0}" tests/sanitize.sh 2>&1 | tee build/sanitize.log
  san_status=${PIPESTATUS[0]}
  # One count per sanitized unit binary, per integration test, and one for
  # "no sanitizer report was written".
  p=$(grep -c '^ok: unit_' build/sanitize.log || true)
  f=$(grep -c '^FAILED: unit_' build/sanitize.log || true)
  if [ -f build/asan/pytest.log ] && [ "${SKIP_INTEGRATION:-0}" != 1 ]; then
    ip=$(grep -oE '[0-9]+ passed' build/asan/pytest.log | tail -1 | grep -oE '[0-9]+' || echo 0)
    ifail=$(grep -oE '[0-9]+ (failed|errors?)' build/asan/pytest.log | awk '{s+=$1} END {print s+0}')
    p=$((p + ${ip:-0})); f=$((f + ${ifail:-0}))
  fi
  if grep -q '^sanitize: sanitizer reports found' build/sanitize.log; then f=$((f + 1)); else p=$((p + 1)); fi
  if [ "$san_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  count "sanitizers" "$p" "$f"
fi

echo
echo "all tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
