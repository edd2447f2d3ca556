# SPDX-License-Identifier: GPL-2.0-or-later
"""Interfaces that change under a running daemon, and a clean shutdown."""
from __future__ import annotations

import time

import pytest

import procs
from kernel_state import custom_mrules, mr_cache, mr_vifs, mroutes, mrules, rp_filter, vif_names
from procs import wait_for
from scenario import assert_count, assert_stream_complete, FAMILIES, config, is_proxy_report, joins_group, simple_config, vifs_ready, \
    wait_upstream_join



def _stream_reaches_h1(net, fam, count=50):
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=6, count=count)
    time.sleep(0.5)
    procs.send(net.router.ns, "eth0", fam.group, count=count, rate=100)
    return rx.summary()


@pytest.mark.parametrize("fam", FAMILIES)
def test_link_down_up(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    j1 = procs.join(net.hosts["h1"].ns, "eth0", fam.group)
    wait_upstream_join(up, fam, fam.group, net)

    # Downstream flap: the proxy forgets dn1's members while it is down,
    # queries again when it comes back, and forwards once h1 has answered
    # (at a random time within the 2 s response interval, RFC 3376 5.2).
    net.proxy.set_up("dn1", False)
    time.sleep(1.0)
    t_down = time.time()
    net.proxy.set_up("dn1", True)
    q = dn1.wait_message(lambda q: q.time > t_down and q.general, 3.0, kind="query",
                         family=fam.name)
    assert q is not None, "no general query after dn1 came back"
    r = dn1.wait_message(lambda r: r.time > q.time and r.src != q.src
                         and joins_group(r, fam.group), 4.0, kind="report",
                         family=fam.name)
    assert r is not None, dn1.messages_now(family=fam.name)
    s = _stream_reaches_h1(net, fam)
    assert_stream_complete(s, 50)

    # Upstream flap: the proxy reports its membership again.
    net.proxy.set_up("up0", False)
    time.sleep(1.0)
    t_down = time.time()
    net.proxy.set_up("up0", True)
    r = up.wait_message(lambda r: r.time > t_down and is_proxy_report(fam, r, net)
                        and joins_group(r, fam.group), 3.0)
    assert r is not None, up.messages_now(family=fam.name)
    s = _stream_reaches_h1(net, fam)
    assert_stream_complete(s, 50)
    assert m.running()
    j1.stop()


@pytest.mark.parametrize("fam", FAMILIES)
def test_interface_created_after_start(topo, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    mcproxy(net.proxy, simple_config(fam, downs=("dn1", "dn3")),
            ready=vifs_ready(net.proxy, fam, ("up0", "dn1")))
    assert "dn3" not in vif_names(net.proxy, fam.name)
    h4 = topo.ns("h4")
    topo.veth(net.proxy, "dn3", h4, "eth0")
    net.proxy.add_addr("dn3", "198.18.3.1/24")
    net.proxy.add_addr("dn3", "2001:db8:5::1/64")
    h4.add_addr("eth0", "198.18.3.14/24")
    h4.add_addr("eth0", "2001:db8:5::e/64")
    assert wait_for(lambda: "dn3" in vif_names(net.proxy, fam.name), 3.0), \
        f"dn3 not added: {mr_vifs(net.proxy, fam.name)}"
    rx = procs.receive(h4, "eth0", fam.group, duration=6, count=50)
    time.sleep(1.0)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=100)
    s = rx.summary()
    assert_stream_complete(s, 50)


@pytest.mark.parametrize("fam", FAMILIES)
def test_clean_shutdown(topo, capture, mcproxy, fam):
    """SIGTERM: exit 0 within a second, VIFs/MIFs and cache entries gone,
    rp_filter (-r) restored to each interface's own previous value."""
    net = topo.proxy_net((1, 1))
    net.proxy.sysctl("net.ipv4.conf.up0.rp_filter", "1")
    net.proxy.sysctl("net.ipv4.conf.dn1.rp_filter", "2")
    before = {i: rp_filter(net.proxy, i) for i in ("up0", "dn1", "dn2")}
    up = capture(net.router.ns, "eth0")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam),
                args=("-d", "-r"))
    if fam.name == "ipv4":
        assert all(rp_filter(net.proxy, i) == 0 for i in before), \
            {i: rp_filter(net.proxy, i) for i in before}
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=6, count=20)
    wait_upstream_join(up, fam, fam.group, net)
    procs.send(net.router.ns, "eth0", fam.group, count=20, rate=100)
    assert_count(rx.summary()["received"], 20)
    assert mr_cache(net.proxy, fam.name), "no cache entry to clean up"

    assert m.stop(timeout=3) == 0, m.log()
    assert m.stop_seconds is not None and m.stop_seconds < 1.0, \
        f"shutdown took {m.stop_seconds} s"
    assert mr_vifs(net.proxy, fam.name) == []
    assert mr_cache(net.proxy, fam.name) == []
    assert mroutes(net.proxy, fam.name) == []
    assert custom_mrules(net.proxy, fam.name) == [], mrules(net.proxy, fam.name)
    assert {i: rp_filter(net.proxy, i) for i in before} == before


@pytest.mark.parametrize("fam", FAMILIES)
def test_clean_shutdown_removes_policy_rules(topo, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    cfg = config(fam.protocol, [("proxy", ["up0"], ["dn1", "dn2"])], tables={"proxy": 105})
    m = mcproxy(net.proxy, cfg,
                ready=lambda: "105" in {str(r.get("table")) for r in mrules(net.proxy, fam.name)})
    assert custom_mrules(net.proxy, fam.name)
    assert m.stop() == 0, m.log()
    assert custom_mrules(net.proxy, fam.name) == [], mrules(net.proxy, fam.name)
    assert mroutes(net.proxy, fam.name, table=105) == []
