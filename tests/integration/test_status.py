# SPDX-License-Identifier: GPL-2.0-or-later
"""`mcproxy -s`: every instance's state in the log, periodically; and the
log levels: without -d no debug lines, with -d debug lines."""
from __future__ import annotations

import time

import pytest

import procs
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
        blocks = m.log().split("status of pinstance")
        return len(blocks) >= 3 and blocks[2]
    block = wait_for(second_status, 12.0)
    assert block, m.log()
    assert "interface up0 (upstream" in block and "interface dn1 (downstream" in block, block
    assert "querier: this proxy" in block, block
    assert f"group {fam.group} EXCLUDE" in block, block
    route = [line for line in block.splitlines() if f"route ({fam.src_a}, {fam.group}) up0 -> dn1" in line]
    assert route, block
    packets = int(route[0].split("packets ")[1].split()[0])
    assert packets > 0, route
    # -s alone does not turn on debug lines.
    assert " debug: " not in m.log()
    stream.wait(20)
    rx.summary()


def test_debug_flag_logs_sent_messages(topo, mcproxy):
    fam = V4
    net = topo.proxy_net((1, 1))
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam), args=("-d",))
    assert wait_for(lambda: "debug: pinstance proxy: sent IGMPv3 general query" in m.log(), 3.0), m.log()
    assert "notice: mcproxy" in m.log()
    time.sleep(0.1)
    assert m.stop() == 0
