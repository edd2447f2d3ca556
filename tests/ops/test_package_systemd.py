# SPDX-License-Identifier: GPL-2.0-or-later
"""The packaged unit under a real systemd: the .deb is installed into a
copy of a Debian 12 tree with systemd (cached in
build/debian-bookworm/systemd), which systemd-nspawn boots as a container
with its own network namespace (--private-network). Inside it, with veth
pairs made there (198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32):

- the shipped /etc/mcproxy.conf (`disable;`) makes the start fail with exit
  status 1 and no restart loop;
- with a real configuration `systemctl start` returns once the daemon sent
  READY=1 (Type=notify), the unit is active (running) with the daemon's
  STATUS text;
- the daemon runs as a non-root (dynamic) user whose effective, permitted
  and bounding capability sets are exactly CAP_NET_ADMIN and CAP_NET_RAW,
  with no_new_privs;
- mcproxyctl talks to it over the unit's socket /run/mcproxy/mcproxy.sock;
- `systemctl reload` sends SIGHUP: RELOADING=1 then READY=1, same main PID,
  a new downstream appears; a broken file is refused and the old
  configuration stays;
- reinstalling the package (postinst configure with an old version, as
  an upgrade) restarts the running daemon;
- `systemctl stop`: STOPPING=1, exit status 0, no VIF left in the kernel;
- `apt-get purge` of the enabled, running service stops it, removes the
  enable link and makes systemd forget the unit.

systemd in the container logs at debug level, so the journal holds every
sd_notify message it got. The container is powered off and its tree
deleted afterwards, also on failure.

Run (as root): /usr/bin/python3 -m pytest -q tests/ops/test_package_systemd.py
Needs: what test_package.py needs, plus systemd-nspawn and nsenter
(Debian packages systemd-container, util-linux). doc/packaging.md.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

import debian_tree as dt

# mroute: the daemon runs in the container, so tests/run_all.sh runs this
# file under a kernel with multicast routing (scripts/with-mroute-kernel.sh).
pytestmark = [pytest.mark.mroute,
              pytest.mark.skipif(dt.skip_reason("systemd-nspawn", "nsenter") is not None,
                                 reason=str(dt.skip_reason("systemd-nspawn", "nsenter")))]

SOCKET = "/run/mcproxy/mcproxy.sock"
CONFIG = """\
# written by tests/ops/test_package_systemd.py
protocol IGMPv3;
pinstance ct4: up0 ==> dn0;
protocol MLDv2;
pinstance ct6: up0 ==> dn0;
"""
LINKS = """\
set -e
for l in up0 dn0 dn1; do ip link add $l type veth peer name ${l}p; ip link set ${l}p up; ip link set $l up; done
ip addr add 198.51.100.2/24 dev up0
ip addr add 203.0.113.1/24 dev dn0
ip addr add 192.0.2.1/24 dev dn1
ip addr add 2001:db8:1::2/64 dev up0 nodad
ip addr add 2001:db8:2::1/64 dev dn0 nodad
"""
CAPS = (1 << 12) | (1 << 13)  # CAP_NET_ADMIN, CAP_NET_RAW


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    deb = dt.build_deb()
    started = time.monotonic()
    base = dt.systemd_tree()
    print(f"\nsystemd tree: {base} ({time.monotonic() - started:.0f} s)")
    with dt.scratch_copy(base, "nspawn") as tree:
        r = dt.install_deb(tree, deb)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        # For the maintainer script tests (/tmp may be a tmpfs once booted).
        shutil.copy(deb, tree / "root" / "mcproxy.deb")
        container = dt.Container(tree, tmp_path_factory.mktemp("nspawn") / "console.log")
        try:
            started = time.monotonic()
            container.boot(timeout=120)
            print(f"container booted in {time.monotonic() - started:.1f} s")
            r = container.run("systemd-analyze log-level debug && " + LINKS)
            assert r.returncode == 0, r.stdout + r.stderr
            yield container
        finally:
            started = time.monotonic()
            status = container.poweroff()
            print(f"\ncontainer powered off in {time.monotonic() - started:.1f} s (nspawn exit status {status})")


def sh(box: dt.Container, script: str, timeout: float = 60):
    return box.run(script, timeout=timeout)


def prop(box: dt.Container, name: str) -> str:
    r = sh(box, f"systemctl show -P {name} mcproxy.service")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def journal(box: dt.Container) -> list[str]:
    r = sh(box, "journalctl --no-pager -o cat -u mcproxy.service")
    return r.stdout.splitlines()


def wait_journal(box: dt.Container, start: int, pattern: str, timeout: float = 10) -> list[str]:
    """The unit's journal lines after line START, once one matches PATTERN."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = journal(box)[start:]
        if any(re.search(pattern, line) for line in lines):
            return lines
        time.sleep(0.2)
    raise AssertionError(f"no journal line matching {pattern!r} within {timeout} s:\n" + "\n".join(lines[-40:]))


def notifications(lines: list[str]) -> list[str]:
    """The sd_notify messages systemd logged (debug level), in order."""
    return [m.group(1) for line in lines if (m := re.search(r"Got notification message from PID \d+ \((.*)\)", line))]


def status_of(box: dt.Container, pid: int) -> dict[str, str]:
    r = sh(box, f"cat /proc/{pid}/status")
    assert r.returncode == 0, r.stderr
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in r.stdout.splitlines())}


def write_config(box: dt.Container, text: str) -> None:
    r = sh(box, "cat > /etc/mcproxy.conf <<'EOF'\n" + text + "EOF\n")
    assert r.returncode == 0, r.stderr


def test_shipped_config_refuses_to_start_without_a_restart_loop(box):
    r = sh(box, "systemctl start mcproxy.service")
    assert r.returncode != 0
    # A restart would be pending now (SubState auto-restart during RestartSec).
    assert (prop(box, "ActiveState"), prop(box, "SubState")) == ("failed", "failed")
    assert prop(box, "ExecMainStatus") == "1"
    assert prop(box, "NRestarts") == "0"
    assert any("says 'disable;'" in line for line in journal(box)), "\n".join(journal(box)[-20:])
    sh(box, "systemctl reset-failed mcproxy.service")


def test_start_reports_ready(box):
    write_config(box, CONFIG)
    start = len(journal(box))
    r = sh(box, "systemctl start mcproxy.service", timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr + "\n".join(journal(box)[-30:])
    assert prop(box, "Type") == "notify"
    assert (prop(box, "ActiveState"), prop(box, "SubState")) == ("active", "running")
    assert "2 instance" in prop(box, "StatusText")
    lines = wait_journal(box, start, r"READY=1")
    assert any("READY=1" in n for n in notifications(lines)), lines


def test_daemon_runs_unprivileged_with_two_capabilities(box):
    pid = int(prop(box, "MainPID"))
    assert pid > 0
    st = status_of(box, pid)
    assert all(int(uid) != 0 for uid in st["Uid"].split()), st["Uid"]
    assert all(int(gid) != 0 for gid in st["Gid"].split()), st["Gid"]
    for key in ("CapEff", "CapPrm", "CapBnd"):
        assert int(st[key], 16) == CAPS, f"{key} {st[key]}"
    assert st["NoNewPrivs"] == "1"
    # The unit's DynamicUser owns the socket; root in the container may use it.
    r = sh(box, f"stat -c '%u %a' {SOCKET}")
    assert r.stdout.split()[0] == st["Uid"].split()[0], r.stdout


def test_mcproxyctl_over_the_units_socket(box):
    r = sh(box, f"mcproxyctl -u {SOCKET} show status")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "instance ct4" in r.stdout and "instance ct6" in r.stdout, r.stdout
    assert re.search(r"^\s*up0\s+\d+\s+upstream\s+up\b", r.stdout, re.M), r.stdout
    assert re.search(r"^\s*dn0\s+\d+\s+downstream\s+up\b", r.stdout, re.M), r.stdout
    r = sh(box, f"mcproxyctl -u {SOCKET} --json show status")
    assert r.returncode == 0, r.stderr
    json.loads(r.stdout)


def test_reload_applies_a_new_downstream(box):
    pid = prop(box, "MainPID")
    write_config(box, CONFIG.replace("pinstance ct4: up0 ==> dn0;", "pinstance ct4: up0 ==> dn0 dn1;"))
    start = len(journal(box))
    r = sh(box, "systemctl reload mcproxy.service", timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr + "\n".join(journal(box)[-30:])
    lines = wait_journal(box, start, r"reload: downstream dn1 added")
    lines = wait_journal(box, start, r"READY=1")
    sent = notifications(lines)
    first_reloading = next(i for i, n in enumerate(sent) if "RELOADING=1" in n)
    assert any("READY=1" in n for n in sent[first_reloading:]), sent
    assert (prop(box, "ActiveState"), prop(box, "SubState")) == ("active", "running")
    assert prop(box, "MainPID") == pid, "reload must not restart the daemon"
    r = sh(box, f"mcproxyctl -u {SOCKET} show interfaces")
    assert re.search(r"^\s*dn1\s+\d+\s+downstream\b", r.stdout, re.M), r.stdout


def test_reload_of_a_broken_file_keeps_the_running_configuration(box):
    pid = prop(box, "MainPID")
    write_config(box, CONFIG + "pinstance ct4 downstream dn0 bogus;\n")
    start = len(journal(box))
    sh(box, "systemctl reload mcproxy.service", timeout=30)
    lines = wait_journal(box, start, r"reload refused.*/etc/mcproxy\.conf:\d+|/etc/mcproxy\.conf:\d+.*reload refused")
    assert (prop(box, "ActiveState"), prop(box, "SubState")) == ("active", "running"), lines
    assert prop(box, "MainPID") == pid
    r = sh(box, f"mcproxyctl -u {SOCKET} show interfaces")
    assert re.search(r"^\s*dn1\s+\d+\s+downstream\b", r.stdout, re.M), r.stdout


def test_upgrade_restarts_the_running_daemon(box):
    """postinst configure with an old version (reinstall, as an upgrade):
    systemd reloads units and restarts a running daemon."""
    pid = prop(box, "MainPID")
    write_config(box, CONFIG)
    r = sh(box, "dpkg -i /root/mcproxy.deb", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (prop(box, "ActiveState"), prop(box, "SubState")) == ("active", "running")
    assert prop(box, "MainPID") not in (pid, "0"), "the upgrade must restart the daemon"


def test_stop_ends_cleanly(box):
    pid = int(prop(box, "MainPID"))
    start = len(journal(box))
    r = sh(box, "systemctl stop mcproxy.service", timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert prop(box, "ActiveState") == "inactive"
    assert prop(box, "Result") == "success"
    assert prop(box, "ExecMainStatus") == "0"
    assert sh(box, f"test -d /proc/{pid}").returncode != 0, "daemon still running"
    lines = wait_journal(box, start, r"STOPPING=1")
    assert any("STOPPING=1" in n for n in notifications(lines)), lines
    # No VIF or MIF left in the container's network namespace.
    r = sh(box, "tail -n +2 /proc/net/ip_mr_vif; tail -n +2 /proc/net/ip6_mr_vif")
    assert r.stdout.strip() == "", r.stdout


def test_purge_of_an_enabled_running_service_leaves_nothing(box):
    """Runs last. prerm stops the daemon, postrm forgets the unit and, on
    purge, the link `systemctl enable` made."""
    r = sh(box, "systemctl enable mcproxy.service && systemctl start mcproxy.service", timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    pid = int(prop(box, "MainPID"))
    assert pid > 0
    link = "/etc/systemd/system/multi-user.target.wants/mcproxy.service"
    assert sh(box, f"test -L {link}").returncode == 0
    r = sh(box, "apt-get purge -y -q mcproxy", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sh(box, f"test -d /proc/{pid}").returncode != 0, "purge left the daemon running"
    assert sh(box, f"test -e {link} || test -L {link}").returncode != 0, "enable link left behind"
    assert prop(box, "LoadState") == "not-found", "systemd still knows the unit (no daemon-reload)"
    assert sh(box, "test -e /etc/mcproxy.conf || test -e /usr/sbin/mcproxy").returncode != 0
