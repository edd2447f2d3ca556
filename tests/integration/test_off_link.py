# SPDX-License-Identifier: GPL-2.0-or-later
"""The on-link source check of IGMP reports and its configuration key
(RFC 3376 9.2; doc/packet-validation.md, IGMP row 12; mcproxy.conf(5)
accept-off-link-reports).

A host sends IGMP reports whose IP source is in none of the subnets of the
proxy's downstream interface. By default (RFC 3376 9.2, RFC 2236 9) the
daemon drops them and counts them as off_link_source: nothing is reported
upstream and nothing is forwarded. With `accept-off-link-reports` on that
downstream they are accepted like any report and the group is reported
upstream; a downstream without the key keeps dropping them. A reload that
sets the key on a running downstream (re-created in place) applies it.
"""
from __future__ import annotations

import json
import signal
import time

from packets import igmp_report, send_igmp
from procs import wait_for
from scenario import TUNING, V4, is_proxy_report, joins_group, simple_config, vifs_ready
import procs
from test_control import ctl
from test_reload import _readable_by_daemon

# dn1's link is 203.0.113.0/24 and dn2's 192.0.2.0/24 (netns.DOWNSTREAM_NETS).
OFF_LINK_DN1 = "192.0.2.77"     # single-link tests: the proxy has no 192.0.2.0/24
OFF_LINK_ANY = "198.18.77.77"   # two-link tests: in no subnet of the proxy at all
CHANGE_TO_EXCLUDE = 4           # RFC 3376 4.2.12: a v3 join


def off_link_drops(m) -> int:
    """The instance's off_link_source counter, through the control socket."""
    r = ctl(m, "show", "stats", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    return sum(i["counters"]["dropped"]["off_link_source"] for i in doc["instances"])


def groups_text(m) -> str:
    r = ctl(m, "show", "groups")
    assert r.returncode == 0, r.stderr
    return r.stdout


def send_reports(host, src: str, group: str) -> None:
    """An IGMPv3 join and an IGMPv2 report for `group` from `src` (TTL 1, Router Alert)."""
    send_igmp(host.ns, host.iface, src, "224.0.0.22",
              igmp_report(3, records=((CHANGE_TO_EXCLUDE, group, []),)))
    send_igmp(host.ns, host.iface, src, group, igmp_report(2, group))


def test_off_link_report_dropped_and_counted_by_default(topo, capture, mcproxy):
    fam = V4
    net = topo.proxy_net((1,))
    up = capture(net.router.ns, "eth0")
    dn1 = capture(net.proxy, "dn1")
    m = mcproxy(net.proxy, simple_config(fam, downs=("dn1",)),
                ready=vifs_ready(net.proxy, fam, ("up0", "dn1")))
    h1 = net.hosts["h1"]
    assert off_link_drops(m) == 0
    group = "239.7.7.7"
    send_reports(h1, OFF_LINK_DN1, group)
    assert wait_for(lambda: off_link_drops(m) >= 2, 3.0), off_link_drops(m)
    # The same reports from h1's own address are accepted: only the source differs.
    control = "239.7.7.8"
    send_reports(h1, h1.v4, control)
    assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, control), 3.0), \
        up.messages_now(family=fam.name)
    # Nothing reported upstream, nothing in the daemon's state, nothing forwarded.
    time.sleep(0.5)
    ours = [r for r in up.messages_now(family=fam.name) if is_proxy_report(fam, r, net)]
    assert not [r for r in ours if group in r.reported_groups()], ours
    assert group not in groups_text(m) and control in groups_text(m)
    sent_at = time.time()
    procs.send(net.router.ns, "eth0", group, count=20, rate=200, source_address=fam.src_a)
    time.sleep(0.3)
    assert [d for d in dn1.datagrams_now(group) if d.time >= sent_at] == []
    assert off_link_drops(m) == 2
    assert m.running(), m.log()


def test_off_link_report_accepted_where_configured(topo, capture, mcproxy):
    fam = V4
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    cfg = simple_config(fam, tuning={"dn1": TUNING + " accept-off-link-reports", "dn2": TUNING})
    assert "pinstance proxy downstream dn1 query-interval 10 query-response-interval 2 " \
           "accept-off-link-reports;" in cfg, cfg
    m = mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam))
    h1, h2 = net.hosts["h1"], net.hosts["h2"]
    accepted, refused = "239.7.7.1", "239.7.7.2"
    # dn1 has the key: the off-link report joins the group upstream.
    send_reports(h1, OFF_LINK_ANY, accepted)
    assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, accepted), 3.0), \
        up.messages_now(family=fam.name)
    assert wait_for(lambda: accepted in groups_text(m), 2.0), groups_text(m)
    # dn2 keeps the default check.
    send_reports(h2, OFF_LINK_ANY, refused)
    assert wait_for(lambda: off_link_drops(m) >= 2, 3.0), off_link_drops(m)
    time.sleep(0.5)
    ours = [r for r in up.messages_now(family=fam.name) if is_proxy_report(fam, r, net)]
    assert not [r for r in ours if refused in r.reported_groups()], ours
    assert refused not in groups_text(m)
    assert off_link_drops(m) == 2  # only dn2's two reports

    # The accepted membership forwards: a stream from upstream reaches dn1.
    dn1 = capture(net.proxy, "dn1")
    procs.send(net.router.ns, "eth0", accepted, count=20, rate=200, source_address=fam.src_a)
    assert wait_for(lambda: len(dn1.datagrams_now(accepted)) >= 10, 3.0), len(dn1.datagrams_now(accepted))
    assert m.running(), m.log()


def test_reload_turns_the_check_off_on_a_running_downstream(topo, capture, mcproxy):
    fam = V4
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    before = simple_config(fam)
    m = mcproxy(net.proxy, before, ready=vifs_ready(net.proxy, fam))
    h1 = net.hosts["h1"]
    send_reports(h1, OFF_LINK_ANY, "239.7.7.3")
    assert wait_for(lambda: off_link_drops(m) >= 2, 3.0), off_link_drops(m)

    _readable_by_daemon(m)
    m.conf_path.write_text(simple_config(fam, tuning={"dn1": TUNING + " accept-off-link-reports", "dn2": TUNING}))
    m.signal(signal.SIGHUP)
    # Only dn1's settings changed: the instance keeps running, dn1 is re-created.
    assert wait_for(lambda: "reload: downstream dn1 changed" in m.log(), 3.0), m.log()
    assert "changed, restarting it" not in m.log()
    time.sleep(0.3)
    send_reports(h1, OFF_LINK_ANY, "239.7.7.4")
    assert up.wait_message(lambda r: is_proxy_report(fam, r, net) and joins_group(r, "239.7.7.4"), 3.0), \
        up.messages_now(family=fam.name)
    assert "239.7.7.3" not in groups_text(m)
    # dn2 did not change and still drops them (the counter is per instance).
    send_reports(net.hosts["h2"], OFF_LINK_ANY, "239.7.7.5")
    assert wait_for(lambda: off_link_drops(m) >= 4, 3.0), off_link_drops(m)
    assert "239.7.7.5" not in groups_text(m)
    assert m.running(), m.log()
