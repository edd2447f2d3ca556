# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the end-to-end benchmarks: the namespace harness of
tests/integration (imported, not copied), the two proxies under test
(mcproxy and Debian's igmpproxy) started the same way on the same topology,
per-process CPU and memory readings, a fast pcap reader, statistics and the
JSON line output.

Every figure is taken from the wire (tcpdump timestamps, which the kernel
takes from one clock for all namespaces) or from /proc.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import netns  # noqa: E402
from capture import Capture, Datagram, Message, decode_frame  # noqa: E402
from kernel_state import vif_names  # noqa: E402
from procs import Mcproxy, wait_until  # noqa: E402

HarnessError = netns.HarnessError
HOSTSIM = str(HERE / "hostsim.py")
PY = "/usr/bin/python3"

PROXIES = ("mcproxy", "igmpproxy")


# ---- output ---------------------------------------------------------------

def load() -> dict:
    """Load averages and CPU count of the machine right now."""
    l1, l5, l15 = os.getloadavg()
    return {"load1": round(l1, 2), "load5": round(l5, 2), "cpus": os.cpu_count()}


def emit(rec: dict, out=None) -> dict:
    """Prints one JSON line (and appends it to `out`, a file path, if given)."""
    rec = {**rec, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **load()}
    line = json.dumps(rec, sort_keys=False)
    print(line, flush=True)
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")
    return rec


def quantiles(values: list[float]) -> dict:
    """median, p90 and max (None when empty), rounded to microseconds' precision."""
    if not values:
        return {"n": 0, "median": None, "p90": None, "max": None}
    v = sorted(values)

    def q(p: float) -> float:
        # nearest-rank percentile
        k = max(0, min(len(v) - 1, int(round(p * len(v) + 0.5)) - 1))
        return v[k]
    return {"n": len(v), "median": round(q(0.5), 3), "p90": round(q(0.9), 3),
            "max": round(v[-1], 3)}


# ---- processes --------------------------------------------------------------

def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of every thread of `pid`, in seconds, from
    /proc/PID/task/*/schedstat (nanoseconds, unlike the 10 ms ticks of stat)."""
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        return 0.0
    return total / 1e9


def process_runq_wait_seconds(pid: int) -> float:
    """Time the threads of `pid` spent runnable but waiting for a CPU
    (second field of schedstat): tells a busy machine from a slow daemon."""
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[1])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        return 0.0
    return total / 1e9


def process_memory_kb(pid: int) -> dict:
    """VmRSS and VmHWM (peak RSS) in KiB."""
    out = {"rss_kb": None, "hwm_kb": None}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    out["rss_kb"] = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    out["hwm_kb"] = int(line.split()[1])
    except FileNotFoundError:
        pass
    return out


def force_rcvbuf(pid: int, size: int) -> list[int]:
    """Experiment without changing the daemon: sets SO_RCVBUFFORCE on every
    raw IPv4/IPv6 socket of process `pid` (through a pidfd_getfd duplicate,
    which shares the socket). Returns the buffer sizes now in effect."""
    import ctypes
    import socket
    libc = ctypes.CDLL(None, use_errno=True)
    sys_pidfd_open, sys_pidfd_getfd = 434, 438  # x86_64 and generic
    so_rcvbufforce = 33
    pfd = libc.syscall(sys_pidfd_open, pid, 0)
    if pfd < 0:
        raise HarnessError(f"pidfd_open({pid}) failed: errno {ctypes.get_errno()}")
    out = []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    continue
            except OSError:
                continue
            nfd = libc.syscall(sys_pidfd_getfd, pfd, int(fd), 0)
            if nfd < 0:
                continue
            s = socket.socket(fileno=nfd)
            try:
                if s.family in (socket.AF_INET, socket.AF_INET6) and s.type == socket.SOCK_RAW:
                    s.setsockopt(socket.SOL_SOCKET, so_rcvbufforce, size)
                    out.append(s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
            finally:
                s.close()
    finally:
        os.close(pfd)
    return out


def daemon_pid(popen: subprocess.Popen, name: str, timeout: float = 3.0) -> int:
    """The pid of the daemon itself: `ip netns exec` execs it, so the Popen
    pid is the daemon once exec happened; checked against /proc/PID/comm."""
    def ok():
        try:
            with open(f"/proc/{popen.pid}/comm") as f:
                return f.read().strip().startswith(name[:15])
        except FileNotFoundError:
            return False
    wait_until(ok, timeout, what=f"{name} to exec")
    return popen.pid


# ---- the proxies ------------------------------------------------------------

def mcproxy_config(downs: list[str], fastleave: bool = False, extra: str = "",
                   max_groups: int = 4096, max_sources: int = 1024) -> str:
    """mcproxy's config: one IGMPv3 instance up0 ==> downs, RFC default timers
    except explicit last-member values (1 s x 2, the RFC defaults written out),
    limits raised for the scale runs."""
    lines = ["protocol IGMPv3;", f"pinstance bench: up0 ==> {' '.join(downs)};"]
    tune = (f"last-member-query-interval 1 last-member-query-count 2 max-groups {max_groups} "
            f"max-sources {max_sources} max-hosts 1024 {extra}").strip()
    lines.append(f"pinstance bench downstream * {tune}{' fastleave' if fastleave else ''};")
    return "\n".join(lines) + "\n"


def igmpproxy_config(downs: list[str], fastleave: bool = False) -> str:
    """igmpproxy.conf(5): up0 upstream (sources anywhere), downstream links."""
    lines = []
    if fastleave:
        lines.append("quickleave")
    lines.append("phyint up0 upstream ratelimit 0 threshold 1")
    lines.append("    altnet 198.51.100.0/24")
    lines.append("    altnet 198.18.0.0/15")
    for d in downs:
        lines.append(f"phyint {d} downstream ratelimit 0 threshold 1")
    lines.append("phyint lo disabled")
    return "\n".join(lines) + "\n"


class Igmpproxy:
    """Debian's igmpproxy in the foreground (-d: log to stderr, implies -n)."""

    def __init__(self, ns, config: str, workdir: Path, name: str = "igmpproxy"):
        self.ns, self.config = ns, config
        self.conf_path = Path(workdir) / f"{name}.conf"
        self.log_path = Path(workdir) / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready, timeout: float = 5.0) -> "Igmpproxy":
        binary = shutil.which("igmpproxy") or "/usr/sbin/igmpproxy"
        if not os.path.exists(binary):
            raise HarnessError("igmpproxy is not installed (apt-get install igmpproxy)")
        self.conf_path.write_text(self.config)
        self._log = open(self.log_path, "w")
        self.proc = self.ns.popen([binary, "-d", str(self.conf_path)], stdout=self._log,
                                  stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                raise HarnessError(f"igmpproxy exited ({self.proc.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                raise HarnessError(f"igmpproxy not ready after {timeout} s:\n{self.log()}")
            time.sleep(0.05)
        return self

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 3.0):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        return self.proc.returncode if self.proc else None


class Proxy:
    """One proxy under test, either kind, with its pid for /proc readings."""

    def __init__(self, kind: str, ns, downs: list[str], workdir: Path, fastleave: bool = False,
                 max_groups: int = 4096, max_sources: int = 1024, extra: str = ""):
        self.kind, self.ns, self.downs = kind, ns, downs
        if kind == "mcproxy":
            self.impl = Mcproxy(ns, mcproxy_config(downs, fastleave, extra, max_groups=max_groups,
                                                   max_sources=max_sources),
                                workdir, args=(), name="mcproxy")
        elif kind == "igmpproxy":
            # igmpproxy joins upstream through the kernel's host stack, one
            # membership per group on one socket: without this the kernel
            # refuses everything after 20 groups.
            ns.sysctl("net.ipv4.igmp_max_memberships", "200000")
            self.impl = Igmpproxy(ns, igmpproxy_config(downs, fastleave), workdir)
        else:
            raise ValueError(kind)
        self.pid = 0

    def start(self) -> "Proxy":
        want = {"up0", *self.downs}
        self.impl.start(ready=lambda: want <= vif_names(self.ns, "ipv4"), timeout=8.0)
        self.pid = daemon_pid(self.impl.proc, self.kind)
        return self

    def cpu(self) -> float:
        return process_cpu_seconds(self.pid)

    def runq_wait(self) -> float:
        return process_runq_wait_seconds(self.pid)

    def memory(self) -> dict:
        return process_memory_kb(self.pid)

    def alive(self) -> bool:
        return self.impl.proc is not None and self.impl.proc.poll() is None

    def log(self) -> str:
        return self.impl.log()

    def stop(self):
        return self.impl.stop()


# ---- topology ---------------------------------------------------------------

class Bench:
    """Context manager: a topology (router -- proxy -- hosts) from the
    integration harness and the processes of one benchmark run; deletes the
    namespaces and stops everything on exit, also on failure."""

    def __init__(self, tag: str, workdir: Path, hosts_per_link=(1,)):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.topo = netns.Topology(tag)
        self.hosts_per_link = hosts_per_link
        self.caps: list[Capture] = []
        self.procs: list[subprocess.Popen] = []
        self.proxy: Proxy | None = None

    def __enter__(self) -> "Bench":
        try:
            self.net = self.topo.proxy_net(hosts_per_link=self.hosts_per_link)
        except BaseException:
            self.topo.close()
            raise
        for h in self.net.hosts.values():
            # Real joins of many groups from one socket (the kernel's per
            # socket limit is 20 by default).
            h.ns.sysctl("net.ipv4.igmp_max_memberships", "5000")
        # The router sends the streams; it answers nothing and queries nothing.
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
        for c in self.caps:
            try:
                c.stop()
            except Exception:
                pass
        if self.proxy is not None:
            try:
                self.proxy.stop()
            except Exception:
                pass
        self.topo.close()

    def start_proxy(self, kind: str, fastleave: bool = False, **kw) -> Proxy:
        downs = sorted(set(self.net.links.values()))
        self.proxy = Proxy(kind, self.net.proxy, downs, self.workdir, fastleave, **kw).start()
        return self.proxy

    def capture(self, ns, iface: str, bpf: str = "igmp or udp", name: str | None = None) -> "FastCapture":
        c = FastCapture(ns, iface, str(self.workdir / f"{name or ns.role + '-' + iface}.pcap"), bpf)
        c.start()
        self.caps.append(c)
        return c

    def hostsim(self, ns, *args: str, wait: bool = False, timeout: float = 120.0):
        """Runs bench/e2e/hostsim.py ARGS in `ns`; returns the Popen, or
        (wait=True) its JSON result."""
        p = ns.popen([PY, HOSTSIM, *args])
        self.procs.append(p)
        if not wait:
            return p
        return finish(p, timeout)


def finish(p: subprocess.Popen, timeout: float) -> dict:
    """Waits for a hostsim process and returns its last JSON line."""
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=3)
        raise HarnessError(f"hostsim timed out after {timeout} s: {err}")
    lines = [l for l in (out or "").splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        raise HarnessError(f"hostsim failed ({p.returncode}): {out}{err}")
    return json.loads(lines[-1])


# ---- captures ---------------------------------------------------------------

class FastCapture(Capture):
    """The harness's tcpdump capture with a BPF filter, a large buffer and a
    short snap length (we read headers, the IGMP body and the test payload's
    first 28 bytes), read back with a plain struct loop (scapy is too slow
    for a few hundred thousand packets)."""

    def __init__(self, ns, iface: str, path: str, bpf: str):
        super().__init__(ns, iface, path)
        self.bpf = bpf

    def command(self) -> list[str]:
        # A BPF filter and a big buffer: benchmarks capture floods.
        return ["tcpdump", "-i", self.iface, "-n", "-U", "-s", "1600", "-B", "32768",
                "--immediate-mode", "-Z", "root", "-w", self.path, self.bpf]

    def stop(self) -> "FastCapture":
        if self.proc and self.proc.poll() is None:
            time.sleep(0.1)
            self.proc.send_signal(2)
            try:
                _, err = self.proc.communicate(timeout=10)
                self.stats = err or ""
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
        if self._packets is None:
            self._packets = read_pcap_fast(self.path)
        return self

    def snapshot(self) -> list:
        return read_pcap_fast(self.path)

    def dropped(self) -> int:
        """Packets tcpdump says the kernel dropped (0 if unknown)."""
        for line in getattr(self, "stats", "").splitlines():
            if "dropped by kernel" in line:
                return int(line.split()[0])
        return 0

    def decoded(self) -> list:
        """(Message | Datagram) objects of every packet, in order."""
        out = []
        for t, f in self.frames():
            d = decode_frame(t, f)
            if d is not None:
                # IPv4 total length (Ethernet padding of short frames excluded)
                d.wire_len = 14 + struct.unpack("!H", f[16:18])[0] if len(f) >= 18 else len(f)
                out.append(d)
        return out


def read_pcap_fast(path: str) -> list[tuple[float, bytes]]:
    """(time, frame) of every packet of a little-endian microsecond pcap."""
    if not os.path.exists(path) or os.path.getsize(path) < 24:
        return []
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0xA1B2C3D4:
        endian, scale = "<", 1e-6
    elif magic == 0xA1B23C4D:
        endian, scale = "<", 1e-9
    elif magic == 0xD4C3B2A1:
        endian, scale = ">", 1e-6
    else:
        raise HarnessError(f"{path}: unknown pcap magic {magic:#x}")
    hdr = struct.Struct(endian + "IIII")
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _orig = hdr.unpack_from(data, off)
        off += 16
        if off + incl > len(data):
            break
        out.append((sec + frac * scale, data[off:off + incl]))
        off += incl
    return out


def payload_send_time(d: Datagram) -> float | None:
    """The send time (seconds) in a test stream payload (mcproxy-tester's
    layout, also used by hostsim's sender), None for foreign payloads."""
    if len(d.payload) >= 28 and d.payload[:4] == b"MCPT":
        return struct.unpack("!q", d.payload[20:28])[0] / 1e9
    return None


# ---- report predicates ------------------------------------------------------

def joined_groups(m: Message) -> set[str]:
    """Groups a report asks for (v1/v2 report, v3 TO_EX/IS_EX, or
    IS_IN/TO_IN/ALLOW with sources)."""
    if m.kind != "report":
        return set()
    if not m.records:
        return {m.group}
    out = set()
    for r in m.records:
        if r.type in ("IS_EX", "TO_EX") or (r.type in ("IS_IN", "TO_IN", "ALLOW") and r.sources):
            out.add(r.group)
    return out


def left_groups(m: Message) -> set[str]:
    """Groups a message gives up (v2 leave, v3 TO_IN {} / IS_IN {})."""
    if m.kind == "leave":
        return {m.group}
    if m.kind == "report" and m.records:
        return {r.group for r in m.records if r.type in ("TO_IN", "IS_IN") and not r.sources}
    return set()


def group_addr(base: str, i: int) -> str:
    """The i-th group after `base` (239.x.y.z / 232.x.y.z only)."""
    import ipaddress
    a = ipaddress.IPv4Address(base) + i
    if not (a in ipaddress.IPv4Network("239.0.0.0/8") or a in ipaddress.IPv4Network("232.0.0.0/8")):
        raise ValueError(f"{a} is outside 239/8 and 232/8")
    return str(a)


def mroute_monitor(ns, path: Path) -> subprocess.Popen:
    """`ip -ts monitor mroute` in the namespace, line-buffered into `path`
    (a pipe would fill up and stall it): one line per MFC change with a
    microsecond timestamp. Read it with read_monitor()."""
    f = open(path, "w")
    p = ns.popen(["stdbuf", "-oL", "ip", "-ts", "-rcvbuf", "4194304", "monitor", "mroute"],
                 stdout=f, stderr=subprocess.STDOUT)
    p.out_path = path
    f.close()
    return p


def parse_monitor(text: str) -> list[tuple[float, str]]:
    """(timestamp, line) of `ip -ts monitor` output; timestamps in seconds
    since the epoch (local time of the machine, which is UTC here)."""
    import datetime
    out = []
    for line in text.splitlines():
        if line.startswith("[") and "]" in line:
            ts, rest = line[1:].split("]", 1)
            try:
                dt = datetime.datetime.strptime(ts.strip(), "%Y-%m-%dT%H:%M:%S.%f")
            except ValueError:
                continue
            out.append((dt.timestamp(), rest.strip()))
    return out
