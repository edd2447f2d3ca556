# SPDX-License-Identifier: GPL-2.0-or-later
"""Live reload with SIGHUP: a bad file changes nothing (and says where it is
bad); a good one applies only the difference, so instances that did not
change keep forwarding without a gap."""
from __future__ import annotations

import signal
import time

import pytest

import procs
from kernel_state import custom_mrules, mroutes, vif_names
from procs import wait_for
from scenario import assert_stream_complete, FAMILIES, config, vifs_ready, wait_upstream_join


def _readable_by_daemon(m) -> None:
    """The daemon re-reads its file as an unprivileged user: let it through
    the test's temporary directories (traverse only) and read the file."""
    p = m.conf_path
    p.chmod(0o644)
    for d in p.parents:
        if str(d) in ("/", "/tmp"):
            break
        d.chmod(d.stat().st_mode | 0o011)


def _stream(net, fam, count=400, rate=100):
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=count / rate + 3, count=count)
    return rx


@pytest.mark.parametrize("fam", FAMILIES)
def test_bad_file_keeps_everything_running(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    cfg = config(fam.protocol, [("proxy", ["up0"], ["dn1", "dn2"])])
    m = mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    rx = _stream(net, fam)
    wait_upstream_join(up, fam, fam.group, net)
    tx = procs.send(net.router.ns, "eth0", fam.group, count=400, rate=100, source_address=fam.src_a,
                    background=True)
    time.sleep(1.0)
    _readable_by_daemon(m)
    m.conf_path.write_text(cfg + "pinstance proxy: up0 ==> ;\nthis is not a statement\n")
    m.signal(signal.SIGHUP)
    assert wait_for(lambda: "reload refused" in m.log(), 3.0), m.log()
    assert f"{m.conf_path}:" in m.log(), m.log()
    assert tx.wait(10) == 0
    s = rx.summary()
    assert_stream_complete(s, 400)
    assert m.running()
    assert {"up0", "dn1", "dn2"} <= vif_names(net.proxy, fam.name)


@pytest.mark.parametrize("fam", FAMILIES)
def test_adding_and_removing_an_instance_leaves_the_other_alone(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    topo.veth(net.router.ns, "eth1", net.proxy, "up1")
    net.proxy.add_addr("up1", "198.18.1.2/24")
    net.proxy.add_addr("up1", "2001:db8:4::2/64")
    up = capture(net.router.ns, "eth0")
    one = [("one", ["up0"], ["dn1"])]
    two = one + [("two", ["up1"], ["dn2"])]
    tables = {"one": 101, "two": 102}
    m = mcproxy(net.proxy, config(fam.protocol, one, tables=tables),
                ready=lambda: mroutes(net.proxy, fam.name, table=101) is not None and custom_mrules(net.proxy, fam.name))
    rx = _stream(net, fam, count=500)
    wait_upstream_join(up, fam, fam.group, net)
    tx = procs.send(net.router.ns, "eth0", fam.group, count=500, rate=100, source_address=fam.src_a,
                    background=True)
    time.sleep(1.0)
    _readable_by_daemon(m)
    m.conf_path.write_text(config(fam.protocol, two, tables=tables))
    m.signal(signal.SIGHUP)
    assert wait_for(lambda: "configuration" in m.log() and "applied" in m.log(), 3.0), m.log()
    assert wait_for(lambda: any(str(r.get("table")) == "102" for r in custom_mrules(net.proxy, fam.name)), 2.0)
    time.sleep(1.0)
    m.conf_path.write_text(config(fam.protocol, one, tables=tables))
    m.signal(signal.SIGHUP)
    assert wait_for(lambda: "pinstance two removed" in m.log(), 3.0), m.log()
    assert wait_for(lambda: all(str(r.get("table")) != "102" for r in custom_mrules(net.proxy, fam.name)), 2.0)
    assert tx.wait(10) == 0
    s = rx.summary()
    # Instance "one" never changed: not one packet lost across both reloads.
    assert_stream_complete(s, 500)
    assert "pinstance one changed" not in m.log()
    assert m.stop() == 0
    assert custom_mrules(net.proxy, fam.name) == []


@pytest.mark.parametrize("fam", FAMILIES)
def test_adding_a_downstream_keeps_the_stream_without_a_gap(topo, capture, mcproxy, fam):
    """The reload that must not disturb what flows: a downstream added to a running instance.
    h1's stream on dn1 loses nothing; h2 on the new dn2 gets the group."""
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    before = config(fam.protocol, [("proxy", ["up0"], ["dn1"])])
    after = config(fam.protocol, [("proxy", ["up0"], ["dn1", "dn2"])])
    m = mcproxy(net.proxy, before, ready=vifs_ready(net.proxy, fam, ("up0", "dn1")))
    rx1 = _stream(net, fam, count=600)
    wait_upstream_join(up, fam, fam.group, net)
    tx = procs.send(net.router.ns, "eth0", fam.group, count=600, rate=100, source_address=fam.src_a,
                    background=True)
    time.sleep(1.5)
    _readable_by_daemon(m)
    m.conf_path.write_text(after)
    m.signal(signal.SIGHUP)
    assert wait_for(lambda: "reload: downstream dn2 added" in m.log(), 3.0), m.log()
    assert wait_for(lambda: "dn2" in vif_names(net.proxy, fam.name), 2.0)
    rx2 = procs.receive(net.hosts["h2"].ns, "eth0", fam.group, duration=2.0)
    assert tx.wait(15) == 0
    s1 = rx1.summary()
    assert_stream_complete(s1, 600)
    s2 = rx2.summary()
    assert s2["received"] > 0, s2
    assert "restarting" not in m.log()
