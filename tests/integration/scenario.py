# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the daemon tests: per-family parameters, config text,
readiness predicates and checks on captured reports."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from capture import Capture, Message
import procs
from kernel_state import mroutes, vif_names
from netns import SLOW_DAEMON, patience
from packets import link_local

# Short timers so every test stays well under 20 s: general queries every
# 10 s, startup queries every 2.5 s, 2 s to answer; the last member query
# time is then about 2 s (RFC 3376 8.8 / RFC 3810 9.8 defaults for the rest).
TUNING = "query-interval 10 query-response-interval 2"


@dataclass(frozen=True)
class Fam:
    """What a test needs to know about one address family."""
    name: str           # "ipv4" / "ipv6"
    protocol: str       # newest protocol of the family
    old_protocol: str   # IGMPv2 / MLDv1
    group: str          # any-source group
    group2: str         # another one
    ssm_group: str      # source-specific group
    src_a: str          # router (upstream source) address A
    src_b: str          # router address B
    proxy_up: str       # proxy's upstream address
    all_systems: str    # general query destination
    report_dst: str     # IGMPv3 / MLDv2 report destination

    def __str__(self) -> str:
        return self.name


V4 = Fam("ipv4", "IGMPv3", "IGMPv2", "239.1.1.1", "239.2.2.2", "232.1.1.1", "198.51.100.1",
         "198.51.100.3", "198.51.100.2", "224.0.0.1", "224.0.0.22")
V6 = Fam("ipv6", "MLDv2", "MLDv1", "ff05::1:1", "ff05::2:2", "ff3e::1:1", "2001:db8:1::1",
         "2001:db8:1::3", "2001:db8:1::2", "ff02::1", "ff02::16")
FAMILIES = [pytest.param(V4, id="ipv4"), pytest.param(V6, id="ipv6")]


def config(protocol: str, instances: list[tuple[str, list[str], list[str]]],
           tuning: dict[str, str] | None = None, tables: dict[str, int] | None = None) -> str:
    """Config text: `protocol P;`, one pinstance line per instance
    (name, upstreams, downstreams), and per-downstream tuning lines."""
    lines = [f"protocol {protocol};"]
    for name, ups, downs in instances:
        table = f"({tables[name]})" if tables and name in tables else ""
        lines.append(f"pinstance {name}{table}: {' '.join(ups)} ==> {' '.join(downs)};")
    for name, ups, downs in instances:
        for d in downs:
            t = (tuning or {}).get(d, TUNING)
            if t:
                lines.append(f"pinstance {name} downstream {d} {t};")
    return "\n".join(lines) + "\n"


def simple_config(fam: Fam, downs=("dn1", "dn2"), protocol: str | None = None,
                  tuning: dict[str, str] | None = None) -> str:
    """One instance `proxy: up0 ==> downs` for the family."""
    return config(protocol or fam.protocol, [("proxy", ["up0"], list(downs))], tuning)


def vifs_ready(ns, fam: Fam, names=("up0", "dn1", "dn2")):
    """Readiness: the daemon has a VIF/MIF for each of `names`."""
    want = set(names)
    return lambda: want <= vif_names(ns, fam.name)


def is_proxy_report(fam: Fam, m: Message, net=None) -> bool:
    """A report sent by the proxy on its upstream link: from its address
    there (IPv4; 0.0.0.0 is allowed by RFC 3376 4.2.13) or from the
    link-local address of up0 (IPv6, RFC 3810 5.2.13)."""
    if m.kind != "report" or m.family != fam.name:
        return False
    if fam.name == "ipv4":
        return m.src in (fam.proxy_up, "0.0.0.0")
    if net is None:
        return m.src.startswith("fe80:")
    return m.src == proxy_link_local(net)


def proxy_link_local(net) -> str:
    """The proxy's link-local address on up0 (looked up once per network)."""
    if not hasattr(net, "_up0_ll"):
        net._up0_ll = link_local(net.proxy, "up0")
    return net._up0_ll


def records_for(m: Message, group: str):
    return [r for r in m.records if r.group == group]


def joins_group(m: Message, group: str) -> bool:
    """A report that says "I want group" (v1/v2 report, MLDv1 report, or a v3
    record other than TO_IN/IS_IN with no sources and other than BLOCK)."""
    if m.kind != "report":
        return False
    if not m.records:
        return m.group == group
    for r in records_for(m, group):
        if r.type in ("IS_EX", "TO_EX"):
            return True
        if r.type in ("IS_IN", "TO_IN", "ALLOW") and r.sources:
            return True
    return False


def leaves_group(m: Message, group: str) -> bool:
    """A leave for the group: IGMPv2 leave / MLD done, or a v3 TO_IN {}."""
    if m.kind == "leave":
        return m.group == group
    return any(r.type == "TO_IN" and not r.sources for r in records_for(m, group))


def wait_upstream_join(cap: Capture, fam: Fam, group: str, net=None,
                       timeout: float = 3.0, src: str | None = None) -> Message:
    """The proxy's first upstream report joining `group`; asserts it comes.
    `src` names the proxy's address on an upstream other than up0."""
    def is_ours(m: Message) -> bool:
        if src is not None:
            return m.kind == "report" and m.family == fam.name and m.src == src
        return is_proxy_report(fam, m, net)
    m = cap.wait_message(lambda m: is_ours(m) and joins_group(m, group), timeout)
    assert m is not None, (f"no upstream report joining {group} within {timeout} s; seen: "
                           f"{cap.messages_now(family=fam.name)}")
    return m


# A UDP port no test receiver listens on: packets that only make a route.
PRIME_PORT = 5999


def prime_route(net, fam: Fam, group: str, wanted_oif: str, source: str | None = None,
                timeout: float = 10.0) -> None:
    """A slow daemon (SLOW_DAEMON) may take seconds to answer the upcall of a
    new (S,G): a short test stream would be over before its route exists.
    Where a test is about what is forwarded rather than how soon, this sends
    a few packets to a port nobody listens on and waits until the kernel
    route for `group` forwards onto `wanted_oif`. Does nothing otherwise."""
    if not SLOW_DAEMON:
        return
    source = source or fam.src_a
    deadline = time.monotonic() + patience(timeout)
    while time.monotonic() < deadline:
        procs.send(net.router.ns, "eth0", group, count=4, rate=100, port=PRIME_PORT, source_address=source)
        if procs.wait_for(lambda: any(r["group"] == group and wanted_oif in r["oifs"]
                                      for r in mroutes(net.proxy, fam.name)), 2.0):
            return
    raise AssertionError(f"no route for {group} onto {wanted_oif} within {patience(timeout)} s: "
                         f"{mroutes(net.proxy, fam.name)}")


# Sequence numbers below which a slow daemon may lose packets: an upcall
# answered within 80 ms at the fastest test stream (200 packets/s).
SLOW_HEAD = 16


def assert_stream_complete(s: dict, count: int, context: str = "") -> None:
    """Every packet of a `count`-packet test stream arrived (`s`: the
    receiver's JSON summary). A slow daemon (netns.SLOW_DAEMON: sanitized or
    emulated) may miss packets near the head of a stream whose route the
    stream itself creates: the kernel holds the first 4 packets of an
    unresolved (S,G) and drops the ones after them until the daemon answers
    the upcall (ipmr_cache_unresolved: "qlen > 3"), and it refuses a new
    unresolved entry outright while 10 are pending. There every missing
    number must be below SLOW_HEAD; nothing later may be missing. `context`
    (for example the daemon's log lines about the group) goes with a failure."""
    if SLOW_DAEMON:
        # The lowest number, not the first received: a packet released from
        # the unresolved queue may arrive after a newer one.
        first = s.get("min_seq", s.get("first_seq"))
        gap = s.get("max_missing_seq")
        assert (first is not None and first < SLOW_HEAD and (gap is None or gap < SLOW_HEAD)
                and s["duplicates"] == 0 and s["received"] == count - first - s["lost"]
                and s.get("max_seq", count - 1) == count - 1), (s, context)
    else:
        assert s["received"] == count and s["lost"] == 0, (s, context)


def assert_no_loss(s: dict) -> None:
    """No packet missing between the first and the last one received (`s`:
    the receiver's JSON summary), for a receiver that counts a window rather
    than a whole stream. A slow daemon may miss numbers below SLOW_HEAD (see
    assert_stream_complete), nothing later."""
    if SLOW_DAEMON and s["lost"]:
        gap = s.get("max_missing_seq")
        assert gap is not None and gap < SLOW_HEAD and s["duplicates"] == 0, s
    else:
        assert s["lost"] == 0, s


def wait_log_quiet(m: procs.Mcproxy, quiet: float = 1.0, timeout: float = 60.0) -> None:
    """Until the daemon's log has not grown for `quiet` seconds: a slow
    daemon (SLOW_DAEMON) still working through a flood of packets writes a
    line per dropped one at -vv; checks made before it is through would see
    its backlog, not its answer. Returns at once for a daemon that keeps up."""
    if not SLOW_DAEMON:
        return
    deadline = time.monotonic() + patience(timeout)
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = m.log_path.stat().st_size
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)
    raise AssertionError(f"the daemon's log still grows after {patience(timeout)} s")


def assert_count(got: int, want: int, context=None) -> None:
    """`got` packets of a `want`-packet stream arrived: exactly, or for a slow
    daemon (SLOW_DAEMON) with fewer than SLOW_HEAD missing, the head gap of a
    stream that creates its own route (see assert_stream_complete)."""
    ok = want - SLOW_HEAD < got <= want if SLOW_DAEMON else got == want
    assert ok, (got, want, context)


def assert_sources(actual: dict, expected: dict, context=None) -> None:
    """Packets per source address (a receiver's "sources", or counted in a
    capture) are `expected`: the same sources, and for each the count that
    assert_count accepts."""
    assert set(actual) == set(expected), (actual, expected, context)
    for src, want in expected.items():
        assert_count(actual[src], want, (src, actual, context))
