#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The long checks that do not fit CI's 90 minutes next to everything
# tests/run_all.sh does (doc/mroute-vm.md has the figures):
#   repeat  the namespace integration suite REPEAT times in a row on the
#           6.1 kernel (default 3): a test that fails once in a few runs
#           is flaky and shows here;
#   6.12    the whole integration suite on Debian 12's 6.12 kernel line
#           (CI runs `mcproxy -c` and one forwarding test there);
#   asan    the unit tests and the whole integration suite against the
#           ASan + UBSan build (tests/sanitize.sh; CI runs the subset named
#           in tests/run_all.sh against the fuzz build);
#   fuzz    every fuzz target for FUZZ_SECONDS (default 600) instead of
#           CI's 20 (tests/fuzz.sh).
# Each integration part goes through scripts/with-mroute-kernel.sh (natively where the
# kernel has multicast routing, else in a VM). Expects a build (run
# tests/run_all.sh or scripts/build.sh first; `asan` builds its own).
#
# Usage: tests/run_long.sh [repeat] [6.12] [asan] [fuzz]     (default: all four)
# Environment: REPEAT (default 3), INTEGRATION_WORKERS (default 3),
# FUZZ_SECONDS (default 600).
# Ends with one line "long tests: N passed, N failed" (one count per run).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(repeat 6.12 asan fuzz)
workers=${INTEGRATION_WORKERS:-3}
[ -x build/mcproxy ] || { echo "run_long: build first (scripts/build.sh)"; exit 2; }
passed=0
failed=0
log_dir=build/long
mkdir -p "$log_dir"

# run_suite NAME LOG [ENV=VALUE...]: the integration suite once, counted as
# one run that passes only with 0 failed tests.
run_suite() {
  local name=$1 log=$2; shift 2
  local t0=$SECONDS
  printf '\n==== %s\n' "$name"
  env "$@" MCPROXY_BIN="$top/build/mcproxy" scripts/with-mroute-kernel.sh \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider -n "$workers" tests/integration 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  echo "$name: $(grep -E '^[0-9]+ (passed|failed)' "$log" | tail -1 | sed 's/ *=*$//') ($((SECONDS - t0)) s)"
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

for part in "${parts[@]}"; do
  case "$part" in
    repeat)
      for i in $(seq 1 "${REPEAT:-3}"); do
        run_suite "integration on 6.1, run $i of ${REPEAT:-3}" "$log_dir/repeat-$i.log"
      done ;;
    6.12)
      run_suite "integration on 6.12" "$log_dir/kernel-6.12.log" MCPROXY_VM_KERNEL=6.12 ;;
    asan)
      printf '\n==== integration under ASan + UBSan (tests/sanitize.sh, whole suite)\n'
      if tests/sanitize.sh -n "$workers" tests/integration 2>&1 | tee "$log_dir/asan.log" \
          && grep -q '^sanitize: all clean' "$log_dir/asan.log"; then
        passed=$((passed + 1))
      else
        failed=$((failed + 1))
      fi ;;
    fuzz)
      printf '\n==== fuzzing, %s s per target (tests/fuzz.sh)\n' "${FUZZ_SECONDS:-600}"
      if tests/fuzz.sh "${FUZZ_SECONDS:-600}" 2>&1 | tee "$log_dir/fuzz.log"; then  # pipefail: fuzz.sh's status
        passed=$((passed + 1))
      else
        failed=$((failed + 1))
      fi ;;
    *) echo "run_long: unknown part '$part' (repeat, 6.12, asan, fuzz)"; exit 2 ;;
  esac
done
echo
echo "long tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
