# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the namespace integration tests.

Needs root, iproute2 and tcpdump; skips every test cleanly otherwise.
Each test gets its own uniquely named namespaces (see netns.py), deleted by
finalizers also when the test fails or the run is interrupted.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import netns  # noqa: E402
from capture import Capture  # noqa: E402
from procs import Mcproxy, tester_bin  # noqa: E402


def _skip_reason() -> str | None:
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "namespace tests need root"
    missing = netns.missing_tools(("ip", "tcpdump"))
    if missing:
        return "missing tools: " + ", ".join(missing)
    if importlib.util.find_spec("scapy") is None:
        return "python3-scapy is not installed"
    if not os.path.exists("/proc/net/ip_mr_vif"):
        return ("kernel without IPv4 multicast routing (CONFIG_IP_MROUTE): run the suite through "
                "scripts/with-mroute-kernel.sh, which boots a kernel that has it")
    return None


def _sigterm_to_interrupt(signum, frame):
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so finalizers run.
    raise KeyboardInterrupt()


def pytest_configure(config):
    signal.signal(signal.SIGTERM, _sigterm_to_interrupt)


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def _stale_namespaces():
    """Removes namespaces a killed earlier run left behind."""
    if _skip_reason() is None:
        netns.remove_stale_namespaces()
    yield


@pytest.fixture
def topo(request):
    """A Topology owning this test's namespaces; deleted afterwards."""
    t = netns.Topology(request.node.name)
    yield t
    names = [n.name for n in t.namespaces]
    t.close()
    left = [n for n in netns.list_namespaces(t.id)]
    assert not left, f"namespaces left behind: {left} (created {names})"


@pytest.fixture
def tester():
    """Path of mcproxy-tester; fails clearly if it was not built."""
    path = tester_bin()
    if not os.path.exists(path):
        pytest.fail(f"{path} not found: build the mcproxy-tester target or set MCPROXY_TESTER_BIN")
    return path


@pytest.fixture
def capture(tmp_path):
    """Factory: capture(ns, iface) starts tcpdump and returns the Capture;
    call .stop() before reading (it is stopped at teardown anyway)."""
    caps: list[Capture] = []

    def start(ns, iface) -> Capture:
        c = Capture(ns, iface, str(tmp_path / f"{ns.role}-{iface}-{len(caps)}.pcap"))
        caps.append(c.start())
        return c

    yield start
    for c in caps:
        c.stop()


@pytest.fixture
def mcproxy(request, tmp_path, tester):
    """Factory: mcproxy(ns, config, ready=None, args=("-d",)) starts the daemon
    in `ns` and waits for `ready`. Every daemon is stopped at teardown and
    its log attached to the test report."""
    procs: list[Mcproxy] = []

    def start(ns, config, ready=None, args=("-d",), timeout=5.0, name=None) -> Mcproxy:
        m = Mcproxy(ns, config, tmp_path, args=args, name=name or f"mcproxy{len(procs)}")
        procs.append(m)
        return m.start(ready=ready, timeout=timeout)

    def refused(ns, config, args=("-d",), timeout=5.0) -> Mcproxy:
        """Runs a daemon that must exit by itself; returns it (returncode set)."""
        m = Mcproxy(ns, config, tmp_path, args=args, name=f"mcproxy{len(procs)}")
        procs.append(m)
        m.run_to_exit(timeout)
        return m

    start.refused = refused
    yield start
    for m in procs:
        m.stop()
        request.node.add_report_section("teardown", f"{m.log_path.name}", m.log())
