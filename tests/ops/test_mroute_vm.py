# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/with-mroute-kernel.sh, the runner for everything that programs the
kernel's multicast tables (doc/mroute-vm.md). The VM cases force the VM
(MCPROXY_VM=always), so they test it on any machine; each boots one.

- the command's output and exit status come back, in its working directory,
  with the caller's environment and a kernel that has multicast routing;
- MCPROXY_VM=never runs natively and says so to the command;
- where the kernel has multicast routing (inside the VM, for one), the
  default choice runs the command natively;
- a VM that overstays MCPROXY_VM_TIMEOUT is killed: exit 124 and the
  console's tail;
- bad settings are one clear line and exit 125 (never a green run).

Run (as root): /usr/bin/python3 -m pytest -q tests/ops/test_mroute_vm.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
RUNNER = TOP / "scripts" / "with-mroute-kernel.sh"

needs_vm = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("qemu-system-x86_64") is None,
                              reason="needs root and qemu-system-x86_64 (the runner installs it on first use)")


def run(args, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUNNER), *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})), cwd=TOP, stdin=subprocess.DEVNULL)


def test_where_names_the_choice():
    r = run(["--where"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(("native", "vm: ")), r.stdout


def test_never_runs_natively_and_tells_the_command():
    r = run(["sh", "-c", 'echo "kernel=$MCPROXY_MROUTE_KERNEL"; exit 3'], env={"MCPROXY_VM": "never"})
    assert r.returncode == 3
    assert r.stdout.strip() == "kernel=native"


@needs_vm
def test_vm_returns_output_status_and_a_multicast_routing_kernel(tmp_path):
    marker = tmp_path / "from-host"
    marker.write_text("seen through 9p\n")
    script = ("echo kernel=$MCPROXY_MROUTE_KERNEL; echo here=$(pwd); echo probe=$PROBE; cat " + str(marker)
              + "; test -e /proc/net/ip_mr_vif && test -e /proc/net/ip6_mr_vif && echo mroute=yes;"
              " echo tmp=$TMPDIR; echo to-stderr >&2\n"
              # A second line and arguments with quotes, dollars and a newline
              # reach the command unchanged (the VM's /bin/sh is dash).
              'printf "arg=%s|" "$0" "$1"; echo; exit 7')
    r = run(["sh", "-c", script, "it's $HOME", "two\nlines"],
            env={"MCPROXY_VM": "always", "PROBE": "caller's value"})
    assert r.returncode == 7, r.stdout + r.stderr
    out = r.stdout.splitlines()
    assert "kernel=vm" in out
    assert f"here={TOP}" in out
    assert "probe=caller's value" in out
    assert "seen through 9p" in out
    assert "mroute=yes" in out
    assert "tmp=/run/tmp" in out
    assert "to-stderr" in out  # the command's stderr comes back too
    assert "arg=it's $HOME|arg=two" in out and "lines|" in out, out
    assert "running the command in a qemu VM" in r.stderr


@needs_vm
def test_vm_that_overstays_is_killed_with_the_console_tail():
    r = run(["sleep", "600"], env={"MCPROXY_VM": "always", "MCPROXY_VM_TIMEOUT": "45"})
    assert r.returncode == 124, r.stdout + r.stderr
    assert "killed after 45s" in r.stderr
    assert "console tail" in r.stderr


@pytest.mark.parametrize("env,says", [({"MCPROXY_VM": "sometimes"}, "MCPROXY_VM must be"),
                                      ({"MCPROXY_VM": "always", "MCPROXY_VM_KERNEL": "5.10"},
                                       "MCPROXY_VM_KERNEL must be")])
def test_bad_settings_are_one_line_and_exit_125(env, says):
    r = run(["true"], env=env)
    assert r.returncode == 125, r.stdout + r.stderr
    assert says in r.stderr


@needs_vm
def test_auto_runs_natively_where_the_kernel_has_multicast_routing():
    # The VM's kernel has multicast routing, as a machine's own kernel may:
    # there the default choice (the probe of `mcproxy -c`) runs the command
    # natively, with no VM inside the VM.
    inner = (f'MCPROXY_VM=auto {RUNNER} --where; '
             f'MCPROXY_VM=auto {RUNNER} sh -c \'echo "inner=$MCPROXY_MROUTE_KERNEL"\'')
    r = run(["sh", "-c", inner], env={"MCPROXY_VM": "always"})
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout.splitlines()
    assert out and out[0].startswith("native"), out
    assert "inner=native" in out, out
