# SPDX-License-Identifier: GPL-2.0-or-later
"""An instance whose event loop fails (a handler throws, as a bug would)
never leaves the daemon half-alive: the supervisor removes that instance's
kernel state and restarts it, reloads and the control socket keep
answering, and an instance that fails again and again ends the daemon with
status 70 (EX_SOFTWARE), on which the packaged unit restarts it (doc/architecture.md).
The failure is injected with MCPROXY_FAULT (fault_injection.hpp)."""
from __future__ import annotations

import os
import signal
import subprocess

import pytest

import procs
from kernel_state import mr_vifs, mroutes
from netns import patience
from procs import REPO, wait_for
from scenario import V4, FAMILIES, assert_stream_complete, simple_config, vifs_ready, wait_upstream_join


def ctl(m, *args: str) -> subprocess.CompletedProcess:
    binary = os.environ.get("MCPROXYCTL_BIN", str(REPO / "build" / "mcproxyctl"))
    return subprocess.run([binary, "-u", str(m.socket_path), *args], capture_output=True, text=True,
                          timeout=patience(10))


@pytest.mark.parametrize("fam", FAMILIES)
def test_failed_instance_is_restarted_and_the_daemon_keeps_answering(topo, capture, mcproxy, monkeypatch, fam):
    net = topo.proxy_net((1, 1))
    monkeypatch.setenv("MCPROXY_FAULT", "loop-throw:proxy")  # once, at the instance's first timer
    up = capture(net.router.ns, "eth0")
    # --keep-root: the reload below re-reads a file in the test's own folder.
    m = mcproxy(net.proxy, simple_config(fam), args=("-d", "--keep-root"))
    assert wait_for(lambda: "pinstance proxy restarted" in m.log(), patience(10)), m.log()
    assert "event loop stopped: fault injected by MCPROXY_FAULT" in m.log()
    assert "pinstance proxy failed (fault injected by MCPROXY_FAULT)" in m.log()
    assert wait_for(vifs_ready(net.proxy, fam), patience(5)), mr_vifs(net.proxy, fam.name)

    # The restarted instance does its job: a join goes upstream, the stream comes down.
    rx = procs.receive(net.hosts["h1"].ns, "eth0", fam.group, duration=patience(5), count=50)
    wait_upstream_join(up, fam, fam.group, net)
    procs.send(net.router.ns, "eth0", fam.group, count=50, rate=100, source_address=fam.src_a)
    assert_stream_complete(rx.summary(), 50)

    # The control socket and a reload answer (neither waits on the dead loop).
    r = ctl(m, "show", "status")
    assert r.returncode == 0 and "proxy" in r.stdout, (r.stdout, r.stderr)
    m.signal(signal.SIGHUP)
    assert wait_for(lambda: "configuration" in m.log() and "applied" in m.log(), patience(5)), m.log()
    assert m.running(), m.log()

    assert m.stop(timeout=patience(3)) == 0, m.log()
    assert mr_vifs(net.proxy, fam.name) == []
    assert mroutes(net.proxy, fam.name) == []


def test_an_instance_that_keeps_failing_ends_the_daemon_with_status_70(topo, mcproxy, monkeypatch):
    fam = V4
    net = topo.proxy_net((1, 1))
    monkeypatch.setenv("MCPROXY_FAULT", "loop-throw-always:proxy")  # after every (re)start
    m = mcproxy.refused(net.proxy, simple_config(fam), timeout=20)
    assert m.returncode == 70, m.log()
    assert "pinstance proxy failed (fault injected by MCPROXY_FAULT) 4 times within 60 s; exiting" in m.log()
    assert m.log().count("pinstance proxy restarted") == 3, m.log()
    assert mr_vifs(net.proxy, fam.name) == []
