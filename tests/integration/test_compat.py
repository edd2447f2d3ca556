# SPDX-License-Identifier: GPL-2.0-or-later
"""Older protocol versions: IGMPv2, IGMPv1 and MLDv1 hosts behind an
IGMPv3/MLDv2 proxy, and an older querier upstream making the proxy report
in the old version (RFC 3376 7, RFC 3810 8, RFC 4605 4.1)."""
from __future__ import annotations

import time

import pytest

import packets
import procs
from kernel_state import mroutes
from procs import wait_for
from scenario import assert_stream_complete, V4, V6, is_proxy_report, joins_group, simple_config, vifs_ready, \
    wait_upstream_join

OLD_HOSTS = [
    pytest.param(V4, 2, id="igmpv2-host"),
    pytest.param(V4, 1, id="igmpv1-host"),
    pytest.param(V6, 1, id="mldv1-host"),
]


@pytest.mark.parametrize("fam,version", OLD_HOSTS)
def test_old_version_host_joins_and_receives(topo, capture, mcproxy, fam, version):
    force = {"igmp_version": version} if fam.name == "ipv4" else {"mld_version": version}
    net = topo.proxy_net((1, 1), **force)
    up, dn1 = capture(net.router.ns, "eth0"), capture(net.proxy, "dn1")
    mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=6, count=100)
    wait_upstream_join(up, fam, fam.group, net)
    # The host really spoke the old version.
    h = dn1.messages_now("report", fam.name)
    assert any(m.version == version and m.group == fam.group for m in h), h
    procs.send(net.router.ns, "eth0", fam.group, count=100, rate=100)
    s = rx.summary()
    assert_stream_complete(s, 100)
    if version == 1 and fam.name == "ipv4":
        return  # IGMPv1 has no leave; the membership times out (260 s by default)
    # IGMPv2 leave / MLDv1 done -> last member queries -> pruned.
    assert wait_for(lambda: not [r for r in mroutes(net.proxy, fam.name)
                                 if r["group"] == fam.group and "dn1" in r["oifs"]], 5.0), \
        mroutes(net.proxy, fam.name)


@pytest.mark.parametrize("fam", [pytest.param(V4, id="igmpv2-querier"),
                                 pytest.param(V6, id="mldv1-querier")])
def test_old_querier_upstream_makes_proxy_report_old_version(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    j1 = procs.join(net.hosts["h1"].ns, "eth0", fam.group)
    first = wait_upstream_join(up, fam, fam.group, net)
    assert first.version == (3 if fam.name == "ipv4" else 2), first
    time.sleep(1.5)  # let the state-change retransmissions finish
    t0 = time.time()
    if fam.name == "ipv4":
        packets.send_igmp(net.router.ns, "eth0", fam.src_a, packets.ALL_SYSTEMS,
                          packets.igmp_query(2, max_resp_tenths=10))
    else:
        packets.send_mld(net.router.ns, "eth0", packets.ALL_NODES,
                         packets.mld_query(1, max_resp_ms=1000))
    old = 2 if fam.name == "ipv4" else 1
    # The answer to the old query is an old-version report ...
    m = up.wait_message(lambda m: is_proxy_report(fam, m, net) and m.time > t0 and
                        m.version == old and m.group == fam.group, 2.5)
    assert m is not None, up.messages_now(family=fam.name)
    assert m.dst == fam.group
    # ... and so is the report for a group joined while the old querier is present.
    t1 = time.time()
    j2 = procs.join(net.hosts["h2"].ns, "eth0", fam.group2)
    m2 = up.wait_message(lambda m: is_proxy_report(fam, m, net) and m.time > t1 and
                         joins_group(m, fam.group2), 3.0)
    assert m2 is not None and m2.version == old, up.messages_now(family=fam.name)
    # (The proxy kernel's own reports for link-local groups do not count.)
    newer = [m for m in up.messages_now(family=fam.name)
             if is_proxy_report(fam, m, net) and m.time > t0 and m.version != old
             and not all(g.startswith("ff02:") for g in m.reported_groups())]
    assert newer == [], f"newer-version reports while an old querier is present: {newer}"
    j1.stop(), j2.stop()
