# SPDX-License-Identifier: GPL-2.0-or-later
"""The privileges the systemd unit leaves mcproxy are enough to proxy.

contrib/systemd/mcproxy.service reduces the capability bounding set to
CAP_NET_ADMIN and CAP_NET_RAW, sets NoNewPrivileges and keeps the two as
ambient capabilities (for a drop-in with User=). systemd itself cannot run
here, so setpriv(1) puts the daemon in the same position, in a netns lab
(debug/netns-lab.sh), and a stream from the source must reach a listener
through it: once as root and once as an unprivileged uid with the ambient
capabilities.

Run (as root, after building mcproxy and mcproxy-tester):
  /usr/bin/python3 -m pytest -q tests/ops/test_unit_privileges.py
Environment: MCPROXY_BIN, MCPROXY_TESTER_BIN (default: build/ of this tree).
Skips when the binaries are missing or the daemon cannot run yet.
Needs: iproute2, util-linux (setpriv), procps (sysctl).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
LAB_SCRIPT = TOP / "debug" / "netns-lab.sh"
UNIT = TOP / "contrib" / "systemd" / "mcproxy.service"
MCPROXY = Path(os.environ.get("MCPROXY_BIN", TOP / "build" / "mcproxy"))
TESTER = Path(os.environ.get("MCPROXY_TESTER_BIN", TOP / "build" / "mcproxy-tester"))
CAP_BITS = {"CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13}


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    missing = [t for t in ("ip", "setpriv", "sysctl") if shutil.which(t) is None]
    if missing:
        return "missing tools: " + ", ".join(missing)
    if not (MCPROXY.is_file() and TESTER.is_file()):
        return f"build mcproxy and mcproxy-tester first ({MCPROXY}, {TESTER})"
    return None


# mroute: runs the daemon, so tests/run_all.sh runs it under a kernel with
# multicast routing (scripts/with-mroute-kernel.sh).
pytestmark = [pytest.mark.mroute,
              pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))]


def unit_capabilities() -> list[str]:
    for line in UNIT.read_text().splitlines():
        if line.startswith("CapabilityBoundingSet="):
            return line.split("=", 1)[1].split()
    raise AssertionError("unit has no CapabilityBoundingSet=")


def setpriv_args(unprivileged: bool) -> list[str]:
    caps = ",".join("+" + c.removeprefix("CAP_").lower() for c in unit_capabilities())
    args = ["setpriv", f"--bounding-set=-all,{caps}", "--no-new-privs"]
    if unprivileged:
        args += ["--reuid=65534", "--regid=65534", "--clear-groups",
                 f"--inh-caps=-all,{caps}", f"--ambient-caps=-all,{caps}"]
    else:
        args += ["--inh-caps=-all"]
    return args


@pytest.fixture
def lab(tmp_path):
    name = "opp" + uuid.uuid4().hex[:6]
    env = dict(os.environ, LAB=name, LAB_DIR=str(tmp_path / "configs"))
    try:
        subprocess.run([str(LAB_SCRIPT), "up"], env=env, check=True, capture_output=True, timeout=60)
        yield {"name": name, "dir": tmp_path / "configs", **{r: f"{name}-{r}" for r in ("src", "proxy", "l1")}}
    finally:
        subprocess.run([str(LAB_SCRIPT), "down"], env=env, check=False, capture_output=True, timeout=60)
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.split() and line.split()[0].startswith(name + "-"):
                subprocess.run(["ip", "netns", "del", line.split()[0]], check=False)


def stop(proc: subprocess.Popen) -> str:
    """Stops a process this test started (by its pid) and returns its output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.stdout.read() if proc.stdout else ""


def status_of(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def mcproxy_pid(proc: subprocess.Popen) -> int:
    """setpriv execs the daemon: the pid is the daemon's once it has run."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if Path(f"/proc/{proc.pid}/exe").exists() and os.readlink(f"/proc/{proc.pid}/exe") == str(MCPROXY.resolve()):
            return proc.pid
        time.sleep(0.05)
    return proc.pid


@pytest.mark.parametrize("unprivileged", [False, True], ids=["root", "uid65534-ambient"])
def test_stream_passes_with_only_the_units_capabilities(lab, unprivileged):
    # A file the unprivileged uid can read (pytest's folders are private).
    conf = Path(tempfile.mkdtemp(prefix=lab["name"] + "-")) / "igmpv3.conf"
    conf.parent.chmod(0o755)
    conf.write_text((lab["dir"] / "igmpv3.conf").read_text())
    conf.chmod(0o644)
    # Root with only the two capabilities cannot become another user: it
    # stays root only when told so (--keep-root): a daemon that parses packets
    # from any host on its links must not hold root by accident.
    keep = [] if unprivileged else ["--keep-root"]
    if not unprivileged:
        refused = subprocess.run(["ip", "netns", "exec", lab["proxy"], *setpriv_args(False), str(MCPROXY),
                                  "-f", str(conf)], capture_output=True, text=True, timeout=10)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "--keep-root" in refused.stderr, refused.stderr
    daemon = subprocess.Popen(["ip", "netns", "exec", lab["proxy"], *setpriv_args(unprivileged), str(MCPROXY),
                               "-f", str(conf), *keep], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    receiver = None
    try:
        pid = mcproxy_pid(daemon)
        time.sleep(1.0)
        if daemon.poll() is not None:
            output = stop(daemon)
            if "cannot run the daemon yet" in output:
                pytest.skip("this build of mcproxy cannot run the daemon yet")
            pytest.fail(f"mcproxy exited ({daemon.returncode}) under the unit's privileges:\n{output}")
        st = status_of(pid)
        wanted = sum(1 << CAP_BITS[c] for c in unit_capabilities())
        assert int(st["CapBnd"], 16) == wanted and int(st["CapEff"], 16) == wanted, st
        assert st["NoNewPrivs"] == "1"
        assert st["Uid"].split()[0] == ("65534" if unprivileged else "0")

        receiver = subprocess.Popen(["ip", "netns", "exec", lab["l1"], str(TESTER), "receive", "eth0", "239.1.1.1",
                                     "--duration", "5", "--json"], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        subprocess.run(["ip", "netns", "exec", lab["src"], str(TESTER), "send", "eth0", "239.1.1.1",
                        "--rate", "50", "--count", "100", "--ttl", "8"], check=True, capture_output=True, timeout=30)
        out, _ = receiver.communicate(timeout=30)
        match = re.search(r"\{.*\}", out, re.S)
        assert match, out
        summary = json.loads(match.group(0))
        # The join may take a moment to reach the proxy: most of the stream,
        # but certainly something, must arrive.
        assert summary["received"] >= 50, summary
        assert summary["sources"].get("198.51.100.1", 0) == summary["received"], summary
    finally:
        if receiver is not None and receiver.poll() is None:
            stop(receiver)
        stop(daemon)
        shutil.rmtree(conf.parent, ignore_errors=True)
