# SPDX-License-Identifier: GPL-2.0-or-later
"""Smoke test of the end-to-end benchmark harness (bench/e2e): one small
case of the quick set (join latency, 10 groups, both proxies) and the kernel
ceiling must come out as JSON lines with the expected keys. No time
thresholds: benchmarks report numbers, they never pass or fail on a time.

    sudo /usr/bin/python3 -m pytest -q tests/bench_smoke
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_ALL = REPO / "bench" / "e2e" / "run_all.py"


def _skip_reason() -> str | None:
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "namespace benchmarks need root"
    for tool in ("ip", "tcpdump", "stdbuf"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if shutil.which("igmpproxy") is None and not os.path.exists("/usr/sbin/igmpproxy"):
        return "igmpproxy is not installed (apt-get install igmpproxy)"
    for b in ("mcproxy", "bench_kernel_mfc"):
        if not (REPO / "build" / b).exists():
            return f"build/{b} is not built"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
# Under software emulation (scripts/with-mroute-kernel.sh without KVM) the
# quick run takes several times as long; the bound only stops a hung run.
SLOWDOWN = 4 if os.environ.get("MCPROXY_VM_ACCEL", "").startswith("tcg") else 1

JOIN_KEYS = {"bench", "proxy", "run", "params", "groups", "rate_pps", "join_to_first_packet_ms",
             "join_to_upstream_report_ms", "join_to_route_ms", "no_packet", "no_upstream_report",
             "stale_packets", "stale_max_age_ms", "daemon_cpu_s", "daemon_runq_wait_s", "daemon_alive", "time",
             "load1", "cpus", "wall_s"}
QUANTILE_KEYS = {"n", "median", "p90", "max"}


def test_quick_join_and_kernel_print_json_lines(tmp_path):
    out = tmp_path / "results.jsonl"
    cp = subprocess.run([sys.executable, str(RUN_ALL), "--quick", "--only", "kernel,join",
                         "--out", str(out), "--workdir", str(tmp_path / "work"), "--doc", "no"],
                        capture_output=True, text=True, timeout=170 * SLOWDOWN)
    assert cp.returncode == 0, cp.stdout + cp.stderr
    printed = [json.loads(l) for l in cp.stdout.splitlines() if l.startswith("{")]
    stored = [json.loads(l) for l in out.read_text().splitlines()]
    assert printed == stored

    machine = [r for r in stored if r["bench"] == "machine"]
    assert len(machine) == 1 and {"kernel", "where", "igmpproxy_version", "mcproxy_commit"} <= set(machine[0])

    kernel = [r for r in stored if r["bench"] == "kernel"]
    assert len(kernel) == 1 and "error" not in kernel[0], kernel
    assert kernel[0]["mfc_ops_per_s"] > 0

    join = {r["proxy"]: r for r in stored if r["bench"] == "join"}
    assert set(join) == {"mcproxy", "igmpproxy"}
    for proxy, r in join.items():
        assert "error" not in r, r
        assert JOIN_KEYS <= set(r), (proxy, JOIN_KEYS - set(r))
        for k in ("join_to_first_packet_ms", "join_to_upstream_report_ms", "join_to_route_ms"):
            assert set(r[k]) == QUANTILE_KEYS, (proxy, k, r[k])
        # Every one of the 10 joins was seen on the wire and measured.
        assert r["join_to_first_packet_ms"]["n"] + r["no_packet"] == 10
        assert r["join_to_upstream_report_ms"]["n"] + r["no_upstream_report"] == 10
        assert r["daemon_alive"] is True


def test_report_writes_markdown_and_png(tmp_path):
    """The page generator turns JSON lines into a table and a plot."""
    pytest.importorskip("matplotlib", reason="python3-matplotlib is not installed")
    sys.path.insert(0, str(REPO / "bench" / "e2e"))
    import report
    rows = [{"bench": "machine", "kernel": "k", "cpu": "c", "memory": "m", "igmpproxy_version": "0.3-1",
             "mcproxy_commit": "abc"}]
    for p, med in (("mcproxy", 0.2), ("igmpproxy", 12.0)):
        rows.append({"bench": "join", "proxy": p, "run": 1, "params": {}, "load1": 1.0, "cpus": 2,
                     "join_to_upstream_report_ms": {"n": 5, "median": med, "p90": med, "max": med}})
    res = tmp_path / "r.jsonl"
    res.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    md, png = tmp_path / "b.md", tmp_path / "b.png"
    report.write(str(res), md, png)
    text = md.read_text()
    assert "| report -> upstream report, median (ms) | 0.2 | 12.0 | < 1 | yes |" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
