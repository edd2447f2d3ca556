# SPDX-License-Identifier: GPL-2.0-or-later
"""Proves the harness itself, without mcproxy: namespaces and their cleanup,
host joins through the kernel stacks seen and decoded on the proxy side,
crafted queries answered by real hosts, the tester's stream, and the
kernel-state readers on a multicast routing table set up from Python."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

import netns
import packets
import procs
from scenario import assert_stream_complete
from kernel_state import custom_mrules, mr_cache, mr_vifs, mroutes, mrules, vif_names
from procs import wait_for

G4, G6 = "239.1.2.3", "ff05::1:3"


def _reports_for(cap, group, family):
    return [m for m in cap.messages("report", family) if group in m.reported_groups()]


def test_namespaces_are_deleted_after_use():
    with netns.Topology("cleanup") as t:
        net = t.proxy_net((2, 1))
        names = [n.name for n in t.namespaces]
        assert len(names) == 6  # router, proxy, h1, h2, switch, h3
        assert set(names) <= set(netns.list_namespaces(t.id))
        p = net.hosts["h1"].ns.popen(["sleep", "30"])
    assert netns.list_namespaces(t.id) == []
    assert p.poll() is not None  # processes inside were stopped


def test_standard_net_addresses_and_links(topo, tester):
    net = topo.proxy_net((2, 1))
    assert set(net.hosts) == {"h1", "h2", "h3"}
    assert net.links == {"h1": "dn1", "h3": "dn1", "h2": "dn2"}
    addrs = net.hosts["h3"].ns.ip("-br", "addr", "show", "dev", "eth0").stdout
    assert "203.0.113.13/24" in addrs and "2001:db8:2::d/64" in addrs, addrs
    # Both hosts behind the bridge on dn1 get the proxy's stream, in both
    # families (nodad: the addresses are usable at once).
    for group, src in ((G4, "203.0.113.1"), (G6, "2001:db8:2::1")):
        rx = [procs.receive(net.hosts[h].ns, "eth0", group, duration=3, count=5)
              for h in ("h1", "h3")]
        time.sleep(0.3)
        procs.send(net.proxy, "dn1", group, count=5, rate=100, source_address=src)
        for r in rx:
            s = r.summary()
            assert s["sources"] == {src: 5}, s


IGMP_CASES = [(3, "report", 3), (2, "report", 2), (1, "report", 1)]


def test_igmp_host_versions_are_decoded(topo, capture, tester):
    """Hosts forced to IGMPv1, v2, v3 send the right report kinds; leaves too."""
    net = topo.proxy_net((1, 1, 1), igmp_version={"h1": 3, "h2": 2, "h3": 1})
    caps = {h: capture(net.proxy, net.links[h]) for h in ("h1", "h2", "h3")}
    joins = {h: procs.join(net.hosts[h].ns, "eth0", G4) for h in caps}
    time.sleep(0.3)
    for j in joins.values():
        assert j.stop() == 0
    time.sleep(0.3)
    for h, version in (("h1", 3), ("h2", 2), ("h3", 1)):
        msgs = [m for m in caps[h].stop().messages(family="ipv4")
                if m.kind in ("report", "leave")]
        reports = [m for m in msgs if m.kind == "report" and G4 in m.reported_groups()]
        assert reports, f"{h}: no report for {G4}: {msgs}"
        r = reports[0]
        assert r.version == version, r
        assert r.checksum_ok and r.ttl == 1 and r.router_alert, r
        if version == 3:
            assert r.dst == "224.0.0.22"
            assert any(rec.type == "TO_EX" and rec.group == G4 and rec.sources == []
                       for rec in r.records), r
            # Leaving: TO_IN {} (RFC 3376 5.1).
            assert any(rec.type == "TO_IN" and rec.group == G4 and rec.sources == []
                       for m in msgs if m.version == 3 for rec in m.records), msgs
        else:
            assert r.dst == G4 and r.group == G4
        if version == 2:
            leaves = [m for m in msgs if m.kind == "leave"]
            assert leaves and leaves[0].group == G4 and leaves[0].dst == "224.0.0.2", msgs
        if version == 1:
            assert not [m for m in msgs if m.kind == "leave"]  # v1 has no leave


def test_mld_host_versions_are_decoded(topo, capture, tester):
    net = topo.proxy_net((1, 1), mld_version={"h1": 2, "h2": 1})
    caps = {h: capture(net.proxy, net.links[h]) for h in ("h1", "h2")}
    joins = {h: procs.join(net.hosts[h].ns, "eth0", G6) for h in caps}
    time.sleep(0.3)
    for j in joins.values():
        assert j.stop() == 0
    time.sleep(0.3)
    m2 = caps["h1"].stop().messages(family="ipv6")
    r2 = [m for m in m2 if m.kind == "report" and G6 in m.reported_groups()]
    assert r2 and r2[0].version == 2 and r2[0].dst == "ff02::16", m2
    assert r2[0].router_alert and r2[0].ttl == 1 and r2[0].checksum_ok
    assert r2[0].src.startswith("fe80:")
    assert any(rec.type == "TO_EX" and rec.group == G6 for rec in r2[0].records)
    assert any(rec.type == "TO_IN" and rec.group == G6 for m in r2 for rec in m.records)
    m1 = caps["h2"].stop().messages(family="ipv6")
    r1 = [m for m in m1 if m.kind == "report" and m.group == G6]
    assert r1 and r1[0].version == 1 and r1[0].dst == G6 and r1[0].checksum_ok, m1
    done = [m for m in m1 if m.kind == "leave" and m.group == G6]
    assert done and done[0].dst == "ff02::2", m1


def test_source_specific_joins_are_decoded(topo, capture, tester):
    net = topo.proxy_net((1, 1))
    c1, c2 = capture(net.proxy, "dn1"), capture(net.proxy, "dn2")
    inc = procs.join(net.hosts["h1"].ns, "eth0", "232.1.1.1", sources=["198.51.100.1"])
    exc = procs.join(net.hosts["h2"].ns, "eth0", G6, sources=["2001:db8:1::3"], exclude=True)
    time.sleep(0.3)
    inc.stop(), exc.stop()
    recs = [r for m in c1.stop().messages("report", "ipv4") for r in m.records
            if r.group == "232.1.1.1"]
    assert recs and recs[0].type == "ALLOW" and recs[0].sources == ["198.51.100.1"], recs
    assert any(r.type == "BLOCK" and r.sources == ["198.51.100.1"] for r in recs), recs
    recs6 = [r for m in c2.stop().messages("report", "ipv6") for r in m.records if r.group == G6]
    assert any(r.type == "TO_EX" and r.sources == ["2001:db8:1::3"] for r in recs6), recs6


def test_crafted_queries_are_answered_by_hosts(topo, capture, tester):
    """The query crafting used for upstream tests works: a real host answers
    a crafted IGMPv3 general query, an IGMPv2 query (then reports in v2) and
    an MLDv2 query, and the capture decodes the crafted query itself."""
    net = topo.proxy_net((1, 1))
    h1 = net.hosts["h1"]
    cap = capture(h1.ns, "eth0")
    j4 = procs.join(h1.ns, "eth0", G4)
    j6 = procs.join(h1.ns, "eth0", G6)
    time.sleep(1.2)  # past the unsolicited reports
    t0 = time.time()
    packets.send_igmp(net.proxy, "dn1", "203.0.113.1", packets.ALL_SYSTEMS,
                      packets.igmp_query(3, max_resp_tenths=5))
    packets.send_mld(net.proxy, "dn1", packets.ALL_NODES, packets.mld_query(2, max_resp_ms=500))
    time.sleep(1.0)
    packets.send_igmp(net.proxy, "dn1", "203.0.113.1", packets.ALL_SYSTEMS,
                      packets.igmp_query(2, max_resp_tenths=5))
    time.sleep(1.0)
    j4.stop(), j6.stop()
    msgs = cap.stop().messages()
    queries = [m for m in msgs if m.kind == "query"]
    assert [(q.family, q.version) for q in queries] == [("ipv4", 3), ("ipv6", 2), ("ipv4", 2)]
    assert all(q.general and q.checksum_ok and q.router_alert for q in queries), queries
    assert queries[0].max_resp_ms == 500 and queries[0].qrv == 2 and queries[0].qqic == 125
    assert queries[1].max_resp_ms == 500 and queries[1].src.startswith("fe80:")
    after = [m for m in msgs if m.kind == "report" and m.time >= t0 - 0.5]
    v3 = [m for m in after if m.family == "ipv4" and m.version == 3
          and any(r.type == "IS_EX" and r.group == G4 for r in m.records)]
    assert v3, after
    mld = [m for m in after if m.family == "ipv6" and m.version == 2
           and any(r.type == "IS_EX" and r.group == G6 for r in m.records)]
    assert mld, after
    # RFC 3376 7.2.1: after a v2 query the host answers in v2.
    v2 = [m for m in after if m.family == "ipv4" and m.version == 2 and m.group == G4]
    assert v2 and v2[0].time > queries[2].time, after


def test_tester_stream_reaches_receiver_without_loss(topo, tester):
    net = topo.proxy_net((1,), proxy_forwarding=False)
    h1 = net.hosts["h1"]
    for group, src in ((G4, "203.0.113.1"), (G6, "2001:db8:2::1")):
        rx = procs.receive(h1.ns, "eth0", group, duration=3, count=50)
        time.sleep(0.3)
        procs.send(net.proxy, "dn1", group, count=50, rate=100, source_address=src)
        s = rx.summary()
        assert rx.proc.returncode == 0, rx.stderr
        assert s["received"] == 50 and s["unique"] == 50 and s["lost"] == 0
        assert s["duplicates"] == 0 and s["reordered"] == 0
        assert s["first_seq"] == 0 and s["sources"] == {src: 50}
        assert 0 <= s["delay_us"]["min"] <= s["delay_us"]["median"] <= s["delay_us"]["max"]
        assert s["delay_us"]["max"] < 1e6


def test_tester_source_filter_on_receive(topo, tester):
    """An INCLUDE receiver gets only its source, an EXCLUDE one all but it."""
    net = topo.proxy_net((1,))
    r = net.router
    # Each receiver ends with the 20 packets it wants, which are sent after
    # the 20 it must not count: a filter that let those through shows, and
    # a slow machine stretches the deadline instead of cutting the window.
    inc = procs.receive(r.ns, "eth0", "232.1.1.1", duration=10, sources=[net.up_v4], count=20)
    exc = procs.receive(r.ns, "eth0", G4, duration=10, sources=[net.up_v4], exclude=True,
                        port=5002, count=20)
    # Two senders on the proxy side of the upstream link, two source addresses.
    other = "198.51.100.4"
    net.proxy.add_addr("up0", f"{other}/24")
    procs.send(net.proxy, "up0", "232.1.1.1", count=20, rate=200, source_address=other)
    procs.send(net.proxy, "up0", G4, count=20, rate=200, source_address=net.up_v4, port=5002)
    procs.send(net.proxy, "up0", "232.1.1.1", count=20, rate=200, source_address=net.up_v4)
    procs.send(net.proxy, "up0", G4, count=20, rate=200, source_address=other, port=5002)
    si, se = inc.summary(), exc.summary()
    assert si["sources"] == {net.up_v4: 20}, si
    assert se["sources"] == {other: 20}, se


def test_tester_usage_errors(tester):
    for args, rc in ((["join"], 2), (["join", "lo", "198.51.100.1"], 2),
                     (["send", "lo", "239.1.1.1", "--rate", "x"], 2),
                     (["join", "no-such-if0", "239.1.1.1"], 1), (["--help"], 0)):
        cp = subprocess.run([tester, *args], capture_output=True, text=True, timeout=10)
        assert cp.returncode == rc, (args, cp.stdout, cp.stderr)
        if rc:
            assert cp.stderr.startswith("mcproxy-tester: "), cp.stderr


# A Python mroute socket: MRT_INIT / MRT6_INIT, two VIFs/MIFs, one cache
# entry from VIF 0 to VIF 1, then it waits for stdin to close (closing the
# socket flushes the table).
_MROUTE_SCRIPT = r"""
import socket, struct, sys
fam, up, down, src, grp, table = sys.argv[1:7]
if fam == "ipv4":
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
    if table != "default":
        s.setsockopt(socket.IPPROTO_IP, 209, int(table))         # MRT_TABLE
    s.setsockopt(socket.IPPROTO_IP, 200, 1)                      # MRT_INIT
    for vifi, name in enumerate((up, down)):
        # struct vifctl with VIFF_USE_IFINDEX
        s.setsockopt(socket.IPPROTO_IP, 202, struct.pack(
            "=HBBIi4s", vifi, 8, 1, 0, socket.if_nametoindex(name), bytes(4)))
    ttls = bytes([0, 1] + [0] * 30)
    s.setsockopt(socket.IPPROTO_IP, 204, struct.pack(            # MRT_ADD_MFC
        "=4s4sH32s2xIIIi", socket.inet_aton(src), socket.inet_aton(grp), 0, ttls, 0, 0, 0, 0))
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    if table != "default":
        s.setsockopt(socket.IPPROTO_IPV6, 209, int(table))       # MRT6_TABLE
    s.setsockopt(socket.IPPROTO_IPV6, 200, 1)                    # MRT6_INIT
    for mifi, name in enumerate((up, down)):
        # struct mif6ctl: mifi, flags, threshold, pifi, rate_limit
        s.setsockopt(socket.IPPROTO_IPV6, 202, struct.pack(
            "=HBBH2xI", mifi, 0, 1, socket.if_nametoindex(name), 0))
    def sin6(a):
        return struct.pack("=HHI16sI", socket.AF_INET6, 0, 0, socket.inet_pton(socket.AF_INET6, a), 0)
    ifset = struct.pack("=8I", 1 << 1, 0, 0, 0, 0, 0, 0, 0)      # MIF 1
    s.setsockopt(socket.IPPROTO_IPV6, 204, sin6(src) + sin6(grp) + struct.pack("=H2x", 0) + ifset)
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("table", ["default", "110"])
@pytest.mark.parametrize("fam,group,src", [("ipv4", G4, "198.51.100.1"),
                                           ("ipv6", G6, "2001:db8:1::1")])
def test_kernel_state_readers(topo, tester, fam, group, src, table):
    """VIF/MIF and cache readers (default table) and `ip mroute` (any
    table) decode what a real mroute socket programmed, and forwarding
    through that entry is counted."""
    net = topo.proxy_net((1,))
    six = ["-6"] if fam == "ipv6" else []
    if table != "default":
        for iface in ("up0", "dn1"):
            net.proxy.ip(*six, "mrule", "add", "iif", iface, "lookup", table)
    p = net.proxy.popen([sys.executable, "-c", _MROUTE_SCRIPT, fam, "up0", "dn1", src, group,
                         table], stdin=subprocess.PIPE)
    line = p.stdout.readline()
    assert line.strip() == "ready", p.stderr.read()
    lookup = None if table == "default" else table
    try:
        vifs = mr_vifs(net.proxy, fam)
        if table == "default":
            assert [(v["index"], v["name"]) for v in vifs] == [(0, "up0"), (1, "dn1")]
            assert vif_names(net.proxy, fam) == {"up0", "dn1"}
        else:
            assert vifs == []  # /proc shows the default table only
        rx = procs.receive(net.hosts["h1"].ns, "eth0", group, duration=3, count=10)
        time.sleep(0.3)
        procs.send(net.router.ns, "eth0", group, count=10, rate=100, source_address=src)
        s = rx.summary()
        assert_stream_complete(s, 10)
        if table == "default":
            cache = wait_for(lambda: [c for c in mr_cache(net.proxy, fam) if c["pkts"] >= 10], 2)
            assert cache, mr_cache(net.proxy, fam)
            c = cache[0]
            assert (c["group"], c["origin"], c["iif"], c["oifs"]) == (group, src, 0, {1: 1})
        routes = mroutes(net.proxy, fam, table=lookup)
        assert [(r["src"], r["group"], r["iif"], r["oifs"]) for r in routes] == \
            [(src, group, "up0", ["dn1"])], routes
    finally:
        p.stdin.close()
        p.wait(timeout=5)
    assert mr_vifs(net.proxy, fam) == [] and mr_cache(net.proxy, fam) == []
    assert mroutes(net.proxy, fam, table=lookup) == []


@pytest.mark.parametrize("fam", ["ipv4", "ipv6"])
def test_mrule_readers(topo, fam):
    """custom_mrules ignores the kernel's catch-all rule and sees added ones."""
    ns = topo.ns("proxy")
    assert custom_mrules(ns, fam) == [] and len(mrules(ns, fam)) == 1
    ns.ip(*(["-6"] if fam == "ipv6" else []), "mrule", "add", "iif", "lo", "lookup", "101")
    assert [(r.get("iif"), str(r.get("table"))) for r in custom_mrules(ns, fam)] == [("lo", "101")]


def test_crafted_messages_decode_and_scapy_agrees(topo, capture):
    """Every message kind crafted by packets.py goes over a real link and is
    decoded by capture.py to exactly what was crafted; scapy's own dissectors
    agree on the IGMPv3 and MLDv2 fields (a second opinion on the decoder)."""
    from scapy.layers.inet6 import ICMPv6MLQuery2, ICMPv6MLReport2
    from scapy.layers.l2 import Ether
    from scapy.main import load_contrib
    load_contrib("igmpv3")
    from scapy.contrib.igmpv3 import IGMPv3mq, IGMPv3mr

    net = topo.proxy_net((1,))
    cap = capture(net.hosts["h1"].ns, "eth0")
    p, src = net.proxy, "203.0.113.1"
    v4 = [
        ("224.0.0.1", packets.igmp_query(3, G4, max_resp_tenths=248, sources=("198.51.100.7",),
                                         qrv=3, qqic=200, s_flag=True)),
        ("224.0.0.22", packets.igmp_report(3, records=((2, G4, []), (5, "232.1.1.1", [
            "198.51.100.1", "198.51.100.3"]), (6, "232.1.1.2", ["198.51.100.9"])))),
        (G4, packets.igmp_report(2, G4)),
        ("224.0.0.2", packets.igmp_leave(G4)),
        (G4, packets.igmp_report(1, G4)),
        ("224.0.0.1", packets.igmp_query(2, max_resp_tenths=35)),
    ]
    frames = [packets.igmp_frame(p, "dn1", src, dst, body) for dst, body in v4]
    v6 = [
        ("ff02::1", packets.mld_query(2, G6, max_resp_ms=1500, sources=("2001:db8:1::7",), qrv=4,
                                      qqic=60)),
        ("ff02::16", packets.mld_report(2, records=((4, G6, []), (1, "ff3e::1", ["2001:db8:1::1"])))),
        (G6, packets.mld_report(1, G6)),
        ("ff02::2", packets.mld_done(G6)),
    ]
    ll = packets.link_local(p, "dn1")
    frames += [packets.mld_frame(p, "dn1", ll, dst, body) for dst, body in v6]
    packets.send_frames(p, "dn1", frames)
    time.sleep(0.3)
    msgs = cap.stop().messages()
    assert len(msgs) >= len(frames)
    # The proxy namespace's own kernel also reports its link-local groups
    # (ff02::1:ff..) from the same address: not ours.
    got = [m for m in msgs if m.src in (src, ll) and not (
        m.kind == "report" and all(g.startswith("ff02:") for g in m.reported_groups()))]
    got = got[:len(frames)]
    assert all(m.checksum_ok and m.router_alert and m.ttl == 1 for m in got), got
    q3, r3, r2, l2, r1, q2, mq2, mr2, mr1, md = got
    assert (q3.kind, q3.version, q3.group, q3.max_resp_ms, q3.qrv, q3.qqic, q3.s_flag,
            q3.sources) == ("query", 3, G4, 24800, 3, 200, True, ["198.51.100.7"])
    assert [(r.type, r.group, r.sources) for r in r3.records] == [
        ("IS_EX", G4, []), ("ALLOW", "232.1.1.1", ["198.51.100.1", "198.51.100.3"]),
        ("BLOCK", "232.1.1.2", ["198.51.100.9"])]
    assert (r2.kind, r2.version, r2.group) == ("report", 2, G4)
    assert (l2.kind, l2.group, l2.dst) == ("leave", G4, "224.0.0.2")
    assert (r1.kind, r1.version, r1.group) == ("report", 1, G4)
    assert (q2.kind, q2.version, q2.max_resp_ms, q2.general) == ("query", 2, 3500, True)
    assert (mq2.kind, mq2.version, mq2.group, mq2.max_resp_ms, mq2.qrv, mq2.qqic,
            mq2.sources) == ("query", 2, G6, 1500, 4, 60, ["2001:db8:1::7"])
    assert [(r.type, r.group, r.sources) for r in mr2.records] == [
        ("TO_EX", G6, []), ("IS_IN", "ff3e::1", ["2001:db8:1::1"])]
    assert (mr1.kind, mr1.version, mr1.group) == ("report", 1, G6)
    assert (md.kind, md.group, md.dst) == ("leave", G6, "ff02::2")

    # scapy's dissectors on the same frames.
    by_time = {t: f for t, f in cap.frames()}
    sq3 = Ether(by_time[q3.time])[IGMPv3mq]
    assert (sq3.gaddr, sq3.qrv, sq3.s, sq3.srcaddrs) == (G4, 3, 1, ["198.51.100.7"])
    sr3 = Ether(by_time[r3.time])[IGMPv3mr]
    assert [(g.rtype, g.maddr, list(g.srcaddrs)) for g in sr3.records] == [
        (2, G4, []), (5, "232.1.1.1", ["198.51.100.1", "198.51.100.3"]),
        (6, "232.1.1.2", ["198.51.100.9"])]
    smq = Ether(by_time[mq2.time])[ICMPv6MLQuery2]
    assert (smq.mrd, smq.mladdr, smq.QRV, smq.QQIC, list(smq.sources)) == (
        1500, G6, 4, 60, ["2001:db8:1::7"])
    smr = Ether(by_time[mr2.time])[ICMPv6MLReport2]
    # scapy 2.5 nests each following address record in the previous one's
    # payload instead of listing it; flatten that.
    recs = []
    for r in smr.records:
        while isinstance(r, type(smr.records[0])):
            recs.append(r)
            r = r.payload
    assert [(r.rtype, r.dst, list(r.sources)) for r in recs] == [
        (4, G6, []), (1, "ff3e::1", ["2001:db8:1::1"])]
