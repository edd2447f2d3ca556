# SPDX-License-Identifier: GPL-2.0-or-later
"""Least privilege: once its sockets are open the daemon runs as an
unprivileged user with only CAP_NET_ADMIN and CAP_NET_RAW, and still
forwards, follows interfaces and cleans up (rp_filter too) at exit."""
from __future__ import annotations

import time

import pytest

import procs
from kernel_state import rp_filter, vif_names
from procs import wait_for
from scenario import assert_stream_complete, FAMILIES, V4, simple_config, vifs_ready, wait_upstream_join

NET_ADMIN_AND_RAW = (1 << 12) | (1 << 13)


def _status(pid: int) -> dict[str, str]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


@pytest.mark.parametrize("fam", FAMILIES)
def test_runs_unprivileged_and_still_works(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    net.proxy.sysctl("net.ipv4.conf.dn1.rp_filter", "2")
    before = rp_filter(net.proxy, "dn1")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam), args=("-d", "-r"))
    assert wait_for(lambda: "running as user" in m.log(), 3.0), m.log()
    st = _status(m.proc.pid)
    uids = [int(x) for x in st["Uid"].split()]
    assert all(u != 0 for u in uids), st["Uid"]
    assert all(int(g) != 0 for g in st["Gid"].split()), st["Gid"]
    assert st["Groups"] == "", st["Groups"]
    for key in ("CapEff", "CapPrm"):
        assert int(st[key], 16) == NET_ADMIN_AND_RAW, (key, st[key])
    # Nothing can come back: the bounding set is empty.
    assert int(st["CapBnd"], 16) == 0, st["CapBnd"]
    assert st["NoNewPrivs"] == "1"
    if fam.name == "ipv4":
        assert rp_filter(net.proxy, "dn1") == 0, "-r turns reverse-path filtering off"

    # Joins, forwarding and a late interface still work without root.
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=6, count=50)
    wait_upstream_join(up, fam, fam.group, net)
    time.sleep(0.3)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=100, source_address=fam.src_a)
    s = rx.summary()
    assert_stream_complete(s, 50)
    net.proxy.set_up("dn2", False)
    time.sleep(0.3)
    net.proxy.set_up("dn2", True)
    assert wait_for(lambda: "dn2" in vif_names(net.proxy, fam.name), 2.0)
    assert m.stop() == 0, m.log()
    # rp_filter written back by the unprivileged daemon (CAP_NET_ADMIN).
    assert rp_filter(net.proxy, "dn1") == before


def test_unknown_user_is_refused(topo, mcproxy):
    net = topo.proxy_net((1, 1))
    m = mcproxy.refused(net.proxy, simple_config(V4), args=("-U", "no-such-user-mcp"))
    assert m.returncode == 1, m.log()
    assert "no-such-user-mcp" in m.log(), m.log()
    assert not vif_names(net.proxy, "ipv4"), "nothing left in the kernel"


def test_keep_root_stays_root(topo, mcproxy):
    net = topo.proxy_net((1, 1))
    m = mcproxy(net.proxy, simple_config(V4), ready=vifs_ready(net.proxy, V4), args=("-d", "--keep-root"))
    assert wait_for(lambda: "running as root" in m.log(), 3.0), m.log()
    assert _status(m.proc.pid)["Uid"].split()[0] == "0"
