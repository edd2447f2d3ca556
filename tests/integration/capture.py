# SPDX-License-Identifier: GPL-2.0-or-later
"""Capturing a link with tcpdump inside a namespace and decoding what was on
the wire: IGMPv1/v2/v3 and MLDv1/v2 queries, reports and leaves, and the UDP
test stream. The decoder is written here from the RFC formats (RFC 1112,
2236, 3376, 2710, 3810), independent of the daemon's own wire code, so the
tests check the daemon against a second opinion; scapy reads the pcap and
crafts packets.
"""
from __future__ import annotations

import ipaddress
import os
import select
import signal
import struct
import subprocess
import time
from dataclasses import dataclass, field

from netns import HarnessError, Namespace, patience

RECORD_TYPES = {1: "IS_IN", 2: "IS_EX", 3: "TO_IN", 4: "TO_EX", 5: "ALLOW", 6: "BLOCK"}


@dataclass
class Record:
    """A group record of an IGMPv3 / MLDv2 report."""
    type: str            # IS_IN, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK
    group: str
    sources: list[str]


@dataclass
class Message:
    """One decoded IGMP or MLD message."""
    time: float
    family: str          # "ipv4" or "ipv6"
    src: str
    dst: str
    ttl: int             # TTL or hop limit
    router_alert: bool
    kind: str            # "query", "report", "leave"
    version: int         # IGMP 1/2/3, MLD 1/2
    group: str = ""      # query group (unspecified: general), v1/v2 report/leave group
    max_resp_ms: int = 0
    s_flag: bool = False
    qrv: int = 0
    qqic: int = 0
    sources: list[str] = field(default_factory=list)   # query sources
    records: list[Record] = field(default_factory=list)
    checksum_ok: bool = True

    @property
    def general(self) -> bool:
        """A general query (group field unspecified)."""
        return self.kind == "query" and ipaddress.ip_address(self.group).is_unspecified

    def reported_groups(self) -> set[str]:
        """Groups this report speaks about (v1/v2 group or v3/MLDv2 records)."""
        if self.kind != "report":
            return set()
        if self.records:
            return {r.group for r in self.records}
        return {self.group}


@dataclass
class Datagram:
    """A UDP datagram seen on the link."""
    time: float
    src: str
    dst: str
    sport: int
    dport: int
    ttl: int
    payload: bytes


def _csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def igmpv3_code_to_tenths(code: int) -> int:
    """RFC 3376 4.1.1 Max Resp Code (and 4.1.7 QQIC): exponential above 127."""
    if code < 128:
        return code
    mant = (code & 0x0F) | 0x10
    exp = (code >> 4) & 0x07
    return mant << (exp + 3)


def mldv2_code_to_ms(code: int) -> int:
    """RFC 3810 5.1.3 Maximum Response Code: exponential from 32768."""
    if code < 32768:
        return code
    mant = (code & 0x0FFF) | 0x1000
    exp = (code >> 12) & 0x07
    return mant << (exp + 3)


def _ip4(b: bytes) -> str:
    return str(ipaddress.IPv4Address(b))


def _ip6(b: bytes) -> str:
    return str(ipaddress.IPv6Address(b))


def decode_igmp(t: float, src: str, dst: str, ttl: int, ra: bool, b: bytes) -> Message | None:
    """IGMP message bytes -> Message (None if not IGMP we know)."""
    if len(b) < 8:
        return None
    typ, code = b[0], b[1]
    m = Message(t, "ipv4", src, dst, ttl, ra, "", 0, checksum_ok=_csum(b) == 0)
    if typ == 0x11:
        m.kind = "query"
        m.group = _ip4(b[4:8])
        if len(b) >= 12:                       # RFC 3376 7.1: length >= 12 is v3
            m.version = 3
            m.max_resp_ms = igmpv3_code_to_tenths(code) * 100
            m.s_flag = bool(b[8] & 0x08)
            m.qrv = b[8] & 0x07
            m.qqic = igmpv3_code_to_tenths(b[9])
            n = struct.unpack("!H", b[10:12])[0]
            m.sources = [_ip4(b[12 + 4 * i:16 + 4 * i]) for i in range(n) if 16 + 4 * i <= len(b)]
        else:
            m.version = 1 if code == 0 else 2  # RFC 2236 4: max resp 0 means v1
            m.max_resp_ms = code * 100
        return m
    if typ in (0x12, 0x16):
        m.kind, m.version, m.group = "report", 1 if typ == 0x12 else 2, _ip4(b[4:8])
        return m
    if typ == 0x17:
        m.kind, m.version, m.group = "leave", 2, _ip4(b[4:8])
        return m
    if typ == 0x22:
        m.kind, m.version = "report", 3
        n = struct.unpack("!H", b[6:8])[0]
        off = 8
        for _ in range(n):
            if off + 8 > len(b):
                break
            rtype, aux, nsrc = b[off], b[off + 1], struct.unpack("!H", b[off + 2:off + 4])[0]
            group = _ip4(b[off + 4:off + 8])
            srcs = [_ip4(b[off + 8 + 4 * i:off + 12 + 4 * i]) for i in range(nsrc)]
            m.records.append(Record(RECORD_TYPES.get(rtype, str(rtype)), group, srcs))
            off += 8 + 4 * nsrc + 4 * aux
        return m
    return None


def decode_mld(t: float, src: str, dst: str, hlim: int, ra: bool, b: bytes,
               csum_ok: bool) -> Message | None:
    """ICMPv6 MLD message bytes -> Message (None for other ICMPv6)."""
    if len(b) < 24:
        return None
    typ = b[0]
    m = Message(t, "ipv6", src, dst, hlim, ra, "", 0, checksum_ok=csum_ok)
    if typ == 130:
        m.kind = "query"
        code = struct.unpack("!H", b[4:6])[0]
        m.group = _ip6(b[8:24])
        if len(b) >= 28:                       # RFC 3810 8.1: length >= 28 is v2
            m.version = 2
            m.max_resp_ms = mldv2_code_to_ms(code)
            m.s_flag = bool(b[24] & 0x08)
            m.qrv = b[24] & 0x07
            m.qqic = igmpv3_code_to_tenths(b[25])  # same encoding, in seconds
            n = struct.unpack("!H", b[26:28])[0]
            m.sources = [_ip6(b[28 + 16 * i:44 + 16 * i]) for i in range(n) if 44 + 16 * i <= len(b)]
        else:
            m.version = 1
            m.max_resp_ms = code
        return m
    if typ == 131:
        m.kind, m.version, m.group = "report", 1, _ip6(b[8:24])
        return m
    if typ == 132:
        m.kind, m.version, m.group = "leave", 1, _ip6(b[8:24])
        return m
    if typ == 143:
        m.kind, m.version = "report", 2
        n = struct.unpack("!H", b[6:8])[0]
        off = 8
        for _ in range(n):
            if off + 20 > len(b):
                break
            rtype, aux, nsrc = b[off], b[off + 1], struct.unpack("!H", b[off + 2:off + 4])[0]
            group = _ip6(b[off + 4:off + 20])
            srcs = [_ip6(b[off + 20 + 16 * i:off + 36 + 16 * i]) for i in range(nsrc)]
            m.records.append(Record(RECORD_TYPES.get(rtype, str(rtype)), group, srcs))
            off += 20 + 16 * nsrc + 4 * aux
        return m
    return None


def decode_frame(t: float, frame: bytes) -> Message | Datagram | None:
    """An Ethernet frame -> Message (IGMP/MLD), Datagram (UDP) or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if ethertype == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 0x0F) * 4
        total = struct.unpack("!H", p[2:4])[0]
        ttl, proto = p[8], p[9]
        src, dst = _ip4(p[12:16]), _ip4(p[16:20])
        opts = p[20:ihl]
        ra = _has_ipv4_ra(opts)
        body = p[ihl:total]
        if proto == 2:
            return decode_igmp(t, src, dst, ttl, ra, body)
        if proto == 17 and len(body) >= 8:
            sport, dport = struct.unpack("!HH", body[0:4])
            return Datagram(t, src, dst, sport, dport, ttl, body[8:])
        return None
    if ethertype == 0x86DD and len(p) >= 40:
        plen = struct.unpack("!H", p[4:6])[0]
        nh, hlim = p[6], p[7]
        src_b, dst_b = p[8:24], p[24:40]
        off, ra = 40, False
        end = 40 + plen
        for _ in range(8):  # bounded walk over extension headers
            if nh in (0, 43, 60) and off + 8 <= len(p):
                hlen = (p[off + 1] + 1) * 8
                if nh == 0:
                    ra = ra or _has_ipv6_ra(p[off + 2:off + hlen])
                nh = p[off]
                off += hlen
            else:
                break
        body = p[off:end]
        if nh == 58:
            pseudo = src_b + dst_b + struct.pack("!I", len(body)) + b"\0\0\0" + bytes([58])
            return decode_mld(t, _ip6(src_b), _ip6(dst_b), hlim, ra, body,
                              _csum(pseudo + body) == 0)
        if nh == 17 and len(body) >= 8:
            sport, dport = struct.unpack("!HH", body[0:4])
            return Datagram(t, _ip6(src_b), _ip6(dst_b), sport, dport, hlim, body[8:])
    return None


def _has_ipv4_ra(opts: bytes) -> bool:
    i = 0
    while i < len(opts):
        if opts[i] == 0:
            break
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        if opts[i] == 0x94:  # RFC 2113 Router Alert
            return True
        i += max(opts[i + 1], 2)
    return False


def _has_ipv6_ra(opts: bytes) -> bool:
    i = 0
    while i < len(opts):
        if opts[i] == 0:  # Pad1
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        if opts[i] == 5:  # RFC 2711 Router Alert
            return True
        i += 2 + opts[i + 1]
    return False


class Capture:
    """tcpdump on one interface of a namespace, written to a pcap file."""

    def __init__(self, ns: Namespace, iface: str, path: str):
        self.ns, self.iface, self.path = ns, iface, path
        self.proc: subprocess.Popen | None = None
        self._packets: list | None = None

    def command(self) -> list[str]:
        """The tcpdump command line (subclasses add a filter or buffer size).
        -Z root: tcpdump would otherwise drop to its own user and fail to
        write into the test's private directory. -U: flush every packet."""
        return ["tcpdump", "-i", self.iface, "-n", "-U", "-s", "0",
                "--immediate-mode", "-Z", "root", "-w", self.path]

    def start(self, timeout: float = 5.0) -> "Capture":
        self.proc = self.ns.popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + patience(timeout)
        err = ""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stderr], [], [], 0.1)
            if r:
                line = self.proc.stderr.readline()
                err += line
                if "listening on" in line:
                    return self
            if self.proc.poll() is not None:
                break
        raise HarnessError(f"tcpdump on {self.ns.name}/{self.iface} did not start: {err}")

    def stop(self) -> "Capture":
        """Stops tcpdump (it flushes on SIGINT) and reads the packets."""
        if self.proc and self.proc.poll() is None:
            time.sleep(0.05)  # let the last packets reach the file
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
        if self._packets is None:
            self._packets = read_pcap(self.path)
        return self

    def snapshot(self) -> list:
        """Packets written so far, without stopping."""
        return read_pcap(self.path)

    def messages_now(self, kind: str | None = None, family: str | None = None) -> list[Message]:
        """Like messages(), from what was written so far, without stopping."""
        out = []
        for t, f in self.snapshot():
            m = decode_frame(t, f)
            if isinstance(m, Message) and (kind is None or m.kind == kind) \
                    and (family is None or m.family == family):
                out.append(m)
        return out

    def datagrams_now(self, dst: str | None = None) -> list[Datagram]:
        """Like datagrams(), from what was written so far, without stopping."""
        out = []
        for t, f in self.snapshot():
            d = decode_frame(t, f)
            if isinstance(d, Datagram) and (dst is None or d.dst == dst):
                out.append(d)
        return out

    def wait_message(self, pred, timeout: float, kind: str | None = None,
                     family: str | None = None) -> Message | None:
        """The first message (of `kind`/`family`) for which pred(m) is true,
        waiting up to `timeout` seconds; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            for m in self.messages_now(kind, family):
                if pred(m):
                    return m
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def frames(self) -> list:
        if self._packets is None:
            self.stop()
        return self._packets

    def messages(self, kind: str | None = None, family: str | None = None) -> list[Message]:
        """IGMP/MLD messages, optionally only one kind / family."""
        out = []
        for t, f in self.frames():
            m = decode_frame(t, f)
            if isinstance(m, Message) and (kind is None or m.kind == kind) \
                    and (family is None or m.family == family):
                out.append(m)
        return out

    def datagrams(self, dst: str | None = None) -> list[Datagram]:
        """UDP datagrams, optionally only those to `dst`."""
        out = []
        for t, f in self.frames():
            d = decode_frame(t, f)
            if isinstance(d, Datagram) and (dst is None or d.dst == dst):
                out.append(d)
        return out


def read_pcap(path: str) -> list[tuple[float, bytes]]:
    """(time, frame bytes) of every packet in a pcap file (empty if none)."""
    if not os.path.exists(path) or os.path.getsize(path) < 24:
        return []
    from scapy.utils import RawPcapReader  # imported late: scapy is slow to load
    out = []
    for data, meta in RawPcapReader(path):
        t = meta.sec + meta.usec / 1e6 if hasattr(meta, "sec") else float(meta[0]) + meta[1] / 1e6
        out.append((t, bytes(data)))
    return out
