# SPDX-License-Identifier: GPL-2.0-or-later
"""Interfaces that change under a running daemon: an upstream address that
changes, a downstream interface deleted and created again. The daemon keeps
running and recovers without a restart."""
from __future__ import annotations

import time

import pytest

import procs
from kernel_state import vif_names
from packets import link_local
from procs import wait_for
from scenario import assert_stream_complete, FAMILIES, joins_group, simple_config, vifs_ready, wait_upstream_join


@pytest.mark.parametrize("fam", FAMILIES)
def test_upstream_address_change_reports_again(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    j1 = procs.join(net.hosts["h1"].ns, "eth0", fam.group)
    wait_upstream_join(up, fam, fam.group, net)

    changed_at = time.time()
    if fam.name == "ipv4":
        # Another subnet: deleting the primary address deletes the secondary
        # ones of its subnet with it (without promote_secondaries).
        new = "198.18.9.2"
        net.proxy.add_addr("up0", f"{new}/24")
        net.proxy.ip("addr", "del", f"{fam.proxy_up}/24", "dev", "up0")
    else:
        old = link_local(net.proxy, "up0")
        new = "fe80::9"
        net.proxy.ip("addr", "add", f"{new}/64", "dev", "up0", "scope", "link", "nodad")
        net.proxy.ip("addr", "del", f"{old}/64", "dev", "up0")
    # The membership is announced again, from the new address.
    wait_upstream_join(up, fam, fam.group, src=new, timeout=3.0)
    r = up.wait_message(lambda r: r.time > changed_at and r.src == new and joins_group(r, fam.group), 0.1)
    assert r is not None
    assert m.running()
    j1.stop()


@pytest.mark.parametrize("fam", FAMILIES)
def test_downstream_deleted_and_created_again(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    h2 = net.hosts["h2"]
    net.proxy.ip("link", "del", "dn2")  # the peer eth0 in h2 goes with it
    assert wait_for(lambda: "dn2" not in vif_names(net.proxy, fam.name), 3.0), vif_names(net.proxy, fam.name)
    assert m.running()

    topo.veth(net.proxy, "dn2", h2.ns, "eth0")
    net.proxy.add_addr("dn2", "192.0.2.1/24")
    net.proxy.add_addr("dn2", "2001:db8:3::1/64")
    h2.ns.add_addr("eth0", "192.0.2.12/24")
    h2.ns.add_addr("eth0", "2001:db8:3::c/64")
    assert wait_for(lambda: "dn2" in vif_names(net.proxy, fam.name), 3.0), vif_names(net.proxy, fam.name)
    rx = procs.receive(h2.ns, "eth0", fam.group, duration=6, count=50)
    time.sleep(1.0)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=100, source_address=fam.src_a)
    s = rx.summary()
    assert_stream_complete(s, 50)
    assert m.running()
