# SPDX-License-Identifier: GPL-2.0-or-later
"""The end-to-end benchmarks: join and leave latency, the first packet of a
new stream, scale, report floods, channel zapping and route installation,
measured alike for both proxies. Each function runs one proxy
("mcproxy" or "igmpproxy") through one scenario on a fresh topology and
returns a dict of figures (the caller adds bench/proxy/run and prints it as
one JSON line). Times are from tcpdump captures: the host's own report on
its link is time zero.

Topology (tests/integration/netns.py): router eth0 -- up0 proxy dn1 -- h1
(and dn2 -- h2 where a second host is needed). The router namespace is the
source and the upstream link where the proxy's reports are counted.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import time
from pathlib import Path

from common import (Bench, HarnessError, finish, force_rcvbuf, joined_groups, left_groups, mroute_monitor,
                    parse_monitor, payload_send_time, quantiles, REPO, group_addr)
from capture import Datagram, Message

PROXY_UP = ("198.51.100.2", "0.0.0.0")
# Query interval 10 s, response interval 2 s: startup queries 2.5 s apart,
# the startup phase is over after about 4.5 s.
LEAVE_TUNING = "query-interval 10 query-response-interval 2"
STARTUP_WAIT = 5.5
IP_RA_HDR = 24   # IPv4 header with Router Alert
IGMPV3_HDR = 8


def _ms(x: float | None) -> float | None:
    return None if x is None else round(x * 1000.0, 3)


def _host_reports(msgs, host_ip: str) -> list[Message]:
    return [m for m in msgs if isinstance(m, Message) and m.src == host_ip]


def _proxy_reports(msgs) -> list[Message]:
    return [m for m in msgs if isinstance(m, Message) and m.kind == "report" and m.src in PROXY_UP]


def _first_report_times(reports: list[Message], fn=joined_groups) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in reports:
        for g in fn(m):
            out.setdefault(g, m.time)
    return out


def _stop_monitor(mon) -> str:
    time.sleep(0.2)
    mon.terminate()
    try:
        mon.wait(timeout=3)
    except subprocess.TimeoutExpired:
        mon.kill()
        mon.wait(timeout=3)
    return Path(mon.out_path).read_text(errors="replace")


_ROUTE = re.compile(r"^(Deleted )?\(([^,]+),([^)]+)\)\s+Iif:\s*(\S+)\s*(?:Oifs:\s*(.*?))?\s*State:")


def _route_events(text: str) -> list[tuple[float, str, list[str]]]:
    """(time, group, outgoing interfaces) of every `ip monitor mroute` line
    (deletions have no outgoing interfaces)."""
    out = []
    for t, line in parse_monitor(text):
        m = _ROUTE.match(line)
        if m:
            oifs = [] if m.group(1) else (m.group(5) or "").replace("(ttl", " (ttl").split()
            out.append((t, m.group(3), [o for o in oifs if not o.startswith("(")]))
    return out


# ---- join latency -------------------------------------------------------------

def join_latency(kind: str, wd: Path, groups: int = 50, rate: float = 200, gap: float = 0.2,
                 source_specific: bool = False) -> dict:
    """A source sends to `groups` groups at `rate` pps each; the host joins
    them one by one, `gap` s apart. Per group: host report -> first packet on
    the host link, host report -> proxy report upstream; and stale packets
    (a packet whose send time is more than 100 ms before it reached the host
    in the first 500 ms after the join). source_specific: the host joins
    (S,G) with S the stream's source (232/8 groups, IGMPv3 TO_IN/ALLOW)."""
    base = "232.10.0.1" if source_specific else "239.10.0.1"
    gs = [group_addr(base, i) for i in range(groups)]
    with Bench("join", wd) as b:
        h = b.net.hosts["h1"]
        proxy = b.start_proxy(kind)
        cap_h = b.capture(h.ns, "eth0", "igmp or udp", name=f"join-{kind}-h1")
        cap_u = b.capture(b.net.router.ns, "eth0", "igmp", name=f"join-{kind}-up")
        mon = mroute_monitor(b.net.proxy, b.workdir / f"mroute-{kind}.log")
        b.procs.append(mon)
        dur = groups * gap + 4.0
        src = b.hostsim(b.net.router.ns, "send", "eth0", base, str(groups), "--rate", str(rate),
                        "--duration", str(dur))
        time.sleep(1.0)  # the streams are already there when the viewer arrives
        cpu0, rq0 = proxy.cpu(), proxy.runq_wait()
        ssm = ["--source", b.net.router.v4] if source_specific else []
        finish(b.hostsim(h.ns, "joinseq", "eth0", base, str(groups), "--gap", str(gap), "--hold", "1.5", *ssm),
               timeout=dur + 20)
        cpu1, rq1 = proxy.cpu(), proxy.runq_wait()
        finish(src, timeout=dur + 20)
        mon_out = _stop_monitor(mon)
        cap_h.stop()
        cap_u.stop()
        hmsgs = cap_h.decoded()
        umsgs = cap_u.decoded()
        alive = proxy.alive()
    t_rep = _first_report_times(_host_reports(hmsgs, h.v4))
    t_up_all = _proxy_reports(umsgs)
    data: dict[str, list[Datagram]] = {}
    for d in hmsgs:
        if isinstance(d, Datagram):
            data.setdefault(d.dst, []).append(d)
    routes = _route_events(mon_out)
    to_first, to_fresh, to_up, to_route, stale, stale_age = [], [], [], [], 0, 0.0
    missing_first, missing_up = 0, 0
    for g in gs:
        t0 = t_rep.get(g)
        if t0 is None:
            missing_first += 1
            missing_up += 1
            continue
        ds = [d for d in data.get(g, []) if d.time >= t0]
        if ds:
            to_first.append(ds[0].time - t0)
            fresh = [d for d in ds if (payload_send_time(d) or 0) >= t0]
            if fresh:
                to_fresh.append(fresh[0].time - t0)
            for d in ds:
                if d.time > t0 + 0.5:
                    break
                st = payload_send_time(d)
                if st is not None and d.time - st > 0.1:
                    stale += 1
                    stale_age = max(stale_age, d.time - st)
        else:
            missing_first += 1
        rt = [t for t, grp, oifs in routes if grp == g and "dn1" in oifs and t >= t0 - 0.0005]
        if rt:
            to_route.append(rt[0] - t0)
        ups = [m.time for m in t_up_all if g in joined_groups(m) and m.time >= t0 - 0.0005]
        if ups:
            to_up.append(ups[0] - t0)
        else:
            missing_up += 1
    q1 = quantiles([x * 1000 for x in to_first])
    q2 = quantiles([x * 1000 for x in to_up])
    return {"groups": groups, "rate_pps": rate,
            "join_to_first_packet_ms": q1, "join_to_upstream_report_ms": q2,
            "join_to_route_ms": quantiles([x * 1000 for x in to_route]),
            "join_to_first_fresh_packet_ms": quantiles([x * 1000 for x in to_fresh]),
            "stream_period_ms": round(1000 / rate, 3),
            "no_packet": missing_first, "no_upstream_report": missing_up,
            "stale_packets": stale, "stale_max_age_ms": _ms(stale_age) if stale else 0.0,
            "daemon_cpu_s": round(cpu1 - cpu0, 4), "daemon_runq_wait_s": round(rq1 - rq0, 4),
            "capture_drops": cap_h.dropped(),
            "daemon_alive": alive}


# ---- first packet of a stream that starts after the join --------------------

def first_packet(kind: str, wd: Path, groups: int = 50, rate: float = 200,
                 source_specific: bool = True) -> dict:
    """The host joins `groups` groups ((S,G) with the stream's source when
    source_specific), the proxy has reported them all; then the streams
    start (as when the upstream router begins forwarding after the proxy's
    report). Per group: from the first packet on the upstream link to its
    copy on the host link (tcpdump times, one kernel clock), i.e. whether the
    route was there before the data (proactive) or is made from the
    kernel's upcall for the first packet; and packets of the first 50 ms
    that never reached the host."""
    base = "232.11.0.1" if source_specific else "239.11.0.1"
    gs = [group_addr(base, i) for i in range(groups)]
    with Bench("first", wd) as b:
        h = b.net.hosts["h1"]
        proxy = b.start_proxy(kind)
        ssm = ["--source", b.net.router.v4] if source_specific else []
        join = b.hostsim(h.ns, "joinseq", "eth0", base, str(groups), "--gap", "0.01", "--hold", "6", *ssm)
        time.sleep(groups * 0.01 + 1.5)  # every report sent and handled
        cap_h = b.capture(h.ns, "eth0", "udp", name=f"first-{kind}-h1")
        cap_u = b.capture(b.net.router.ns, "eth0", "udp", name=f"first-{kind}-up")
        cpu0 = proxy.cpu()
        finish(b.hostsim(b.net.router.ns, "send", "eth0", base, str(groups), "--rate", str(rate),
                         "--duration", "1.5"), timeout=30)
        cpu1 = proxy.cpu()
        time.sleep(0.2)
        cap_h.stop()
        cap_u.stop()
        finish(join, timeout=30)
        routes = _route_count(b.net.proxy)
        alive = proxy.alive()
        up = [d for d in cap_u.decoded() if isinstance(d, Datagram)]
        down = [d for d in cap_h.decoded() if isinstance(d, Datagram)]
    seen = {(d.dst, d.payload[:20]): d.time for d in down}
    delays, lost_early, missing = [], 0, 0
    for g in gs:
        ug = [d for d in up if d.dst == g]
        if not ug:
            missing += 1
            continue
        t0 = ug[0].time
        t = seen.get((g, ug[0].payload[:20]))
        if t is not None:
            delays.append(t - t0)
        lost_early += sum(1 for d in ug if d.time <= t0 + 0.05 and (g, d.payload[:20]) not in seen)
    return {"groups": groups, "rate_pps": rate, "source_specific": source_specific,
            "first_packet_forward_ms": quantiles([x * 1000 for x in delays]),
            "first_packet_forwarded": len(delays), "groups_without_stream": missing,
            "lost_in_first_50ms": lost_early, "kernel_routes_after": routes,
            "daemon_cpu_s": round(cpu1 - cpu0, 4), "daemon_alive": alive}


def _route_count(ns) -> int:
    out = ns.run(["cat", "/proc/net/ip_mr_cache"], check=False).stdout
    return max(0, len(out.splitlines()) - 1)


# ---- leave latency ------------------------------------------------------------

def leave_latency(kind: str, wd: Path, fastleave: bool, rate: float = 1000, bound: float = 40.0) -> dict:
    """One host joined to one group, a 1000 pps stream; the host leaves.
    Leave latency: the host's leave on its link -> the last packet that
    reaches that link. Stops waiting `bound` s after the leave (then the
    figure is a lower bound, `censored`)."""
    g = "239.20.0.1"
    with Bench("leave", wd) as b:
        h = b.net.hosts["h1"]
        # mcproxy's fast leave needs explicit tracking, which it trusts only
        # once the startup queries have been answered (about 41 s with the
        # default timers): shorter query timers, and the same wait for both.
        proxy = b.start_proxy(kind, fastleave=fastleave, extra=LEAVE_TUNING)
        time.sleep(STARTUP_WAIT)
        cap_h = b.capture(h.ns, "eth0", "igmp or udp", name=f"leave-{kind}-{int(fastleave)}-h1")
        src = b.hostsim(b.net.router.ns, "send", "eth0", g, "1", "--rate", str(rate),
                        "--duration", str(bound + 6))
        res = finish(b.hostsim(h.ns, "joinseq", "eth0", g, "1", "--gap", "0", "--hold", "2.0",
                               "--leave-gap", "0.01"), timeout=15)
        t_leave_call = res["leave_times"][0]
        deadline = time.monotonic() + bound
        censored = True
        while time.monotonic() < deadline:
            time.sleep(0.5)
            ds = [d for d in cap_h.datagrams_now(dst=g)]
            last = ds[-1].time if ds else 0.0
            if time.time() - last > 1.5 and last > 0:
                censored = False
                break
        src.terminate()
        cap_h.stop()
        msgs = cap_h.decoded()
        alive = proxy.alive()
    leaves = [m.time for m in _host_reports(msgs, h.v4) if g in left_groups(m)
              and m.time >= t_leave_call - 0.05]
    ds = [d.time for d in msgs if isinstance(d, Datagram) and d.dst == g]
    if not leaves or not ds:
        raise HarnessError(f"leave: no leave ({len(leaves)}) or no data ({len(ds)}) on the host link")
    t_leave = leaves[0]
    # Count only the packets that belong to this membership (before the leave
    # plus the tail after it).
    after = [t for t in ds if t >= t_leave]
    last = after[-1] if after else t_leave
    return {"fastleave": fastleave, "rate_pps": rate, "mcproxy_tuning": LEAVE_TUNING,
            "leave_to_last_packet_ms": _ms(last - t_leave), "packets_after_leave": len(after),
            "censored": censored, "bound_s": bound, "rfc_lmqt_ms": 2000,
            "daemon_alive": alive}


# ---- scale --------------------------------------------------------------------

def min_report_bytes(n: int, nsrc: int, mtu: int = 1500) -> int:
    """Fewest IPv4 bytes that carry n IGMPv3 records of nsrc sources once
    (IP header with Router Alert, report header, records packed to the MTU)."""
    rec = 8 + 4 * nsrc
    per = (mtu - IP_RA_HDR - IGMPV3_HDR) // rec
    pkts = math.ceil(n / per)
    return pkts * (IP_RA_HDR + IGMPV3_HDR) + n * rec


def scale(kind: str, wd: Path, n: int, nsrc: int = 0, rounds: int = 2, timeout: float = 60.0,
          per_report: int = 1, rcvbuf: int = 0) -> dict:
    """A host (crafted IGMPv3 reports through AF_PACKET, `per_report`
    records per report (1: as if every group came from its own host;
    10000: packed to the MTU as a Linux host merges pending changes), as
    fast as the socket takes them) joins n groups (nsrc sources
    each: ALLOW records). Time from the host's last report on its link until
    the proxy's upstream reports name every group; upstream report packets
    and bytes until 3 s after that; daemon RSS; CPU for one general query
    cycle (the host answers with a full current-state round, IS_EX or IS_IN
    records packed to the MTU). rcvbuf > 0: an experiment, the daemon's raw
    sockets get that receive buffer (SO_RCVBUFFORCE from outside)."""
    base = "239.64.0.0" if nsrc == 0 else "232.64.0.0"
    with Bench("scale", wd) as b:
        h = b.net.hosts["h1"]
        proxy = b.start_proxy(kind, max_groups=max(4096, n + 1024), max_sources=1024)
        bufs = force_rcvbuf(proxy.pid, rcvbuf) if rcvbuf else []
        cap_h = b.capture(h.ns, "eth0", "igmp", name=f"scale-{kind}-{n}-{nsrc}-h1")
        cap_u = b.capture(b.net.router.ns, "eth0", "igmp", name=f"scale-{kind}-{n}-{nsrc}-up")
        time.sleep(0.5)
        c0, w0 = proxy.cpu(), time.monotonic()
        time.sleep(1.0)
        idle_rate = (proxy.cpu() - c0) / (time.monotonic() - w0)
        mem0 = proxy.memory()
        rq_a = proxy.runq_wait()
        socks0 = {x["inode"]: x["drops"] for x in _raw_igmp_sockets(b.net.proxy)}
        cpu_a = proxy.cpu()
        burst = finish(b.hostsim(h.ns, "burst", "eth0", h.v4, base, str(n), "--sources", str(nsrc),
                                 "--per-report", str(per_report)), timeout=120)
        want = {group_addr(base, i) for i in range(n)}
        known: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        done = False
        progress = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            before = len(known)
            for m in _proxy_reports(cap_u.messages_now()):
                for g in joined_groups(m):
                    if g in want:
                        known.setdefault(g, m.time)
            if len(known) == n:
                done = True
                break
            if len(known) > before:
                progress = time.monotonic()
            elif time.monotonic() - progress > 4.0:
                break  # nothing new for 4 s: the rest was lost
        time.sleep(3.0)
        socks1 = {x["inode"]: x["drops"] for x in _raw_igmp_sockets(b.net.proxy)}
        cpu_join = proxy.cpu() - cpu_a
        rq_join = proxy.runq_wait() - rq_a
        mem_joined = proxy.memory()
        cycles = []
        for _ in range(max(1, rounds)):
            ca = proxy.cpu()
            ta = time.monotonic()
            finish(b.hostsim(h.ns, "burst", "eth0", h.v4, base, str(n), "--sources", str(nsrc),
                             "--type", "IS_IN" if nsrc else "IS_EX", "--per-report", "10000"),
                   timeout=120)
            time.sleep(2.0)
            cycles.append(proxy.cpu() - ca - idle_rate * (time.monotonic() - ta))
        mem_end = proxy.memory()
        time.sleep(1.0)
        after_rounds = set()
        for m in _proxy_reports(cap_u.messages_now()):
            after_rounds |= joined_groups(m) & want
        cap_h.stop()
        cap_u.stop()
        hmsgs = cap_h.decoded()
        umsgs = cap_u.decoded()
        alive = proxy.alive()
    host_reports = [m for m in hmsgs if isinstance(m, Message) and m.src == h.v4]
    t_first_host = host_reports[0].time if host_reports else burst["start"]
    burst_n = burst["reports"]
    t_last_host = host_reports[min(burst_n, len(host_reports)) - 1].time if host_reports else burst["end"]
    t_all = max(known.values()) if done else None
    window_end = (t_all if t_all else t_first_host + timeout) + 3.0
    ups = [m for m in _proxy_reports(umsgs) if t_first_host - 0.001 <= m.time <= window_end]
    up_bytes = sum(getattr(m, "wire_len", 0) - 14 for m in ups)
    # The least one full copy of what the upstream learned could take.
    minimum = min_report_bytes(len(known), nsrc) if known else 0
    return {"groups": n, "sources_per_group": nsrc, "records_per_host_report": per_report,
            "forced_rcvbuf": bufs,
            "host_reports": burst_n, "host_burst_s": round(burst["end"] - burst["start"], 4),
            "host_reports_captured": len(host_reports),
            "all_upstream": done, "upstream_known": len(known), "lost": n - len(known),
            "socket_drops": [socks1[k] - socks0.get(k, 0) for k in socks1],
            "upstream_known_after_query_rounds": len(after_rounds),
            "last_host_report_to_all_upstream_ms": _ms(t_all - t_last_host) if t_all else None,
            "first_host_report_to_all_upstream_ms": _ms(t_all - t_first_host) if t_all else None,
            "upstream_report_packets": len(ups), "upstream_report_bytes": up_bytes,
            "min_report_bytes": minimum, "bytes_vs_min": round(up_bytes / minimum, 3) if minimum else None,
            "rss_kb_idle": mem0["rss_kb"], "rss_kb_joined": mem_joined["rss_kb"],
            "hwm_kb": mem_end["hwm_kb"],
            "cpu_s_join": round(cpu_join, 4), "runq_wait_s_join": round(rq_join, 4),
            "cpu_s_per_query_cycle": round(sorted(cycles)[len(cycles) // 2], 4),
            "cpu_s_per_query_cycle_all": [round(c, 4) for c in cycles],
            "idle_cpu_cores": round(idle_rate, 5), "daemon_alive": alive}


# ---- report flood -------------------------------------------------------------

def _raw_igmp_sockets(ns) -> list[dict]:
    """Raw IGMP sockets of the namespace (/proc/net/raw: protocol in the port
    field, drops in the last column)."""
    out = []
    for line in ns.read("/proc/net/raw").splitlines()[1:]:
        f = line.split()
        if len(f) < 13:
            continue
        if int(f[1].split(":")[1], 16) == 2:
            out.append({"inode": f[9], "drops": int(f[-1])})
    return out


def _rx_packets(ns, iface: str) -> int:
    return int(ns.read(f"/sys/class/net/{iface}/statistics/rx_packets").strip())


def flood(kind: str, wd: Path, pool: int = 10000, duration: float = 5.0) -> dict:
    """h1 floods valid one-record IGMPv3 reports (TO_EX) cycling a pool of
    groups as fast as it can for `duration` s; h2, on the other link, makes
    one real join half way through while the source streams that group at
    200 pps. Reports handled: arrived on dn1 minus those the daemon's IGMP
    socket dropped (the socket that dropped least; igmpproxy has one)."""
    base = "239.96.0.0"
    g_real = "239.30.0.1"
    with Bench("flood", wd, hosts_per_link=(1, 1)) as b:
        h1, h2 = b.net.hosts["h1"], b.net.hosts["h2"]
        proxy = b.start_proxy(kind, max_groups=max(4096, pool + 1024))
        cap_u = b.capture(b.net.router.ns, "eth0", "igmp", name=f"flood-{kind}-up")
        cap_h2 = b.capture(h2.ns, "eth0", "igmp or udp", name=f"flood-{kind}-h2")
        src = b.hostsim(b.net.router.ns, "send", "eth0", g_real, "1", "--rate", "200",
                        "--duration", str(duration + 8))
        time.sleep(0.5)
        rx0 = _rx_packets(b.net.proxy, "dn1")
        socks0 = {s["inode"]: s["drops"] for s in _raw_igmp_sockets(b.net.proxy)}
        cpu0, t0, rq0 = proxy.cpu(), time.monotonic(), proxy.runq_wait()
        fl = b.hostsim(h1.ns, "flood", "eth0", h1.v4, base, str(pool), "--duration", str(duration))
        time.sleep(duration / 2)
        join = b.hostsim(h2.ns, "joinseq", "eth0", g_real, "1", "--gap", "0",
                         "--hold", str(duration / 2 + 2.0))
        fres = finish(fl, timeout=duration + 30)
        cpu1, t1, rq1 = proxy.cpu(), time.monotonic(), proxy.runq_wait()
        rx1 = _rx_packets(b.net.proxy, "dn1")
        socks1 = {s["inode"]: s["drops"] for s in _raw_igmp_sockets(b.net.proxy)}
        # Wait (bounded) for the backlog to drain and the upstream to know the pool.
        want = {group_addr(base, i) for i in range(pool)}
        known: set[str] = set()
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline:
            for m in _proxy_reports(cap_u.messages_now()):
                known |= joined_groups(m) & want
            if len(known) == pool:
                break
            time.sleep(0.5)
        cpu2 = proxy.cpu()
        finish(join, timeout=30)
        src.terminate()
        cap_u.stop()
        cap_h2.stop()
        h2msgs = cap_h2.decoded()
        alive = proxy.alive()
    drops = [socks1[k] - socks0.get(k, 0) for k in socks1]
    arrived = rx1 - rx0
    handled = arrived - (min(drops) if drops else 0)
    rep = [m.time for m in _host_reports(h2msgs, h2.v4) if g_real in joined_groups(m)]
    lat = None
    if rep:
        ds = [d.time for d in h2msgs if isinstance(d, Datagram) and d.dst == g_real and d.time >= rep[0]]
        lat = _ms(ds[0] - rep[0]) if ds else None
    elapsed = t1 - t0
    return {"pool": pool, "duration_s": duration, "reports_sent": fres["reports"],
            "sent_per_s": fres["rate"], "arrived_on_dn1": arrived,
            "socket_drops": drops, "reports_handled": handled,
            "handled_per_s": round(handled / max(fres["end"] - fres["start"], 1e-9)),
            "cpu_cores_during_flood": round((cpu1 - cpu0) / elapsed, 3),
            "runq_wait_share_during_flood": round((rq1 - rq0) / elapsed, 3),
            "cpu_s_after_flood": round(cpu2 - cpu1, 3),
            "pool_joined_upstream": len(known),
            "real_join_to_first_packet_ms": lat, "daemon_alive": alive}


# ---- route churn --------------------------------------------------------------

def churn(kind: str, wd: Path, channels: int = 100, interval: float = 0.1, duration: float = 10.0,
          rate: float = 50) -> dict:
    """Two viewers (h1 on dn1, h2 on dn2) zap between `channels` channels
    every `interval` s for `duration` s (real joins; fast leave on in both
    proxies); every channel streams at `rate` pps. Kernel route changes per
    second (rtnetlink mroute notifications), and zaps in which the viewer got
    no packet of its new channel before its next zap (missed)."""
    base = "239.40.0.1"
    with Bench("churn", wd, hosts_per_link=(1, 1)) as b:
        h1, h2 = b.net.hosts["h1"], b.net.hosts["h2"]
        proxy = b.start_proxy(kind, fastleave=True)
        mon = mroute_monitor(b.net.proxy, b.workdir / f"mroute-{kind}.log")
        b.procs.append(mon)
        caps = {n: b.capture(h.ns, "eth0", "igmp or udp", name=f"churn-{kind}-{n}")
                for n, h in (("h1", h1), ("h2", h2))}
        src = b.hostsim(b.net.router.ns, "send", "eth0", base, str(channels), "--rate", str(rate),
                        "--duration", str(duration + 6))
        time.sleep(1.0)
        cpu0 = proxy.cpu()
        zs = {n: b.hostsim(h.ns, "zap", "eth0", base, str(channels), "--interval", str(interval),
                           "--duration", str(duration), "--seed", str(i + 1))
              for i, (n, h) in enumerate((("h1", h1), ("h2", h2)))}
        zres = {n: finish(p, timeout=duration + 20) for n, p in zs.items()}
        cpu1 = proxy.cpu()
        time.sleep(0.5)
        src.terminate()
        mon_out = _stop_monitor(mon)
        msgs = {n: c.stop().decoded() for n, c in caps.items()}
        alive = proxy.alive()
    events = _route_events(mon_out)
    t_start = min(z["zaps"][0][0] for z in zres.values() if z["zaps"])
    t_end = max(z["end"] for z in zres.values())
    in_window = [e for e in events if t_start <= e[0] <= t_end]
    missed, total, lat = 0, 0, []
    for n, z in zres.items():
        host_ip = b.net.hosts[n].v4
        reps = _host_reports(msgs[n], host_ip)
        data: dict[str, list[float]] = {}
        for d in msgs[n]:
            if isinstance(d, Datagram):
                data.setdefault(d.dst, []).append(d.time)
        zaps = z["zaps"]
        for i, (tj, g) in enumerate(zaps):
            t_next = zaps[i + 1][0] if i + 1 < len(zaps) else z["end"]
            total += 1
            r = [m.time for m in reps if g in joined_groups(m) and tj - 0.002 <= m.time <= t_next]
            t0 = r[0] if r else tj
            got = [t for t in data.get(g, []) if t0 <= t <= t_next]
            if got:
                lat.append((got[0] - t0) * 1000)
            else:
                missed += 1
    span = t_end - t_start
    return {"channels": channels, "zap_interval_ms": interval * 1000, "viewers": 2,
            "zaps": total, "route_changes": len(in_window),
            "route_changes_per_s": round(len(in_window) / span, 1) if span > 0 else None,
            "missed_streams": missed, "zap_to_first_packet_ms": quantiles(lat),
            "daemon_cpu_cores": round((cpu1 - cpu0) / span, 3) if span > 0 else None,
            "daemon_alive": alive}


# ---- kernel ceiling -------------------------------------------------------------

def kernel_ceiling(min_time: str = "0.5") -> dict:
    """build/bench_kernel_mfc's bare loops through mcproxy's thin wrappers, in
    the benchmark's own namespace: MRT_ADD_MFC + MRT_DEL_MFC pairs, and each
    operation alone (add of a new entry, delete, update of an existing one),
    and what a daemon does per route the data asks for: read the NOCACHE
    upcall and add the entry, which forwards the packet the kernel queued.
    Times in us per operation; *_cpu_us is the process CPU time (what the
    daemon's figure is measured in), *_us wall-clock time."""
    binary = REPO / "build" / "bench_kernel_mfc"
    if not binary.exists():
        raise HarnessError(f"{binary} not built (cmake --build build --target bench_kernel_mfc)")
    cp = subprocess.run([str(binary), "--benchmark_filter=BM_mfc4_(add_remove|add_new|delete|update|upcall_and_add)$",
                         "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
                        capture_output=True, text=True, timeout=300)
    if cp.returncode != 0:
        raise HarnessError(f"bench_kernel_mfc failed: {cp.stderr}")
    data = json.loads(cp.stdout)

    def us(b, key):
        return round(b[key] / (1000 if b["time_unit"] == "ns" else 1), 3)

    out = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            raise HarnessError(f"bench_kernel_mfc {b['name']}: {b.get('error_message')}")
        name = b["name"].removeprefix("BM_mfc4_")
        if name == "add_remove":
            ops = b.get("items_per_second")
            out["mfc_ops_per_s"] = round(ops) if ops else None
            out["mfc_add_plus_del_us"] = us(b, "real_time")
            out["mfc_add_plus_del_cpu_us"] = us(b, "cpu_time")
        else:
            out[f"mfc_{name}_us"] = us(b, "real_time")
            out[f"mfc_{name}_cpu_us"] = us(b, "cpu_time")
    return out


# ---- route installation -----------------------------------------------------------

def route_install(kind: str, wd: Path, n: int = 1000, total_rate: float = 20000, duration: float = 4.0) -> dict:
    """The host joins n groups (crafted IGMPv3 reports, 100 records each, so
    none is lost); then the source starts streaming to all n groups at once
    (total_rate packets/s, round robin). How fast the proxy gets a route with
    the downstream link into the kernel for every (S,G): routes per second
    from the first kernel cache event to the last route (rtnetlink
    timestamps), for comparison with the bare setsockopt ceiling. The kernel
    holds at most 10 unresolved entries per table, so upcall handling speed
    is what limits this."""
    base = "239.128.0.0"
    with Bench("routes", wd) as b:
        h = b.net.hosts["h1"]
        proxy = b.start_proxy(kind, max_groups=max(4096, n + 1024))
        finish(b.hostsim(h.ns, "burst", "eth0", h.v4, base, str(n), "--per-report", "100"), timeout=60)
        time.sleep(1.5)
        mon = mroute_monitor(b.net.proxy, b.workdir / f"mroute-{kind}.log")
        b.procs.append(mon)
        time.sleep(0.3)
        cpu0 = proxy.cpu()
        finish(b.hostsim(b.net.router.ns, "send", "eth0", base, str(n), "--rate", str(total_rate / n),
                         "--duration", str(duration)), timeout=duration + 20)
        cpu1 = proxy.cpu()
        time.sleep(0.5)
        out = _stop_monitor(mon)
        alive = proxy.alive()
    ev = _route_events(out)
    if not ev:
        raise HarnessError("route_install: no kernel cache events")
    t0 = ev[0][0]
    done: dict[str, float] = {}
    for t, g, oifs in ev:
        if "dn1" in oifs:
            done.setdefault(g, t)
    t_last = max(done.values()) if done else None
    return {"groups": n, "offered_pps": total_rate, "routes_with_listener": len(done),
            "all_routes": len(done) == n,
            "first_event_to_last_route_ms": _ms(t_last - t0) if t_last else None,
            "routes_per_s": round(len(done) / (t_last - t0)) if t_last and t_last > t0 else None,
            "cache_events": len(ev), "daemon_cpu_s": round(cpu1 - cpu0, 4),
            "daemon_cpu_us_per_route": round((cpu1 - cpu0) * 1e6 / len(done), 2) if done else None,
            "daemon_alive": alive}
