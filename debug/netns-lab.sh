#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A namespace network for manual experiments with mcproxy:
#
#   LAB-src          LAB-proxy                         LAB-l1
#   eth0 ------------ up0      dn1 --------------------- eth0
#   198.51.100.1/24   198.51.100.2/24   203.0.113.1/24   203.0.113.11/24
#   2001:db8:1::1/64  2001:db8:1::2/64  2001:db8:2::1/64 2001:db8:2::11/64
#                              dn2 --------------------- eth0   LAB-l2
#                              192.0.2.1/24              192.0.2.12/24
#                              2001:db8:3::1/64          2001:db8:3::12/64
#
# The source and the listeners route everything through the proxy, which
# forwards unicast, so `ping` works across the lab before mcproxy runs.
# IPv6 addresses use nodad and DAD is off, so everything works at once.
#
# Usage (as root):
#   debug/netns-lab.sh up      build the lab, write example configurations
#                              and print how to run mcproxy in it
#   debug/netns-lab.sh down    delete the lab (also a half-built one)
#   debug/netns-lab.sh status  show the namespaces, links and addresses
# Environment:
#   LAB      name prefix of the namespaces (default mclab); use another one
#            to run several labs side by side
#   LAB_DIR  where `up` writes the example configurations
#            (default /tmp/LAB); `down` removes it
# Exit status: 0 on success, 1 on failure, 2 on a usage error.
set -Eeuo pipefail

LAB=${LAB:-mclab}
LAB_DIR=${LAB_DIR:-/tmp/$LAB}
SRC=$LAB-src
PROXY=$LAB-proxy
L1=$LAB-l1
L2=$LAB-l2
ALL_NS=("$SRC" "$PROXY" "$L1" "$L2")

die() { echo "netns-lab: $*" >&2; exit 1; }

usage() {  # usage EXIT_STATUS: the help text, on stderr for a usage error
  if [ "$1" -eq 0 ]; then
    sed -n '/^# Usage/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'
  else
    sed -n '/^# Usage/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2
  fi
  exit "$1"
}

ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

check_environment() {
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
  command -v ip >/dev/null || die "needs iproute2 (ip)"
  case $LAB in
    *[!A-Za-z0-9_-]* | "") die "LAB may only hold letters, digits, '_' and '-'" ;;
  esac
}

# Fresh namespace with loopback up, IPv6 DAD off (so addresses work at once)
# and no router advertisements taken from anyone.
make_ns() {
  local ns=$1
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
  in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
  in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0
}

# link NS_A IF_A NS_B IF_B: a veth pair created directly in both namespaces.
link() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  in_ns "$1" ip link set "$2" up
  in_ns "$3" ip link set "$4" up
}

addr() {  # addr NS IF IPV4/LEN IPV6/LEN
  in_ns "$1" ip addr add "$3" dev "$2"
  in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
}

write_configs() {
  mkdir -p "$LAB_DIR"
  cat >"$LAB_DIR/igmpv3.conf" <<'EOF'
# mcproxy in the netns lab: IGMPv3, source behind up0, listeners on dn1, dn2
protocol IGMPv3;
pinstance lab: up0 ==> dn1 dn2;
EOF
  cat >"$LAB_DIR/mldv2.conf" <<'EOF'
# mcproxy in the netns lab: MLDv2, source behind up0, listeners on dn1, dn2
protocol MLDv2;
pinstance lab6: up0 ==> dn1 dn2;
EOF
}

print_howto() {
  local top
  top=$(cd "$(dirname "$0")/.." && pwd)
  cat <<EOF
netns lab '$LAB' is up:
  $SRC (eth0 198.51.100.1, 2001:db8:1::1)
    -- up0  $PROXY  dn1 -- $L1 (eth0 203.0.113.11, 2001:db8:2::11)
                    dn2 -- $L2 (eth0 192.0.2.12, 2001:db8:3::12)

Run mcproxy in the proxy namespace (stays in the foreground, Ctrl-C stops it):
  ip netns exec $PROXY $top/build/mcproxy -dsv -f $LAB_DIR/igmpv3.conf
  ip netns exec $PROXY $top/build/mcproxy -dsv -f $LAB_DIR/mldv2.conf     # IPv6

Join on a listener and send from the source (other terminals):
  ip netns exec $L1 $top/build/mcproxy-tester receive eth0 239.1.1.1 --duration 30
  ip netns exec $SRC $top/build/mcproxy-tester send eth0 239.1.1.1 --rate 10 --duration 30
  (IPv6: group ff05::1:1; source-specific: 232.1.1.1 --source 198.51.100.1)

Look at the kernel state of the proxy:
  ip netns exec $PROXY ip mroute show; ip netns exec $PROXY ip mrule show
  ip netns exec $PROXY cat /proc/net/ip_mr_vif /proc/net/ip_mr_cache
  ip netns exec $PROXY tcpdump -ni dn1 igmp

Make a link silently die (it stays UP) and heal it again:
  ip netns exec $PROXY $top/debug/link-breaker.sh break dn1
  ip netns exec $PROXY $top/debug/link-breaker.sh heal dn1

Shell in a namespace: ip netns exec $L1 bash
Tear down:            LAB=$LAB $top/debug/netns-lab.sh down
EOF
  if [ ! -e /proc/net/ip_mr_vif ]; then
    cat <<EOF

Note: this kernel has no multicast routing (no /proc/net/ip_mr_vif), so
mcproxy cannot run in this lab here. Take a shell in a VM whose kernel has
it and build the lab there (tmux gives you the other terminals):
  $top/scripts/with-mroute-kernel.sh --shell
EOF
  fi
}

cmd_up() {
  check_environment
  local ns
  for ns in "${ALL_NS[@]}"; do
    ! ns_exists "$ns" || die "namespace $ns exists: run 'LAB=$LAB $0 down' first, or pick another LAB"
  done
  # A half-built lab is removed again.
  trap 'echo "netns-lab: building failed, removing the lab" >&2; cmd_down >/dev/null 2>&1' ERR

  for ns in "${ALL_NS[@]}"; do make_ns "$ns"; done

  link "$SRC" eth0 "$PROXY" up0
  link "$PROXY" dn1 "$L1" eth0
  link "$PROXY" dn2 "$L2" eth0

  addr "$SRC" eth0 198.51.100.1/24 2001:db8:1::1/64
  addr "$PROXY" up0 198.51.100.2/24 2001:db8:1::2/64
  addr "$PROXY" dn1 203.0.113.1/24 2001:db8:2::1/64
  addr "$PROXY" dn2 192.0.2.1/24 2001:db8:3::1/64
  addr "$L1" eth0 203.0.113.11/24 2001:db8:2::11/64
  addr "$L2" eth0 192.0.2.12/24 2001:db8:3::12/64

  # Unicast across the proxy, so the hosts can reach each other (and a
  # multicast source passes a reverse-path check towards the proxy).
  in_ns "$PROXY" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  in_ns "$SRC" ip route add default via 198.51.100.2
  in_ns "$SRC" ip -6 route add default via 2001:db8:1::2
  in_ns "$L1" ip route add default via 203.0.113.1
  in_ns "$L1" ip -6 route add default via 2001:db8:2::1
  in_ns "$L2" ip route add default via 192.0.2.1
  in_ns "$L2" ip -6 route add default via 2001:db8:3::1

  write_configs
  trap - ERR
  print_howto
}

cmd_down() {
  check_environment
  local ns failed=0
  for ns in "${ALL_NS[@]}"; do
    if ns_exists "$ns"; then
      ip netns del "$ns" || failed=1
    fi
  done
  if [ -d "$LAB_DIR" ]; then
    rm -f "$LAB_DIR/igmpv3.conf" "$LAB_DIR/mldv2.conf"
    rmdir "$LAB_DIR" 2>/dev/null || true
  fi
  [ "$failed" -eq 0 ] || die "could not delete every namespace of lab '$LAB'"
  echo "netns lab '$LAB' is down"
}

cmd_status() {
  check_environment
  local ns any=0
  for ns in "${ALL_NS[@]}"; do
    if ns_exists "$ns"; then
      any=1
      echo "== $ns"
      in_ns "$ns" ip -brief address show
    else
      echo "== $ns: missing"
    fi
  done
  [ "$any" -eq 1 ] || echo "netns lab '$LAB' is down"
}

[ $# -eq 1 ] || usage 2
case $1 in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h | --help | help) usage 0 ;;
  *) usage 2 ;;
esac
