# SPDX-License-Identifier: GPL-2.0-or-later
"""Two proxies peering over one link (doc/peering.md), with the
configuration files of doc/peering.md and doc/mcproxy.conf.5:

    lisA --+                                                    +-- lisB
           brA -- lanA [ proxy A ] peer -- peer [ proxy B ] lanB -- brB
    srcA --+      .1          192.0.2.1      192.0.2.2        .1      +-- srcB
      198.51.100.0/24 (.10 listener, .20 source)   203.0.113.0/24 (same)
      2001:db8:a::/64       2001:db8:ab::/64       2001:db8:b::/64

Each listener must get the other side's local stream exactly once, the
peering link must carry each packet once (no loop, no reflection), and a
proxy must not report its peer's wishes back on the link.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

import procs
from netns import Namespace, Topology
from packets import link_local
from scenario import FAMILIES, assert_count, assert_no_loss, assert_sources, TUNING, joins_group, records_for


@dataclass
class Site:
    proxy: Namespace
    listener: Namespace
    source: Namespace
    lan: str            # proxy's lan interface name
    lan_prefix: str     # the site's prefix, as written in the filters
    proxy_lan: str
    listener_addr: str
    source_addr: str
    spoof_addr: str     # an address of the other site's prefix
    peer_addr: str      # proxy's address on the peering link


PLAN = {
    "ipv4": {
        "A": ("198.51.100", "192.0.2.1", 24), "B": ("203.0.113", "192.0.2.2", 24),
    },
    "ipv6": {
        "A": ("2001:db8:a:", "2001:db8:ab::1", 64), "B": ("2001:db8:b:", "2001:db8:ab::2", 64),
    },
}


def _addr(fam, base, host: int) -> str:
    return f"{base}.{host}" if fam.name == "ipv4" else f"{base}:{host:x}"


def _prefix(fam, base, plen) -> str:
    return f"{base}.0/{plen}" if fam.name == "ipv4" else f"{base}:/{plen}"


def peering_net(topo: Topology, fam, querier: str = "A") -> dict[str, Site]:
    """Two proxy namespaces linked by veth `peer`, each with a lan bridge
    holding a listener and a source host. `querier` gets the lower address
    on the link, so it wins the querier election there (RFC 3376 6.6.2,
    RFC 3810 7.6.2; IPv6 uses the link-local addresses, set here to
    fe80::1 / fe80::2 instead of the random ones from the MAC)."""
    v4 = fam.name == "ipv4"
    pa, pb = topo.ns("proxyA"), topo.ns("proxyB")
    topo.veth(pa, "peer", pb, "peer")
    sites: dict[str, Site] = {}
    for name, proxy in (("A", pa), ("B", pb)):
        other = "B" if name == "A" else "A"
        base, peer_addr, plen = PLAN[fam.name][name]
        obase, opeer, _ = PLAN[fam.name][other]
        if querier == "B":  # swap the link addresses
            peer_addr, opeer = opeer, peer_addr
        lan = f"lan{name}"
        sw = topo.ns(f"sw{name}")
        sw.ip("link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        sw.set_up("br0")
        topo.veth(proxy, lan, sw, "p0")
        sw.ip("link", "set", "p0", "master", "br0")
        proxy.add_addr(lan, f"{_addr(fam, base, 1)}/{plen}")
        proxy.add_addr("peer", f"{peer_addr}/{plen}")
        proxy.ip("-6", "addr", "flush", "dev", "peer", "scope", "link")
        proxy.add_addr("peer", "fe80::1/64" if name == querier else "fe80::2/64")
        proxy.sysctl("net.ipv4.ip_forward", "1")
        proxy.sysctl("net.ipv6.conf.all.forwarding", "1")
        # The other site's unicast prefix lies behind the peer (the kernel's
        # source validation then agrees with where the data comes from).
        proxy.ip("-4" if v4 else "-6", "route", "add", _prefix(fam, obase, plen), "via", opeer)
        hosts = []
        for i, role in enumerate(("lis", "src"), start=1):
            h = topo.ns(f"{role}{name}")
            topo.veth(h, "eth0", sw, f"p{i}")
            sw.ip("link", "set", f"p{i}", "master", "br0")
            addr = _addr(fam, base, 10 * i)
            h.add_addr("eth0", f"{addr}/{plen}")
            h.ip("-4" if v4 else "-6", "route", "add", "default", "via", _addr(fam, base, 1))
            hosts.append((h, addr))
        spoof = _addr(fam, obase, 0x77)
        hosts[1][0].add_addr("eth0", f"{spoof}/{plen}")
        sites[name] = Site(proxy, hosts[0][0], hosts[1][0], lan, _prefix(fam, base, plen),
                           _addr(fam, base, 1), hosts[0][1], hosts[1][1], spoof, peer_addr)
    return sites


def peer_config(fam, name: str, own: Site, other: Site) -> str:
    """The file of doc/peering.md for proxy `name`, with the test timers."""
    return "\n".join([
        f"protocol {fam.protocol};",
        f"pinstance {name}: peer ==> peer {own.lan};",
        "# send to the peer only what our own sources send",
        f"pinstance {name} upstream peer out whitelist table {{ {own.lan}(* | {own.lan_prefix}) }};",
        "# ask the peer only for its sources",
        f"pinstance {name} upstream peer in whitelist table {{ (* | {other.lan_prefix}) }};",
        "# the peer's listeners get only our sources",
        f"pinstance {name} downstream peer out whitelist table {{ (* | {own.lan_prefix}) }};",
        f"pinstance {name} downstream * {TUNING};",
    ]) + "\n"


def _count(cap, group) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in cap.datagrams_now(group):
        out[d.src] = out.get(d.src, 0) + 1
    return out


@pytest.mark.parametrize("querier", ["A", "B"])
@pytest.mark.parametrize("fam", FAMILIES)
def test_two_proxies_peering(topo, capture, mcproxy, fam, querier):
    """doc/peering.md steps 1-3 and 6 (`querier`: which proxy wins the
    querier election on the link; the doc's addresses make it A)."""
    sites = peering_net(topo, fam, querier)
    a, b = sites["A"], sites["B"]
    peer_cap = capture(a.proxy, "peer")
    lan_a, lan_b = capture(a.proxy, a.lan), capture(b.proxy, b.lan)

    def ready(site):
        from kernel_state import vif_names
        return lambda: {"peer", site.lan} <= vif_names(site.proxy, fam.name)

    mcproxy(a.proxy, peer_config(fam, "A", a, b), ready=ready(a), name="proxyA")
    mcproxy(b.proxy, peer_config(fam, "B", b, a), ready=ready(b), name="proxyB")
    src_of = {"A": a.peer_addr if fam.name == "ipv4" else link_local(a.proxy, "peer"),
              "B": b.peer_addr if fam.name == "ipv4" else link_local(b.proxy, "peer")}

    def reports(who):
        return [m for m in peer_cap.messages_now(family=fam.name)
                if m.kind == "report" and m.src == src_of[who] and joins_group(m, fam.group)]

    # Only lisB joins: B asks A on the link; A must not echo B's wish back
    # (rule 1), its own lan has no member.
    rx_b = procs.receive(b.listener, "eth0", fam.group, duration=14, port=5001)
    assert procs.wait_for(lambda: reports("B"), 3.0), peer_cap.messages_now(family=fam.name)
    time.sleep(3.0)
    assert reports("A") == [], f"A reported its peer's wish back: {reports('A')}"
    rx_a = procs.receive(a.listener, "eth0", fam.group, duration=8, port=5001)
    assert procs.wait_for(lambda: reports("A"), 3.0), peer_cap.messages_now(family=fam.name)
    time.sleep(0.5)

    sent_at = time.time()
    send_a = procs.send(a.source, "eth0", fam.group, count=100, rate=100, port=5001,
                        source_address=a.source_addr, background=True)
    send_b = procs.send(b.source, "eth0", fam.group, count=100, rate=100, port=5001,
                        source_address=b.source_addr, background=True)
    assert send_a.wait(10) == 0 and send_b.wait(10) == 0
    # A host on lanB sending with an address of A's prefix: B's `upstream
    # peer out` whitelist admits only lanB's prefix (doc/peering.md step 6).
    procs.send(b.source, "eth0", fam.group, count=20, rate=100, port=5001,
               source_address=b.spoof_addr)
    sa, sb = rx_a.summary(), rx_b.summary()
    # The listener next to the source gets it on its own lan, the other
    # through both proxies: each exactly once.
    assert_sources(sa["sources"], {a.source_addr: 100, b.source_addr: 100}, sa)
    assert sa["duplicates"] == 0, sa
    assert_no_loss(sa)
    assert_count(sb["sources"].get(a.source_addr, 0), 100, sb)
    assert_count(sb["sources"].get(b.source_addr, 0), 100, sb)
    assert sb["duplicates"] == 0, sb
    assert_no_loss(sb)
    # Each packet crosses the link once, and the spoofed source not at all.
    on_peer = _count(peer_cap, fam.group)
    assert_sources(on_peer, {a.source_addr: 100, b.source_addr: 100})
    # Nothing is reflected onto the lans: the lan of the source sees its
    # packets once (the originals), the other lan once (forwarded).
    on_lan_a = _count(lan_a, fam.group)
    assert set(on_lan_a) == {a.source_addr, b.source_addr}, on_lan_a
    assert on_lan_a[a.source_addr] == 100, on_lan_a
    assert_count(on_lan_a[b.source_addr], 100, on_lan_a)
    on_lan_b = _count(lan_b, fam.group)
    assert_count(on_lan_b.get(a.source_addr, 0), 100, on_lan_b)
    assert_count(on_lan_b.get(b.source_addr, 0), 100, on_lan_b)
    assert all(d.time >= sent_at - 1 for d in peer_cap.datagrams_now(fam.group))


# Both querier placements: when the proxy whose listener leaves (B) is the
# querier on the peering link, it sends the queries its own leave calls for
# (core router::query_for_own_report), since the peer, a non-querier, must not.


@pytest.mark.parametrize("querier", ["A", "B"])
@pytest.mark.parametrize("fam", FAMILIES)
def test_peering_source_specific_join_and_leave(topo, capture, mcproxy, fam, querier):
    """doc/peering.md steps 4 and 5: lisB joins the source-specific group
    from srcA; B reports that source on the link, A forwards srcA's data to
    the peer (route made on the first packet), lisB gets each packet once;
    when lisB leaves, B reports the leave and A stops forwarding to the
    link after its last member queries."""
    sites = peering_net(topo, fam, querier)
    a, b = sites["A"], sites["B"]
    peer_cap = capture(a.proxy, "peer")

    def ready(site):
        from kernel_state import vif_names
        return lambda: {"peer", site.lan} <= vif_names(site.proxy, fam.name)

    mcproxy(a.proxy, peer_config(fam, "A", a, b), ready=ready(a), name="proxyA")
    mcproxy(b.proxy, peer_config(fam, "B", b, a), ready=ready(b), name="proxyB")
    b_src = b.peer_addr if fam.name == "ipv4" else link_local(b.proxy, "peer")
    rx_b = procs.receive(b.listener, "eth0", fam.ssm_group, duration=4, port=5002,
                         sources=[a.source_addr])
    join = peer_cap.wait_message(lambda m: m.kind == "report" and m.src == b_src and any(
        r.type in ("ALLOW", "IS_IN", "TO_IN") and a.source_addr in r.sources
        for r in records_for(m, fam.ssm_group)), 3.0)
    assert join is not None, peer_cap.messages_now(family=fam.name)
    time.sleep(0.3)
    procs.send(a.source, "eth0", fam.ssm_group, count=100, rate=100, port=5002,
               source_address=a.source_addr)
    s = rx_b.summary()
    assert_sources(s["sources"], {a.source_addr: 100}, s)
    assert s["duplicates"] == 0, s
    assert_no_loss(s)
    assert_sources(_count(peer_cap, fam.ssm_group), {a.source_addr: 100})
    # lisB has left (its receive ended): B reports it, A prunes the link.
    left_at = time.time()
    leave = peer_cap.wait_message(lambda m: m.kind == "report" and m.src == b_src and any(
        (r.type == "BLOCK" and a.source_addr in r.sources) or (r.type == "TO_IN" and not r.sources)
        for r in records_for(m, fam.ssm_group)), 3.0)
    assert leave is not None, peer_cap.messages_now(family=fam.name)
    time.sleep(3.5)  # A's last member query time on the link is about 2 s
    pruned_at = time.time()
    procs.send(a.source, "eth0", fam.ssm_group, count=50, rate=100, port=5002,
               source_address=a.source_addr)
    time.sleep(0.3)
    late = [d for d in peer_cap.datagrams_now(fam.ssm_group) if d.time > pruned_at]
    a_src = a.peer_addr if fam.name == "ipv4" else link_local(a.proxy, "peer")
    queries = [(m.src, m.group) for m in peer_cap.messages_now(kind="query", family=fam.name)
               if m.time > left_at - 1]
    assert late == [], (f"{len(late)} packets sent to the peer {pruned_at - left_at:.1f} s"
                        f" after its listener left; A={a_src} B={b_src}; queries on the link"
                        f" since the leave (src, group): {queries}")
