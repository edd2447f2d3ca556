#!/usr/bin/env bash
# Builds mcproxy with CMake into ./build (warnings as errors).
# Usage: scripts/build.sh [extra cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$top" -B "$top/build" -DMCPROXY_WERROR=ON "$@" >/dev/null
cmake --build "$top/build" -j"$(nproc)"
