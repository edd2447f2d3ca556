# SPDX-License-Identifier: GPL-2.0-or-later
"""mcproxyctl against the running daemon: status, groups, routes with kernel
counters and stats in text and JSON; reload through the socket (a bad file
is refused with file:line and changes nothing)."""
from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

import procs
from procs import REPO, wait_for
from scenario import FAMILIES, assert_stream_complete, simple_config, vifs_ready, wait_upstream_join


def ctl_bin() -> str:
    return os.environ.get("MCPROXYCTL_BIN", str(REPO / "build" / "mcproxyctl"))


def ctl(m, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ctl_bin(), "-u", str(m.socket_path), *args], capture_output=True, text=True,
                          timeout=10)


@pytest.mark.parametrize("fam", FAMILIES)
def test_show_views_in_text_and_json(topo, capture, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    up = capture(net.router.ns, "eth0")
    m = mcproxy(net.proxy, simple_config(fam), ready=vifs_ready(net.proxy, fam))
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=5, count=100)
    wait_upstream_join(up, fam, fam.group, net)
    time.sleep(0.3)
    procs.send(net.router.ns, "eth0", fam.group, count=100, rate=100, source_address=fam.src_a)
    assert_stream_complete(rx.summary(), 100)

    r = ctl(m, "show", "status")
    assert r.returncode == 0, r.stderr
    assert "proxy" in r.stdout and "dn1" in r.stdout and "up0" in r.stdout, r.stdout

    r = ctl(m, "show", "groups", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    text = json.dumps(doc)
    assert fam.group in text, doc

    r = ctl(m, "show", "routes", "--json")
    assert r.returncode == 0, r.stderr
    routes = json.dumps(json.loads(r.stdout))
    assert fam.src_a in routes and fam.group in routes, routes

    r = ctl(m, "show", "routes")
    line = [l for l in r.stdout.splitlines() if fam.src_a in l and fam.group in l]
    assert line, r.stdout
    assert any(int(w) >= 100 for w in line[0].split() if w.isdigit()), line

    r = ctl(m, "show", "stats")
    assert r.returncode == 0 and r.stdout.strip(), r.stderr

    r = ctl(m, "show", "nonsense")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert m.running()


def test_reload_through_the_socket(topo, mcproxy):
    fam = FAMILIES[0].values[0]
    net = topo.proxy_net((1, 1))
    cfg = simple_config(fam, downs=("dn1",))
    m = mcproxy(net.proxy, cfg, ready=vifs_ready(net.proxy, fam, ("up0", "dn1")))
    m.conf_path.chmod(0o644)
    for d in m.conf_path.parents:
        if str(d) in ("/", "/tmp"):
            break
        d.chmod(d.stat().st_mode | 0o011)
    m.conf_path.write_text(cfg + "pinstance proxy upstream up0 in whitelist table nosuchtable;\n")
    r = ctl(m, "reload")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"{m.conf_path}:" in r.stdout + r.stderr, (r.stdout, r.stderr)
    m.conf_path.write_text(simple_config(fam, downs=("dn1", "dn2")))
    r = ctl(m, "reload")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert wait_for(lambda: "dn2" in ctl(m, "show", "interfaces").stdout, 3.0)


def test_no_daemon_is_a_clear_error(tmp_path):
    r = subprocess.run([ctl_bin(), "-u", str(tmp_path / "none.sock"), "show", "status"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 3
    assert "none.sock" in r.stderr
