# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile input against the running daemon: any host on a downstream link
can send it (doc/hardening.md).

Spray: tens of thousands of broken and forged IGMP/MLD frames of every kind
(hostile_frames.py) hit a downstream link while real hosts join and leave
through their kernels. The daemon stays up, what it reports upstream and
forwards matches the real hosts exactly (no "poison" group ever appears,
forged leaves change nothing), and its memory stays flat.

Upcall storm: a source sends to 100,000 distinct (S,G); the daemon's memory
stays bounded and a real join made during the storm gets its stream.
"""
from __future__ import annotations

import collections
import ipaddress
import re
import struct
import time

import pytest

import procs
from hostile_frames import ether, hostile_igmp, hostile_mld, start_sprayer
from kernel_state import mroutes
# SANITIZED: ASan keeps freed memory in quarantine, so RSS says nothing there.
from netns import SANITIZED, SLOW_DAEMON, TIME_SCALE, patience
from packets import link_local, mac_of
from procs import wait_for
from scenario import (assert_stream_complete, prime_route, wait_log_quiet, FAMILIES, V4, is_proxy_report, joins_group, leaves_group,
                      simple_config, vifs_ready)

SPRAY_FRAMES = 60_000
SPRAY_RATE = 12_000          # frames per second: the spray lasts about 5 s
# Growth of the daemon's resident memory allowed over a spray of only
# invalid packets (glibc may keep a freed arena or two).
RSS_GROWTH_LIMIT_KB = 4096
# Reasons the daemon's intake must have counted (the kernel drops the rest
# itself: bad IP header checksums; for MLD bad ICMPv6 checksums and, through
# the socket's ICMPv6 filter, unknown types).
EXPECTED_REASONS = {
    "ipv4": {"truncated", "bad_checksum", "bad_count", "unknown_type", "bad_ttl", "no_router_alert",
             "off_link_source", "fragment", "bad_length"},
    "ipv6": {"truncated", "bad_count", "bad_ttl", "no_router_alert", "not_link_local_source", "fragment"},
}
_DROP_LINE = re.compile(r"dropped packet from \S+ on (\S+): (\w+)")


def drop_reasons(log: str) -> collections.Counter:
    """Drops the daemon logged at trace level, by reason."""
    return collections.Counter(m.group(2) for m in _DROP_LINE.finditer(log))




def rss_kb(pid: int) -> int:
    """VmRSS of a process in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _groups(fam) -> tuple[str, str, str, list[str]]:
    """G1 (h1 joins, then leaves during the spray), G2 (h2 joins during it),
    G3 (h3 holds it; forged leaves target it), and the poison groups."""
    if fam.name == "ipv4":
        return "239.1.1.1", "239.2.2.2", "239.3.3.3", [f"239.66.{i // 200}.{i % 200 + 1}" for i in range(64)]
    return "ff05::1:1", "ff05::2:2", "ff05::3:3", [f"ff05::66:{i + 1:x}" for i in range(64)]


def _spray_frames(net, fam, poison, protected) -> tuple[dict[str, list[bytes]], list[bytes]]:
    h3 = net.hosts["h3"]
    mac = mac_of(h3.ns, "eth0")
    if fam.name == "ipv4":
        kinds = hostile_igmp(mac, h3.v4, "198.18.77.9", poison, protected)
    else:
        kinds = hostile_mld(mac, link_local(h3.ns, "eth0"), "2001:db8:2::99", poison, protected)
    # Interleave the kinds so every stretch of the spray has all of them.
    frames: list[bytes] = []
    longest = max(len(v) for v in kinds.values())
    for i in range(longest):
        for v in kinds.values():
            frames.append(v[i % len(v)])
    return kinds, frames


@pytest.mark.parametrize("fam", FAMILIES)
def test_spray_of_broken_packets_while_hosts_join_and_leave(topo, capture, mcproxy, tmp_path, fam):
    net = topo.proxy_net((2, 1))  # h1 and h3 on dn1 (h3 sprays), h2 on dn2
    g1, g2, g3, poison = _groups(fam)
    up = capture(net.router.ns, "eth0")
    # -d -vv: trace level, every drop is logged with its reason.
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam), args=("-d", "-vv"))
    h1, h2, h3 = net.hosts["h1"], net.hosts["h2"], net.hosts["h3"]
    j3 = procs.join(h3.ns, "eth0", g3)
    j1 = procs.join(h1.ns, "eth0", g1)
    for g in (g1, g3):
        assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, g), 3.0), g
    kinds, frames = _spray_frames(net, fam, poison, g3)
    time.sleep(0.5)
    rss_before = rss_kb(m.proc.pid)

    t0 = time.monotonic()
    # The sprayer is Python: emulated, next to a sanitized daemon, it has
    # managed 2,400 frames/s, so its time cap stretches with the rest.
    spray = start_sprayer(h3.ns, "eth0", frames, str(tmp_path / "frames.hex"), SPRAY_FRAMES,
                          SPRAY_RATE, max_seconds=patience(20))
    time.sleep(1.0)
    j2 = procs.join(h2.ns, "eth0", g2)         # a join during the spray
    time.sleep(1.0)
    left_at = time.time()
    j1.stop()                                  # a leave during the spray
    out, err = spray.communicate(timeout=patience(20) + 10)
    spray_seconds = time.monotonic() - t0
    log_at_spray_end = len(m.log())
    sent, send_errors, took = out.split()
    assert int(sent) >= 50_000 and int(send_errors) == 0, (out, err)
    assert m.running(), m.log()
    time.sleep(0.5)
    rss_after = rss_kb(m.proc.pid)
    print(f"\n{fam.name}: {sent} frames of {len(kinds)} kinds ({len(frames)} distinct) in {took} s; "
          f"daemon RSS {rss_before} kB -> {rss_after} kB")
    if not SANITIZED:
        assert rss_after - rss_before <= RSS_GROWTH_LIMIT_KB, (rss_before, rss_after)
    reasons = drop_reasons(m.log())
    print(f"{fam.name}: dropped by the daemon: {sum(reasons.values())} {dict(sorted(reasons.items()))}")
    assert EXPECTED_REASONS[fam.name] <= set(reasons), reasons

    # Upstream: the proxy joined G2 and left G1, and never reported a poison
    # group; G3 (forged leaves) was never left.
    assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, g2), 3.0), \
        up.messages_now(family=fam.name)
    assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and leaves_group(r, g1)
                           and r.time >= left_at - 0.5, 6.0), up.messages_now(family=fam.name)
    ours = [r for r in up.messages_now(family=fam.name) if is_proxy_report(fam, r, net)]
    mentioned = set().union(*(r.reported_groups() for r in ours))
    # The proxy's own IPv6 stack reports from the same link-local address:
    # its link-scope groups and, forwarding, ff05::2 (all routers, site).
    unexpected = {g for g in mentioned - {g1, g2, g3}
                  if fam.name == "ipv4" or not (g.startswith("ff02:") or g == "ff05::2")}
    assert not unexpected, sorted(unexpected)[:10]
    assert not mentioned & set(poison)
    left3 = [r.time for r in ours if leaves_group(r, g3)]
    if SANITIZED and left3:
        # The sanitized daemon reads far slower than the spray arrives; in
        # one emulated run it read none of h3's answers for 23 s (lost with
        # the spray in its socket's full queue, as far as its log shows), so
        # G3 may expire. It must come back with h3's answer to the next
        # general query (every 10 s: TUNING).
        assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, g3)
                               and r.time > max(left3), patience(15.0)), ours
    else:
        assert not left3, ours

    # Forwarding matches the hosts: h2 and h3 receive, dn1 carries no G1.
    assert wait_for(lambda: not [r for r in mroutes(net.proxy, fam.name)
                                 if r["group"] == g1 and "dn1" in r["oifs"]], 3.0)
    dn1 = capture(net.proxy, "dn1")
    rx2 = procs.receive(h2.ns, "eth0", g2, duration=5, count=50)
    rx3 = procs.receive(h3.ns, "eth0", g3, duration=5, count=50, port=5003)
    # Sanitized and emulated, the daemon still works through the spray's
    # backlog (a member whose reports waited behind it may have timed out
    # and comes back at the next query): the backlog first, then the routes,
    # then the counted streams.
    wait_log_quiet(m)
    if SANITIZED:
        # A member whose reports were lost with the spray may be close to
        # its group's timeout (RFC 3376 8.4 GMI, RFC 3810 9.4 MALI) and let
        # the group expire in the middle of the counted stream. Count once
        # each member's group was refreshed by an answer read after the spray.
        assert wait_for(lambda: _report_read_since(m, log_at_spray_end, "dn2", g2)
                        and _report_read_since(m, log_at_spray_end, "dn1", g3), patience(15.0)), \
            _log_lines_naming(m, log_at_spray_end, (g2, g3))
    prime_route(net, fam, g2, "dn2")
    prime_route(net, fam, g3, "dn1")
    time.sleep(0.5)
    sent_at = time.time()
    procs.send(net.router.ns, "eth0", g1, count=50, rate=200, source_address=fam.src_a, port=5001)
    procs.send(net.router.ns, "eth0", g2, count=50, rate=200, source_address=fam.src_a, port=5001)
    procs.send(net.router.ns, "eth0", g3, count=50, rate=200, source_address=fam.src_a, port=5003)
    s2, s3 = rx2.summary(), rx3.summary()
    history = _log_lines_naming(m, log_at_spray_end, (g2, g3))
    assert_stream_complete(s2, 50, history)
    assert_stream_complete(s3, 50, history)
    time.sleep(0.2)
    assert [d for d in dn1.datagrams_now(g1) if d.time >= sent_at] == []
    assert m.running(), m.log()
    print(f"{fam.name}: spray phase {spray_seconds:.1f} s")
    j2.stop()
    j3.stop()


def _report_read_since(m, offset: int, iface: str, group: str) -> bool:
    """Whether the daemon's log (-vv), from character `offset` on, shows a
    report naming `group` read on `iface`."""
    pattern = re.compile(rf"received .*report.*\({re.escape(group)},.* on {re.escape(iface)}$", re.M)
    return bool(pattern.search(m.log()[offset:]))


def _log_lines_naming(m, offset: int, groups) -> str:
    """The daemon's log lines from character `offset` on that name one of
    `groups` (reports, routes, timeouts): the history behind a failure."""
    lines = [l for l in m.log()[offset:].splitlines() if any(g in l for g in groups)]
    return "\n".join(lines[-60:])


# ---- upcall storm ---------------------------------------------------------

# Under software emulation (the VM of scripts/with-mroute-kernel.sh) the
# Python sprayer manages about 1,500 frames/s, not 25,000: a smaller storm,
# still well past the daemon's route bound (16,384), ends within its time.
# Emulated, fewer: the sprayer is slower there; emulated and sanitized, the
# daemon reads the real join behind every upcall of the storm (about 1 ms
# each), so a storm of 30,000 would outlast the real stream.
STORM_SG = 100_000 if TIME_SCALE == 1 else (6_000 if SANITIZED else 30_000)
STORM_RATE = 25_000  # frames per second: 4 s
# Resident memory the daemon may grow by during the storm. The storm's
# (S,G) are all unwanted: core::forwarding keeps at most max_routes (16384)
# routes, the oldest unwanted one making room; measured +6.1 MB for them
# (core and daemon bookkeeping). Without the bound: +28 MB.
STORM_RSS_LIMIT_KB = 10 * 1024
# Kernel cache entries left after the storm: the same bound (without it 100,000).
STORM_KERNEL_ROUTES_LIMIT = 20_000


def _storm_frames(mac: str, count: int) -> list[bytes]:
    """UDP datagrams to `count` distinct (S,G): S in 198.18.0.0/15, G in 239/8."""
    frames = []
    base_s = int(ipaddress.IPv4Address("198.18.0.1"))
    base_g = int(ipaddress.IPv4Address("239.100.0.1"))
    payload = struct.pack("!HHHH", 4000, 4000, 12, 0) + b"stor"
    for i in range(count):
        s = (base_s + (i % 131_000)).to_bytes(4, "big")
        g = (base_g + (i * 7919) % 1_000_000).to_bytes(4, "big")
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), i & 0xFFFF, 0x4000, 16, 17, 0, s, g)
        hdr = hdr[:10] + struct.pack("!H", _ip_csum(hdr)) + hdr[12:]
        frames.append(ether(mac, str(ipaddress.IPv4Address(g)), 0x0800, hdr + payload))
    return frames


def _ip_csum(h: bytes) -> int:
    s = sum(struct.unpack(f"!{len(h) // 2}H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _kernel_routes(ns) -> int:
    return len(ns.read("/proc/net/ip_mr_cache").splitlines()) - 1


def _storm(topo, mcproxy, tmp_path) -> dict:
    """Runs the storm with a real join and stream in its middle; returns the measurements."""
    fam = V4
    net = topo.proxy_net((1, 1))
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    frames = _storm_frames(mac_of(net.router.ns, "eth0"), STORM_SG)
    rss_before = rss_kb(m.proc.pid)
    t0 = time.monotonic()
    storm = start_sprayer(net.router.ns, "eth0", frames, str(tmp_path / "storm.hex"), STORM_SG,
                          STORM_RATE, max_seconds=60)
    time.sleep(1.0)
    # A real join in the middle of the storm, then its stream.
    # Sanitized, the daemon reads the join seconds late: the stream runs
    # longer there so that it is still running when the route comes.
    packets = 800 if SLOW_DAEMON else 200
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=packets / 100 + 4, count=packets)
    time.sleep(0.5)
    procs.send(net.router.ns, "eth0", fam.group, count=packets, rate=100, source_address=fam.src_a)
    out, err = storm.communicate(timeout=90)
    storm_seconds = time.monotonic() - t0
    s = rx.summary()
    assert m.running(), m.log()
    sent, send_errors, took = out.split()
    assert int(sent) == STORM_SG and int(send_errors) == 0, (out, err)
    time.sleep(1.0)
    if SLOW_DAEMON:
        # Under ASan + UBSan the daemon is several times slower than the
        # storm: it drains the upcalls (and the kernel's unresolved entries
        # they stand for) seconds after the last frame. The bound is on the
        # state once the backlog is handled; wait for it (unresolved entries
        # expire after 10 s in any case).
        wait_for(lambda: _kernel_routes(net.proxy) <= STORM_KERNEL_ROUTES_LIMIT, 20.0)
    r = {"rss_before": rss_before, "rss_after": rss_kb(m.proc.pid), "kernel_routes": _kernel_routes(net.proxy),
         "stream": s, "running": m.running()}
    print(f"\nstorm: {sent} (S,G) frames in {took} s ({storm_seconds:.1f} s with the join); daemon RSS "
          f"{r['rss_before']} kB -> {r['rss_after']} kB; kernel cache entries {r['kernel_routes']}; "
          f"real stream {s['received']}/{packets}, first seq {s.get('first_seq')}")
    return r


# One storm, every check on it (a storm takes 40 to 100 s under emulation).
# core::forwarding bounds its routes (max_routes, 16384): at the bound the
# oldest route that forwards nowhere makes room (doc/hardening.md).
def test_upcall_storm_bounded_and_real_join_served(topo, mcproxy, tmp_path):
    r = _storm(topo, mcproxy, tmp_path)
    assert r["running"]
    s = r["stream"]
    # The real stream arrives: at most the first second may be lost while
    # its upcall waits behind the storm's.
    if SLOW_DAEMON:
        # The sanitized daemon reads the real join seconds late, behind the
        # storm's upcalls in the same socket (measured: 4.1 s); the sanitizer
        # run checks that the join is served at all and nothing is corrupted.
        assert s["received"] >= 1 and s["duplicates"] == 0, s
    else:
        assert s["received"] >= 100 and s["duplicates"] == 0, s
    # ASan's quarantine makes RSS meaningless: the memory bound is measured
    # without the sanitizers.
    if not SANITIZED:
        assert r["rss_after"] - r["rss_before"] <= STORM_RSS_LIMIT_KB, r
    assert r["kernel_routes"] <= STORM_KERNEL_ROUTES_LIMIT, r
