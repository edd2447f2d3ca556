# SPDX-License-Identifier: GPL-2.0-or-later
"""`mcproxy -s`: every instance's state in the log, periodically; and the
log levels: without -d no debug lines, with -d debug lines."""
from __future__ import annotations

import pytest

import procs
from netns import patience
from procs import wait_for
from scenario import FAMILIES, V4, simple_config, vifs_ready, wait_upstream_join


@pytest.mark.parametrize("fam", FAMILIES)
def test_status_shows_interfaces_querier_groups_and_routes(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam), args=("-s",))
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=14, count=1300)
    wait_upstream_join(up, fam, fam.group, net)
    stream = procs.send(net.router.ns, "eth0", fam.group, count=1300, rate=100,
                        source_address=fam.src_a, background=True)

    def second_status():
        blocks = m.log().split("notice: instance proxy:")
        return len(blocks) >= 3 and blocks[2]
    block = wait_for(second_status, 12.0)
    assert block, m.log()
    rows = [line.split() for line in block.splitlines()]
    assert any(r[:3] == ["up0", "2", "upstream"] or (r[:1] == ["up0"] and "upstream" in r) for r in rows), block
    assert any(r[:1] == ["dn1"] and "downstream" in r and "querier" in r for r in rows), block
    assert any(r[:3] == ["dn1", fam.group, "EXCLUDE"] for r in rows), block
    assert any(r[:3] == ["up0", fam.group, "EXCLUDE"] for r in rows), "upstream report row: " + block
    # SOURCE GROUP INPUT OUTPUTS PACKETS BYTES FLAGS
    route = [r for r in rows if len(r) >= 6 and r[:4] == [fam.src_a, fam.group, "up0", "dn1"]]
    assert route, block
    assert int(route[0][4]) > 0, route
    # -s alone does not turn on debug lines.
    assert " debug: " not in m.log()
    stream.wait(20)
    rx.summary()


def test_debug_flag_logs_sent_messages(topo, mcproxy):
    fam = V4
    net = topo.proxy_net((1, 1))
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam), args=("-d",))
    # The instance may send its first query before the main thread logs
    # that all instances run: wait for both lines.
    assert wait_for(lambda: "debug: pinstance proxy: sent IGMPv3 general query" in m.log()
                    and "notice: mcproxy" in m.log(), patience(3.0)), m.log()
    assert m.stop() == 0
