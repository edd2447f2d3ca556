# SPDX-License-Identifier: GPL-2.0-or-later
"""Reading a namespace's multicast routing state: VIFs/MIFs and cache
entries from /proc/net (default table only) and `ip mroute` / `ip mrule`
(any table)."""
from __future__ import annotations

import ipaddress
import json

from netns import Namespace


def _le32_to_ip(hexword: str) -> str:
    # /proc/net/ip_mr_* prints the network-order __be32 as a host integer.
    return str(ipaddress.IPv4Address(int(hexword, 16).to_bytes(4, "little")))


def mr_vifs(ns: Namespace, family: str = "ipv4") -> list[dict]:
    """VIFs (ip_mr_vif) or MIFs (ip6_mr_vif) of the default table."""
    path = "/proc/net/ip_mr_vif" if family == "ipv4" else "/proc/net/ip6_mr_vif"
    out = []
    for line in ns.read(path).splitlines()[1:]:
        f = line.split()
        if len(f) < 7:
            continue
        out.append({"index": int(f[0]), "name": f[1], "bytes_in": int(f[2]),
                    "pkts_in": int(f[3]), "bytes_out": int(f[4]), "pkts_out": int(f[5]),
                    "flags": int(f[6], 16)})
    return out


def vif_names(ns: Namespace, family: str = "ipv4") -> set[str]:
    """Interface names that have a VIF/MIF in the default table."""
    return {v["name"] for v in mr_vifs(ns, family)}


def mr_cache(ns: Namespace, family: str = "ipv4") -> list[dict]:
    """Cache entries (ip_mr_cache / ip6_mr_cache) of the default table:
    group, origin, iif (VIF index, -1 while unresolved), pkts, bytes, wrong,
    oifs {vif index: ttl}."""
    path = "/proc/net/ip_mr_cache" if family == "ipv4" else "/proc/net/ip6_mr_cache"
    out = []
    for line in ns.read(path).splitlines()[1:]:
        f = line.split()
        if len(f) < 6:
            continue
        if family == "ipv4":
            group, origin = _le32_to_ip(f[0]), _le32_to_ip(f[1])
        else:
            group, origin = str(ipaddress.IPv6Address(f[0])), str(ipaddress.IPv6Address(f[1]))
        oifs = {}
        for o in f[6:]:
            if ":" in o:
                vif, ttl = o.split(":", 1)
                oifs[int(vif)] = int(ttl)
        out.append({"group": group, "origin": origin, "iif": int(f[2]), "pkts": int(f[3]),
                    "bytes": int(f[4]), "wrong": int(f[5]), "oifs": oifs})
    return out


def mroutes(ns: Namespace, family: str = "ipv4", table: str | int | None = None) -> list[dict]:
    """`ip [-6] mroute show [table T]` as dicts: src, group, iif, oifs (names),
    state. table="all" lists every table."""
    cmd = ["-j"] + (["-6"] if family == "ipv6" else []) + ["mroute", "show"]
    if table is not None:
        cmd += ["table", str(table)]
    cp = ns.ip(*cmd, check=False)
    if cp.returncode != 0 or not cp.stdout.strip():
        return []
    out = []
    for e in json.loads(cp.stdout):
        oifs = [m.get("oif") or m.get("dev") for m in e.get("multipath", [])
                if isinstance(m, dict)]
        out.append({"src": e.get("src"), "group": e.get("dst") or e.get("group"), "iif": e.get("iif"),
                    "oifs": oifs, "state": e.get("state"), "table": e.get("table"),
                    "raw": e})
    return out


def mrules(ns: Namespace, family: str = "ipv4") -> list[dict]:
    """`ip [-6] mrule show` entries (JSON as iproute2 prints it)."""
    cmd = ["-j"] + (["-6"] if family == "ipv6" else []) + ["mrule", "show"]
    cp = ns.ip(*cmd, check=False)
    if cp.returncode != 0 or not cp.stdout.strip():
        return []
    return json.loads(cp.stdout)


def custom_mrules(ns: Namespace, family: str = "ipv4") -> list[dict]:
    """mrules other than the kernel's own catch-all rule (priority 32767,
    no selector, table "default" for IPv4 and "main" for IPv6)."""
    return [r for r in mrules(ns, family)
            if not (r.get("priority") == 32767 and set(r) <= {"priority", "src", "table"})]


def rp_filter(ns: Namespace, iface: str) -> int:
    """net.ipv4.conf.IFACE.rp_filter of the namespace."""
    return int(ns.read(f"/proc/sys/net/ipv4/conf/{iface}/rp_filter").strip())
