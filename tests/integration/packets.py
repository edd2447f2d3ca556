# SPDX-License-Identifier: GPL-2.0-or-later
"""Crafting IGMP and MLD messages (queries from a simulated upstream router,
reports from simulated hosts) and sending them from a namespace.

The message bodies are built here from the RFC layouts; scapy builds the
Ethernet and IP/IPv6 headers with the Router Alert option. Frames are sent
through an AF_PACKET socket by a small child process inside the namespace.
"""
from __future__ import annotations

import ipaddress
import json
import struct
import sys

from capture import _csum
from netns import Namespace

ALL_SYSTEMS = "224.0.0.1"
ALL_NODES = "ff02::1"


def _tenths_to_code(tenths: int) -> int:
    """RFC 3376 4.1.1: value -> Max Resp Code / QQIC (exact below 128)."""
    if tenths < 128:
        return tenths
    for exp in range(8):
        mant = (tenths >> (exp + 3)) - 0x10
        if 0 <= mant <= 0x0F:
            return 0x80 | (exp << 4) | mant
    return 0xFF


def igmp_query(version: int, group: str = "0.0.0.0", max_resp_tenths: int = 100,
               sources: tuple[str, ...] = (), qrv: int = 2, qqic: int = 125,
               s_flag: bool = False) -> bytes:
    """IGMPv1 (RFC 1112), v2 (RFC 2236 2) or v3 (RFC 3376 4.1) query body."""
    g = ipaddress.IPv4Address(group).packed
    if version == 1:
        body = struct.pack("!BBH4s", 0x11, 0, 0, g)
    elif version == 2:
        body = struct.pack("!BBH4s", 0x11, max_resp_tenths, 0, g)
    else:
        body = struct.pack("!BBH4sBBH", 0x11, _tenths_to_code(max_resp_tenths), 0, g,
                           (0x08 if s_flag else 0) | (qrv & 7), _tenths_to_code(qqic),
                           len(sources))
        body += b"".join(ipaddress.IPv4Address(s).packed for s in sources)
    return _with_igmp_csum(body)


def igmp_report(version: int, group: str = "", records: tuple = ()) -> bytes:
    """IGMPv1/v2 report for `group`, or v3 report with records
    ((type code, group, [sources]), ...)."""
    if version in (1, 2):
        typ = 0x12 if version == 1 else 0x16
        return _with_igmp_csum(struct.pack("!BBH4s", typ, 0, 0, ipaddress.IPv4Address(group).packed))
    body = struct.pack("!BBHHH", 0x22, 0, 0, 0, len(records))
    for rtype, g, srcs in records:
        body += struct.pack("!BBH4s", rtype, 0, len(srcs), ipaddress.IPv4Address(g).packed)
        body += b"".join(ipaddress.IPv4Address(s).packed for s in srcs)
    return _with_igmp_csum(body)


def igmp_leave(group: str) -> bytes:
    """IGMPv2 Leave Group (RFC 2236 2)."""
    return _with_igmp_csum(struct.pack("!BBH4s", 0x17, 0, 0, ipaddress.IPv4Address(group).packed))


def _with_igmp_csum(body: bytes) -> bytes:
    c = _csum(body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def mld_query(version: int, group: str = "::", max_resp_ms: int = 10000,
              sources: tuple[str, ...] = (), qrv: int = 2, qqic: int = 125,
              s_flag: bool = False) -> bytes:
    """MLDv1 (RFC 2710 3) or MLDv2 (RFC 3810 5.1) query body, checksum 0
    (filled in by send_mld)."""
    g = ipaddress.IPv6Address(group).packed
    if version == 1:
        return struct.pack("!BBHHH16s", 130, 0, 0, max_resp_ms, 0, g)
    code = max_resp_ms if max_resp_ms < 32768 else 0xFFFF  # exact below 32768 only
    body = struct.pack("!BBHHH16sBBH", 130, 0, 0, code, 0, g,
                       (0x08 if s_flag else 0) | (qrv & 7), _tenths_to_code(qqic), len(sources))
    return body + b"".join(ipaddress.IPv6Address(s).packed for s in sources)


def mld_report(version: int, group: str = "", records: tuple = ()) -> bytes:
    """MLDv1 report for `group` or MLDv2 report with records."""
    if version == 1:
        return struct.pack("!BBHHH16s", 131, 0, 0, 0, 0, ipaddress.IPv6Address(group).packed)
    body = struct.pack("!BBHHH", 143, 0, 0, 0, len(records))
    for rtype, g, srcs in records:
        body += struct.pack("!BBH16s", rtype, 0, len(srcs), ipaddress.IPv6Address(g).packed)
        body += b"".join(ipaddress.IPv6Address(s).packed for s in srcs)
    return body


def mld_done(group: str) -> bytes:
    """MLDv1 Done (RFC 2710 3)."""
    return struct.pack("!BBHHH16s", 132, 0, 0, 0, 0, ipaddress.IPv6Address(group).packed)


def multicast_mac(dst: str) -> str:
    """RFC 1112 6.4 / RFC 2464 7 multicast MAC of an IP group."""
    a = ipaddress.ip_address(dst)
    if a.version == 4:
        b = a.packed
        return "01:00:5e:%02x:%02x:%02x" % (b[1] & 0x7F, b[2], b[3])
    b = a.packed
    return "33:33:%02x:%02x:%02x:%02x" % (b[12], b[13], b[14], b[15])


def link_local(ns: Namespace, iface: str) -> str:
    """The fe80:: address of an interface."""
    cp = ns.ip("-j", "-6", "addr", "show", "dev", iface, "scope", "link")
    for link in json.loads(cp.stdout):
        for a in link.get("addr_info", []):
            if a.get("family") == "inet6":
                return a["local"]
    raise RuntimeError(f"{ns.name}/{iface} has no link-local address")


def mac_of(ns: Namespace, iface: str) -> str:
    cp = ns.ip("-j", "link", "show", "dev", iface)
    return json.loads(cp.stdout)[0]["address"]


def igmp_frame(ns: Namespace, iface: str, src: str, dst: str, body: bytes, ttl: int = 1,
               router_alert: bool = True) -> bytes:
    """Ethernet + IPv4 (+ Router Alert) + IGMP body, as bytes."""
    from scapy.layers.inet import IP, IPOption_Router_Alert
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    opts = [IPOption_Router_Alert()] if router_alert else []
    pkt = Ether(src=mac_of(ns, iface), dst=multicast_mac(dst)) / \
        IP(src=src, dst=dst, ttl=ttl, proto=2, tos=0xC0, options=opts) / Raw(body)
    return bytes(pkt)


def mld_frame(ns: Namespace, iface: str, src: str, dst: str, body: bytes, hlim: int = 1,
              router_alert: bool = True) -> bytes:
    """Ethernet + IPv6 + hop-by-hop Router Alert + MLD body (checksum set)."""
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop, RouterAlert
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    body = body[:2] + b"\0\0" + body[4:]
    pseudo = s + d + struct.pack("!I", len(body)) + b"\0\0\0" + bytes([58])
    c = _csum(pseudo + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    ip6 = IPv6(src=src, dst=dst, hlim=hlim)
    if router_alert:
        pkt = ip6 / IPv6ExtHdrHopByHop(nh=58, options=[RouterAlert(value=0)]) / Raw(body)
    else:
        ip6.nh = 58
        pkt = ip6 / Raw(body)
    return bytes(Ether(src=mac_of(ns, iface), dst=multicast_mac(dst)) / pkt)


_SENDER = ("import socket,sys\n"
           "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
           "s.bind((sys.argv[1],0))\n"
           "[s.send(bytes.fromhex(h)) for h in sys.argv[2:]]\n")


def send_frames(ns: Namespace, iface: str, frames: list[bytes]) -> None:
    """Sends raw Ethernet frames out of `iface` inside `ns`."""
    ns.run([sys.executable, "-c", _SENDER, iface, *[f.hex() for f in frames]])


def send_igmp(ns: Namespace, iface: str, src: str, dst: str, body: bytes, **kw) -> None:
    """Crafts and sends one IGMP message."""
    send_frames(ns, iface, [igmp_frame(ns, iface, src, dst, body, **kw)])


def send_mld(ns: Namespace, iface: str, dst: str, body: bytes, src: str | None = None,
             **kw) -> None:
    """Crafts and sends one MLD message (from the link-local address by default)."""
    send_frames(ns, iface, [mld_frame(ns, iface, src or link_local(ns, iface), dst, body, **kw)])
