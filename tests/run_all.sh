#!/usr/bin/env bash
# Installs what is missing, builds mcproxy both ways (CMake, qmake), and runs
# every test: unit tests (CTest), namespace integration tests (pytest, needs
# root), clang-tidy on every layer, the benchmark and operations checks, a
# time-boxed fuzzing run of every fuzz target (clang + libFuzzer,
# tests/fuzz.sh), and last the integration tests that feed the daemon the
# most varied input again, against that AddressSanitizer +
# UndefinedBehaviorSanitizer build (tests/sanitize.sh). The long checks
# (the suite repeated, on 6.12, wholly under the sanitizers with the unit
# tests, longer fuzzing) are tests/run_long.sh.
# Ends with one line "all tests: N passed, N failed".
#
# Everything that programs the kernel's multicast tables (the kernel layer's
# unit tests, the namespace integration tests, the benchmark smoke test, the
# operations tests that run the daemon) goes through
# scripts/with-mroute-kernel.sh: natively where this kernel has multicast
# routing, in a qemu VM with Debian's stock kernel where it has not
# (doc/mroute-vm.md).
#
# Environment: FUZZ_SECONDS (per target, default 20), SKIP_INTEGRATION=1,
# SKIP_SANITIZE=1, INTEGRATION_WORKERS (pytest-xdist workers, default 3),
# MCPROXY_VM=auto|always|never (the runner's choice).
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

step "kernel with multicast routing for the tests that need one"
echo "scripts/with-mroute-kernel.sh: $(scripts/with-mroute-kernel.sh --where)"
if ! scripts/with-mroute-kernel.sh --prepare; then echo "preparing the multicast-routing VM failed"; exit 1; fi

count_ctest() {  # count_ctest NAME LOG
  local total failed
  total=$(grep -oE 'out of [0-9]+' "$2" | tail -1 | grep -oE '[0-9]+' || echo 0)
  failed=$(grep -oE '[0-9]+ tests failed' "$2" | tail -1 | grep -oE '^[0-9]+' || echo 0)
  if [ "${total:-0}" -eq 0 ]; then failed=1; fi
  count "$1" $((total - failed)) "$failed"
}
pytest_summary() {  # pytest_summary LOG: pytest's closing line ("1 failed, 28 passed in 164.09s"),
  # not a daemon log line that happens to say "failed" in the captured output
  grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.* in [0-9.]+s' "$1" | tail -1
}
pytest_passed() { pytest_summary "$1" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0; }
pytest_failed() { pytest_summary "$1" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s+=$1} END {print s+0}'; }
count_pytest() {  # count_pytest NAME LOG
  local p f
  p=$(pytest_passed "$2")
  f=$(pytest_failed "$2")
  if [ "${p:-0}" -eq 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  count "$1" "${p:-0}" "${f:-0}"
}

step "unit tests (CTest), all but the kernel layer's"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300 -LE '^kernel$' | tee build/ctest.log
count_ctest "unit" build/ctest.log

step "unit tests of the kernel layer (CTest -L kernel, under a kernel with multicast routing)"
scripts/with-mroute-kernel.sh ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300 -L '^kernel$' \
  | tee build/ctest-kernel.log
count_ctest "unit kernel" build/ctest-kernel.log

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
  # Three workers: the tests mostly wait on protocol timers (seconds), so
  # they overlap well even on two CPUs (doc/mroute-vm.md has the figures).
  MCPROXY_BIN="$top/build/mcproxy" scripts/with-mroute-kernel.sh \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider --durations=15 -n "${INTEGRATION_WORKERS:-3}" tests/integration \
    2>&1 | tee build/pytest.log
  count_pytest "integration" build/pytest.log

  # Debian 12 also ships the 6.12 kernel line: the feature check and one
  # forwarding test per family there too (the full suite: doc/mroute-vm.md).
  step "kernel 6.12: mcproxy -c and forwarding"
  MCPROXY_VM_KERNEL=6.12 MCPROXY_BIN="$top/build/mcproxy" scripts/with-mroute-kernel.sh sh -c \
    'build/mcproxy -c && /usr/bin/python3 -m pytest -q -p no:cacheprovider \
       "tests/integration/test_forwarding.py::test_any_source_join_forward_leave_prune"' 2>&1 | tee build/pytest-6.12.log
  count_pytest "kernel 6.12" build/pytest-6.12.log
fi

if [ -x tests/tidy.sh ]; then
  step "clang-tidy (.clang-tidy; every layer)"
  if tests/tidy.sh src/net src/wire src/config src/kernel src/core src/daemon; then count "tidy" 1 0; else count "tidy" 0 1; fi
fi

if [ -d tests/bench_smoke ]; then
  step "benchmark harness smoke test (bench/e2e quick case, no time thresholds)"
  scripts/with-mroute-kernel.sh /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/bench_smoke \
    2>&1 | tee build/bench_smoke.log
  count_pytest "bench smoke" build/bench_smoke.log
fi

if [ -d tests/ops ]; then
  step "operations tests (unit file, manuals, install, doc, debug lab, Debian package, unit under systemd)"
  # Natively first: it builds the Debian package and the cached bookworm
  # trees (debootstrap needs the network, which the VM does not have).
  MCPROXY_BUILD_DIR="$top/build" /usr/bin/python3 -m pytest -q -p no:cacheprovider --durations=5 -m 'not mroute' tests/ops \
    2>&1 | tee build/ops.log
  count_pytest "ops" build/ops.log
  step "operations tests that run the daemon (pytest -m mroute, under a kernel with multicast routing)"
  # The package and the systemd tree are made here, where apt has a network;
  # the VM has none. An empty MCPROXY_DEB (no debootstrap here): the package
  # tests skip themselves with their reason.
  deb=$(/usr/bin/python3 tests/ops/debian_tree.py prepare | tail -1) || deb=
  MCPROXY_DEB="$deb" MCPROXY_BUILD_DIR="$top/build" scripts/with-mroute-kernel.sh \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider --durations=5 -m mroute tests/ops 2>&1 | tee build/ops-mroute.log
  count_pytest "ops (daemon)" build/ops-mroute.log
fi

if ls tests/fuzz/*.cpp >/dev/null 2>&1; then
  step "fuzzing (libFuzzer, ${FUZZ_SECONDS:-20} s per target; tests/fuzz.sh)"
  tests/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee build/fuzz-run.log
  p=$(grep -cE '^fuzz [a-z_]+: ok' build/fuzz-run.log || true)
  f=$(grep -cE '^fuzz [a-z_ ]+: FAILED' build/fuzz-run.log || true)
  [ "$p" -gt 0 ] || [ "$f" -gt 0 ] || f=1
  count "fuzz" "$p" "$f"
fi

if [ "${SKIP_SANITIZE:-0}" != 1 ] && [ "${SKIP_INTEGRATION:-0}" != 1 ] && [ -x tests/sanitize.sh ]; then
  step "integration tests under ASan + UBSan (tests/sanitize.sh with the fuzz build)"
  # The fuzz build (tests/fuzz.sh) is an ASan + UBSan build of mcproxy and
  # mcproxy-tester: the integration tests that feed the daemon the most
  # varied input run against it (malformed and hostile packets with joins,
  # leaves and forwarding among them, interfaces that change, reloads, the
  # control socket). Building a third time for the unit tests under the
  # sanitizers, and the whole suite there (test_forwarding.py included: 12
  # tests, about 2 min of this stage's 7), do not fit CI's time:
  # `tests/run_long.sh asan`.
  if [ -x build/fuzz/mcproxy ] && [ -x build/fuzz/mcproxy-tester ]; then
    rm -f build/fuzz/pytest.log
    ASAN_BUILD_DIR="$top/build/fuzz" SKIP_BUILD=1 SKIP_UNIT=1 tests/sanitize.sh -n "${INTEGRATION_WORKERS:-3}" --durations=10 \
      tests/integration/test_hostile.py tests/integration/test_interfaces.py \
      tests/integration/test_reload.py tests/integration/test_control.py 2>&1 | tee build/sanitize.log
    san_status=${PIPESTATUS[0]}
    # One count per integration test, and one for "no sanitizer report was written".
    p=$(pytest_passed build/fuzz/pytest.log)
    f=$(pytest_failed build/fuzz/pytest.log)
    if grep -q '^sanitize: sanitizer reports found' build/sanitize.log; then f=$((f + 1)); else p=$((p + 1)); fi
    if [ "$san_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    count "sanitizers" "$p" "$f"
  else
    echo "no sanitized daemon: the fuzz build failed (above)"
    count "sanitizers" 0 1
  fi
fi

echo
echo "all tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
