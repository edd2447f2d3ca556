# SPDX-License-Identifier: GPL-2.0-or-later
"""Network namespaces for the integration tests.

Every test builds its own namespaces, named ``mcpt-<pid>-<n>-<role>`` so
parallel runs and leftovers of crashed runs never collide, connects them with
veth pairs (and a bridge where a link has several hosts), and deletes all of
it when the test ends, also on failure and on Ctrl-C.

Only the documentation address ranges are used: 198.51.100.0/24,
203.0.113.0/24, 192.0.2.0/24, 198.18.0.0/15 and 2001:db8::/32 (with nodad).
"""
from __future__ import annotations

import atexit
import itertools
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def _time_scale() -> float:
    """How much longer than on real hardware a start-up or an awaited event
    may take: MCPROXY_TEST_TIME_SCALE, else 4 inside a software-emulated VM
    (scripts/with-mroute-kernel.sh without KVM, where programs start 10 to 40
    times slower), else 1. It stretches only deadlines that bound a wait for
    something that must happen; windows in which something must NOT happen
    stay as the protocol's timers make them."""
    if os.environ.get("MCPROXY_TEST_TIME_SCALE"):
        return float(os.environ["MCPROXY_TEST_TIME_SCALE"])
    return 4.0 if os.environ.get("MCPROXY_VM_ACCEL", "").startswith("tcg") else 1.0


TIME_SCALE = _time_scale()


def patience(seconds: float) -> float:
    """`seconds` stretched by TIME_SCALE, for a deadline on an awaited event."""
    return seconds * TIME_SCALE


# The daemon under test built with ASan + UBSan (tests/sanitize.sh sets
# MCPROXY_SANITIZED=1).
SANITIZED = os.environ.get("MCPROXY_SANITIZED") == "1"
# The daemon answers an upcall several times slower than on real hardware
# (sanitized, or under software emulation), while the kernel queues only 3
# to 4 packets of an unresolved (S,G) for it: the first packets of a stream
# whose route the stream itself creates may be missing there.
SLOW_DAEMON = SANITIZED or TIME_SCALE > 1


REPO = Path(__file__).resolve().parents[2]
PREFIX = "mcpt-"
_counter = itertools.count(1)
# Every namespace still alive, so atexit can remove what a crash left.
_live: dict[str, "Namespace"] = {}


class HarnessError(RuntimeError):
    """A harness step failed (not the code under test)."""


def run(cmd: list[str], check: bool = True, timeout: float = 10.0,
        input: str | None = None) -> subprocess.CompletedProcess:
    """Runs a command with a timeout; raises HarnessError with its output on failure."""
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"timed out after {timeout} s: {' '.join(cmd)}") from e
    if check and cp.returncode != 0:
        raise HarnessError(f"failed ({cp.returncode}): {' '.join(cmd)}\n{cp.stdout}{cp.stderr}")
    return cp


def missing_tools(tools=("ip", "tcpdump")) -> list[str]:
    """Tools from `tools` that are not on PATH."""
    return [t for t in tools if shutil.which(t) is None]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_namespaces() -> list[str]:
    """Deletes mcpt-<pid>-* namespaces whose creating process is gone (a run
    killed with SIGKILL cannot clean up after itself)."""
    removed = []
    cp = run(["ip", "netns", "list"], check=False)
    for line in cp.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        try:
            pid = int(name[len(PREFIX):].split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            _kill_namespace_pids(name)
            run(["ip", "netns", "del", name], check=False)
            removed.append(name)
    return removed


def list_namespaces(prefix: str = PREFIX) -> list[str]:
    """Names of existing namespaces that start with `prefix`."""
    cp = run(["ip", "netns", "list"], check=False)
    return [l.split()[0] for l in cp.stdout.splitlines() if l.split() and l.split()[0].startswith(prefix)]


def _kill_namespace_pids(name: str) -> None:
    # Only processes inside our own uniquely named namespace: we started them.
    cp = run(["ip", "netns", "pids", name], check=False)
    pids = [int(p) for p in cp.stdout.split() if p.isdigit()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.02)
        pids = [p for p in pids if pid_alive(p)]
        if not pids:
            return


class Namespace:
    """One network namespace."""

    def __init__(self, name: str, role: str):
        self.name = name
        self.role = role
        run(["ip", "netns", "add", name])
        _live[name] = self
        self.procs: list[subprocess.Popen] = []
        # Addresses are usable at once (no DAD wait) and hosts stay quiet.
        self.sysctl("net.ipv6.conf.all.accept_dad", "0")
        self.sysctl("net.ipv6.conf.default.accept_dad", "0")
        self.sysctl("net.ipv6.conf.default.router_solicitations", "0")
        self.sysctl("net.ipv6.conf.all.router_solicitations", "0")
        self.run(["ip", "link", "set", "lo", "up"])

    def __repr__(self) -> str:
        return f"Namespace({self.name})"

    def cmd(self, cmd: list[str]) -> list[str]:
        """`cmd` wrapped to run inside this namespace."""
        return ["ip", "netns", "exec", self.name, *cmd]

    def run(self, cmd: list[str], check: bool = True, timeout: float = 10.0,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Runs `cmd` in this namespace and waits for it."""
        return run(self.cmd(cmd), check=check, timeout=timeout, input=input)

    def popen(self, cmd: list[str], **kw) -> subprocess.Popen:
        """Starts `cmd` in this namespace; it is killed when the namespace goes."""
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        p = subprocess.Popen(self.cmd(cmd), **kw)
        self.procs.append(p)
        return p

    def sysctl(self, key: str, value: str) -> None:
        """Sets a sysctl of this namespace (key in dotted form)."""
        self.write_proc("/proc/sys/" + key.replace(".", "/"), value)

    def write_proc(self, path: str, value: str) -> None:
        """Writes `value` to a /proc file as seen from inside this namespace."""
        self.run(["sh", "-c", f"echo {value} > {path}"])

    def read(self, path: str) -> str:
        """Reads a /proc file as seen from inside this namespace."""
        return self.run(["cat", path]).stdout

    def ip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`ip ARGS` in this namespace."""
        return run(["ip", "-n", self.name, *args], check=check)

    def add_addr(self, iface: str, cidr: str) -> None:
        """Adds an address; IPv6 ones with nodad."""
        extra = ["nodad"] if ":" in cidr else []
        self.ip("addr", "add", cidr, "dev", iface, *extra)

    def set_up(self, iface: str, up: bool = True) -> None:
        self.ip("link", "set", iface, "up" if up else "down")

    def close(self) -> None:
        """Stops our processes and deletes the namespace (and its interfaces)."""
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=2)
        _kill_namespace_pids(self.name)
        run(["ip", "netns", "del", self.name], check=False)
        _live.pop(self.name, None)


@dataclass
class Host:
    """A host on a downstream (or upstream) link: namespace, interface, addresses."""
    ns: Namespace
    iface: str
    v4: str
    v6: str


@dataclass
class ProxyNet:
    """The standard test network.

    router (ns) eth0 --- up0 proxy dn1 --- h1 [h3 via a bridge]
                                   dn2 --- h2
    The router is the upstream multicast router and the data source.
    """
    topo: "Topology"
    router: Host
    proxy: Namespace
    up_v4: str = "198.51.100.2"
    up_v6: str = "2001:db8:1::2"
    hosts: dict[str, Host] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # host name -> proxy interface
    # Second source address of the router, for source-specific tests.
    router_v4_b: str = "198.51.100.3"
    router_v6_b: str = "2001:db8:1::3"
    switch: Namespace | None = None


# Downstream link n: proxy interface dn<n>, IPv4 and IPv6 subnet.
DOWNSTREAM_NETS = {
    1: ("203.0.113", "2001:db8:2"),
    2: ("192.0.2", "2001:db8:3"),
    3: ("198.18.3", "2001:db8:5"),
}


class Topology:
    """Owns the namespaces of one test."""

    def __init__(self, tag: str = "t"):
        self.id = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        self.tag = tag
        self.namespaces: list[Namespace] = []

    def __enter__(self) -> "Topology":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ns(self, role: str) -> Namespace:
        """A new namespace for `role` (router, proxy, h1, ...)."""
        n = Namespace(f"{self.id}-{role}", role)
        self.namespaces.append(n)
        return n

    def veth(self, a: Namespace, a_if: str, b: Namespace, b_if: str, up: bool = True) -> None:
        """A veth pair a_if (in a) <-> b_if (in b), created directly inside the namespaces."""
        a.ip("link", "add", a_if, "type", "veth", "peer", "name", b_if, "netns", b.name)
        if up:
            a.set_up(a_if)
            b.set_up(b_if)

    def close(self) -> None:
        """Deletes every namespace of this topology (reverse order of creation)."""
        errors = []
        for n in reversed(self.namespaces):
            try:
                n.close()
            except Exception as e:  # keep deleting the others
                errors.append(f"{n.name}: {e}")
        self.namespaces.clear()
        if errors:
            raise HarnessError("cleanup failed: " + "; ".join(errors))

    # ---- the standard network -------------------------------------------

    def proxy_net(self, hosts_per_link: tuple[int, ...] = (1, 1),
                  igmp_version: int | dict | None = None,
                  mld_version: int | dict | None = None,
                  proxy_forwarding: bool = True) -> ProxyNet:
        """Builds router -- proxy -- hosts. hosts_per_link[i] hosts sit on dn<i+1>;
        a link with more than one host gets a bridge (snooping off) in a switch
        namespace. Hosts are named h1, h2, ... in link order (h1 on dn1, h2 on
        dn2 with the default (1, 1); with (2, 1): h1, h3 on dn1 and h2 on dn2).
        igmp_version / mld_version force the hosts' versions (an int for all or
        a dict host name -> version)."""
        router_ns = self.ns("router")
        proxy = self.ns("proxy")
        self.veth(router_ns, "eth0", proxy, "up0")
        router_ns.add_addr("eth0", "198.51.100.1/24")
        router_ns.add_addr("eth0", "198.51.100.3/24")
        router_ns.add_addr("eth0", "2001:db8:1::1/64")
        router_ns.add_addr("eth0", "2001:db8:1::3/64")
        proxy.add_addr("up0", "198.51.100.2/24")
        proxy.add_addr("up0", "2001:db8:1::2/64")
        if proxy_forwarding:
            proxy.sysctl("net.ipv4.ip_forward", "1")
            proxy.sysctl("net.ipv6.conf.all.forwarding", "1")
        net = ProxyNet(self, Host(router_ns, "eth0", "198.51.100.1", "2001:db8:1::1"), proxy)

        # Host names: first one host per link (h1, h2, ...), then the extras.
        names: list[list[str]] = [[] for _ in hosts_per_link]
        n = 1
        for i, count in enumerate(hosts_per_link):
            if count > 0:
                names[i].append(f"h{n}")
                n += 1
        for i, count in enumerate(hosts_per_link):
            for _ in range(count - 1):
                names[i].append(f"h{n}")
                n += 1

        for i, link_hosts in enumerate(names):
            link = i + 1
            dn = f"dn{link}"
            v4net, v6net = DOWNSTREAM_NETS[link]
            if len(link_hosts) <= 1:
                for h in link_hosts:
                    hns = self.ns(h)
                    self.veth(proxy, dn, hns, "eth0")
            else:
                if net.switch is None:
                    net.switch = self.ns("switch")
                sw = net.switch
                br = f"br{link}"
                sw.ip("link", "add", br, "type", "bridge", "mcast_snooping", "0")
                sw.set_up(br)
                self.veth(proxy, dn, sw, f"p{link}-0")
                sw.ip("link", "set", f"p{link}-0", "master", br)
                for j, h in enumerate(link_hosts, start=1):
                    hns = self.ns(h)
                    self.veth(hns, "eth0", sw, f"p{link}-{j}")
                    sw.ip("link", "set", f"p{link}-{j}", "master", br)
            if link_hosts:
                proxy.add_addr(dn, f"{v4net}.1/24")
                proxy.add_addr(dn, f"{v6net}::1/64")
            for h in link_hosts:
                hns = next(x for x in self.namespaces if x.role == h)
                num = int(h[1:])
                v4 = f"{v4net}.{10 + num}"
                v6 = f"{v6net}::{10 + num:x}"
                hns.add_addr("eth0", f"{v4}/24")
                hns.add_addr("eth0", f"{v6}/64")
                hns.ip("route", "add", "default", "via", f"{v4net}.1")
                hns.ip("-6", "route", "add", "default", "via", f"{v6net}::1")
                net.hosts[h] = Host(hns, "eth0", v4, v6)
                net.links[h] = dn
        net.router.ns.ip("route", "add", "default", "via", "198.51.100.2")
        net.router.ns.ip("-6", "route", "add", "default", "via", "2001:db8:1::2")

        for h, host in net.hosts.items():
            iv = igmp_version.get(h) if isinstance(igmp_version, dict) else igmp_version
            mv = mld_version.get(h) if isinstance(mld_version, dict) else mld_version
            if iv is not None:
                force_igmp_version(host.ns, host.iface, iv)
            if mv is not None:
                force_mld_version(host.ns, host.iface, mv)
        return net


def force_igmp_version(ns: Namespace, iface: str, version: int) -> None:
    """Makes the host's kernel speak IGMPv1/v2/v3 on `iface` (0: automatic)."""
    ns.write_proc(f"/proc/sys/net/ipv4/conf/{iface}/force_igmp_version", str(version))


def force_mld_version(ns: Namespace, iface: str, version: int) -> None:
    """Makes the host's kernel speak MLDv1/v2 on `iface` (0: automatic)."""
    ns.write_proc(f"/proc/sys/net/ipv6/conf/{iface}/force_mld_version", str(version))


def _cleanup_at_exit() -> None:
    for n in list(_live.values()):
        try:
            n.close()
        except Exception:
            pass


atexit.register(_cleanup_at_exit)
