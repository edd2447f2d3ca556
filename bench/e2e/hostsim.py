# SPDX-License-Identifier: GPL-2.0-or-later
"""What the benchmark hosts and the source do, run inside a namespace as
`python3 hostsim.py COMMAND ...`; each command prints one JSON line.

  send    IFACE BASE N --rate R --duration D   test stream to N groups, R pps each
  joinseq IFACE BASE N --gap G --hold H        real joins (kernel IGMP), one by one
  zap     IFACE BASE N --interval I --duration D --seed S   channel zapping, real joins
  burst   IFACE SRC BASE N [--sources K] [--per-report P] [--type T]
                                              crafted IGMPv3 reports through AF_PACKET
  flood   IFACE SRC BASE N --duration D       crafted reports cycling a pool, as fast as possible

Every loop is bounded by a count and a duration. Only 239/8 and 232/8 groups,
and sources in 198.18.0.0/15, are used.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import random
import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))

from packets import igmp_report  # noqa: E402  (IGMP bodies built by the harness)
from capture import _csum  # noqa: E402

RECORD = {"IS_IN": 1, "IS_EX": 2, "TO_IN": 3, "TO_EX": 4, "ALLOW": 5, "BLOCK": 6}
ALLOWED = [ipaddress.IPv4Network("239.0.0.0/8"), ipaddress.IPv4Network("232.0.0.0/8")]
IP_MULTICAST_ALL = 49
IP_ADD_SOURCE_MEMBERSHIP = 39
IP_DROP_SOURCE_MEMBERSHIP = 40
MAX_DURATION = 600.0


def groups(base: str, n: int) -> list[str]:
    out = []
    for i in range(n):
        a = ipaddress.IPv4Address(base) + i
        if not any(a in net for net in ALLOWED):
            raise SystemExit(f"group {a} outside 239/8 and 232/8")
        out.append(str(a))
    return out


def sources(k: int) -> list[str]:
    # 198.18.0.0/15 (benchmark range), never on any link here.
    return [str(ipaddress.IPv4Address("198.18.200.1") + i) for i in range(k)]


def ifindex(name: str) -> int:
    return socket.if_nametoindex(name)


def if_addr(iface: str) -> str:
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", iface.encode()[:15]))  # SIOCGIFADDR
    s.close()
    return socket.inet_ntoa(r[20:24])


def bounded(d: float) -> float:
    return max(0.0, min(float(d), MAX_DURATION))


# ---- the source -------------------------------------------------------------

def cmd_send(a) -> dict:
    """Test stream (mcproxy-tester's payload layout: magic MCPT, version 1,
    stream id, sequence, CLOCK_REALTIME ns) to N groups, round robin, each at
    --rate packets/s, paced in 1 ms steps."""
    gs = groups(a.base, a.n)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 16)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(if_addr(a.iface)))
    stream = random.getrandbits(32)
    seq = [0] * len(gs)
    total = a.rate * len(gs)
    dur = bounded(a.duration)
    t0 = time.monotonic()
    sent, errors, i = 0, 0, 0
    pad = bytes(range(28, 64))
    while True:
        el = time.monotonic() - t0
        if el >= dur:
            break
        due = int(el * total) + 1 - sent
        for _ in range(min(due, 2000)):
            g = i % len(gs)
            i += 1
            hdr = struct.pack("!4sB3xIQq", b"MCPT", 1, stream, seq[g], time.time_ns())
            try:
                s.sendto(hdr + pad, (gs[g], a.port))
            except OSError:
                errors += 1
            seq[g] += 1
            sent += 1
        time.sleep(0.0005)
    return {"sent": sent, "errors": errors, "groups": len(gs), "rate_per_group": a.rate,
            "elapsed_s": round(time.monotonic() - t0, 3)}


# ---- real hosts (kernel IGMP) -------------------------------------------------

def _mreq(group: str, iface: str) -> bytes:
    return struct.pack("4s4si", socket.inet_aton(group), b"\0\0\0\0", ifindex(iface))


def cmd_joinseq(a) -> dict:
    """Joins the groups one by one, --gap seconds apart, holds --hold
    seconds, then (--leave-gap > 0) leaves them one by one too."""
    gs = groups(a.base, a.n)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
    joins, leaves = [], []
    # --source: source-specific joins (IGMPv3 ALLOW/TO_IN with that source).
    add, drop = socket.IP_ADD_MEMBERSHIP, socket.IP_DROP_MEMBERSHIP
    req = lambda g: _mreq(g, a.iface)  # noqa: E731
    if a.source:
        ipaddress.IPv4Address(a.source)
        add, drop = IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_SOURCE_MEMBERSHIP
        # struct ip_mreq_source: group, interface address, source.
        req = lambda g: struct.pack("4s4s4s", socket.inet_aton(g), socket.inet_aton(if_addr(a.iface)),  # noqa: E731
                                    socket.inet_aton(a.source))
    for g in gs:
        s.setsockopt(socket.IPPROTO_IP, add, req(g))
        joins.append(time.time())
        time.sleep(bounded(a.gap))
    time.sleep(bounded(a.hold))
    if a.leave_gap > 0:
        for g in gs:
            s.setsockopt(socket.IPPROTO_IP, drop, req(g))
            leaves.append(time.time())
            time.sleep(bounded(a.leave_gap))
    s.close()
    return {"joined": len(joins), "join_times": joins, "leave_times": leaves}


def cmd_zap(a) -> dict:
    """A viewer zapping: every --interval seconds leave the current channel
    and join a random other one, for --duration seconds."""
    gs = groups(a.base, a.n)
    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
    cur = None
    zaps = []
    dur = bounded(a.duration)
    t0 = time.monotonic()
    k = 0
    while k < 100000:
        target = t0 + k * a.interval
        if target - t0 >= dur:
            break
        now = time.monotonic()
        if target > now:
            time.sleep(target - now)
        nxt = rnd.choice([g for g in gs if g != cur])
        if cur is not None:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, _mreq(cur, a.iface))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, _mreq(nxt, a.iface))
        zaps.append((time.time(), nxt))
        cur = nxt
        k += 1
    time.sleep(max(0.0, t0 + k * a.interval - time.monotonic()))
    end = time.time()
    s.close()
    return {"zaps": zaps, "end": end}


# ---- crafted reports ----------------------------------------------------------

def _mac(iface: str) -> bytes:
    return bytes.fromhex(Path(f"/sys/class/net/{iface}/address").read_text().strip().replace(":", ""))


def _ip_igmp(src: str, body: bytes, ident: int) -> bytes:
    """IPv4 header with Router Alert (RFC 3376 4: TTL 1, RA, to 224.0.0.22)."""
    ra = b"\x94\x04\x00\x00"
    hdr = struct.pack("!BBHHHBBH4s4s", 0x46, 0xC0, 24 + len(body), ident & 0xFFFF, 0, 1, 2, 0,
                      socket.inet_aton(src), socket.inet_aton("224.0.0.22")) + ra
    c = _csum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + body


def _frames(iface: str, src: str, records: list[tuple], per_report: int, mtu: int = 1500) -> list[bytes]:
    """Ethernet frames of IGMPv3 reports carrying `records`, at most
    `per_report` records and `mtu` bytes each."""
    eth = b"\x01\x00\x5e\x00\x00\x16" + _mac(iface) + b"\x08\x00"
    out, cur, size = [], [], 24 + 8
    for r in records:
        rsize = 8 + 4 * len(r[2])
        if cur and (len(cur) >= per_report or size + rsize > mtu):
            out.append(eth + _ip_igmp(src, igmp_report(3, records=tuple(cur)), len(out)))
            cur, size = [], 24 + 8
        cur.append(r)
        size += rsize
    if cur:
        out.append(eth + _ip_igmp(src, igmp_report(3, records=tuple(cur)), len(out)))
    return out


def _records(a) -> list[tuple]:
    gs = groups(a.base, a.n)
    srcs = sources(a.sources)
    rtype = RECORD[a.type] if a.type else (RECORD["ALLOW"] if srcs else RECORD["TO_EX"])
    return [(rtype, g, srcs) for g in gs]


def cmd_burst(a) -> dict:
    """All records as fast as the socket takes them (--per-report each)."""
    frames = _frames(a.iface, a.src, _records(a), a.per_report)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    t0 = time.time()
    sent, errors = 0, 0
    for f in frames:
        for _ in range(50):  # ENOBUFS: the queue is full, try again shortly
            try:
                s.send(f)
                sent += 1
                break
            except OSError:
                errors += 1
                time.sleep(0.0002)
    t1 = time.time()
    return {"reports": sent, "records": a.n, "bytes": sum(len(f) - 14 for f in frames),
            "errors": errors, "start": t0, "end": t1}


def cmd_flood(a) -> dict:
    """One-record reports cycling the pool as fast as possible for --duration."""
    frames = _frames(a.iface, a.src, _records(a), 1)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    dur = bounded(a.duration)
    t0 = time.time()
    end = t0 + dur
    sent, errors, i = 0, 0, 0
    n = len(frames)
    while i < 100_000_000:
        if (i & 255) == 0 and time.time() >= end:
            break
        try:
            s.send(frames[i % n])
            sent += 1
        except OSError:
            errors += 1
        i += 1
    t1 = time.time()
    return {"reports": sent, "pool": n, "errors": errors, "start": t0, "end": t1,
            "rate": round(sent / max(t1 - t0, 1e-9))}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("iface"); s.add_argument("base"); s.add_argument("n", type=int)
    s.add_argument("--rate", type=float, default=200); s.add_argument("--duration", type=float, default=10)
    s.add_argument("--port", type=int, default=5001)
    s = sub.add_parser("joinseq")
    s.add_argument("iface"); s.add_argument("base"); s.add_argument("n", type=int)
    s.add_argument("--gap", type=float, default=0.2); s.add_argument("--hold", type=float, default=1)
    s.add_argument("--leave-gap", type=float, default=0)
    s.add_argument("--source", default="", help="join source-specifically (this source only)")
    s = sub.add_parser("zap")
    s.add_argument("iface"); s.add_argument("base"); s.add_argument("n", type=int)
    s.add_argument("--interval", type=float, default=0.1); s.add_argument("--duration", type=float, default=10)
    s.add_argument("--seed", type=int, default=1)
    for name in ("burst", "flood"):
        s = sub.add_parser(name)
        s.add_argument("iface"); s.add_argument("src"); s.add_argument("base"); s.add_argument("n", type=int)
        s.add_argument("--sources", type=int, default=0)
        s.add_argument("--type", choices=sorted(RECORD), default=None)
        s.add_argument("--per-report", type=int, default=1)
        s.add_argument("--duration", type=float, default=5)
    a = p.parse_args(argv)
    out = {"send": cmd_send, "joinseq": cmd_joinseq, "zap": cmd_zap, "burst": cmd_burst,
           "flood": cmd_flood}[a.cmd](a)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
