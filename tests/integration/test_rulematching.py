# SPDX-License-Identifier: GPL-2.0-or-later
"""Several upstreams of one instance (doc/filters.md "Several
upstreams"): memberships split by group range with `in rulematching first`
and `all`, `mutex MS` with its fallback timeout measured on the wire, and
downstream-sourced data with `out rulematching all` / `first`.

Network: the standard one plus a second upstream router:

    router eth0 --- up0 proxy dn1 --- h1
    isp2   eth0 --- up1       dn2 --- h2
    198.18.1.1     198.18.1.2   (2001:db8:4::1 / ::2)
"""
from __future__ import annotations

import time

import pytest

import procs
from netns import patience
from packets import link_local
from scenario import (FAMILIES, assert_count, assert_no_loss, assert_sources, TUNING, joins_group,
                      leaves_group, records_for, vifs_ready, wait_upstream_join)

ISP2 = {"ipv4": ("198.18.1.1", "198.18.1.2"), "ipv6": ("2001:db8:4::1", "2001:db8:4::2")}
# The other range of the split: 232/8 (IGMP) / ff3e::/16 (MLD).
RANGES = {"ipv4": ("239.0.0.0/8", "232.0.0.0/8"), "ipv6": ("ff05::/16", "ff3e::/16")}


def two_upstreams(topo):
    """The standard network plus the namespace isp2 on the proxy's up1."""
    net = topo.proxy_net((1, 1))
    isp2 = topo.ns("isp2")
    topo.veth(isp2, "eth0", net.proxy, "up1")
    isp2.add_addr("eth0", "198.18.1.1/24")
    isp2.add_addr("eth0", "2001:db8:4::1/64")
    net.proxy.add_addr("up1", "198.18.1.2/24")
    net.proxy.add_addr("up1", "2001:db8:4::2/64")
    isp2.ip("route", "add", "default", "via", "198.18.1.2")
    isp2.ip("-6", "route", "add", "default", "via", "2001:db8:4::2")
    return net, isp2


def up1_src(net, fam) -> str:
    """The proxy's report source on up1."""
    return ISP2["ipv4"][1] if fam.name == "ipv4" else link_local(net.proxy, "up1")


def conf(fam, *lines: str) -> str:
    head = [f"protocol {fam.protocol};",
            "pinstance split: up0 up1 ==> dn1 dn2;",
            f"pinstance split downstream * {TUNING};"]
    return "\n".join(head + list(lines)) + "\n"


def reports_from(cap, fam, src, pred):
    return [m for m in cap.messages_now(family=fam.name)
            if m.kind == "report" and m.src == src and pred(m)]


def host_addr(host, fam) -> str:
    return host.v4 if fam.name == "ipv4" else host.v6


@pytest.mark.parametrize("mode", ["first", "all"])
@pytest.mark.parametrize("fam", FAMILIES)
def test_two_upstreams_split_by_group_range(topo, capture, mcproxy, fam, mode):
    """up0 may receive only the first range (`in whitelist`), up1 has no
    filter. `first`: a group of the first range is reported on up0 only,
    a group of the other range on up1 only. `all`: the first range on both."""
    net, isp2 = two_upstreams(topo)
    cap0, cap1 = capture(net.router.ns, "eth0"), capture(isp2, "eth0")
    first_range, _ = RANGES[fam.name]
    isp2_src = ISP2[fam.name][0]
    cfg = conf(fam,
               f"pinstance split upstream up0 in whitelist table {{ ({first_range} | *) }};",
               f"pinstance split upstream * in rulematching {mode};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam, ("up0", "up1", "dn1", "dn2")))
    src0, src1 = (fam.proxy_up if fam.name == "ipv4" else link_local(net.proxy, "up0"),
                  up1_src(net, fam))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    rx1 = procs.receive(h1.ns, "eth0", fam.group, duration=7, port=5001, count=50)
    rx2 = procs.receive(h2.ns, "eth0", fam.ssm_group, duration=7, port=5002, sources=[isp2_src], count=50)
    wait_upstream_join(cap0, fam, fam.group, src=src0)
    wait_upstream_join(cap1, fam, fam.ssm_group, src=src1)
    if mode == "all":
        wait_upstream_join(cap1, fam, fam.group, src=src1)
    # Repeated reports and answers to the startup queries come within 3 s.
    time.sleep(3.0)
    g_on_up1 = reports_from(cap1, fam, src1, lambda m: joins_group(m, fam.group))
    ssm_on_up0 = [m for m in reports_from(cap0, fam, src0, lambda m: True)
                  if records_for(m, fam.ssm_group)]
    if mode == "first":
        assert g_on_up1 == [], f"{fam.group} reported on up1 too: {g_on_up1}"
    else:
        assert g_on_up1, "with `all` the group is reported on up1 too"
    assert ssm_on_up0 == [], f"{fam.ssm_group} reported on up0, whose filter refuses it"
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=5001,
               source_address=fam.src_a)
    procs.send(isp2, "eth0", fam.ssm_group, count=50, rate=200, port=5002,
               source_address=isp2_src)
    s1, s2 = rx1.summary(), rx2.summary()
    assert_sources(s1["sources"], {fam.src_a: 50}, s1)
    assert_no_loss(s1)
    assert_sources(s2["sources"], {isp2_src: 50}, s2)
    assert_no_loss(s2)


@pytest.mark.parametrize("ms", [1000, 2500])
@pytest.mark.parametrize("fam", FAMILIES)
def test_mutex_locks_to_the_delivering_upstream_and_falls_back(topo, capture, mcproxy, fam, ms):
    """`in rulematching mutex MS`: joined on both upstreams; data on up0
    makes the proxy leave on up1; MS ms after the last packet on up0 it
    reports on up1 again (measured on the wire, printed with -s)."""
    net, isp2 = two_upstreams(topo)
    cap0, cap1 = capture(net.router.ns, "eth0"), capture(isp2, "eth0")
    cfg = conf(fam, f"pinstance split upstream * in rulematching mutex {ms};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam, ("up0", "up1", "dn1", "dn2")))
    src0 = fam.proxy_up if fam.name == "ipv4" else link_local(net.proxy, "up0")
    src1 = up1_src(net, fam)
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=12, port=5001)
    wait_upstream_join(cap0, fam, fam.group, src=src0)
    wait_upstream_join(cap1, fam, fam.group, src=src1)
    time.sleep(0.5)
    procs.send(net.router.ns, "eth0", fam.group, count=150, rate=100, port=5001,
               source_address=fam.src_a)
    # The lock: the proxy leaves on up1 while data flows on up0.
    leave = cap1.wait_message(lambda m: m.src == src1 and leaves_group(m, fam.group), 1.0)
    assert leave is not None, cap1.messages_now(family=fam.name)
    data = cap0.datagrams_now(fam.group)
    assert len(data) == 150, len(data)
    first_data, last_data = data[0].time, data[-1].time
    assert leave.time < last_data, "the lock came only after the stream ended"
    # The fallback: a join on up1 again, MS after the last packet.
    rejoin = cap1.wait_message(lambda m: m.src == src1 and m.time > leave.time
                               and joins_group(m, fam.group), (ms + 4000) / 1000)
    assert rejoin is not None, cap1.messages_now(family=fam.name)
    waited_ms = (rejoin.time - last_data) * 1000
    print(f"mutex {ms} ms [{fam.name}]: lock {1000 * (leave.time - first_data):.0f} ms after"
          f" the first packet, report on up1 {waited_ms:.0f} ms after the last packet on up0")
    assert ms <= waited_ms <= ms + 1500, f"fallback after {waited_ms:.0f} ms, timeout {ms} ms"
    # up0 stayed joined throughout.
    assert reports_from(cap0, fam, src0, lambda m: leaves_group(m, fam.group)) == []
    s = rx.summary()
    assert_sources(s["sources"], {fam.src_a: 150}, s)
    assert_no_loss(s)


@pytest.mark.parametrize("mode", ["all", "first", "first-filtered"])
@pytest.mark.parametrize("fam", FAMILIES)
def test_downstream_source_to_upstreams(topo, capture, mcproxy, fam, mode):
    """Data from a source on dn2: `out rulematching all` (the default, no
    statement) sends it to both upstreams, `first` only to up0, and `first`
    with up0's `out` filter refusing the group only to up1."""
    net, isp2 = two_upstreams(topo)
    cap0, cap1 = capture(net.router.ns, "eth0"), capture(isp2, "eth0")
    lines = []
    if mode != "all":
        lines.append("pinstance split upstream * out rulematching first;")
    if mode == "first-filtered":
        lines.append(f"pinstance split upstream up0 out blacklist table {{ ({fam.group} | *) }};")
    mcproxy(net.proxy, conf(fam, *lines),
            ready=vifs_ready(net.proxy, fam, ("up0", "up1", "dn1", "dn2")))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    src = host_addr(h2, fam)
    rx1 = procs.receive(h1.ns, "eth0", fam.group, duration=5, port=5001, count=50)
    time.sleep(1.0)
    procs.send(h2.ns, "eth0", fam.group, count=50, rate=200, port=5001, source_address=src)
    s1 = rx1.summary()
    assert_sources(s1["sources"], {src: 50}, s1)
    want = {"all": (50, 50), "first": (50, 0), "first-filtered": (0, 50)}[mode]

    def upstream_counts():
        return tuple(len([d for d in cap.datagrams_now(fam.group) if d.src == src])
                     for cap in (cap0, cap1))
    # The captures may still be writing the stream's last frames.
    procs.wait_for(lambda: upstream_counts() == want, patience(2.0))
    on = upstream_counts()
    for got, expected in zip(on, want):
        assert_count(got, expected, f"packets on (up0, up1): {on}, want {want}")
