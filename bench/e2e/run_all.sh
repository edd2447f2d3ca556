#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds what the end-to-end benchmarks need and runs them all (as root):
#   sudo bench/e2e/run_all.sh            full set, writes doc/benchmarks.md and .png
#   sudo bench/e2e/run_all.sh --quick    smoke run, under 3 minutes
# Further options: see /usr/bin/python3 bench/e2e/run_all.py --help.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
if [ ! -x build/mcproxy ] || [ ! -x build/bench_kernel_mfc ]; then
    cmake -S . -B build -DMCPROXY_WERROR=ON
    cmake --build build -j2 --target mcproxy mcproxy-tester bench_kernel_mfc
fi
command -v igmpproxy >/dev/null 2>&1 || [ -x /usr/sbin/igmpproxy ] || {
    echo "run_all.sh: igmpproxy is not installed (apt-get install igmpproxy)" >&2; exit 2; }
# The measurements program the kernel's multicast tables: on a kernel
# without multicast routing they run in the VM of scripts/with-mroute-kernel.sh
# (the report says where they ran). A full run takes longer than the VM's
# default hour.
MCPROXY_VM_TIMEOUT=${MCPROXY_VM_TIMEOUT:-14400} \
  exec scripts/with-mroute-kernel.sh /usr/bin/python3 bench/e2e/run_all.py "$@"
