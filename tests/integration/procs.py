# SPDX-License-Identifier: GPL-2.0-or-later
"""Running the programs under test inside namespaces: the mcproxy daemon
and mcproxy-tester (joins, streams, receivers)."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

from netns import REPO, HarnessError, Namespace, patience


def mcproxy_bin() -> str:
    """$MCPROXY_BIN, default build/mcproxy of this tree."""
    return os.environ.get("MCPROXY_BIN", str(REPO / "build" / "mcproxy"))


def tester_bin() -> str:
    """$MCPROXY_TESTER_BIN, default build/mcproxy-tester of this tree."""
    return os.environ.get("MCPROXY_TESTER_BIN", str(REPO / "build" / "mcproxy-tester"))


def wait_until(pred: Callable[[], object], timeout: float, interval: float = 0.05,
               what: str = "condition"):
    """Polls `pred` until it returns something true; returns it, or raises
    HarnessError after `timeout` seconds (stretched by netns.TIME_SCALE)."""
    timeout = patience(timeout)
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise HarnessError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def wait_for(pred: Callable[[], object], timeout: float, interval: float = 0.05):
    """Like wait_until but returns the last (false) value instead of raising."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


class Mcproxy:
    """The daemon running in the proxy namespace with a config from a temp file."""

    def __init__(self, ns: Namespace, config: str, workdir: Path, args: tuple[str, ...] = ("-d",),
                 name: str = "mcproxy"):
        self.ns = ns
        self.config = config
        self.workdir = Path(workdir)
        self.conf_path = self.workdir / f"{name}.conf"
        self.log_path = self.workdir / f"{name}.log"
        # Each daemon gets its own control socket (the default path is one
        # per machine, not per namespace).
        self.socket_path = self.workdir / f"{name}.sock"
        self.args = list(args)
        if "-u" not in self.args and "--control-socket" not in self.args:
            self.args += ["-u", str(self.socket_path)]
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.stop_seconds: float | None = None

    def start(self, ready: Callable[[], object] | None = None, timeout: float = 5.0) -> "Mcproxy":
        """Writes the config, starts `mcproxy -f FILE ARGS`, and waits for `ready`
        (a predicate, e.g. VIFs present). Raises with the log if it exits."""
        binary = mcproxy_bin()
        if not os.path.exists(binary):
            raise HarnessError(f"mcproxy binary {binary} not found (build it or set MCPROXY_BIN)")
        self.conf_path.write_text(self.config)
        self._log = open(self.log_path, "w")
        self.proc = self.ns.popen([binary, "-f", str(self.conf_path), *self.args],
                                  stdout=self._log, stderr=subprocess.STDOUT)
        timeout = patience(timeout)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self.returncode = self.proc.returncode
                raise HarnessError(f"mcproxy exited with status {self.returncode} during start;"
                                   f" config:\n{self.config}\nlog:\n{self.log()}")
            if ready is None or ready():
                return self
            if time.monotonic() >= deadline:
                raise HarnessError(f"mcproxy not ready after {timeout} s; log:\n{self.log()}")
            time.sleep(0.05)

    def run_to_exit(self, timeout: float = 5.0) -> int:
        """Starts the daemon and waits for it to exit on its own (for
        configurations it must refuse); returns the exit status. Raises
        HarnessError (after killing it) if it is still running."""
        binary = mcproxy_bin()
        if not os.path.exists(binary):
            raise HarnessError(f"mcproxy binary {binary} not found (build it or set MCPROXY_BIN)")
        self.conf_path.write_text(self.config)
        self._log = open(self.log_path, "w")
        self.proc = self.ns.popen([binary, "-f", str(self.conf_path), *self.args],
                                  stdout=self._log, stderr=subprocess.STDOUT)
        timeout = patience(timeout)
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise HarnessError(f"mcproxy still running after {timeout} s; log:\n{self.log()}")
        self._close_log()
        return self.returncode

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def signal(self, sig: int) -> None:
        if self.running():
            self.proc.send_signal(sig)

    def stop(self, timeout: float = 3.0) -> int | None:
        """SIGTERM, wait; returns the exit status (None if it had to be killed).
        stop_seconds is how long the shutdown took."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)
            try:
                # A deadline, so it stretches under emulation; a test that
                # bounds the shutdown checks stop_seconds itself.
                self.proc.wait(timeout=patience(timeout))
                self.stop_seconds = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=2)
                self.returncode = None
                self._close_log()
                return None
        self.returncode = self.proc.returncode
        self._close_log()
        return self.returncode

    def _close_log(self) -> None:
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None


class TesterProc:
    """A background mcproxy-tester (join or receive)."""

    def __init__(self, proc: subprocess.Popen, args: list[str], runs_for: float = 0.0):
        self.proc = proc
        self.args = args
        self.stdout = ""
        self.stderr = ""
        # When the tool ends by itself at the latest (a receiver's --duration).
        self.ends_by = time.monotonic() + runs_for

    def stop(self, timeout: float = 5.0) -> int:
        """SIGTERM (a join leaves, a receiver prints its summary) and wait."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float = 30.0) -> int:
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=2)
        self.stdout += out or ""
        self.stderr += err or ""
        return self.proc.returncode

    def summary(self, timeout: float = 30.0) -> dict:
        """Waits for a `receive --json` run and returns its summary: at least
        until the receiver's own --duration is over (plus `timeout` for a
        tool that starts and prints slowly), so that a stream still short of
        its count is summed up rather than the receiver killed."""
        self.wait(max(timeout, self.ends_by - time.monotonic() + timeout))
        lines = [l for l in self.stdout.splitlines() if l.startswith("{")]
        if not lines:
            raise HarnessError(f"no JSON from {' '.join(self.args)}: {self.stdout}{self.stderr}")
        return json.loads(lines[-1])


def _opts(sources=(), exclude=False) -> list[str]:
    out = []
    for s in sources:
        out += ["--source", s]
    if exclude:
        out.append("--exclude")
    return out


def join(ns: Namespace, iface: str, group: str, sources=(), exclude=False,
         duration: float | None = None) -> TesterProc:
    """A host joining through its kernel; holds until stop() (it then leaves)."""
    args = [tester_bin(), "join", iface, group, *_opts(sources, exclude)]
    if duration:
        args += ["--duration", str(duration)]
    p = TesterProc(ns.popen(args), args)
    # The join is done once the tool says so.
    line = p.proc.stdout.readline()
    if not line.startswith("joined"):
        p.wait(5)
        raise HarnessError(f"join failed: {line}{p.stdout}{p.stderr}")
    p.stdout += line
    return p


def receive(ns: Namespace, iface: str, group: str, duration: float, sources=(), exclude=False,
            port: int = 5001, count: int | None = None) -> TesterProc:
    """A receiver in the background; summary() returns its JSON. With
    `count` it ends as soon as that many packets arrived, so its time limit
    is a deadline for a stream that is expected and stretches with
    patience(); without it, `duration` is a window in which packets are
    counted (possibly none) and stays what the test says."""
    if count:
        duration = patience(duration)
    args = [tester_bin(), "receive", iface, group, "--duration", str(duration), "--port",
            str(port), "--json", *_opts(sources, exclude)]
    if count:
        args += ["--count", str(count)]
    p = TesterProc(ns.popen(args), args, runs_for=duration)
    # Receiving has begun (the group is joined) once the tool says so on
    # standard error; a stream sent before that would be partly missed.
    ready, _, _ = select.select([p.proc.stderr], [], [], patience(5.0))
    line = p.proc.stderr.readline() if ready else ""
    if not line.startswith("receiving"):
        p.wait(5)
        raise HarnessError(f"receiver did not start: {line}{p.stdout}{p.stderr}")
    p.stderr += line
    return p


def send(ns: Namespace, iface: str, group: str, count: int = 50, rate: float = 100,
         port: int = 5001, ttl: int = 16, source_address: str | None = None,
         background: bool = False):
    """Sends a test stream; blocks unless background (then returns a TesterProc)."""
    args = [tester_bin(), "send", iface, group, "--count", str(count), "--rate", str(rate),
            "--port", str(port), "--ttl", str(ttl)]
    if source_address:
        args += ["--source-address", source_address]
    if background:
        return TesterProc(ns.popen(args), args)
    cp = ns.run(args, check=False, timeout=count / rate + 10)
    if cp.returncode != 0:
        raise HarnessError(f"send failed: {cp.stdout}{cp.stderr}")
    return cp
