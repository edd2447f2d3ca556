#!/usr/bin/env bash
# The README's first command: installs what is missing, builds mcproxy and
# shows it at work: the kernel check, the example configuration checked, and
# then the proxy forwarding a multicast stream between network namespaces
# (debug/demo_netns.sh: source, proxy, two listeners joining and leaving).
# DEMO_FAMILY=ipv6 runs the namespace demo with MLDv2 instead of IGMPv3.
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
echo
exec debug/demo_netns.sh
