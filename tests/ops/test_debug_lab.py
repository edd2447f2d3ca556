# SPDX-License-Identifier: GPL-2.0-or-later
"""debug/netns-lab.sh and debug/link-breaker.sh do what debug/README.md
says: the lab comes up with working unicast across the proxy (IPv4 and
IPv6), a broken link drops everything while staying UP with carrier, a
healed one works again, only the breaker's own tc state is touched, and
`down` (also after a failed `up`) leaves no namespace behind. Both scripts
are shellcheck clean.

Run (as root): /usr/bin/python3 -m pytest -q tests/ops/test_debug_lab.py
Needs: iproute2 (ip, tc), iputils-ping, procps (sysctl), shellcheck; a
kernel with network namespaces, clsact (CONFIG_NET_SCH_INGRESS) and
CONFIG_NET_CLS_BPF. Every lab has a unique name and is deleted also when
a test fails.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
LAB_SCRIPT = TOP / "debug" / "netns-lab.sh"
BREAKER = TOP / "debug" / "link-breaker.sh"
ROLES = ("src", "proxy", "l1", "l2")


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    missing = [t for t in ("ip", "tc", "ping", "sysctl") if shutil.which(t) is None]
    if missing:
        return "missing tools: " + ", ".join(missing)
    return None


needs_root = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


def run(argv, *, env=None, check=True, timeout=60) -> subprocess.CompletedProcess:
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout,
                       env=env, check=False, stdin=subprocess.DEVNULL)
    if check and r.returncode != 0:
        raise AssertionError(f"{argv} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def namespaces() -> set[str]:
    out = run(["ip", "netns", "list"]).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def remove_lab(lab: str) -> None:
    """Safety net after `down`: no namespace of the lab may survive a test."""
    for ns in namespaces():
        if ns.startswith(lab + "-"):
            run(["ip", "netns", "del", ns], check=False)


def lab_env(lab: str, lab_dir: Path) -> dict:
    return dict(os.environ, LAB=lab, LAB_DIR=str(lab_dir))


def ping(ns: str, address: str, count: int = 1) -> bool:
    six = ["-6"] if ":" in address else []
    r = run(["ip", "netns", "exec", ns, "ping", *six, "-n", "-q", "-c", count, "-W", "1", address],
            check=False, timeout=30)
    return r.returncode == 0


def breaker(ns: str, *args, check=True) -> subprocess.CompletedProcess:
    return run(["ip", "netns", "exec", ns, BREAKER, *args], check=check)


def link_flags(ns: str, iface: str) -> tuple[set[str], str]:
    line = run(["ip", "-n", ns, "-o", "link", "show", "dev", iface]).stdout
    flags = set(re.search(r"<([^>]*)>", line).group(1).split(","))
    state = re.search(r" state (\S+)", line).group(1)
    return flags, state


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    name = "opl" + uuid.uuid4().hex[:6]
    lab_dir = tmp_path_factory.mktemp("lab") / "configs"
    env = lab_env(name, lab_dir)
    try:
        up = run([LAB_SCRIPT, "up"], env=env)
        yield {"name": name, "dir": lab_dir, "env": env, "up": up.stdout,
               **{role: f"{name}-{role}" for role in ROLES}}
    finally:
        run([LAB_SCRIPT, "down"], env=env, check=False)
        remove_lab(name)


@needs_root
def test_up_builds_four_namespaces_and_says_how_to_run_mcproxy(lab):
    assert {lab[r] for r in ROLES} <= namespaces()
    assert f"ip netns exec {lab['proxy']} " in lab["up"] and "mcproxy" in lab["up"]
    igmp = (lab["dir"] / "igmpv3.conf").read_text()
    mld = (lab["dir"] / "mldv2.conf").read_text()
    assert "protocol IGMPv3;" in igmp and "up0 ==> dn1 dn2;" in igmp
    assert "protocol MLDv2;" in mld and "up0 ==> dn1 dn2;" in mld
    assert str(lab["dir"] / "igmpv3.conf") in lab["up"]


@needs_root
@pytest.mark.parametrize("listener,address", [
    ("l1", "198.51.100.1"), ("l2", "198.51.100.1"),
    ("l1", "2001:db8:1::1"), ("l2", "2001:db8:1::1"),
    ("l1", "192.0.2.12"), ("l2", "2001:db8:2::11"),
])
def test_ping_across_the_lab(lab, listener, address):
    assert ping(lab[listener], address)


@needs_root
def test_broken_link_drops_everything_but_stays_up(lab):
    proxy = lab["proxy"]
    before = link_flags(proxy, "dn1")
    assert {"UP", "LOWER_UP"} <= before[0]
    try:
        out = breaker(proxy, "break", "dn1").stdout
        assert "broken" in out
        # Both directions, both families, from both ends of the link.
        assert not ping(lab["l1"], "198.51.100.1", count=2)
        assert not ping(lab["l1"], "203.0.113.1")
        assert not ping(proxy, "203.0.113.11")
        assert not ping(lab["l1"], "2001:db8:2::1")
        # The link does not know: flags and operational state unchanged,
        # on this side and on the peer's.
        assert link_flags(proxy, "dn1") == before
        assert {"UP", "LOWER_UP"} <= link_flags(lab["l1"], "eth0")[0]
        assert link_flags(lab["l1"], "eth0")[1] == "UP"
        # The other downstream is untouched.
        assert ping(lab["l2"], "198.51.100.1")
        assert "dn1: broken" in breaker(proxy, "status", "dn1").stdout
        assert "dn2: ok" in breaker(proxy, "status", "dn2").stdout
    finally:
        breaker(proxy, "heal", "dn1", check=False)
    assert "dn1: ok" in breaker(proxy, "status", "dn1").stdout
    assert ping(lab["l1"], "198.51.100.1")
    assert ping(lab["l1"], "2001:db8:1::1")
    assert link_flags(proxy, "dn1") == before
    # Healing leaves no tc state behind.
    assert "clsact" not in run(["ip", "netns", "exec", proxy, "tc", "qdisc", "show", "dev", "dn1"]).stdout


@needs_root
def test_break_and_heal_can_be_repeated(lab):
    proxy = lab["proxy"]
    try:
        breaker(proxy, "break", "up0")
        breaker(proxy, "break", "up0")
        filters = run(["ip", "netns", "exec", proxy, "tc", "filter", "show", "dev", "up0", "ingress"]).stdout
        assert filters.count("direct-action") == 1, filters
        assert not ping(lab["src"], "198.51.100.2")
    finally:
        breaker(proxy, "heal", "up0")
    breaker(proxy, "heal", "up0")
    assert ping(lab["src"], "198.51.100.2")


@needs_root
def test_breaker_works_on_the_listener_side_and_keeps_foreign_filters(lab):
    l2 = lab["l2"]
    tc = ["ip", "netns", "exec", l2, "tc"]
    run([*tc, "qdisc", "add", "dev", "eth0", "clsact"])
    try:
        # A filter of someone else (u32, no action) on the same qdisc.
        run([*tc, "filter", "add", "dev", "eth0", "ingress", "pref", "7", "protocol", "ip",
             "u32", "match", "u32", "0", "0", "classid", "1:1"])
        breaker(l2, "break", "eth0")
        assert not ping(l2, "192.0.2.1")
        breaker(l2, "heal", "eth0")
        assert ping(l2, "192.0.2.1")
        left = run([*tc, "filter", "show", "dev", "eth0", "ingress"]).stdout
        assert "pref 7 u32" in left and "direct-action" not in left
        assert "clsact" in run([*tc, "qdisc", "show", "dev", "eth0"]).stdout
    finally:
        run([*tc, "qdisc", "del", "dev", "eth0", "clsact"], check=False)


@needs_root
def test_breaker_errors(lab):
    r = breaker(lab["proxy"], "break", "nosuchif", check=False)
    assert r.returncode == 1 and "no interface 'nosuchif'" in r.stderr
    r = breaker(lab["proxy"], "explode", "dn1", check=False)
    assert r.returncode == 2 and "Usage" in r.stderr
    r = run([BREAKER, "--help"], check=False)
    assert r.returncode == 0 and "break IF" in r.stdout


@needs_root
def test_failed_up_leaves_nothing_behind(tmp_path):
    name = "opf" + uuid.uuid4().hex[:6]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    env = lab_env(name, blocker / "configs")  # mkdir fails after the namespaces exist
    try:
        r = run([LAB_SCRIPT, "up"], env=env, check=False)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "removing the lab" in r.stderr
        assert not {ns for ns in namespaces() if ns.startswith(name + "-")}
    finally:
        remove_lab(name)


@needs_root
def test_up_refuses_an_existing_lab_and_down_is_repeatable(tmp_path):
    name = "opd" + uuid.uuid4().hex[:6]
    env = lab_env(name, tmp_path / "configs")
    try:
        run([LAB_SCRIPT, "up"], env=env)
        again = run([LAB_SCRIPT, "up"], env=env, check=False)
        assert again.returncode == 1 and "exists" in again.stderr
        assert {f"{name}-{r}" for r in ROLES} <= namespaces()  # the refusal broke nothing
        run([LAB_SCRIPT, "down"], env=env)
        assert not {ns for ns in namespaces() if ns.startswith(name + "-")}
        assert not (tmp_path / "configs").exists()
        run([LAB_SCRIPT, "down"], env=env)
        assert "is down" in run([LAB_SCRIPT, "status"], env=env).stdout
    finally:
        remove_lab(name)


def test_lab_usage_errors():
    r = run([LAB_SCRIPT, "sideways"], check=False)
    assert r.returncode == 2 and "Usage" in r.stderr
    r = run([LAB_SCRIPT], check=False)
    assert r.returncode == 2


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck missing (Debian package shellcheck)")
@pytest.mark.parametrize("script", [LAB_SCRIPT, BREAKER, TOP / "scripts" / "with-mroute-kernel.sh",
                                    TOP / "debug" / "demo_netns.sh", TOP / "debug" / "demo.sh"],
                         ids=lambda p: p.name)
def test_shellcheck_clean(script):
    r = run(["shellcheck", "-x", script], check=False)
    assert r.returncode == 0, r.stdout + r.stderr
