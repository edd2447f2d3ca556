# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon speaks the sd_notify protocol the unit (Type=notify) relies
on: READY=1 once its instances run; on SIGHUP RELOADING=1 with a
MONOTONIC_USEC taken after the signal, then READY=1 again (also when the new
file is bad and the old configuration stays); STOPPING=1 on SIGTERM, then
exit status 0. A datagram socket bound by the test stands in for systemd.

Run (as root, after building mcproxy):
  /usr/bin/python3 -m pytest -q tests/ops/test_notify.py
Environment: MCPROXY_BIN (default: build/mcproxy of this tree).
Skips when mcproxy is missing, cannot run the daemon yet, or has no
sd_notify support linked in (no "NOTIFY_SOCKET" in the binary).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
LAB_SCRIPT = TOP / "debug" / "netns-lab.sh"
MCPROXY = Path(os.environ.get("MCPROXY_BIN", TOP / "build" / "mcproxy"))


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if shutil.which("ip") is None or shutil.which("sysctl") is None:
        return "missing iproute2 or procps"
    if not MCPROXY.is_file():
        return f"build mcproxy first ({MCPROXY})"
    if b"NOTIFY_SOCKET" not in MCPROXY.read_bytes():
        return "this mcproxy has no sd_notify support linked in yet"
    return None


# mroute: runs the daemon, so tests/run_all.sh runs it under a kernel with
# multicast routing (scripts/with-mroute-kernel.sh).
pytestmark = [pytest.mark.mroute,
              pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))]


def monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


class Manager:
    """A bound AF_UNIX datagram socket: what systemd listens on."""

    def __init__(self, folder: Path):
        self.path = folder / "notify"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.seen: list[dict[str, str]] = []

    def next(self, timeout: float) -> dict[str, str] | None:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(8192).decode()
        except socket.timeout:
            return None
        fields = dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
        self.seen.append(fields)
        return fields

    def wait_for(self, key: str, timeout: float = 10.0) -> dict[str, str]:
        """The first notification with `key`; earlier ones are kept in seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fields = self.next(max(0.05, deadline - time.monotonic()))
            if fields is not None and key in fields:
                return fields
        raise AssertionError(f"no {key} within {timeout} s; got {self.seen}")

    def close(self):
        self.sock.close()


@pytest.fixture
def setup(tmp_path):
    name = "opn" + uuid.uuid4().hex[:6]
    env = dict(os.environ, LAB=name, LAB_DIR=str(tmp_path / "configs"))
    folder = Path(tempfile.mkdtemp(prefix=name + "-"))
    manager = None
    try:
        subprocess.run([str(LAB_SCRIPT), "up"], env=env, check=True, capture_output=True, timeout=60)
        conf = folder / "mcproxy.conf"
        conf.write_text((tmp_path / "configs" / "igmpv3.conf").read_text())
        manager = Manager(folder)
        yield {"proxy": f"{name}-proxy", "conf": conf, "manager": manager}
    finally:
        if manager:
            manager.close()
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([str(LAB_SCRIPT), "down"], env=env, check=False, capture_output=True, timeout=60)


def start(setup) -> subprocess.Popen:
    env = dict(os.environ, NOTIFY_SOCKET=str(setup["manager"].path))
    return subprocess.Popen(["ip", "netns", "exec", setup["proxy"], str(MCPROXY), "-f", str(setup["conf"])],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_ready_reload_stop(setup):
    manager = setup["manager"]
    daemon = start(setup)
    try:
        time.sleep(0.5)
        if daemon.poll() is not None:
            out = daemon.stdout.read()
            if "cannot run the daemon yet" in out:
                pytest.skip("this build of mcproxy cannot run the daemon yet")
            pytest.fail(f"mcproxy exited ({daemon.returncode}):\n{out}")
        manager.wait_for("READY")

        before = monotonic_usec()
        daemon.send_signal(signal.SIGHUP)
        reloading = manager.wait_for("RELOADING")
        assert reloading["RELOADING"] == "1"
        stamp = int(reloading["MONOTONIC_USEC"])
        assert before <= stamp <= monotonic_usec(), (before, stamp)
        assert manager.wait_for("READY")["READY"] == "1"
        assert daemon.poll() is None

        # A bad file: the reload is refused, the daemon keeps running and
        # still tells systemd it is ready again.
        setup["conf"].write_text("protocol IGMPv3;\npinstance broken: ==> ;\n")
        daemon.send_signal(signal.SIGHUP)
        manager.wait_for("RELOADING")
        manager.wait_for("READY")
        time.sleep(0.3)
        assert daemon.poll() is None, "a bad reload must not stop mcproxy"

        daemon.send_signal(signal.SIGTERM)
        assert manager.wait_for("STOPPING")["STOPPING"] == "1"
        assert daemon.wait(timeout=10) == 0
    finally:
        stop(daemon)
