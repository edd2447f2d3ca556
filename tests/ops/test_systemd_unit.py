# SPDX-License-Identifier: GPL-2.0-or-later
"""contrib/systemd/mcproxy.service: `systemd-analyze verify` accepts it
without a single complaint, and it keeps the settings the daemon relies on:
Type=notify, reload by SIGHUP, only CAP_NET_ADMIN and CAP_NET_RAW, and a
sandbox (read-only system, no home, private /tmp, no new privileges).

systemd-analyze checks that ExecStart= is an executable file and that the
Documentation= man pages exist. So the unit is verified as a copy whose
/usr/sbin/mcproxy points to a stand-in executable, with MANPATH set to the
pages of doc/ (so a Documentation= line naming a missing page fails).

Run: /usr/bin/python3 -m pytest -q tests/ops/test_systemd_unit.py
Needs: systemd-analyze (Debian package systemd); no root, no running systemd.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
UNIT = TOP / "contrib" / "systemd" / "mcproxy.service"

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze missing (Debian package systemd)")


def directives(text: str) -> dict[str, list[str]]:
    """KEY -> values of the unit (comments and section headers dropped)."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def verify(unit_text: str, tmp: Path) -> subprocess.CompletedProcess:
    """Runs systemd-analyze verify on a copy of the unit (see module doc)."""
    stand_in = tmp / "sbin" / "mcproxy"
    stand_in.parent.mkdir(parents=True, exist_ok=True)
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    for page in (TOP / "doc").glob("*.[1-8]"):
        section = tmp / "man" / f"man{page.suffix[1:]}"
        section.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, section / page.name)
    unit = tmp / "unit" / "mcproxy.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(unit_text.replace("/usr/sbin/mcproxy", str(stand_in)))
    env = dict(os.environ, MANPATH=str(tmp / "man"), SYSTEMD_LOG_COLOR="0", SYSTEMD_PAGER="")
    return subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


@needs_analyze
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    r = verify(UNIT.read_text(), tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    # Unknown keys and bad values are only warnings to systemd: any output fails.
    assert r.stdout.strip() == "" and r.stderr.strip() == "", r.stdout + r.stderr


@needs_analyze
@pytest.mark.parametrize("change,expect", [
    (("ProtectHome=yes", "ProtectHome=yes\nProtectHoem=yes"), "Unknown key"),
    (("Type=notify", "Type=notyfy"), "Type"),
    (("Documentation=man:mcproxy(8)", "Documentation=man:mcproxy-nonexistent(8)"), "man"),
])
def test_the_check_catches_a_broken_unit(tmp_path, change, expect):
    """The check above would see a mistake: each of these must be reported."""
    text = UNIT.read_text()
    assert change[0] in text
    r = verify(text.replace(change[0], change[1], 1), tmp_path)
    output = r.stdout + r.stderr
    assert output.strip() != "" or r.returncode != 0
    assert expect.lower() in output.lower(), output


def test_unit_is_notify_sandboxed_and_keeps_only_the_network_capabilities():
    d = directives(UNIT.read_text())
    assert d["Type"] == ["notify"]
    assert d["ExecStart"] == ["/usr/sbin/mcproxy -f /etc/mcproxy.conf -u /run/mcproxy/mcproxy.sock"]
    assert d["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert set(d["CapabilityBoundingSet"][0].split()) == {"CAP_NET_ADMIN", "CAP_NET_RAW"}
    assert set(d["AmbientCapabilities"][0].split()) <= {"CAP_NET_ADMIN", "CAP_NET_RAW"}
    assert d["ProtectSystem"] == ["strict"]
    assert d["ProtectHome"] == ["yes"]
    assert d["PrivateTmp"] == ["yes"]
    assert d["NoNewPrivileges"] == ["yes"]
    assert d["RuntimeDirectory"] == ["mcproxy"]
    assert set(d["RestrictAddressFamilies"][0].split()) == {
        "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_UNIX"}
    assert d["WantedBy"] == ["multi-user.target"]
    # Every man page the unit names is shipped in doc/.
    for name, section in re.findall(r"man:([\w.-]+)\((\d)\)", " ".join(d["Documentation"])):
        assert (TOP / "doc" / f"{name}.{section}").is_file(), f"{name}({section})"
