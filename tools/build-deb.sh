#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package of this tree: a Release build with prefix /usr in
# build/deb (or $1), then cpack (DEB generator, cmake/packaging.cmake).
# Prints the path of the .deb as its last line. Needs cmake, g++, dpkg-dev
# (dpkg-shlibdeps computes Depends) and the build dependencies
# (scripts/install-deps.sh).
#
# Environment: JOBS (parallel build jobs, default 2),
#              MCPROXY_DEB_MAINTAINER (Maintainer field).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
jobs=${JOBS:-2}
for tool in cmake cpack dpkg-shlibdeps dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "build-deb: $tool missing (Debian packages cmake, dpkg-dev)" >&2; exit 1; }
done
args=(-S "$top" -B "$out" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
      -DMCPROXY_TESTS=OFF -DMCPROXY_BENCH=OFF)
if [ -n "${MCPROXY_DEB_MAINTAINER:-}" ]; then
    args+=("-DMCPROXY_DEB_MAINTAINER=$MCPROXY_DEB_MAINTAINER")
fi
mkdir -p "$out"
cmake "${args[@]}" >"$out/configure.log" 2>&1 || { cat "$out/configure.log" >&2; exit 1; }
# Only what the package installs (the fuzz replayers are not needed).
cmake --build "$out" -j"$jobs" --target mcproxy mcproxyctl mcproxy-tester
rm -f "$out"/mcproxy_*.deb
(cd "$out" && cpack -G DEB) >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log" >&2; exit 1; }
debs=("$out"/mcproxy_*.deb)
[ -f "${debs[0]}" ] || { echo "build-deb: cpack made no mcproxy_*.deb (see $out/cpack.log)" >&2; exit 1; }
echo "${debs[0]}"
