# SPDX-License-Identifier: GPL-2.0-or-later
"""The proxy as querier on its downstream links (startup queries in every
protocol version) and as host on its upstream link (answering queries)."""
from __future__ import annotations

import time

import pytest

import packets
import procs
from netns import patience
from scenario import V4, V6, is_proxy_report, records_for, simple_config, vifs_ready, \
    wait_upstream_join

VERSIONS = [
    pytest.param(V4, "IGMPv1", 1, id="IGMPv1"),
    pytest.param(V4, "IGMPv2", 2, id="IGMPv2"),
    pytest.param(V4, "IGMPv3", 3, id="IGMPv3"),
    pytest.param(V6, "MLDv1", 1, id="MLDv1"),
    pytest.param(V6, "MLDv2", 2, id="MLDv2"),
]


@pytest.mark.parametrize("fam,protocol,version", VERSIONS)
def test_startup_queries(topo, capture, mcproxy, fam, protocol, version):
    """RFC 3376 8.6 / RFC 3810 9.6 / RFC 2236 8.6: Startup Query Count
    (robustness, 2) general queries, Startup Query Interval (1/4 of the
    query interval: 2.5 s) apart, in the configured version."""
    net = topo.proxy_net((1, 1))
    dn1 = capture(net.proxy, "dn1")
    t0 = time.time()
    mcproxy(net.proxy, simple_config(fam, protocol=protocol), ready=vifs_ready(net.proxy, fam))
    first = dn1.wait_message(lambda m: True, 2.0, kind="query", family=fam.name)
    assert first is not None, "no query within 2 s of the start"
    assert first.time - t0 < 2.0
    second = dn1.wait_message(lambda m: m.time > first.time + 0.1, 4.0, kind="query",
                              family=fam.name)
    assert second is not None, "only one startup query"
    for q in (first, second):
        assert q.general and q.version == version and q.checksum_ok, q
        assert q.dst == fam.all_systems and q.ttl == 1, q
        if fam.name == "ipv4":
            assert q.src == "203.0.113.1", q
            if version >= 2:
                assert q.router_alert, q
        else:
            assert q.src.startswith("fe80:") and q.router_alert, q
        if protocol == "IGMPv1":
            assert q.max_resp_ms == 0, q
        else:
            assert q.max_resp_ms == 2000, q  # query-response-interval 2
        if protocol in ("IGMPv3", "MLDv2"):
            assert q.qqic == 10 and q.qrv == 2, q  # query-interval 10
    gap = second.time - first.time
    assert 2.0 <= gap <= 3.2, f"startup queries {gap:.2f} s apart, expected about 2.5 s"


@pytest.mark.parametrize("fam", [pytest.param(V4, id="ipv4"), pytest.param(V6, id="ipv6")])
def test_answers_upstream_general_and_group_query(topo, capture, mcproxy, fam):
    """RFC 3376 5.2 / RFC 3810 6.2: current-state records (IS_EX {} for an
    any-source member) within the query's Max Resp Time."""
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    j1 = procs.join(net.hosts["h1"].ns, "eth0", fam.group)
    j2 = procs.join(net.hosts["h2"].ns, "eth0", fam.group2)
    wait_upstream_join(up, fam, fam.group, net)
    wait_upstream_join(up, fam, fam.group2, net)
    time.sleep(1.5)  # past the state-change retransmissions

    def query(group, max_resp_s):
        if fam.name == "ipv4":
            packets.send_igmp(net.router.ns, "eth0", fam.src_a,
                              packets.ALL_SYSTEMS if group is None else group,
                              packets.igmp_query(3, group or "0.0.0.0",
                                                 max_resp_tenths=int(max_resp_s * 10)))
        else:
            packets.send_mld(net.router.ns, "eth0",
                             packets.ALL_NODES if group is None else group,
                             packets.mld_query(2, group or "::", max_resp_ms=int(max_resp_s * 1000)))

    def sent_query(after: float, general: bool) -> float:
        """Capture time of the router's query: Max Resp Time runs from the
        query on the wire, not from starting its sender (a Python process,
        seconds under emulation)."""
        q = up.wait_message(lambda q: q.time > after and q.general == general, patience(3.0),
                            kind="query", family=fam.name)
        assert q is not None, up.messages_now(family=fam.name)
        return q.time

    before = time.time()
    query(None, 1.0)
    t0 = sent_query(before, general=True)
    seen: dict[str, float] = {}
    deadline = time.monotonic() + patience(2.0)
    while time.monotonic() < deadline and len(seen) < 2:
        for m in up.messages_now("report", fam.name):
            if is_proxy_report(fam, m, net) and m.time > t0:
                for g in (fam.group, fam.group2):
                    if any(r.type == "IS_EX" and r.sources == [] for r in records_for(m, g)):
                        seen.setdefault(g, m.time)
        time.sleep(0.1)
    assert set(seen) == {fam.group, fam.group2}, up.messages_now(family=fam.name)
    assert max(seen.values()) - t0 <= 1.3, f"answered after {max(seen.values()) - t0:.2f} s"

    before = time.time()
    query(fam.group, 1.0)
    t1 = sent_query(before, general=False)
    m = up.wait_message(lambda m: is_proxy_report(fam, m, net) and m.time > t1 and any(
        r.type == "IS_EX" for r in records_for(m, fam.group)), patience(2.0))
    assert m is not None, up.messages_now(family=fam.name)
    assert m.time - t1 <= 1.3, f"answered after {m.time - t1:.2f} s"
    # A group-specific query is answered for that group only.
    assert not records_for(m, fam.group2), m
    j1.stop(), j2.stop()
