#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs clang-tidy (checks in .clang-tidy) on the sources under the given
# directories (default: src) with the compile commands CMake writes to
# build/compile_commands.json, and fails on any warning. Headers of ours
# (include/mcproxy, src) are checked as they are included.
#
# Usage: tests/tidy.sh [DIR...]        e.g. tests/tidy.sh src/net src/wire
# Environment: BUILD_DIR (default build), JOBS (default 2), CLANG_TIDY.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BUILD_DIR:-build}
jobs=${JOBS:-2}
tidy=${CLANG_TIDY:-$(command -v clang-tidy || command -v clang-tidy-14 || true)}
[ -n "$tidy" ] || { echo "tidy: clang-tidy not found (apt-get install clang-tidy)"; exit 2; }
if [ ! -f "$build/compile_commands.json" ]; then
  cmake -S . -B "$build" >/dev/null || { echo "tidy: cmake configure failed"; exit 2; }
fi
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(src)
mapfile -t files < <(find "${dirs[@]}" -name '*.cpp' | sort)
[ ${#files[@]} -gt 0 ] || { echo "tidy: no sources under ${dirs[*]}"; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One clang-tidy per file, JOBS at a time; bounded by the file count.
printf '%s\n' "${files[@]}" |
  xargs -P "$jobs" -I{} "$tidy" -p "$build" --quiet {} 2>/dev/null >"$out"
# A header included by several files is reported once per file: count unique findings.
findings=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$out" | sort -u)
n=$(printf '%s' "$findings" | grep -c . || true)
if [ "$n" -gt 0 ]; then
  printf '%s\n' "$findings"
  echo "tidy: $n finding(s) in ${dirs[*]} (${#files[@]} files)"
  exit 1
fi
echo "tidy: clean (${#files[@]} files in ${dirs[*]})"
