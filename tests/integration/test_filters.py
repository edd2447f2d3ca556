# SPDX-License-Identifier: GPL-2.0-or-later
"""Filter tables end to end (doc/filters.md, doc/mcproxy.conf.5):
a group whitelist and a group blacklist on a downstream (`out`), a source
filter on the upstream (`in`), the any-source-to-include conversion, an
interface-qualified rule and a nested table. Each test writes the
configuration a network engineer would write, as the man page documents it."""
from __future__ import annotations

import time

import pytest

import procs
from scenario import (assert_count, assert_sources, assert_stream_complete, FAMILIES, TUNING, is_proxy_report, joins_group, records_for,
                      vifs_ready, wait_upstream_join)

PORT_G, PORT_G2, PORT_SSM = 5001, 5002, 5003  # PORT_SSM: a third group


def _conf(fam, *lines: str) -> str:
    """One instance `proxy: up0 ==> dn1 dn2` with the test timers and `lines`."""
    head = [f"protocol {fam.protocol};",
            "pinstance proxy: up0 ==> dn1 dn2;",
            f"pinstance proxy downstream * {TUNING};"]
    return "\n".join(head + list(lines)) + "\n"


def _host_addr(host, fam) -> str:
    return host.v4 if fam.name == "ipv4" else host.v6


def _upstream_joins(up, fam, net, group):
    return [m for m in up.messages_now(family=fam.name)
            if is_proxy_report(fam, m, net) and joins_group(m, group)]


def _sources_on(cap, group) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in cap.datagrams_now(group):
        out[d.src] = out.get(d.src, 0) + 1
    return out


@pytest.mark.parametrize("fam", FAMILIES)
def test_downstream_group_whitelist(topo, capture, mcproxy, fam):
    """`downstream dn1 out whitelist`: dn1 gets only the listed group; the
    other group still reaches dn2, whose host asked for it."""
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    cfg = _conf(fam, f"pinstance proxy downstream dn1 out whitelist table {{ ({fam.group} | *) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    rx1_g = procs.receive(h1.ns, "eth0", fam.group, duration=5, port=PORT_G, count=50)
    rx1_g2 = procs.receive(h1.ns, "eth0", fam.group2, duration=5, port=PORT_G2)
    rx2_g2 = procs.receive(h2.ns, "eth0", fam.group2, duration=5, port=PORT_G2, count=50)
    wait_upstream_join(up, fam, fam.group, net)
    wait_upstream_join(up, fam, fam.group2, net)
    time.sleep(0.3)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
               source_address=fam.src_a)
    procs.send(net.router.ns, "eth0", fam.group2, count=50, rate=200, port=PORT_G2,
               source_address=fam.src_a)
    s1_g, s1_g2, s2_g2 = rx1_g.summary(), rx1_g2.summary(), rx2_g2.summary()
    assert_stream_complete(s1_g, 50)
    assert s1_g2["received"] == 0, f"whitelist broken: h1 got the unlisted group {s1_g2}"
    assert_stream_complete(s2_g2, 50)
    assert dn1.datagrams_now(fam.group2) == [], "unlisted group forwarded to dn1"


@pytest.mark.parametrize("fam", FAMILIES)
def test_downstream_group_blacklist_never_joined_upstream(topo, capture, mcproxy, fam):
    """`downstream dn1 out blacklist`: the listed group never reaches dn1,
    and since only dn1's host wants it, it is never joined upstream (the
    classic mcproxy let such joins through)."""
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    cfg = _conf(fam, f"pinstance proxy downstream dn1 out blacklist table {{ ({fam.group2} | *) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1 = net.hosts["h1"]
    rx_g = procs.receive(h1.ns, "eth0", fam.group, duration=5, port=PORT_G, count=50)
    rx_g2 = procs.receive(h1.ns, "eth0", fam.group2, duration=5, port=PORT_G2)
    wait_upstream_join(up, fam, fam.group, net)
    # The host repeats its unsolicited report (robustness 2) and answers the
    # startup queries: give the blacklisted join every chance to leak.
    time.sleep(3.0)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
               source_address=fam.src_a)
    procs.send(net.router.ns, "eth0", fam.group2, count=50, rate=200, port=PORT_G2,
               source_address=fam.src_a)
    s_g, s_g2 = rx_g.summary(), rx_g2.summary()
    assert_stream_complete(s_g, 50)
    assert s_g2["received"] == 0, f"blacklisted group reached h1: {s_g2}"
    assert dn1.datagrams_now(fam.group2) == []
    leaked = _upstream_joins(up, fam, net, fam.group2)
    assert leaked == [], f"blacklisted group joined upstream: {leaked}"


@pytest.mark.parametrize("fam", FAMILIES)
def test_upstream_source_blacklist(topo, capture, mcproxy, fam):
    """`upstream up0 in blacklist { (G | B) }`: the any-source join goes up
    as EXCLUDE({B}) and only source A is forwarded."""
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    cfg = _conf(fam, f"pinstance proxy upstream up0 in blacklist table {{ ({fam.group} | {fam.src_b}) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=5, port=PORT_G, count=50)
    m = up.wait_message(lambda m: is_proxy_report(fam, m, net) and any(
        r.type in ("IS_EX", "TO_EX") and r.sources == [fam.src_b]
        for r in records_for(m, fam.group)), 3.0)
    assert m is not None, up.messages_now(family=fam.name)
    bad = [m for m in _upstream_joins(up, fam, net, fam.group)
           if any(r.type in ("IS_EX", "TO_EX") and fam.src_b not in r.sources
                  for r in records_for(m, fam.group))]
    assert bad == [], f"upstream asked for the blacklisted source: {bad}"
    time.sleep(0.3)
    for src in (fam.src_b, fam.src_a):
        procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
                   source_address=src)
    s = rx.summary()
    assert_sources(s["sources"], {fam.src_a: 50}, s)
    assert_sources(_sources_on(dn1, fam.group), {fam.src_a: 50})


@pytest.mark.parametrize("fam", FAMILIES)
def test_whitelist_turns_any_source_join_into_include(topo, capture, mcproxy, fam):
    """`upstream up0 in whitelist { (G | A) }`: a host's EXCLUDE({}) join of
    G is reported upstream as INCLUDE({A}) and never as EXCLUDE; only A's
    data is forwarded."""
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    cfg = _conf(fam, f"pinstance proxy upstream up0 in whitelist table {{ ({fam.group} | {fam.src_a}) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=6, port=PORT_G, count=50)
    m = up.wait_message(lambda m: is_proxy_report(fam, m, net) and any(
        r.type in ("ALLOW", "IS_IN", "TO_IN") and r.sources == [fam.src_a]
        for r in records_for(m, fam.group)), 3.0)
    assert m is not None, up.messages_now(family=fam.name)
    # Answering the startup queries the proxy repeats its state: still INCLUDE.
    time.sleep(3.0)
    records = [(r.type, r.sources) for msg in up.messages_now(family=fam.name)
               if is_proxy_report(fam, msg, net) for r in records_for(msg, fam.group)]
    assert records, "no report for the group"
    assert all(t in ("ALLOW", "IS_IN", "TO_IN") and s == [fam.src_a] for t, s in records), \
        f"upstream records for {fam.group}: {records}"
    for src in (fam.src_b, fam.src_a):
        procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
                   source_address=src)
    s = rx.summary()
    assert_sources(s["sources"], {fam.src_a: 50}, s)
    assert_sources(_sources_on(dn1, fam.group), {fam.src_a: 50})


@pytest.mark.parametrize("fam", FAMILIES)
def test_interface_qualified_rule(topo, capture, mcproxy, fam):
    """`downstream dn2 out whitelist { up0(G | *) }`: dn2 gets G only from
    data arriving on up0; G sent by a source on dn1 reaches the upstream
    (RFC 4605 4.2) but not dn2."""
    net = topo.proxy_net((1, 1))
    up, dn2 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn2")
    cfg = _conf(fam, f"pinstance proxy downstream dn2 out whitelist table {{ up0({fam.group} | *) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    local_src = _host_addr(h1, fam)
    rx2 = procs.receive(h2.ns, "eth0", fam.group, duration=6, port=PORT_G)
    # h2's membership counts for up0, since the rule admits data arriving there.
    wait_upstream_join(up, fam, fam.group, net)
    time.sleep(0.3)
    procs.send(h1.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G, source_address=local_src)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
               source_address=fam.src_a)
    s2 = rx2.summary()
    assert_sources(s2["sources"], {fam.src_a: 50}, s2)
    assert local_src not in _sources_on(dn2, fam.group)
    assert_count(_sources_on(up, fam.group).get(local_src, 0), 50, _sources_on(up, fam.group))


@pytest.mark.parametrize("fam", FAMILIES)
def test_interface_qualified_rule_for_a_downstream(topo, capture, mcproxy, fam):
    """`downstream dn2 out whitelist { dn1(G | *) }`: dn2 gets G only from
    the source on dn1; its membership does not count for up0 (data from up0
    would never be admitted), so G is not joined upstream."""
    net = topo.proxy_net((1, 1))
    up, dn2 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn2")
    cfg = _conf(fam, f"pinstance proxy downstream dn2 out whitelist table {{ dn1({fam.group} | *) }};")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    local_src = _host_addr(h1, fam)
    rx2 = procs.receive(h2.ns, "eth0", fam.group, duration=6, port=PORT_G)
    time.sleep(3.0)
    assert _upstream_joins(up, fam, net, fam.group) == [], up.messages_now(family=fam.name)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G,
               source_address=fam.src_a)
    procs.send(h1.ns, "eth0", fam.group, count=50, rate=200, port=PORT_G, source_address=local_src)
    s2 = rx2.summary()
    assert_sources(s2["sources"], {local_src: 50}, s2)
    assert fam.src_a not in _sources_on(dn2, fam.group)


@pytest.mark.parametrize("fam", FAMILIES)
def test_nested_table(topo, capture, mcproxy, fam):
    """A table that includes a named table (defined after it) and an
    anonymous one, bound as a downstream whitelist: the groups of both
    inner tables pass (the anonymous one for source A only, which turns
    the any-source join into INCLUDE({A})); any other group is neither
    forwarded nor joined upstream."""
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    other = "239.3.3.3" if fam.name == "ipv4" else "ff05::3:3"
    cfg = _conf(fam,
                "table allowed {",
                "    (table news)",
                f"    (table {{ ({fam.group2} | {fam.src_a}) }})",
                "};",
                f"table news {{ ({fam.group} | *) }};",
                "pinstance proxy downstream dn1 out whitelist table allowed;")
    mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1 = net.hosts["h1"]
    rx_g = procs.receive(h1.ns, "eth0", fam.group, duration=6, port=PORT_G)
    rx_g2 = procs.receive(h1.ns, "eth0", fam.group2, duration=6, port=PORT_G2)
    rx_o = procs.receive(h1.ns, "eth0", other, duration=6, port=PORT_SSM)
    wait_upstream_join(up, fam, fam.group, net)
    wait_upstream_join(up, fam, fam.group2, net)
    time.sleep(1.0)
    recs = [(r.type, r.sources) for m in up.messages_now(family=fam.name)
            if is_proxy_report(fam, m, net) for r in records_for(m, fam.group2)]
    assert recs and all(t in ("ALLOW", "IS_IN", "TO_IN") and s == [fam.src_a] for t, s in recs), recs
    for group, port in ((fam.group, PORT_G), (fam.group2, PORT_G2), (other, PORT_SSM)):
        for src in (fam.src_a, fam.src_b):
            procs.send(net.router.ns, "eth0", group, count=30, rate=200, port=port,
                       source_address=src)
    s_g, s_g2, s_o = rx_g.summary(), rx_g2.summary(), rx_o.summary()
    assert_sources(s_g["sources"], {fam.src_a: 30, fam.src_b: 30}, s_g)
    assert_sources(s_g2["sources"], {fam.src_a: 30}, s_g2)
    assert s_o["received"] == 0, s_o
    assert dn1.datagrams_now(other) == []
    assert _upstream_joins(up, fam, net, other) == []
