#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mcproxy at work in network namespaces: a multicast source, the proxy and
# two listeners, built here and deleted again on exit (also on Ctrl-C).
#
#   source (198.51.100.1) --up0-- proxy --dn1-- listener1 (203.0.113.11)
#                                       --dn2-- listener2 (192.0.2.12)
#
# Shows listener 1 joining 239.1.1.1 and receiving the source's stream
# through the proxy (loss, delay), the kernel route the proxy made, listener 1
# leaving and listener 2 joining, and the proxy's status and log.
#
# Usage (as root): debug/demo_netns.sh
# Environment: MCPROXY_BIN, MCPROXY_TESTER_BIN (default: build/ of this
# tree), DEMO_FAMILY=ipv4 (default) or ipv6.
# Exit status: 0 when the stream went through the proxy, 1 otherwise.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# The demo is the kernel forwarding what mcproxy programs: where this
# kernel has no multicast routing, it runs whole in a VM whose kernel has it
# (scripts/with-mroute-kernel.sh says so in one line).
if [ -z "${MCPROXY_MROUTE_KERNEL:-}" ]; then
  exec "$top/scripts/with-mroute-kernel.sh" "$top/debug/demo_netns.sh" "$@"
fi
MCPROXY=${MCPROXY_BIN:-$top/build/mcproxy}
TESTER=${MCPROXY_TESTER_BIN:-$top/build/mcproxy-tester}
FAMILY=${DEMO_FAMILY:-ipv4}

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
command -v ip >/dev/null || die "needs iproute2 (ip)"
[ -x "$MCPROXY" ] || die "$MCPROXY not found: build first (scripts/build.sh)"
[ -x "$TESTER" ] || die "$TESTER not found: build the mcproxy-tester target"

case "$FAMILY" in
  ipv4) GROUP=239.1.1.1; PROTO=IGMPv3; SRC=198.51.100.1; MRT=/proc/net/ip_mr_vif; IP6= ;;
  ipv6) GROUP=ff05::1:1; PROTO=MLDv2; SRC=2001:db8:1::1; MRT=/proc/net/ip6_mr_vif; IP6=-6 ;;
  *) die "DEMO_FAMILY must be ipv4 or ipv6" ;;
esac

id="mcdemo-$$"
NS_SRC="$id-source" NS_PROXY="$id-proxy" NS_L1="$id-listener1" NS_L2="$id-listener2"
ALL_NS=("$NS_SRC" "$NS_PROXY" "$NS_L1" "$NS_L2")
work=$(mktemp -d /tmp/mcproxy-demo.XXXXXX)
pids=()

# shellcheck disable=SC2317  # called through the trap
cleanup() {
  trap - EXIT INT TERM
  # Only the processes this script started, by their ids.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "${ALL_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
  echo
  echo "demo: namespaces removed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n=== %s\n' "$*"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
sysw() { in_ns "$1" sh -c "echo $3 > /proc/sys/$2"; }

step "building namespaces ($FAMILY)"
for ns in "${ALL_NS[@]}"; do
  ip netns add "$ns"
  sysw "$ns" net/ipv6/conf/all/accept_dad 0
  sysw "$ns" net/ipv6/conf/default/accept_dad 0
  ip -n "$ns" link set lo up
done
veth() {  # veth NS_A IF_A NS_B IF_B
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}
addr() {  # addr NS IF V4/LEN V6/LEN
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" addr add "$4" dev "$2" nodad
}
veth "$NS_SRC" eth0 "$NS_PROXY" up0
veth "$NS_PROXY" dn1 "$NS_L1" eth0
veth "$NS_PROXY" dn2 "$NS_L2" eth0
addr "$NS_SRC" eth0 198.51.100.1/24 2001:db8:1::1/64
addr "$NS_PROXY" up0 198.51.100.2/24 2001:db8:1::2/64
addr "$NS_PROXY" dn1 203.0.113.1/24 2001:db8:2::1/64
addr "$NS_PROXY" dn2 192.0.2.1/24 2001:db8:3::1/64
addr "$NS_L1" eth0 203.0.113.11/24 2001:db8:2::11/64
addr "$NS_L2" eth0 192.0.2.12/24 2001:db8:3::12/64
sysw "$NS_PROXY" net/ipv4/ip_forward 1
sysw "$NS_PROXY" net/ipv6/conf/all/forwarding 1
for ns in "${ALL_NS[@]}"; do
  echo "--- ${ns#"$id"-}"
  ip -n "$ns" -br $IP6 addr show | grep -v '^lo' || true
done

step "starting mcproxy in the proxy namespace"
conf="$work/mcproxy.conf"
printf 'protocol %s;\npinstance demo: up0 ==> dn1 dn2;\n' "$PROTO" >"$conf"
echo "config ($conf):"; sed 's/^/    /' "$conf"
log="$work/mcproxy.log"
# Not through in_ns: a function would run in a subshell and $! would not be mcproxy.
ip netns exec "$NS_PROXY" "$MCPROXY" -f "$conf" -s -v >"$log" 2>&1 &
mcproxy_pid=$!
pids+=("$mcproxy_pid")
daemon_ok=0
for _ in $(seq 300); do  # up to 30 s for the three VIFs (seconds in an emulated VM)
  if ! kill -0 "$mcproxy_pid" 2>/dev/null; then break; fi
  if [ "$(in_ns "$NS_PROXY" cat "$MRT" | grep -cE ' (up0|dn1|dn2) ')" -eq 3 ]; then
    daemon_ok=1; break
  fi
  sleep 0.1
done
if [ "$daemon_ok" -eq 1 ]; then
  echo "mcproxy is running (pid $mcproxy_pid); its interfaces in the kernel:"
  in_ns "$NS_PROXY" cat "$MRT" | sed 's/^/    /'
else
  status=running
  if ! kill -0 "$mcproxy_pid" 2>/dev/null; then
    wait "$mcproxy_pid" && status=0 || status=$?
  fi
  echo "mcproxy did not come up (exit status: $status). Its output:"
  sed 's/^/    /' "$log"
  echo "The rest of the demo runs anyway and shows what happens without a proxy:"
  echo "the listeners' joins stay on their own links and no data gets through."
fi

receive() {  # receive NS LABEL SECONDS -> prints the tester's report
  in_ns "$1" "$TESTER" receive eth0 "$GROUP" --duration "$3" >"$work/$2.txt" 2>&1 || true
}
send() {
  in_ns "$NS_SRC" "$TESTER" send eth0 "$GROUP" --rate 100 --count "$1" --source-address "$SRC" \
    | sed 's/^/    source: /'
}

step "listener 1 joins $GROUP and receives the stream through the proxy"
receive "$NS_L1" listener1 4 &
rx=$!; pids+=("$rx")
sleep 1
send 200
wait "$rx" || true
sed 's/^/    listener 1: /' "$work/listener1.txt"
got1=$(grep -oE '^received [0-9]+' "$work/listener1.txt" | grep -oE '[0-9]+' || echo 0)

step "the proxy's kernel multicast routes"
ip -n "$NS_PROXY" $IP6 mroute show | sed 's/^/    /' || true

step "listener 1 has left; listener 2 joins and receives"
sleep 3  # the proxy's last member queries find nobody left on dn1
receive "$NS_L2" listener2 4 &
rx=$!; pids+=("$rx")
sleep 1
send 200
wait "$rx" || true
sed 's/^/    listener 2: /' "$work/listener2.txt"
echo "    routes now:"
ip -n "$NS_PROXY" $IP6 mroute show | sed 's/^/        /' || true

step "the proxy's status and log (mcproxy -s -v)"
if kill -0 "$mcproxy_pid" 2>/dev/null; then
  tail -n 40 "$log" | sed 's/^/    /'
  step "stopping mcproxy (SIGTERM)"
  kill -TERM "$mcproxy_pid"
  for _ in $(seq 30); do kill -0 "$mcproxy_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$mcproxy_pid" && rc=0 || rc=$?
  echo "mcproxy exited with status $rc"
  echo "kernel interfaces left: $(in_ns "$NS_PROXY" tail -n +2 "$MRT" | wc -l)"
else
  echo "    (mcproxy is not running)"
  sed 's/^/    /' "$log"
fi

if [ "$daemon_ok" -eq 1 ] && [ "${got1:-0}" -gt 0 ]; then
  echo; echo "demo: the stream went through mcproxy ($got1 of 200 packets at listener 1)"
  exit 0
fi
echo; echo "demo: no data went through the proxy (mcproxy not running or not forwarding)"
exit 1
