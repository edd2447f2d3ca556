# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the end-to-end benchmarks (benchmarks.py) for mcproxy and igmpproxy side
by side, prints one JSON line per measurement (also appended to --out), and
writes doc/benchmarks.md and doc/benchmarks.png from them.

    sudo /usr/bin/python3 bench/e2e/run_all.py            # full set, about 25 min
    sudo /usr/bin/python3 bench/e2e/run_all.py --quick    # smoke run, under 3 min
    sudo /usr/bin/python3 bench/e2e/run_all.py --only join,leave --repeat 5

Needs root, iproute2, tcpdump, python3-scapy, igmpproxy, and build/mcproxy
plus build/bench_kernel_mfc (bench/e2e/run_all.sh builds them).
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchmarks as B  # noqa: E402
import common  # noqa: E402
from common import PROXIES, REPO, emit  # noqa: E402

BENCHES = ("kernel", "join", "first", "leave", "scale", "flood", "churn", "routes")


PACKED = 10000  # records per report: as many as fit in the MTU


def plan(quick: bool, repeat: int | None, packing: str = "both") -> list[tuple[str, dict, int]]:
    """(bench, parameters, repeats) in the order they run."""
    if quick:
        r = repeat or 1
        return [
            ("kernel", {"min_time": "0.2"}, 1),
            ("join", {"groups": 10, "gap": 0.1}, r),
            ("first", {"groups": 10, "source_specific": True}, r),
            ("leave", {"fastleave": False, "bound": 5.0}, r),
            ("leave", {"fastleave": True, "bound": 5.0}, r),
            ("scale", {"n": 1000, "nsrc": 0, "rounds": 1, "timeout": 10.0, "per_report": 1}, r),
            ("flood", {"pool": 10000, "duration": 2.0}, r),
            ("churn", {"channels": 100, "interval": 0.1, "duration": 3.0}, r),
            ("routes", {"n": 1000}, r),
        ]
    r = repeat or 3
    out = [("kernel", {"min_time": "1"}, r),
           ("join", {"groups": 50, "gap": 0.2}, r),
           ("join", {"groups": 50, "gap": 0.2, "source_specific": True}, r),
           ("first", {"groups": 50, "source_specific": True}, r),
           ("leave", {"fastleave": False, "bound": 40.0}, r),
           ("leave", {"fastleave": True, "bound": 40.0}, r)]
    for per_report in ((1, PACKED) if packing == "both" else (1,) if packing == "one" else (PACKED,)):
        for n in (1000, 10000, 50000):
            for nsrc in (0, 10):
                out.append(("scale", {"n": n, "nsrc": nsrc, "rounds": 2, "timeout": 60.0,
                                      "per_report": per_report},
                            r if n <= 1000 else max(1, r - 1)))
    out += [("flood", {"pool": 10000, "duration": 5.0}, r),
            ("churn", {"channels": 100, "interval": 0.1, "duration": 10.0}, r),
            ("routes", {"n": 1000}, r)]
    return out


def machine() -> dict:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = open("/proc/meminfo").readline().split(":", 1)[1].strip()
    except OSError:
        pass

    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return ""
    igv = out(["dpkg-query", "-W", "-f", "${Version}", "igmpproxy"])
    commit = out(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    # scripts/with-mroute-kernel.sh says whether this runs on the machine's
    # own kernel or in its VM, and with which accelerator.
    where = os.environ.get("MCPROXY_MROUTE_KERNEL", "native")
    if where == "vm":
        where = f"vm ({os.environ.get('MCPROXY_VM_ACCEL', '?')})"
    return {"bench": "machine", "kernel": platform.release(), "cpu": cpu, "memory": mem, "where": where,
            "igmpproxy_version": igv, "mcproxy_commit": commit, "python": platform.python_version()}


def run_one(name: str, kind: str | None, params: dict, wd: Path) -> dict:
    if name == "kernel":
        return B.kernel_ceiling(**params)
    fn = {"join": B.join_latency, "first": B.first_packet, "leave": B.leave_latency, "scale": B.scale, "flood": B.flood,
          "churn": B.churn, "routes": B.route_install}[name]
    return fn(kind, wd, **params)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small smoke set, under 3 minutes")
    ap.add_argument("--repeat", type=int, default=None, help="runs of each measurement")
    ap.add_argument("--only", default="", help="comma separated: " + ",".join(BENCHES))
    ap.add_argument("--proxies", default=",".join(PROXIES))
    ap.add_argument("--scale-packing", choices=("one", "packed", "both"), default="both",
                    help="scale: one record per host report, records packed to the MTU, or both")
    ap.add_argument("--rcvbuf", type=int, default=0,
                    help="experiment: force this receive buffer (bytes) on the daemons' raw "
                         "sockets in the scale runs (SO_RCVBUFFORCE through pidfd_getfd)")
    ap.add_argument("--out", default=None, help="JSON lines file (default: a new file under /tmp)")
    ap.add_argument("--workdir", default=None, help="captures and logs (default under /tmp)")
    ap.add_argument("--doc", choices=("auto", "yes", "no"), default="auto",
                    help="write doc/benchmarks.md and .png (auto: only for the full set)")
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("run_all: needs root (network namespaces)", file=sys.stderr)
        return 2
    only = {x for x in a.only.split(",") if x}
    bad = only - set(BENCHES)
    if bad:
        print(f"run_all: unknown benchmark(s): {', '.join(sorted(bad))}", file=sys.stderr)
        return 2
    proxies = [p for p in a.proxies.split(",") if p]
    stamp = time.strftime("%Y%m%dT%H%M%S")
    wd = Path(a.workdir or f"/tmp/mcproxy-bench-{stamp}-{os.getpid()}")
    wd.mkdir(parents=True, exist_ok=True)
    out = a.out or str(wd / "results.jsonl")

    def on_term(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    common.netns.remove_stale_namespaces()

    emit({**machine(), "quick": a.quick}, out)
    t_start = time.monotonic()
    failures = 0
    try:
        for name, params, reps in plan(a.quick, a.repeat, a.scale_packing):
            if only and name not in only:
                continue
            if name == "scale" and a.rcvbuf:
                params = {**params, "rcvbuf": a.rcvbuf}
            for run in range(1, reps + 1):
                kinds = [None] if name == "kernel" else (proxies if run % 2 else proxies[::-1])
                for kind in kinds:
                    rec = {"bench": name, "proxy": kind or "kernel", "run": run, "params": params}
                    t0 = time.monotonic()
                    try:
                        rec.update(run_one(name, kind, params, wd / f"{name}-{kind}-{run}"))
                    except KeyboardInterrupt:
                        raise
                    except Exception as e:
                        failures += 1
                        rec["error"] = f"{type(e).__name__}: {e}"[:2000]
                        traceback.print_exc(file=sys.stderr)
                    rec["wall_s"] = round(time.monotonic() - t0, 1)
                    emit(rec, out)
    except KeyboardInterrupt:
        print("run_all: interrupted, namespaces removed", file=sys.stderr)
        return 130
    finally:
        left = common.netns.list_namespaces(f"{common.netns.PREFIX}{os.getpid()}-")
        if left:
            print(f"run_all: namespaces left behind: {left}", file=sys.stderr)
    print(f"run_all: {time.monotonic() - t_start:.0f} s, results in {out}", file=sys.stderr)
    if a.doc == "yes" or (a.doc == "auto" and not a.quick):
        import report
        report.write(out, REPO / "doc" / "benchmarks.md", REPO / "doc" / "benchmarks.png")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
