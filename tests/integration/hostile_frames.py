# SPDX-License-Identifier: GPL-2.0-or-later
"""Broken and forged IGMP/MLD frames for the hostile-input tests, built with
struct from the RFC layouts (fast: tens of thousands of frames), and a
paced AF_PACKET sprayer that runs inside a namespace.

Every frame is invalid in exactly one way (see doc/packet-validation.md), so
a check that is missing in the daemon lets a "poison" group through, which
the tests see upstream.
"""
from __future__ import annotations

import ipaddress
import struct
import sys

from capture import _csum
from netns import Namespace
from packets import multicast_mac

RA4 = b"\x94\x04\x00\x00"            # RFC 2113 Router Alert
TO_EX, TO_IN, IS_IN = 4, 3, 1


def _a4(s: str) -> bytes:
    return ipaddress.IPv4Address(s).packed


def _a6(s: str) -> bytes:
    return ipaddress.IPv6Address(s).packed


def _mac(s: str) -> bytes:
    return bytes(int(x, 16) for x in s.split(":"))


def _with_csum(body: bytes, at: int = 2) -> bytes:
    body = body[:at] + b"\0\0" + body[at + 2:]
    return body[:at] + struct.pack("!H", _csum(body)) + body[at + 2:]


# ---- IGMP ------------------------------------------------------------------

def igmp_v3_report(records, count: int | None = None, src_counts: dict | None = None) -> bytes:
    """IGMPv3 report; `count` / `src_counts` (record index -> count) may lie."""
    body = struct.pack("!BBHHH", 0x22, 0, 0, 0, len(records) if count is None else count)
    for i, (rtype, g, srcs) in enumerate(records):
        n = (src_counts or {}).get(i, len(srcs))
        body += struct.pack("!BBH4s", rtype, 0, n, _a4(g)) + b"".join(_a4(s) for s in srcs)
    return _with_csum(body)


def igmp_simple(typ: int, group: str, code: int = 0) -> bytes:
    """8-byte IGMP message (v1/v2 report, leave, v1/v2 query, unknown types)."""
    return _with_csum(struct.pack("!BBH4s", typ, code, 0, _a4(group)))


def ipv4(src: str, dst: str, payload: bytes, ttl: int = 1, ra: bool = True, frag: int = 0,
         ident: int = 0, total: int | None = None) -> bytes:
    opts = RA4 if ra else b""
    ihl = 5 + len(opts) // 4
    length = 4 * ihl + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0xC0, length, ident, frag, ttl, 2, 0,
                      _a4(src), _a4(dst)) + opts
    return _with_csum(hdr, 10) + payload


def ether(src_mac: str, dst_ip: str, ethertype: int, packet: bytes) -> bytes:
    return _mac(multicast_mac(dst_ip)) + _mac(src_mac) + struct.pack("!H", ethertype) + packet


def igmp_fragments(src: str, dst: str, igmp: bytes, ident: int, ra: bool = True,
                   chunk: int = 1400) -> list[bytes]:
    """IPv4 fragments (payload split at multiples of 8) of one IGMP datagram."""
    out = []
    off = 0
    while off < len(igmp):
        part = igmp[off:off + chunk]
        more = off + chunk < len(igmp)
        out.append(ipv4(src, dst, part, ra=ra, ident=ident, frag=(0x2000 if more else 0) | (off // 8)))
        off += chunk
    return out


def hostile_igmp(mac: str, own_src: str, off_link_src: str, poison: list[str],
                 protected: str) -> dict[str, list[bytes]]:
    """Ethernet frames by kind. `own_src`: an on-link address of the sprayer;
    `poison`: groups that must never be joined; `protected`: a group a real
    host keeps joined (forged leaves for it must not work)."""
    k: dict[str, list[bytes]] = {}
    R, Q = "224.0.0.22", "224.0.0.1"

    def e(pkt: bytes, dst: str) -> bytes:
        return ether(mac, dst, 0x0800, pkt)

    join = [igmp_v3_report([(TO_EX, g, [])]) for g in poison]
    k["truncated"] = [e(ipv4(own_src, R, j[:6]), R) for j in join[:8]] + \
        [e(ipv4(own_src, R, j[:12]), R) for j in join[:8]]
    bad = [j[:2] + bytes([j[2] ^ 0x5A, j[3]]) + j[4:] for j in join]
    k["bad_checksum"] = [e(ipv4(own_src, R, b), R) for b in bad]
    k["bad_ip_checksum"] = [e(p[:10] + b"\x12\x34" + p[12:], R)
                            for p in (ipv4(own_src, R, j) for j in join[:8])]
    k["lying_record_count"] = [e(ipv4(own_src, R, igmp_v3_report([(TO_EX, g, [])], count=200)), R)
                               for g in poison]
    k["lying_source_count"] = [e(ipv4(own_src, R, igmp_v3_report(
        [(IS_IN, g, ["198.18.0.1", "198.18.0.2"])], src_counts={0: 60000})), R) for g in poison]
    many = [f"198.18.{i // 250}.{i % 250 + 1}" for i in range(340)]
    k["huge_source_list_lying"] = [e(ipv4(own_src, R, igmp_v3_report(
        [(IS_IN, g, many)], src_counts={0: 65535})), R) for g in poison[:8]]
    k["unknown_type"] = [e(ipv4(own_src, dst, igmp_simple(t, g)), dst)
                         for t in (0x13, 0x1E, 0x1F, 0x30, 0x42, 0xFF)
                         for g, dst in ((poison[0], poison[0]), ("0.0.0.0", Q))]
    k["bad_ttl"] = [e(ipv4(own_src, R, j, ttl=t), R) for j in join for t in (2, 64, 255)]
    k["no_router_alert"] = [e(ipv4(own_src, R, j, ra=False), R) for j in join]
    k["off_link_source"] = [e(ipv4(off_link_src, R, j), R) for j in join] + \
        [e(ipv4(off_link_src, g, igmp_simple(0x16, g), ra=False), g) for g in poison]
    k["off_link_huge_source_list"] = [e(ipv4(off_link_src, R, igmp_v3_report([(IS_IN, g, many)])), R)
                                      for g in poison[:8]]
    # Fragments. With Router Alert the kernel reassembles (ip_call_ra_chain):
    # 700 sources make a datagram larger than the link MTU. Without it, IGMP
    # to a routable group reaches the mroute socket unreassembled (ip_mr_input).
    big = [f"198.18.{i // 250}.{i % 250 + 1}" for i in range(700)]
    frags = []
    for n, g in enumerate(poison[:8]):
        frags += igmp_fragments(own_src, R, igmp_v3_report([(IS_IN, g, big)]), ident=0x4000 + n)
        # A whole IGMPv2 report marked "more fragments follow": none do.
        frags.append(ipv4(own_src, g, igmp_simple(0x16, g), ra=False, ident=0x6000 + n, frag=0x2000))
    k["fragment"] = [e(f, R) for f in frags]
    k["bad_query_length"] = [e(ipv4(own_src, Q, _with_csum(struct.pack("!BBH4sH", 0x11, 100, 0,
                                                                      _a4("0.0.0.0"), 0))), Q)]
    # Forged leaves of the group a real host holds: each broken in one way.
    leave_v3 = igmp_v3_report([(TO_IN, protected, [])])
    leave_v2 = igmp_simple(0x17, protected)
    k["forged_leave"] = [
        e(ipv4(own_src, R, leave_v3, ttl=2), R),
        e(ipv4(off_link_src, R, leave_v3), R),
        e(ipv4(own_src, R, leave_v3, ra=False), R),
        e(ipv4(own_src, R, leave_v3[:2] + b"\0\0" + leave_v3[4:]), R),
        e(ipv4(own_src, "224.0.0.2", leave_v2, ttl=3), "224.0.0.2"),
        e(ipv4(off_link_src, "224.0.0.2", leave_v2), "224.0.0.2"),
    ]
    return k


# ---- MLD ------------------------------------------------------------------

HBH_RA = bytes([58, 0, 5, 2, 0, 0, 1, 0])  # RFC 2711 Router Alert (MLD), PadN


def mld_v2_report(records, count: int | None = None, src_counts: dict | None = None) -> bytes:
    body = struct.pack("!BBHHH", 143, 0, 0, 0, len(records) if count is None else count)
    for i, (rtype, g, srcs) in enumerate(records):
        n = (src_counts or {}).get(i, len(srcs))
        body += struct.pack("!BBH16s", rtype, 0, n, _a6(g)) + b"".join(_a6(s) for s in srcs)
    return body


def icmp6_csum(src: str, dst: str, body: bytes) -> bytes:
    body = body[:2] + b"\0\0" + body[4:]
    pseudo = _a6(src) + _a6(dst) + struct.pack("!I", len(body)) + b"\0\0\0" + bytes([58])
    return body[:2] + struct.pack("!H", _csum(pseudo + body)) + body[4:]


def ipv6(src: str, dst: str, icmp: bytes, hlim: int = 1, ra: bool = True, csum: bool = True,
         fragment: tuple[int, bool, int] | None = None, whole_len: int | None = None) -> bytes:
    """IPv6 + (hop-by-hop RA) + (fragment header (offset, more, ident)) + ICMPv6."""
    if csum:
        icmp = icmp6_csum(src, dst, icmp)
    ext = b""
    first_nh = 58
    if fragment is not None:
        off, more, ident = fragment
        ext = struct.pack("!BBHI", 58, 0, (off & ~7) | (1 if more else 0), ident)
        first_nh = 44
    if ra:
        hbh = bytes([first_nh]) + HBH_RA[1:]
        ext = hbh + ext
        first_nh = 0
    payload = ext + icmp
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), first_nh, hlim, _a6(src), _a6(dst)) + payload


def mld_fragments(src: str, dst: str, icmp: bytes, ident: int, chunk: int = 1232) -> list[bytes]:
    icmp = icmp6_csum(src, dst, icmp)
    out = []
    off = 0
    while off < len(icmp):
        part = icmp[off:off + chunk]
        more = off + chunk < len(icmp)
        out.append(ipv6(src, dst, part, csum=False, fragment=(off, more, ident)))
        off += chunk
    return out


def hostile_mld(mac: str, ll_src: str, global_src: str, poison: list[str],
                protected: str) -> dict[str, list[bytes]]:
    k: dict[str, list[bytes]] = {}
    R, Q = "ff02::16", "ff02::1"

    def e(pkt: bytes, dst: str) -> bytes:
        return ether(mac, dst, 0x86DD, pkt)

    join = [mld_v2_report([(TO_EX, g, [])]) for g in poison]
    k["truncated"] = [e(ipv6(ll_src, R, j[:6]), R) for j in join[:8]] + \
        [e(ipv6(ll_src, R, j[:20]), R) for j in join[:8]]
    k["bad_checksum"] = [e(ipv6(ll_src, R, j, csum=False)[:-len(j)] + j[:2] + b"\x12\x34" + j[4:], R)
                         for j in join]
    k["lying_record_count"] = [e(ipv6(ll_src, R, mld_v2_report([(TO_EX, g, [])], count=200)), R)
                               for g in poison]
    k["lying_source_count"] = [e(ipv6(ll_src, R, mld_v2_report(
        [(IS_IN, g, ["2001:db8:9::1", "2001:db8:9::2"])], src_counts={0: 60000})), R) for g in poison]
    many = [f"2001:db8:9::{i + 1:x}" for i in range(85)]
    k["huge_source_list_lying"] = [e(ipv6(ll_src, R, mld_v2_report(
        [(IS_IN, g, many)], src_counts={0: 65535})), R) for g in poison[:8]]
    k["unknown_type"] = [e(ipv6(ll_src, Q, struct.pack("!BBHHH16s", t, 0, 0, 0, 0, _a6(poison[0]))), Q)
                         for t in (129, 133, 134, 144, 151, 200)]
    k["bad_hop_limit"] = [e(ipv6(ll_src, R, j, hlim=h), R) for j in join for h in (2, 64, 255)]
    k["no_router_alert"] = [e(ipv6(ll_src, R, j, ra=False), R) for j in join]
    k["not_link_local_source"] = [e(ipv6(global_src, R, j), R) for j in join]
    big = [f"2001:db8:9::{i + 1:x}" for i in range(120)]
    frags = []
    for n, g in enumerate(poison[:8]):
        frags += mld_fragments(ll_src, R, mld_v2_report([(IS_IN, g, big)]), ident=0x7000 + n)
    k["fragment"] = [e(f, R) for f in frags]
    leave = mld_v2_report([(TO_IN, protected, [])])
    done = struct.pack("!BBHHH16s", 132, 0, 0, 0, 0, _a6(protected))
    k["forged_leave"] = [
        e(ipv6(ll_src, R, leave, hlim=2), R),
        e(ipv6(global_src, R, leave), R),
        e(ipv6(ll_src, R, leave, ra=False), R),
        e(ipv6(ll_src, "ff02::2", done, hlim=255), "ff02::2"),
        e(ipv6("::", "ff02::2", done), "ff02::2"),
    ]
    return k


# ---- the sprayer ----------------------------------------------------------

# Sends frames round-robin until `total` are sent, at most `rate` per second,
# and never longer than `max_seconds`; prints how many it sent.
_SPRAYER = r"""
import socket, sys, time
iface, path, total, rate, max_seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
frames = [bytes.fromhex(l) for l in open(path).read().split()]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
t0 = time.monotonic()
sent = errors = 0
n = len(frames)
burst = 200
while sent < total:
    now = time.monotonic()
    if now - t0 > max_seconds:
        break
    due = (now - t0) * rate
    if sent >= due:
        time.sleep(min(0.01, (sent - due) / rate + 0.0005))
        continue
    for i in range(sent, min(total, sent + burst)):
        try:
            s.send(frames[i % n])
        except OSError:
            errors += 1
    sent = min(total, sent + burst)
print(sent, errors, round(time.monotonic() - t0, 3), flush=True)
"""


def start_sprayer(ns: Namespace, iface: str, frames: list[bytes], path: str, total: int,
                  rate: float, max_seconds: float):
    """Writes `frames` to `path` and starts the sprayer in `ns` (a Popen)."""
    with open(path, "w") as f:
        f.write("\n".join(fr.hex() for fr in frames))
    return ns.popen([sys.executable, "-c", _SPRAYER, iface, path, str(total), str(rate),
                     str(max_seconds)])
