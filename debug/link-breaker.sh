#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Makes a link die silently: every frame the interface receives or sends is
# dropped, while the interface stays UP with its carrier (LOWER_UP) and its
# addresses, so nothing tells mcproxy (or the kernel) that the link is gone.
# That is what happens when a switch port, a cable behind a media converter
# or a tunnel peer fails. Healing restores the link as it was.
#
# How: a clsact qdisc with one tc filter on ingress and one on egress, each
# a one-instruction classic BPF program in direct-action mode that returns
# TC_ACT_SHOT (drop). Needs CONFIG_NET_SCH_INGRESS and CONFIG_NET_CLS_BPF
# (both in Debian's kernel) and iproute2's tc; works on veth, VLAN, bridge,
# GRE and tun devices alike. Only its own filters (preference 1, that
# program) are touched; other tc filters on the interface stay, and the
# clsact qdisc is removed on heal only when nothing else uses it.
# Caveat: tcpdump on the broken interface still shows incoming frames (the
# capture taps run before the ingress filter), not outgoing ones.
#
# Usage (as root, in the namespace of the interface):
#   debug/link-breaker.sh break IF    drop all traffic of IF
#   debug/link-breaker.sh heal IF     let traffic pass again
#   debug/link-breaker.sh status IF   say whether IF is broken, with its state
# In a network namespace:
#   ip netns exec NS debug/link-breaker.sh break IF
# break and heal may be repeated: breaking a broken link changes nothing.
# Exit status: 0 on success (status: 0 whether broken or not), 1 on
# failure (e.g. no such interface), 2 on a usage error.
set -euo pipefail

PREF=1
# One cBPF instruction: "ret #2" (BPF_RET|BPF_K = 6, TC_ACT_SHOT = 2).
DROP_PROGRAM='1,6 0 0 2'

die() { echo "link-breaker: $*" >&2; exit 1; }

usage() {  # usage EXIT_STATUS
  if [ "$1" -eq 0 ]; then
    sed -n '/^# Usage/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'
  else
    sed -n '/^# Usage/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2
  fi
  exit "$1"
}

# Whether our drop filter sits on DIR (ingress|egress) of the interface.
has_drop() {
  tc filter show dev "$IFACE" "$1" 2>/dev/null |
    grep -E "pref $PREF bpf .*bytecode '$DROP_PROGRAM'" >/dev/null
}

has_clsact() { tc qdisc show dev "$IFACE" | grep -q '^qdisc clsact '; }

# Whether any filter is left on DIR.
has_filters() { [ -n "$(tc filter show dev "$IFACE" "$1" 2>/dev/null)" ]; }

link_state() {
  # e.g. "UP,LOWER_UP state UP"
  ip -o link show dev "$IFACE" |
    sed -E 's/^[0-9]+: [^ ]+ <([^>]*)>.* state ([A-Z]+).*/\1 state \2/'
}

cmd_break() {
  has_clsact || tc qdisc add dev "$IFACE" clsact ||
    die "cannot add a clsact qdisc to $IFACE (CONFIG_NET_SCH_INGRESS?)"
  local dir
  for dir in ingress egress; do
    if has_drop "$dir"; then continue; fi
    if tc filter show dev "$IFACE" "$dir" | grep -q "pref $PREF "; then
      die "$IFACE $dir already has a foreign tc filter with preference $PREF"
    fi
    tc filter add dev "$IFACE" "$dir" pref "$PREF" protocol all bpf da bytecode "$DROP_PROGRAM," ||
      die "cannot add the drop filter to $IFACE $dir (CONFIG_NET_CLS_BPF?)"
  done
  echo "$IFACE: broken (all traffic dropped; link $(link_state))"
}

cmd_heal() {
  local dir
  for dir in ingress egress; do
    if has_drop "$dir"; then
      tc filter del dev "$IFACE" "$dir" pref "$PREF" || die "cannot remove the drop filter of $IFACE $dir"
    fi
  done
  if has_clsact && ! has_filters ingress && ! has_filters egress; then
    tc qdisc del dev "$IFACE" clsact || die "cannot remove the clsact qdisc of $IFACE"
  fi
  echo "$IFACE: healed (link $(link_state))"
}

cmd_status() {
  local ingress=passes egress=passes
  has_drop ingress && ingress=dropped
  has_drop egress && egress=dropped
  if [ "$ingress" = dropped ] && [ "$egress" = dropped ]; then
    echo "$IFACE: broken (link $(link_state))"
  elif [ "$ingress" = passes ] && [ "$egress" = passes ]; then
    echo "$IFACE: ok (link $(link_state))"
  else
    echo "$IFACE: half broken, ingress $ingress, egress $egress (link $(link_state))"
  fi
}

case ${1:-} in
  -h | --help | help) usage 0 ;;
esac
[ $# -eq 2 ] || usage 2
IFACE=$2
[ "$(id -u)" -eq 0 ] || die "needs root (tc)"
command -v tc >/dev/null || die "needs iproute2 (tc)"
ip link show dev "$IFACE" >/dev/null 2>&1 || die "no interface '$IFACE' in this network namespace"
case $1 in
  break) cmd_break ;;
  heal) cmd_heal ;;
  status) cmd_status ;;
  *) usage 2 ;;
esac
