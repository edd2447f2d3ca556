#!/usr/bin/env bash
# The README's first command: installs what is missing, builds mcproxy and
# shows it at work. Until the daemon forwards, it checks the kernel (-c) and
# validates the example configuration (-t).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh
scripts/build.sh
echo
echo "\$ mcproxy --version"; build/mcproxy --version
echo
echo "\$ mcproxy -c"; build/mcproxy -c || true
echo
echo "\$ mcproxy -t -f mcproxy.conf"; build/mcproxy -t -f mcproxy.conf
