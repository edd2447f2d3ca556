# SPDX-License-Identifier: GPL-2.0-or-later
"""A clean Debian 12 tree for the package tests (test_package.py,
test_package_systemd.py): the .deb of this source tree, a debootstrapped
bookworm tree cached under build/, throw-away copies of it, commands in a
chroot with /proc mounted only while they run, and a systemd-nspawn
container booted from a copy.

The mirror is the one this machine's apt uses (/etc/apt/sources.list and
sources.list.d/, one-line or deb822 format), or MCPROXY_DEBIAN_MIRROR.
MCPROXY_DEB names a prebuilt package instead of building one with
tools/build-deb.sh.

Every mount is undone in a finally block, and a tree is deleted only when
nothing is mounted below it any more.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
CACHE = TOP / "build" / "debian-bookworm"
SUITE = "bookworm"
# Packages the systemd tree adds to minbase: an init that boots in a
# container, the bus systemctl talks over, ip for the test's links, and
# procps, the one dependency of mcproxy's package that minbase lacks, so that
# the package installs offline (test_package_systemd.py runs in a VM without
# a network when this kernel has no multicast routing).
SYSTEMD_PACKAGES = ["systemd", "systemd-sysv", "dbus", "iproute2", "procps"]
# Bump when the recipe of a cached tree changes: the cache is rebuilt.
RECIPE = "2"
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive",
       "HOME": "/root"}


def skip_reason(*tools: str) -> str | None:
    """Why the package tests cannot run here (None when they can)."""
    if os.geteuid() != 0:
        return "needs root (debootstrap, chroot)"
    missing = [t for t in ("debootstrap", "chroot", "dpkg-deb", *tools) if shutil.which(t) is None]
    if missing:
        return "missing: " + ", ".join(missing) + " (Debian packages debootstrap, dpkg, systemd-container)"
    if mirror() is None:
        return "no Debian mirror for bookworm in /etc/apt/sources.list* (set MCPROXY_DEBIAN_MIRROR)"
    return None


def mirror() -> str | None:
    """The URI of the first apt source with the bookworm suite and main."""
    if os.environ.get("MCPROXY_DEBIAN_MIRROR"):
        return os.environ["MCPROXY_DEBIAN_MIRROR"]
    files = [Path("/etc/apt/sources.list")] + sorted(Path("/etc/apt/sources.list.d").glob("*"))
    for f in files:
        if not f.is_file() or f.suffix not in (".list", ".sources", ""):
            continue
        text = f.read_text(errors="replace")
        if f.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.split()
                if ("no" in fields.get("enabled", []) or "deb" not in fields.get("types", [])
                        or SUITE not in fields.get("suites", []) or "main" not in fields.get("components", [])):
                    continue
                if fields.get("uris"):
                    return fields["uris"][0]
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
                if len(words) >= 4 and words[0] == "deb" and words[2] == SUITE and "main" in words[3:]:
                    return words[1]
    return None


def run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    """Runs a command, output captured, bounded in time."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kw)


@functools.lru_cache(maxsize=1)
def build_deb() -> Path:
    """The package of this tree: MCPROXY_DEB, else built by tools/build-deb.sh
    (once per test session)."""
    if os.environ.get("MCPROXY_DEB"):
        return Path(os.environ["MCPROXY_DEB"]).resolve()
    r = run([str(TOP / "tools" / "build-deb.sh")], timeout=1800)
    assert r.returncode == 0, "tools/build-deb.sh failed:\n" + r.stdout[-3000:] + r.stderr[-3000:]
    deb = Path(r.stdout.strip().splitlines()[-1])
    assert deb.is_file() and deb.name.startswith("mcproxy_") and deb.suffix == ".deb", r.stdout
    return deb


def mounts_below(tree: Path) -> list[str]:
    """Mount points at or below tree (deepest first)."""
    root = str(tree.resolve())
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        point = line.split()[1].replace("\\040", " ")
        if point == root or point.startswith(root + "/"):
            points.append(point)
    return sorted(points, key=len, reverse=True)


def remove_tree(tree: Path) -> None:
    """Deletes a tree, after unmounting what is left below it; never
    deletes through a mount point."""
    if not tree.exists():
        return
    for point in mounts_below(tree):
        subprocess.run(["umount", point], capture_output=True, timeout=30, check=False)
    for point in mounts_below(tree):
        subprocess.run(["umount", "-l", point], capture_output=True, timeout=30, check=False)
    left = mounts_below(tree)
    if left:
        raise RuntimeError(f"still mounted below {tree}, not deleting it: {left}")
    shutil.rmtree(tree)


@contextlib.contextmanager
def proc_mounted(tree: Path):
    """/proc in the tree while the block runs (dpkg, apt and maintainer
    scripts want it); unmounted afterwards, also on failure."""
    target = tree / "proc"
    subprocess.run(["mount", "-t", "proc", "proc", str(target)], check=True, timeout=30)
    try:
        yield
    finally:
        for _ in range(3):
            if str(target.resolve()) not in mounts_below(tree):
                break
            subprocess.run(["umount", str(target)], capture_output=True, timeout=30, check=False)
            if str(target.resolve()) in mounts_below(tree):
                subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30, check=False)


def chroot(tree: Path, script: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs a shell script in the tree (with /proc mounted)."""
    with proc_mounted(tree):
        return run(["chroot", str(tree), "/bin/sh", "-c", script], timeout=timeout, env=ENV)


def _stamp() -> str:
    return f"recipe {RECIPE}\nsuite {SUITE}\nmirror {mirror()}\n"


def _cached(name: str, make) -> Path:
    """build/debian-bookworm/NAME, made by make(tmp_dir) once; a stamp file
    names the mirror and recipe (another one: made again). A lock keeps two
    test runs from making it at the same time."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tree = CACHE / name
    stamp = CACHE / f"{name}.stamp"
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if tree.is_dir() and stamp.is_file() and stamp.read_text() == _stamp():
            return tree
        stamp.unlink(missing_ok=True)
        remove_tree(tree)
        tmp = CACHE / f"{name}.tmp"
        remove_tree(tmp)
        try:
            make(tmp)
        except BaseException:
            remove_tree(tmp)
            raise
        tmp.rename(tree)
        stamp.write_text(_stamp())
    return tree


def _make_minbase(tmp: Path) -> None:
    r = run(["debootstrap", "--variant=minbase", SUITE, str(tmp), mirror()], timeout=900)
    assert r.returncode == 0, "debootstrap failed:\n" + r.stdout[-3000:] + r.stderr[-3000:]
    shutil.copy("/etc/resolv.conf", tmp / "etc" / "resolv.conf")
    # No daemon of a package starts in the chroot (policy-rc.d, Debian policy 9.3.3).
    rc = tmp / "usr" / "sbin" / "policy-rc.d"
    rc.write_text("#!/bin/sh\nexit 101\n")
    rc.chmod(0o755)
    r = chroot(tmp, "apt-get update -q", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def minbase() -> Path:
    """The cached debootstrap --variant=minbase tree (made on first use)."""
    return _cached("minbase", _make_minbase)


def _make_systemd(tmp: Path) -> None:
    copy_tree(minbase(), tmp)
    r = chroot(tmp, "apt-get update -q && apt-get install -y -q --no-install-recommends " +
               " ".join(SYSTEMD_PACKAGES), timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    # Booted by systemd-nspawn: an empty machine-id makes systemd choose a
    # new one at each boot; services may start (no policy-rc.d).
    (tmp / "etc" / "machine-id").write_text("")
    (tmp / "usr" / "sbin" / "policy-rc.d").unlink(missing_ok=True)


def systemd_tree() -> Path:
    """The cached minbase tree plus systemd, dbus and iproute2."""
    return _cached("systemd", _make_systemd)


def copy_tree(source: Path, dest: Path) -> None:
    r = run(["cp", "-a", "--reflink=auto", str(source), str(dest)], timeout=300)
    assert r.returncode == 0, r.stderr


def _pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()  # these tests run as root in the host's PID namespace


def remove_stale_copies() -> None:
    """Copies left by a test run that was killed (LABEL-PID-RANDOM, PID dead)."""
    for tree in CACHE.glob("*-*-*"):
        m = re.fullmatch(r"[a-z]+-(\d+)-[0-9a-f]{6}", tree.name)
        if m and tree.is_dir() and not _pid_alive(int(m.group(1))) and not _rooted_in(tree):
            remove_tree(tree)


def _rooted_in(tree: Path) -> bool:
    """Whether a process (a container left running) has its root in tree."""
    root = str(tree.resolve())
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                target = os.readlink(proc / "root")
                if target == root or target.startswith(root + "/"):
                    return True
    return False


@contextlib.contextmanager
def terminate_as_interrupt():
    """SIGTERM (a CI timeout) raises KeyboardInterrupt while the block runs,
    so the finally blocks still power off, unmount and delete."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def scratch_dir() -> Path:
    """Where throw-away copies go: next to the cache, except in the VM of
    scripts/with-mroute-kernel.sh, whose view of the host's disk (virtio-9p)
    cannot hold device nodes (mknod fails with ENXIO) and is slow for many
    small files; there the VM's own memory (TMPDIR, a tmpfs) holds them."""
    if os.environ.get("MCPROXY_MROUTE_KERNEL") == "vm":
        return Path(tempfile.gettempdir())
    return CACHE


@contextlib.contextmanager
def scratch_copy(source: Path, label: str):
    """A throw-away copy of a cached tree, deleted afterwards."""
    remove_stale_copies()
    dest = scratch_dir() / f"{label}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    with terminate_as_interrupt():
        try:
            copy_tree(source, dest)
            yield dest
        finally:
            remove_tree(dest)


def install_deb(tree: Path, deb: Path) -> subprocess.CompletedProcess:
    """apt-get install ./mcproxy_*.deb in the tree, with its dependencies."""
    shutil.copy(deb, tree / "tmp" / deb.name)
    return chroot(tree, f"apt-get install -y -q --no-install-recommends /tmp/{deb.name} || "
                        f"(apt-get update -q && apt-get install -y -q --no-install-recommends /tmp/{deb.name})",
                  timeout=600)


class Container:
    """A systemd-nspawn --boot container of a tree, with its own network
    namespace (--private-network: only lo). Commands run in it through
    nsenter into its PID 1's namespaces. Not registered with machined
    (there is no systemd on the host)."""

    def __init__(self, tree: Path, log: Path):
        self.tree = tree
        self.name = "mcpkg" + uuid.uuid4().hex[:8]
        self.log_path = log
        self.proc: subprocess.Popen | None = None
        self.leader = 0

    def boot(self, timeout: float = 90) -> None:
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                ["systemd-nspawn", "-D", str(self.tree), "--boot", "--private-network", "--register=no",
                 "--keep-unit", f"--machine={self.name}", "--console=pipe"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited ({self.proc.returncode}):\n{self.log()}")
            if not self.leader:
                self.leader = self._leader()
            if self.leader:
                r = self.run("systemctl is-system-running", timeout=10)
                state = r.stdout.strip()
                if state in ("running", "degraded"):
                    return
            time.sleep(0.5)
        raise RuntimeError(f"container not up within {timeout} s (state {state!r}):\n{self.log()}")

    def _leader(self) -> int:
        """The container's PID 1 as the host sees it: nspawn's child running systemd."""
        assert self.proc is not None
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return 0
        for pid in children:
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                    return int(pid)
        return 0

    def run(self, script: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return run(["nsenter", "-t", str(self.leader), "-a", "/bin/sh", "-c", script], timeout=timeout, env=ENV)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def poweroff(self, timeout: float = 60) -> int | None:
        """Shuts the container down (systemctl poweroff, then SIGTERM to
        nspawn, which halts it, then SIGKILL); returns nspawn's exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None and self.leader:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.run("systemctl --no-block poweroff", timeout=10)
        for sig, wait in ((None, timeout), (signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            if sig is not None and self.proc.poll() is None:
                self.proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=wait)
            if self.proc.poll() is not None:
                break
        # nspawn refuses to clean its propagation folder when /run is not a
        # tmpfs; it is ours (named after this machine), so remove it here.
        for leftover in (Path("/run/systemd/nspawn/propagate") / self.name,
                         Path("/run/systemd/nspawn/unix-export") / self.name):
            if leftover.is_dir() and not mounts_below(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
        return self.proc.returncode


if __name__ == "__main__":
    # `debian_tree.py prepare`: builds the package and the cached systemd
    # tree here and prints the package's path. tests/run_all.sh does this
    # before the tests that run in the VM of scripts/with-mroute-kernel.sh,
    # which has no network for debootstrap and apt.
    import sys
    if sys.argv[1:] != ["prepare"]:
        sys.exit("usage: debian_tree.py prepare")
    if skip_reason() is not None:
        sys.exit(f"debian_tree.py: cannot prepare: {skip_reason()}")
    package = build_deb()
    systemd_tree()
    print(package)
