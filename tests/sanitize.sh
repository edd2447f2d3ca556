#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds mcproxy, mcproxy-tester and every unit test binary with
# AddressSanitizer + UndefinedBehaviorSanitizer (-DMCPROXY_SANITIZE=ON) into
# build/asan, runs the unit tests there, then the namespace integration tests
# against build/asan/mcproxy. Any sanitizer report (also from a daemon that
# exits cleanly, e.g. a leak) fails the run: reports go to build/asan/reports.
# The control-socket tests use the normal build's build/mcproxyctl (tests/run_all.sh
# builds it first; MCPROXYCTL_BIN chooses another).
#
# The kernel layer's unit tests and the integration tests run through
# scripts/with-mroute-kernel.sh (a VM where this kernel has no multicast
# routing).
#
# Usage: tests/sanitize.sh [pytest args...]   (default: tests/integration; e.g.
#        tests/integration -k hostile)
# Environment: JOBS (default 2), SKIP_INTEGRATION=1, SKIP_UNIT=1, SKIP_BUILD=1,
# ASAN_BUILD_DIR (default build/asan; e.g. build/fuzz, whose mcproxy and
# mcproxy-tester are sanitized too: tests/fuzz.sh).
# Exit status 0 only if everything built, passed and no report was written.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=${ASAN_BUILD_DIR:-$top/build/asan}
reports="$build/reports"
mkdir -p "$top/build"
jobs=${JOBS:-2}
status=0

step() { printf '\n==== %s\n' "$*"; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  step "configure and build with ASan + UBSan ($build)"
  # Warnings are not errors here: GCC 12 gives false -Wmaybe-uninitialized
  # under -fsanitize (std::optional<std::variant> moves in src/kernel); the
  # normal build (scripts/build.sh) keeps -Werror for everything else.
  cmake -S . -B "$build" -DMCPROXY_SANITIZE=ON -DMCPROXY_WERROR=OFF -DMCPROXY_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; echo "sanitize: configure failed"; exit 1; }
  unit_targets=$(cd tests/unit && for d in */; do [ -n "$(ls "$d"*.cpp 2>/dev/null)" ] && echo "unit_${d%/}"; done)
  # shellcheck disable=SC2086
  if ! cmake --build "$build" -j"$jobs" --target mcproxy mcproxy-tester $unit_targets >"$build/build.log" 2>&1; then
    grep -E "error|Error" "$build/build.log" | head -40
    echo "sanitize: build failed (log: $build/build.log)"
    exit 1
  fi
fi

rm -rf "$reports" && mkdir -p "$reports"
# The daemon drops to an unprivileged user after opening its sockets: it
# must still be able to write its report here.
chmod 1777 "$reports"
# abort_on_error: a report ends the process with a core-like status that the
# tests notice; log_path: reports survive even when the test only sees "exited".
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
# Tests that measure resident memory skip those assertions (ASan's
# quarantine keeps freed memory resident on purpose).
export MCPROXY_SANITIZED=1

unit_failed=0
[ "${SKIP_UNIT:-0}" = 1 ] || step "unit tests under ASan + UBSan"
for bin in "$build"/unit_*; do
  [ "${SKIP_UNIT:-0}" != 1 ] || break
  [ -x "$bin" ] || continue
  # The kernel layer's tests program the kernel's multicast tables.
  runner=()
  [ "$(basename "$bin")" = unit_kernel ] && runner=(scripts/with-mroute-kernel.sh)
  if ! MCPROXY_VM_QUIET=1 "${runner[@]}" "$bin" --gtest_brief=1 >"$build/$(basename "$bin").log" 2>&1; then
    tail -30 "$build/$(basename "$bin").log"
    echo "FAILED: $(basename "$bin")"
    unit_failed=$((unit_failed + 1))
  else
    echo "ok: $(basename "$bin") ($(grep -oE '[0-9]+ tests? from [0-9]+ test suites? ran' "$build/$(basename "$bin").log" | head -1))"
  fi
done
[ "$unit_failed" -eq 0 ] || status=1

if [ "${SKIP_INTEGRATION:-0}" != 1 ]; then
  step "integration tests with MCPROXY_BIN=$build/mcproxy"
  if [ "$(id -u)" -ne 0 ]; then
    echo "sanitize: integration tests need root"; status=1
  else
    MCPROXY_BIN="$build/mcproxy" MCPROXY_TESTER_BIN="$build/mcproxy-tester" scripts/with-mroute-kernel.sh \
      /usr/bin/python3 -m pytest -q -p no:cacheprovider "${@:-tests/integration}" 2>&1 | tee "$build/pytest.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  fi
fi

step "sanitizer reports"
if ls "$reports"/* >/dev/null 2>&1; then
  for f in "$reports"/*; do echo "--- $f"; head -60 "$f"; done
  echo "sanitize: sanitizer reports found"
  status=1
else
  echo "none"
fi
[ "$status" -eq 0 ] && echo "sanitize: all clean" || echo "sanitize: FAILED"
exit "$status"
