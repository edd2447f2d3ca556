# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian package (cmake/packaging.cmake, tools/build-deb.sh) installs
cleanly on a fresh Debian 12 and goes away again.

The package is built from this tree, then installed with
`apt-get install ./mcproxy_*.deb` into a copy of a debootstrap
--variant=minbase bookworm tree (from this machine's apt mirror, cached in
build/debian-bookworm/minbase). In that chroot: the control fields, the
programs run, the shipped configuration is checked with -t, the manuals,
unit and documents are where they belong, `dpkg -L` lists exactly the
expected files, and `apt-get remove` keeps an edited /etc/mcproxy.conf
while `apt-get purge` leaves nothing of the package behind.

Run (as root): /usr/bin/python3 -m pytest -q tests/ops/test_package.py
Needs: debootstrap, dpkg-dev (dpkg-shlibdeps), the build dependencies, and
the Debian mirror of /etc/apt/sources.list*. Environment: MCPROXY_DEB (use
this .deb), MCPROXY_DEBIAN_MIRROR. doc/packaging.md has the details.
First run: about 4 min (Release build and debootstrap); afterwards under
a minute.
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import debian_tree as dt

TOP = dt.TOP
pytestmark = pytest.mark.skipif(dt.skip_reason() is not None, reason=str(dt.skip_reason()))

# Package state and logs that apt and dpkg keep on purpose (Debian policy
# allows them; they are not files of the package).
STATE = ("proc", "sys", "dev", "run", "tmp", "var/lib/dpkg", "var/lib/apt", "var/cache", "var/log",
         "etc/ld.so.cache")


def project_version() -> str:
    m = re.search(r"project\(mcproxy VERSION ([0-9.]+)", (TOP / "CMakeLists.txt").read_text())
    assert m
    return m.group(1)


def snapshot(tree: Path) -> set[str]:
    """Every path in the tree (as /path), apart from STATE."""
    paths = set()
    for folder, dirs, files in os.walk(tree):
        rel = os.path.relpath(folder, tree)
        if rel != "." and any(rel == s or rel.startswith(s + "/") for s in STATE):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = os.path.normpath(os.path.join("/", rel, name))
            if path.lstrip("/") not in STATE:
                paths.add(path)
    return paths


def canonical(tree: Path, path: str) -> str:
    """PATH as found in the tree: /bin/kill is /usr/bin/kill on a merged /usr."""
    parent = (tree / path.lstrip("/")).parent.resolve()
    if not parent.is_relative_to(tree.resolve()):
        return path
    return os.path.join("/", str(parent.relative_to(tree.resolve())), os.path.basename(path)).replace("/./", "/")


def packages(tree: Path) -> set[str]:
    r = dt.chroot(tree, "dpkg-query -W -f '${Package} ${db:Status-Status}\\n'", timeout=60)
    assert r.returncode == 0, r.stderr
    return {line.split()[0] for line in r.stdout.splitlines() if line.endswith(" installed")}


def expected_files() -> set[str]:
    files = {"/etc/mcproxy.conf", "/usr/sbin/mcproxy", "/usr/sbin/mcproxyctl", "/usr/bin/mcproxy-tester",
             "/usr/lib/systemd/system/mcproxy.service", "/usr/share/doc/mcproxy/copyright",
             "/usr/share/doc/mcproxy/changelog.Debian.gz", "/usr/share/doc/mcproxy/examples/mcproxy.conf"}
    for page in (TOP / "doc").glob("*.[1-8]"):
        files.add(f"/usr/share/man/man{page.suffix[1:]}/{page.name}.gz")
    return files


@pytest.fixture(scope="module")
def deb() -> Path:
    started = time.monotonic()
    path = dt.build_deb()
    print(f"\n.deb: {path} ({time.monotonic() - started:.0f} s)")
    return path


@pytest.fixture(scope="module")
def installed(deb):
    started = time.monotonic()
    base = dt.minbase()
    print(f"minbase tree: {base} ({time.monotonic() - started:.0f} s)")
    with dt.scratch_copy(base, "pkg") as tree:
        before = snapshot(tree)
        packages_before = packages(tree)
        started = time.monotonic()
        r = dt.install_deb(tree, deb)
        print(f"apt-get install ./{deb.name}: {time.monotonic() - started:.0f} s")
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        yield {"tree": tree, "before": before, "packages_before": packages_before}


def in_tree(installed, script: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return dt.chroot(installed["tree"], script, timeout=timeout)


def test_control_fields(deb):
    fields = {}
    for key in ("Package", "Version", "Section", "Maintainer", "Depends", "Architecture", "Description"):
        r = dt.run(["dpkg-deb", "-f", str(deb), key], timeout=30)
        assert r.returncode == 0, r.stderr
        fields[key] = r.stdout.strip()
    arch = dt.run(["dpkg", "--print-architecture"], timeout=30).stdout.strip()
    assert fields["Package"] == "mcproxy"
    assert fields["Version"] == project_version() + "-1"
    assert fields["Section"] == "net"
    assert fields["Architecture"] == arch
    assert re.fullmatch(r".+ <[^@\s]+@[^@\s]+>", fields["Maintainer"]), fields["Maintainer"]
    assert fields["Description"].startswith("IGMP/MLD proxy daemon (RFC 4605)\n")
    # Computed by dpkg-shlibdeps from the binaries, plus procps for /bin/kill.
    depends = {d.strip().split()[0] for d in fields["Depends"].split(",")}
    assert {"libc6", "libcap-ng0", "libstdc++6", "procps"} <= depends, fields["Depends"]


def test_installed_with_its_version(installed):
    r = in_tree(installed, "dpkg-query -W -f '${db:Status-Abbrev}${Version}' mcproxy")
    assert r.stdout.split() == ["ii", project_version() + "-1"], r.stdout + r.stderr


def test_programs_run(installed):
    r = in_tree(installed, "mcproxy --version")
    assert r.returncode == 0 and r.stdout.strip() == f"mcproxy {project_version()}", r.stdout + r.stderr
    r = in_tree(installed, "mcproxyctl --version")
    assert r.returncode == 0 and r.stdout.strip() == f"mcproxyctl {project_version()}", r.stdout + r.stderr
    r = in_tree(installed, "mcproxyctl --help")
    assert r.returncode == 0 and "show status" in r.stdout, r.stdout + r.stderr
    r = in_tree(installed, "mcproxy-tester --help")
    assert r.returncode == 0, r.stdout + r.stderr


def test_shipped_configuration(installed):
    # /etc/mcproxy.conf is the example with `disable;` on: valid, but the
    # daemon refuses it until the administrator has edited it.
    r = in_tree(installed, "mcproxy -t -f /etc/mcproxy.conf")
    assert r.returncode == 1 and "DISABLED" in r.stdout + r.stderr, r.stdout + r.stderr
    r = in_tree(installed, "sed 's/^disable;$/#disable;/' /etc/mcproxy.conf > /tmp/enabled.conf && "
                           "mcproxy -t -f /tmp/enabled.conf")
    assert r.returncode == 0 and "is valid" in r.stdout, r.stdout + r.stderr
    r = in_tree(installed, "mcproxy -t -f /usr/share/doc/mcproxy/examples/mcproxy.conf")
    assert r.returncode == 0 and "is valid" in r.stdout, r.stdout + r.stderr
    r = in_tree(installed, "dpkg-query -W -f '${Conffiles}' mcproxy")
    assert r.stdout.split()[0::2] == ["/etc/mcproxy.conf"], r.stdout


def test_manuals_compressed_and_complete(installed):
    tree = installed["tree"]
    pages = sorted((TOP / "doc").glob("*.[1-8]"))
    assert {p.name for p in pages} >= {"mcproxy.8", "mcproxy.conf.5", "mcproxyctl.8", "mcproxy-tester.1"}
    for page in pages:
        packed = tree / "usr" / "share" / "man" / f"man{page.suffix[1:]}" / f"{page.name}.gz"
        assert gzip.decompress(packed.read_bytes()) == page.read_bytes(), packed


def test_unit_file_names_installed_paths(installed):
    tree = installed["tree"]
    unit = (tree / "usr/lib/systemd/system/mcproxy.service").read_text()
    # Prefix /usr: the unit is contrib/systemd/mcproxy.service unchanged.
    assert unit == (TOP / "contrib" / "systemd" / "mcproxy.service").read_text()
    start = re.search(r"^ExecStart=(\S+) -f (\S+) ", unit, re.M)
    assert start and (tree / start.group(1).lstrip("/")).is_file() and (tree / start.group(2).lstrip("/")).is_file()
    reload = re.search(r"^ExecReload=(\S+)", unit, re.M)
    assert reload and os.access(tree / reload.group(1).lstrip("/"), os.X_OK), "ExecReload= program missing"


def test_documents(installed):
    doc = installed["tree"] / "usr/share/doc/mcproxy"
    assert "License: GPL-2.0-or-later" in (doc / "copyright").read_text()
    changelog = gzip.decompress((doc / "changelog.Debian.gz").read_bytes()).decode()
    assert changelog.startswith(f"mcproxy ({project_version()}-1) ")
    assert (doc / "examples" / "mcproxy.conf").read_bytes() == (TOP / "mcproxy.conf").read_bytes()


def test_dpkg_lists_exactly_the_expected_files(installed):
    r = in_tree(installed, "dpkg -L mcproxy")
    assert r.returncode == 0, r.stderr
    tree = installed["tree"]
    listed = [p for p in r.stdout.split("\n") if p.strip()]
    files = {p for p in listed if not (tree / p.lstrip("/")).is_dir()}
    assert files == expected_files()


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian missing (Debian package lintian)")
def test_lintian_reports_no_errors(deb):
    r = dt.run(["lintian", "--allow-root", "--no-tag-display-limit", str(deb)], timeout=300)
    errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
    assert errors == [], r.stdout


def test_remove_keeps_edited_config_and_purge_leaves_nothing(installed):
    """Runs last: it removes the package from the shared tree."""
    tree = installed["tree"]
    listed = in_tree(installed, "dpkg -L mcproxy").stdout.split("\n")
    files = [p for p in listed if p.strip() and not (tree / p.lstrip("/")).is_dir()]
    in_tree(installed, "echo '# edited by the administrator' >> /etc/mcproxy.conf")
    r = in_tree(installed, "apt-get remove -y -q mcproxy", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    left = [f for f in files if (tree / f.lstrip("/")).exists()]
    assert left == ["/etc/mcproxy.conf"], left  # Debian policy 10.7.3: conffiles stay until purge
    assert (tree / "etc/mcproxy.conf").read_text().endswith("# edited by the administrator\n")
    r = in_tree(installed, "apt-get purge -y -q mcproxy", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    r = in_tree(installed, "dpkg-query -W -f '${db:Status-Abbrev}' mcproxy 2>&1 || true")
    assert r.stdout.strip() in ("", "un") or "no packages found" in r.stdout, r.stdout
    assert [f for f in files if (tree / f.lstrip("/")).exists()] == []
    # Nothing else new in the tree but the files of the dependencies apt
    # installed with it (procps and its libraries).
    pulled = packages(tree) - installed["packages_before"]
    theirs: set[str] = set()
    if pulled:
        r = in_tree(installed, "dpkg -L " + " ".join(sorted(pulled)))
        theirs = {canonical(tree, p) for p in r.stdout.split("\n") if p.strip()}
    new = sorted(p for p in snapshot(tree) - installed["before"] if p not in theirs)
    # What the dependencies' maintainer scripts made: init script links
    # (update-rc.d) named after the package, and procps' sysctl link.
    def theirs_too(path: str) -> bool:
        return (re.fullmatch(r"/etc/rc[0-6S]\.d/[SK]\d\d(.+)", path) is not None
                and re.fullmatch(r"/etc/rc[0-6S]\.d/[SK]\d\d(.+)", path).group(1) in pulled) \
            or path == "/etc/sysctl.d/99-sysctl.conf"
    assert [p for p in new if not theirs_too(p)] == [], new

