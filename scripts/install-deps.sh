#!/usr/bin/env bash
# Installs the Debian 12 packages mcproxy needs to build, test and run its
# demo. Safe to run again: apt-get skips what is already there.
set -euo pipefail
packages=(
  build-essential cmake pkg-config           # the build
  libboost-dev                                # Boost.Asio event loop (header-only)
  libcap-ng-dev                               # dropping privileges (keeps CAP_NET_ADMIN/RAW)
  libgtest-dev libgmock-dev libbenchmark-dev  # unit tests and micro-benchmarks
  qt5-qmake qt5-qmake-bin qtchooser           # the classic `qmake && make` build
  clang libclang-rt-14-dev clang-tidy         # libFuzzer, sanitizer builds, static checks
  iproute2 tcpdump                            # namespace tests and demo
  python3 python3-pytest python3-scapy python3-pyroute2
  python3-pytest-xdist                        # integration tests in parallel (they mostly wait on protocol timers)
  iputils-ping procps util-linux              # debug/ lab tests (ping, sysctl, setpriv)
  systemd                                     # systemd-analyze verify of the unit file
  debootstrap systemd-container lintian       # Debian package test in a clean chroot, unit under a real systemd (nspawn)
  doxygen                                     # API documentation (doc target)
  man-db groff-base                           # manual page checks
  shellcheck                                  # shell script checks
  igmpproxy python3-matplotlib                # side-by-side benchmarks (bench/e2e) and their plot
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
