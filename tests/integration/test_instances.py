# SPDX-License-Identifier: GPL-2.0-or-later
"""Several proxy instances in one daemon: two instances with their own
kernel tables (policy rules steer their interfaces), and IGMPv3 plus MLDv2
on the same interfaces from one configuration file."""
from __future__ import annotations

import time

import pytest

import procs
from packets import link_local
from kernel_state import custom_mrules, mroutes, mrules, vif_names
from scenario import assert_sources, assert_stream_complete, FAMILIES, TUNING, V4, V6, config, wait_upstream_join

TABLES = {"one": 101, "two": 102}


def _rule_tables(ns, fam):
    return {str(r.get("table")) for r in mrules(ns, fam.name)}


@pytest.mark.parametrize("fam", FAMILIES)
def test_two_instances_with_separate_tables(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    topo.veth(net.router.ns, "eth1", net.proxy, "up1")
    net.router.ns.add_addr("eth1", "198.18.1.1/24")
    net.router.ns.add_addr("eth1", "2001:db8:4::1/64")
    net.proxy.add_addr("up1", "198.18.1.2/24")
    net.proxy.add_addr("up1", "2001:db8:4::2/64")
    src2 = "198.18.1.1" if fam.name == "ipv4" else "2001:db8:4::1"
    cap0, cap1 = capture(net.router.ns, "eth0"), capture(net.router.ns, "eth1")
    cfg = config(fam.protocol, [("one", ["up0"], ["dn1"]), ("two", ["up1"], ["dn2"])],
                 tables=TABLES)
    m = mcproxy(net.proxy, cfg, ready=lambda: {"101", "102"} <= _rule_tables(net.proxy, fam))

    rx1 = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=5, count=50)
    rx2 = procs.receive(net.hosts["h2"].ns, "eth0", fam.group, duration=5, count=50)
    # Each instance reports on its own upstream only.
    wait_upstream_join(cap0, fam, fam.group, net)
    up1_src = "198.18.1.2" if fam.name == "ipv4" else link_local(net.proxy, "up1")
    wait_upstream_join(cap1, fam, fam.group, src=up1_src)
    time.sleep(0.3)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, source_address=fam.src_a)
    procs.send(net.router.ns, "eth1", fam.group, count=50, rate=200, source_address=src2)
    s1, s2 = rx1.summary(), rx2.summary()
    assert_sources(s1["sources"], {fam.src_a: 50}, s1)
    assert_sources(s2["sources"], {src2: 50}, s2)
    # Each table forwards the group from its own upstream to its own
    # downstream only; (S,G) or (*,G) entries are both fine.
    any_src = (None, "0.0.0.0", "::")
    for table, src, iif, oif in ((101, fam.src_a, "up0", "dn1"), (102, src2, "up1", "dn2")):
        routes = [r for r in mroutes(net.proxy, fam.name, table=table) if r["group"] == fam.group]
        assert routes, f"no route for {fam.group} in table {table}"
        assert any(r["src"] in (src, *any_src) and r["iif"] == iif and r["oifs"] == [oif]
                   for r in routes), routes
        assert all(set(r["oifs"]) <= {oif} for r in routes), routes
    # Nothing in the default table: the rules steered everything.
    assert not vif_names(net.proxy, fam.name)

    assert m.stop() == 0, m.log()
    assert custom_mrules(net.proxy, fam.name) == [], mrules(net.proxy, fam.name)
    assert mroutes(net.proxy, fam.name, table=101) == []
    assert mroutes(net.proxy, fam.name, table=102) == []


def test_igmpv3_and_mldv2_on_the_same_interfaces(topo, capture, mcproxy):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    cfg = (f"protocol IGMPv3;\n"
           f"pinstance p4: up0 ==> dn1 dn2;\n"
           f"pinstance p4 downstream dn1 {TUNING};\n"
           f"protocol MLDv2;\n"
           f"pinstance p6: up0 ==> dn1 dn2;\n"
           f"pinstance p6 downstream dn1 {TUNING};\n")
    want = {"up0", "dn1", "dn2"}
    mcproxy(net.proxy, cfg,
            ready=lambda: want <= vif_names(net.proxy, "ipv4") and want <= vif_names(net.proxy,
                                                                                    "ipv6"))
    h1 = net.hosts["h1"]
    rx4 = procs.receive(h1.ns, "eth0", V4.group, duration=6, count=100)
    rx6 = procs.receive(h1.ns, "eth0", V6.group, duration=6, count=100)
    wait_upstream_join(up, V4, V4.group, net)
    wait_upstream_join(up, V6, V6.group, net)
    s4 = procs.send(net.router.ns, "eth0", V4.group, count=100, rate=200, background=True)
    s6 = procs.send(net.router.ns, "eth0", V6.group, count=100, rate=200, background=True)
    assert s4.wait(10) == 0 and s6.wait(10) == 0
    r4, r6 = rx4.summary(), rx6.summary()
    assert_stream_complete(r4, 100)
    assert_stream_complete(r6, 100)


def test_two_instances_with_forty_downstreams(topo, capture, mcproxy):
    """Past the kernel's 32 interfaces per table: two instances with their own
    tables and 40 downstream interfaces in total (21 interfaces each), both
    forwarding at once; every interface is steered to its table."""
    fam = V4
    net = topo.proxy_net((1, 1))
    topo.veth(net.router.ns, "eth1", net.proxy, "up1")
    net.router.ns.add_addr("eth1", "198.18.1.1/24")
    net.proxy.add_addr("up1", "198.18.1.2/24")
    sink = topo.ns("sink")
    extra = [f"x{i}" for i in range(3, 41)]  # dn1, dn2 and 38 more: 40 downstreams
    for i, name in enumerate(extra, start=3):
        topo.veth(net.proxy, name, sink, f"s{i}")
        net.proxy.add_addr(name, f"198.18.{100 + i}.1/24")
    one = ["dn1"] + extra[:19]
    two = ["dn2"] + extra[19:]
    assert len(one) + len(two) == 40
    cap0, cap1 = capture(net.router.ns, "eth0"), capture(net.router.ns, "eth1")
    cfg = config(fam.protocol, [("one", ["up0"], one), ("two", ["up1"], two)], tables=TABLES)
    m = mcproxy(net.proxy, cfg, timeout=10.0,
                ready=lambda: len(custom_mrules(net.proxy, fam.name)) == 2 * (len(one) + len(two) + 2))
    rules = custom_mrules(net.proxy, fam.name)
    steered = {(r.get("iif") or r.get("oif"), str(r.get("table"))) for r in rules}
    assert all((n, "101") in steered for n in ["up0", *one]), rules
    assert all((n, "102") in steered for n in ["up1", *two]), rules

    rx1 = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=5, count=50)
    rx2 = procs.receive(net.hosts["h2"].ns, "eth0", fam.group, duration=5, count=50)
    wait_upstream_join(cap0, fam, fam.group, net)
    wait_upstream_join(cap1, fam, fam.group, src="198.18.1.2")
    time.sleep(0.3)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=200, source_address=fam.src_a)
    procs.send(net.router.ns, "eth1", fam.group, count=50, rate=200, source_address="198.18.1.1")
    assert_sources(rx1.summary()["sources"], {fam.src_a: 50})
    assert_sources(rx2.summary()["sources"], {"198.18.1.1": 50})
    assert m.stop() == 0, m.log()
    assert custom_mrules(net.proxy, fam.name) == []
