# SPDX-License-Identifier: GPL-2.0-or-later
"""`cmake --install` of a configured and built tree puts the daemon, the
manuals, the example configuration and the systemd unit where they belong,
never overwrites an existing /etc/mcproxy.conf, and installs that file with
`disable;` switched on.

Run (after building all targets):
  MCPROXY_BUILD_DIR=build /usr/bin/python3 -m pytest -q tests/ops/test_install.py
Skips when the build folder has no mcproxy binary. No root needed: installs
into a temporary DESTDIR.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("MCPROXY_BUILD_DIR", TOP / "build")).resolve()


def cache_value(key: str) -> str:
    for line in (BUILD / "CMakeCache.txt").read_text().splitlines():
        if line.startswith(key + ":"):
            return line.split("=", 1)[1]
    raise KeyError(key)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not (BUILD / "mcproxy").is_file() or not (BUILD / "cmake_install.cmake").is_file():
        pytest.skip(f"no built tree in {BUILD} (build first, or set MCPROXY_BUILD_DIR)")
    dest = tmp_path_factory.mktemp("destdir")
    r = subprocess.run(["cmake", "--install", str(BUILD)], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, DESTDIR=str(dest)), check=False)
    if r.returncode != 0 and "cannot find" in r.stderr:
        pytest.skip("not every installed target is built: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stdout + r.stderr
    prefix = Path(cache_value("CMAKE_INSTALL_PREFIX"))
    return dest, prefix, r.stdout


def under(dest: Path, path: Path) -> Path:
    return dest / path.relative_to("/")


def etc_dir(prefix: Path) -> Path:
    """CMAKE_INSTALL_FULL_SYSCONFDIR as GNUInstallDirs computes it."""
    sysconf = Path(cache_value("CMAKE_INSTALL_SYSCONFDIR"))
    if sysconf.is_absolute():
        return sysconf
    if prefix == Path("/usr"):
        return Path("/") / sysconf
    if prefix.parts[:2] == ("/", "opt"):
        return Path("/") / sysconf / prefix.relative_to("/")
    return prefix / sysconf


def test_daemon_in_sbin(installed):
    dest, prefix, _ = installed
    daemon = under(dest, prefix / "sbin" / "mcproxy")
    assert daemon.is_file() and os.access(daemon, os.X_OK)


def test_every_manual_in_its_section(installed):
    dest, prefix, _ = installed
    pages = sorted((TOP / "doc").glob("*.[1-8]"))
    assert pages
    for page in pages:
        target = under(dest, prefix / "share" / "man" / f"man{page.suffix[1:]}" / page.name)
        assert target.is_file(), target
        assert target.read_bytes() == page.read_bytes()


def test_example_config_as_documentation(installed):
    dest, prefix, _ = installed
    example = under(dest, prefix / "share" / "doc" / "mcproxy" / "examples" / "mcproxy.conf")
    assert example.read_bytes() == (TOP / "mcproxy.conf").read_bytes()


def test_system_config_is_disabled_until_edited(installed):
    dest, prefix, _ = installed
    conf = under(dest, etc_dir(prefix) / "mcproxy.conf")
    text = conf.read_text()
    assert re.search(r"^disable;$", text, re.M), "installed configuration must start disabled"
    # Otherwise it is the example, line for line.
    assert text.replace("\ndisable;\n", "\n#disable;\n") == (TOP / "mcproxy.conf").read_text()


def test_existing_config_is_kept(installed):
    dest, prefix, _ = installed
    conf = under(dest, etc_dir(prefix) / "mcproxy.conf")
    conf.write_text("# edited by the administrator\n")
    r = subprocess.run(["cmake", "--install", str(BUILD)], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, DESTDIR=str(dest)), check=False)
    assert r.returncode == 0, r.stderr
    assert conf.read_text() == "# edited by the administrator\n"
    assert "Keeping" in r.stdout


def test_systemd_unit_with_this_prefix(installed):
    dest, prefix, _ = installed
    try:
        unit_dir = Path(cache_value("MCPROXY_SYSTEMD_UNIT_DIR"))  # given with -D
    except KeyError:
        unit_dir = prefix / "lib" / "systemd" / "system"
    unit = under(dest, unit_dir / "mcproxy.service").read_text()
    assert f"ExecStart={prefix}/sbin/mcproxy -f {etc_dir(prefix)}/mcproxy.conf -u /run/mcproxy/mcproxy.sock\n" in unit
    # Apart from those two paths it is the unit of contrib/systemd.
    source = (TOP / "contrib" / "systemd" / "mcproxy.service").read_text()
    assert unit == source.replace("/usr/sbin/mcproxy", f"{prefix}/sbin/mcproxy").replace(
        "/etc/mcproxy.conf", f"{etc_dir(prefix)}/mcproxy.conf")


@pytest.mark.skipif(shutil.which("man") is None, reason="man missing (Debian package man-db)")
def test_installed_manual_is_found_by_man(installed):
    dest, prefix, _ = installed
    env = dict(os.environ, MANPATH=str(under(dest, prefix / "share" / "man")), LC_ALL="C.UTF-8", MANPAGER="cat")
    r = subprocess.run(["man", "-w", "8", "mcproxy"], capture_output=True, text=True, env=env, timeout=60,
                       check=False)
    assert r.returncode == 0 and r.stdout.strip().endswith("man8/mcproxy.8"), r.stdout + r.stderr
