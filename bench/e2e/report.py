# SPDX-License-Identifier: GPL-2.0-or-later
"""Turns the JSON lines of run_all.py into doc/benchmarks.md (tables of
mcproxy against igmpproxy and the targets mcproxy is held to, the target
column of ROWS, with the spread over the runs) and doc/benchmarks.png.

    /usr/bin/python3 bench/e2e/report.py RESULTS.jsonl [MD] [PNG]
"""
from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

PROXIES = ("mcproxy", "igmpproxy")


def load(path: str) -> list[dict]:
    out = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def variant(r: dict) -> str:
    p = r.get("params", {})
    if r["bench"] == "join" and p.get("source_specific"):
        return "source-specific"
    if r["bench"] == "first":
        return "source-specific" if p.get("source_specific", True) else "any-source"
    if r["bench"] == "leave":
        return "fast leave" if p.get("fastleave") else "no fast leave"
    if r["bench"] == "scale":
        return (f"{p.get('n')} groups" + (f", {p.get('nsrc')} sources" if p.get("nsrc") else "")
                + (", packed reports" if p.get("per_report", 1) > 1 else ", one record per report")
                + (f", receive buffer forced to {p['rcvbuf']} bytes" if p.get("rcvbuf") else ""))
    return ""


def get(r: dict, path: str):
    scale = 1.0
    if "*" in path:
        path, f = path.split("*")
        scale = float(f)
    v = r
    for k in path.split("."):
        if isinstance(v, list) and k.isdigit():
            v = min(v) if v else None  # the socket that dropped least
            continue
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    if scale != 1.0 and isinstance(v, (int, float)) and not isinstance(v, bool):
        v = v * scale
    return v


def values(rs: list[dict], bench: str, var: str, proxy: str, path: str) -> list:
    return [get(r, path) for r in rs if r.get("bench") == bench and variant(r) == var
            and r.get("proxy") == proxy and "error" not in r]


def summary(vals: list) -> tuple[str, float | None, float | None]:
    """'median [min-max] (n)' text, the median and the relative spread."""
    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    bools = [v for v in vals if isinstance(v, bool)]
    if bools and not nums:
        return ("/".join("yes" if b else "no" for b in bools), None, None)
    if not nums:
        nones = len([v for v in vals if v is None])
        return ("n/a" if not vals else f"none ({nones} runs)", None, None)
    med = statistics.median(nums)
    lo, hi = min(nums), max(nums)
    spread = (hi - lo) / med if med else None
    txt = fmt(med) if len(nums) == 1 else f"{fmt(med)} [{fmt(lo)}-{fmt(hi)}]"
    missing = len(vals) - len(nums)
    if missing:
        txt += f" ({missing} run(s) n/a)"
    return txt, med, spread


def fmt(x) -> str:
    if isinstance(x, float):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) >= 10:
            return f"{x:.1f}"
        return f"{x:.3g}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


# (bench, variant, label, json path, target text, target check on mcproxy's median)
ROWS = [
    ("join", "", "report -> first packet, median (ms)", "join_to_first_packet_ms.median", "<= 0.25", lambda v: v <= 0.25),
    ("join", "", "report -> first packet, p90 (ms)", "join_to_first_packet_ms.p90", "", None),
    ("join", "", "report -> first packet, max (ms)", "join_to_first_packet_ms.max", "< 2", lambda v: v < 2),
    ("join", "", "report -> first packet sent after the report, median (ms)", "join_to_first_fresh_packet_ms.median", "", None),
    ("join", "", "report -> first packet sent after the report, max (ms)", "join_to_first_fresh_packet_ms.max", "", None),
    ("join", "", "report -> kernel route with the host's link, median (ms)", "join_to_route_ms.median", "", None),
    ("join", "", "report -> kernel route, max (ms)", "join_to_route_ms.max", "", None),
    ("join", "", "report -> upstream report, median (ms)", "join_to_upstream_report_ms.median", "< 1", lambda v: v < 1),
    ("join", "", "report -> upstream report, p90 (ms)", "join_to_upstream_report_ms.p90", "", None),
    ("join", "", "report -> upstream report, max (ms)", "join_to_upstream_report_ms.max", "", None),
    ("join", "", "stale packets (sent > 100 ms before arrival) in the first 500 ms", "stale_packets", "0", lambda v: v == 0),
    ("join", "", "oldest stale packet (ms)", "stale_max_age_ms", "", None),
    ("join", "source-specific", "report -> first packet, median (ms)", "join_to_first_packet_ms.median", "", None),
    ("join", "source-specific", "report -> first packet, max (ms)", "join_to_first_packet_ms.max", "", None),
    ("join", "source-specific", "report -> kernel route with the host's link, median (ms)", "join_to_route_ms.median", "", None),
    ("join", "source-specific", "report -> kernel route, max (ms)", "join_to_route_ms.max", "", None),
    ("join", "source-specific", "report -> upstream report, median (ms)", "join_to_upstream_report_ms.median", "< 1", lambda v: v < 1),
    ("join", "source-specific", "stale packets in the first 500 ms", "stale_packets", "0", lambda v: v == 0),
    ("first", "source-specific", "first packet of a new stream: upstream link -> host link, median (ms)", "first_packet_forward_ms.median", "", None),
    ("first", "source-specific", "first packet of a new stream: upstream link -> host link, p90 (ms)", "first_packet_forward_ms.p90", "", None),
    ("first", "source-specific", "first packet of a new stream: upstream link -> host link, max (ms)", "first_packet_forward_ms.max", "", None),
    ("first", "source-specific", "streams whose first packet reached the host (of 50)", "first_packet_forwarded", "", None),
    ("first", "source-specific", "packets of the first 50 ms lost", "lost_in_first_50ms", "", None),
    ("first", "source-specific", "kernel cache entries afterwards", "kernel_routes_after", "", None),
    ("leave", "no fast leave", "leave -> last packet (ms)", "leave_to_last_packet_ms", "< 2020 (LMQT 2 s + 20 ms)", lambda v: v < 2020),
    ("leave", "no fast leave", "still flowing when the wait ended (then the time is a lower bound)", "censored", "", None),
    ("leave", "fast leave", "leave -> last packet (ms)", "leave_to_last_packet_ms", "< 10", lambda v: v < 10),
    ("leave", "fast leave", "still flowing when the wait ended (then the time is a lower bound)", "censored", "", None),
]
for n, tgt_t, tgt_rss, packing in [(n, t, m, pk) for pk in (", one record per report", ", packed reports")
                                   for n, t, m in ((1000, "<= 100", None), (10000, "", None),
                                                   (50000, "<= 10,000", 65536))]:
    for nsrc in (0, 10):
        var = f"{n} groups" + (f", {nsrc} sources" if nsrc else "") + packing
        ROWS += [
            ("scale", var, "groups lost (never upstream after one burst)", "lost", "0", lambda v: v == 0),
            ("scale", var, "raw socket drops in the daemon", "socket_drops.0", "", None),
            ("scale", var, "last host report -> all upstream (ms)", "last_host_report_to_all_upstream_ms",
             tgt_t if not nsrc else "", (lambda v, t=tgt_t: v <= float(t.split()[-1].replace(",", ""))) if tgt_t and not nsrc else None),
            ("scale", var, "known upstream after the current-state rounds", "upstream_known_after_query_rounds", str(n), lambda v, n=n: v == n),
            ("scale", var, "upstream report packets", "upstream_report_packets", "", None),
            ("scale", var, "upstream report bytes / minimum", "bytes_vs_min", "<= 2" if n == 50000 else "", (lambda v: v <= 2) if n == 50000 else None),
            ("scale", var, "daemon RSS with all joined (KiB)", "rss_kb_joined", "< 65,536" if tgt_rss else "", (lambda v: v < 65536) if tgt_rss else None),
            ("scale", var, "daemon peak RSS (KiB)", "hwm_kb", "", None),
            ("scale", var, "CPU per general query cycle (ms)", "cpu_s_per_query_cycle*1000", "", None),
        ]
ROWS += [
    ("flood", "", "reports sent per second by the host", "sent_per_s", "", None),
    ("flood", "", "reports handled per second", "handled_per_s", "", None),
    ("flood", "", "daemon CPU during the flood (cores)", "cpu_cores_during_flood", "<= 1", lambda v: v <= 1),
    ("flood", "", "daemon waiting for a CPU during the flood (share of the time)", "runq_wait_share_during_flood", "", None),
    ("flood", "", "pool groups joined upstream (of 10,000)", "pool_joined_upstream", "10,000", lambda v: v == 10000),
    ("flood", "", "real join during the flood -> first packet (ms)", "real_join_to_first_packet_ms", "<= 50", lambda v: v <= 50),
    ("churn", "", "kernel route changes per second", "route_changes_per_s", "", None),
    ("churn", "", "zaps with no packet of the new channel (missed)", "missed_streams", "0", lambda v: v == 0),
    ("churn", "", "zap report -> first packet, median (ms)", "zap_to_first_packet_ms.median", "", None),
    ("routes", "", "routes installed per second (1,000 new (S,G), 20,000 pps offered)", "routes_per_s", "", None),
    ("routes", "", "daemon CPU per route installed (us)", "daemon_cpu_us_per_route", "", None),
]


METHOD = """
## How it is measured

`bench/e2e/` (Python, run as root) builds the namespaces with the
integration harness (`tests/integration/netns.py`): `router eth0 -- up0
proxy dn1 -- h1` (and `dn2 -- h2` where a second host is needed). The
router is the source and the upstream link. Each measurement starts a fresh
topology and one proxy in the proxy namespace, mcproxy
(`protocol IGMPv3; pinstance bench: up0 ==> dn1 ...;` with RFC default
timers, last-member query 1 s x 2 written out, max-groups raised for the
scale runs) or igmpproxy (`phyint up0 upstream ratelimit 0 threshold 1`
with `altnet`, `phyint dnN downstream ...`, `quickleave` for fast leave;
run with `-d` in the foreground; `net.ipv4.igmp_max_memberships` raised to
200,000 in the proxy namespace because igmpproxy joins upstream through
the kernel's host stack, 20 groups per socket otherwise). Times come from
tcpdump captures (one kernel clock for all namespaces): time zero is the
host's own report on its link. Kernel route times come from
`ip -ts monitor mroute` (rtnetlink notifications) in the proxy namespace;
CPU and run-queue wait from `/proc/PID/task/*/schedstat`, memory from
`/proc/PID/status`, socket drops from `/proc/net/raw`.

- **join**: the source streams to 50 groups (239.10.0.1+) at 200 packets/s
  each (one every 5 ms, so the next packet after a join is on average 2.5 ms
  away); the stream runs 1 s before the host (real kernel joins,
  `IP_ADD_MEMBERSHIP`) joins the groups one by one, 200 ms apart. A packet
  counts as stale when it reached the host more than 100 ms after it was sent
  (the kernel queues packets of unresolved (S,G) entries and delivers them
  when a route appears).
- **leave**: one group at 1,000 packets/s (1 ms resolution); the host joins,
  holds 2 s, leaves; leave latency is the host's leave on the wire to the
  last packet on the host's link. Both proxies start 5.5 s before the join
  and mcproxy runs with `query-interval 10 query-response-interval 2` so its
  startup queries are answered first (its fast leave relies on explicit
  host tracking, which it only trusts after that). The wait ends when the
  link was quiet for 1.5 s or at the bound (then the figure is a lower bound).
- **scale**: one host sends crafted IGMPv3 reports from an AF_PACKET socket
  (kernel joins are limited per socket by `igmp_max_memberships`), either one
  record per report (as if every group came from another host) or records
  packed to the 1,500-byte MTU (as a Linux host merges its pending changes),
  TO_EX {} for any-source joins or ALLOW with 10 sources (198.18.200.1-10)
  for source-specific ones, as fast as the socket takes them. Upstream
  report bytes are IP bytes (header with Router Alert included) of the
  proxy's reports from the first host report to 3 s after the upstream knew
  every group; the minimum is one copy of the learned records packed to the
  MTU (RFC 3376 asks for Robustness = 2 copies of a state change, so 2x the
  minimum is what a careful proxy sends). A "general query cycle" is a full
  round of current-state reports (IS_EX {} or IS_IN with the sources, packed
  to the MTU) sent by the host, as it does when queried; its CPU is the
  daemon's CPU from the round's start to 2 s later minus the idle rate.
  igmpproxy's own query interval (125 s) is not configurable, so the round is
  triggered by the host for both proxies.
- **flood**: h1 sends one-record TO_EX reports for a pool of 10,000 groups
  (239.96.0.0+) round robin as fast as its socket takes them for 5 s; reports
  handled = reports that arrived on dn1 minus the drops of the daemon's raw
  IGMP socket; half way through, h2 on dn2 joins 239.30.0.1 (streamed at
  200 packets/s) through its kernel.
- **churn**: two hosts (dn1, dn2) zap between 100 channels (239.40.0.1+, 50
  packets/s each) every 100 ms for 10 s with real joins and leaves, fast
  leave on in both proxies. A zap is missed when no packet of the new
  channel reached the host before its next zap.
- **routes**: the host joins 1,000 groups (packed reports); then the source
  starts 1,000 streams at once (20,000 packets/s in total, round robin);
  routes/s counts the (S,G) entries that got dn1 as outgoing interface from
  the first cache event to the last route. The kernel holds at most 10
  unresolved entries per table, so the upcall path sets the pace.
- **join, source-specific**: as join, but the host joins (S,G) with S the
  stream's source (232.10.0.0/16, IGMPv3 ALLOW/TO_IN from the host kernel).
- **first**: the host joins 50 (S,G) (232.11.0.0/16) 10 ms apart and the
  proxy reports them; 1.5 s later the source starts all 50 streams (200
  packets/s each), as an upstream router does once it has the proxy's
  report. Per stream, the time from its first packet on the upstream link
  to the same packet on the host link (tcpdump, one kernel clock): a route
  made before the data (proactive) forwards it at once, a route made from
  the kernel's NOCACHE upcall after the daemon has answered.
- **kernel**: `build/bench_kernel_mfc` in its own namespace, through
  mcproxy's thin kernel wrappers: MRT_ADD_MFC + MRT_DEL_MFC pairs
  (BM_mfc4_add_remove), an add of a new entry, a delete and an update each
  alone (the other half of the pair runs with the clock paused), and
  BM_mfc4_upcall_and_add: a packet to a new group arrives on the input VIF
  (sent with the clock paused), then the NOCACHE upcall is read and the entry
  added, which forwards the queued packet to the output VIF: the daemon's
  job per route without the daemon. The daemon's figure is process CPU
  time, so it is compared with the CPU time of that loop.
"""



def where_line(where: str) -> str:
    """Where the figures were measured: the machine's own kernel, or the VM of
    scripts/with-mroute-kernel.sh (absolute times there are not the machine's
    speed; mcproxy and igmpproxy were measured in the same VM, so their ratio
    still compares)."""
    if where.startswith("vm"):
        emulated = "tcg" in where
        return (f"- where: in the qemu VM of scripts/with-mroute-kernel.sh ({where}), because this "
                "machine's kernel has no multicast routing. "
                + ("Software emulation: absolute times are many times this machine's real ones; "
                   if emulated else "")
                + "both proxies ran in the same VM, so their side-by-side figures compare.")
    return "- where: natively, on this machine's own kernel"

def write(results: str, md_path: Path, png_path: Path) -> None:
    rs = load(results)
    mach = next((r for r in rs if r.get("bench") == "machine"), {})
    meas = [r for r in rs if r.get("bench") not in ("machine",)]
    errors = [r for r in meas if "error" in r]
    loads = [r["load1"] for r in meas if "load1" in r]
    kern = [r for r in meas if r.get("bench") == "kernel" and "error" not in r]
    def kmed(key):
        v = [r[key] for r in kern if r.get(key) is not None]
        return statistics.median(v) if v else None
    k_ops = kmed("mfc_ops_per_s")
    k_us = kmed("mfc_add_plus_del_us")
    k_resolve = kmed("mfc_upcall_and_add_cpu_us")

    lines = ["# Benchmarks: mcproxy and igmpproxy side by side", "",
             "Generated by `bench/e2e/run_all.sh` from "
             f"`{Path(results).name}`; every figure below was measured in that run, "
             "both proxies on the same namespace topology, one after the other, "
             "alternating which goes first. Run it again with `sudo bench/e2e/run_all.sh` "
             "(builds what is missing; about 25 minutes; `--quick` for a smoke run under 3 "
             "minutes; `--help` for more); the raw JSON lines are kept beside this page.", "",
             "## Machine", "",
             f"- kernel {mach.get('kernel', '?')}, CPU {mach.get('cpu', '?')}, "
             f"{mach.get('memory', '?')} memory, {meas[0].get('cpus', '?') if meas else '?'} cores",
             where_line(mach.get("where", "native")),
             f"- igmpproxy {mach.get('igmpproxy_version', '?')} (Debian package), "
             f"mcproxy at commit {mach.get('mcproxy_commit', '?')} (RelWithDebInfo build)",
             f"- load average (1 min) while measuring: {min(loads):.1f} to {max(loads):.1f} "
             f"(median {statistics.median(loads):.1f}) on {meas[0].get('cpus', '?')} cores: the machine was "
             "shared with builds and other tests." if loads else "- load: not recorded",
             f"- runs: {mach.get('time', '?')}, {len(meas)} measurements, {len(errors)} failed", "",
             "Cells: median over the runs, [min-max] when there was more than one run. "
             "'target' is the figure mcproxy is held to (none where the column is empty); "
             "'met' is judged on mcproxy's median.", ""]
    if k_resolve:
        def kc(name):
            c, w = kmed(f"mfc_{name}_cpu_us"), kmed(f"mfc_{name}_us")
            return f"{c:.2f} us ({w:.2f})" if c is not None and w is not None else "?"
        lines += ["Kernel ceiling (bench_kernel_mfc, bare loops through mcproxy's kernel wrappers; "
                  "CPU time per operation, wall-clock time in brackets, which the load inflates): "
                  f"add of a new entry {kc('add_new')}, delete {kc('delete')}, update of an existing "
                  f"entry {kc('update')}, add+delete pair {kc('add_plus_del')}; NOCACHE upcall read + add "
                  f"that forwards the one packet the kernel queued {kc('upcall_and_add')}.", ""]
    elif k_ops:
        lines += [f"Kernel ceiling (bench_kernel_mfc, bare MRT_ADD_MFC + MRT_DEL_MFC loop): "
                  f"{fmt(float(k_ops))} operations/s, {k_us:.2f} us per add+delete pair "
                  f"({k_us / 2:.2f} us per operation).", ""]
    findings = Path(__file__).resolve().parent / "findings.md"
    if findings.exists():
        lines += [findings.read_text().rstrip(), ""]
    lines += ["![mcproxy against igmpproxy](benchmarks.png)", "", "## Results"]
    cur = None
    noisy = []
    for bench, var, label, path, target, check in ROWS:
        if not any(r.get("bench") == bench and variant(r) == var for r in meas):
            continue
        head = f"{bench} {var}".strip()
        if head != cur:
            cur = head
            lines += ["", f"### {head}", "", "| figure | mcproxy | igmpproxy | target | met |",
                      "| --- | --- | --- | --- | --- |"]
        cells, meds = [], {}
        for p in PROXIES:
            txt, med, spread = summary(values(meas, bench, var, p, path))
            cells.append(txt)
            meds[p] = med
            if spread is not None and spread > 0.5 and med and abs(med) > 0.05:
                noisy.append(f"{head}: {label} ({p}): spread {spread:.0%} of the median")
        met = ""
        if check and meds["mcproxy"] is not None:
            met = "yes" if check(meds["mcproxy"]) else "**no**"
        elif check and values(meas, bench, var, "mcproxy", path):
            met = "**no**"
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {target} | {met} |")
    cpu_route = [r.get("daemon_cpu_us_per_route") for r in meas if r.get("bench") == "routes"
                 and r.get("proxy") == "mcproxy" and r.get("daemon_cpu_us_per_route")]
    if k_resolve and cpu_route:
        med = statistics.median(cpu_route)
        add = kmed("mfc_add_new_cpu_us")
        lines += ["", f"Route installation against the ceiling: mcproxy spends {med:.1f} us of CPU per "
                  "route installed (upcall read, decision, MRT_ADD_MFC, which also forwards the "
                  f"packets the kernel queued) against {k_resolve:.2f} us for the bare upcall read + "
                  f"add of bench_kernel_mfc: {med / k_resolve:.2f}x (target: within 10%, i.e. 1.1x). "
                  f"A bare add of a new entry with nothing queued costs {add:.2f} us."]
    elif k_us:
        if cpu_route:
            ratio = statistics.median(cpu_route) / (k_us / 2)
            lines += ["", f"Route installation against the ceiling: mcproxy spends "
                      f"{statistics.median(cpu_route):.1f} us of CPU per route installed (upcall read, "
                      f"decision, MRT_ADD_MFC) against {k_us / 2:.2f} us for a bare MRT_ADD_MFC: "
                      f"{ratio:.1f}x (target: within 10%, i.e. 1.1x)."]
    lines += ["", METHOD.rstrip()]
    lines += ["", "## Noise", "",
              "Figures that varied by more than half their median between runs:", ""]
    lines += [f"- {n}" for n in noisy] or ["- none"]
    if errors:
        lines += ["", "## Failed measurements", ""]
        lines += [f"- {r['bench']} {variant(r)} {r.get('proxy')} run {r.get('run')}: {r['error'][:300]}"
                  for r in errors]
    lines += [""]
    md_path.write_text("\n".join(lines) + "\n")
    plot(meas, png_path)


def plot(meas: list[dict], png: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def med(bench, var, proxy, path):
        v = [x for x in values(meas, bench, var, proxy, path) if isinstance(x, (int, float))]
        return statistics.median(v) if v else float("nan")  # no bar

    panels = [
        ("join latency (ms, log)", [("first packet", "join", "", "join_to_first_packet_ms.median"),
                                    ("kernel route", "join", "", "join_to_route_ms.median"),
                                    ("upstream report", "join", "", "join_to_upstream_report_ms.median")], True),
        ("leave -> last packet (ms, log)", [("no fast leave", "leave", "no fast leave", "leave_to_last_packet_ms"),
                                            ("fast leave", "leave", "fast leave", "leave_to_last_packet_ms")], True),
        ("groups lost, one record per report", [(f"{n // 1000}k", "scale", f"{n} groups, one record per report", "lost")
                                                for n in (1000, 10000, 50000)], False),
        ("last report -> all upstream (ms, log), packed", [(f"{n // 1000}k", "scale", f"{n} groups, packed reports",
                                                            "last_host_report_to_all_upstream_ms")
                                                           for n in (1000, 10000, 50000)], True),
        ("report flood", [("handled/s /1000", "flood", "", "handled_per_s"),
                          ("real join ms", "flood", "", "real_join_to_first_packet_ms")], True),
        ("routes installed per second", [("1,000 (S,G)", "routes", "", "routes_per_s")], False),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    colors = {"mcproxy": "#1f77b4", "igmpproxy": "#d62728"}
    import math
    for ax, (title, items, logy) in zip(axes.flat, panels):
        xs = range(len(items))
        finite = [med(b, v, p, path) for _, b, v, path in items for p in PROXIES]
        if not any(math.isfinite(x) for x in finite):
            ax.set_title(title)
            ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        for j, p in enumerate(PROXIES):
            vals = []
            for label, bench, var, path in items:
                v = med(bench, var, p, path)
                if path == "rss_kb_joined":
                    v /= 1024
                if path == "handled_per_s":
                    v /= 1000
                vals.append(max(v, 1e-3) if logy else v)
            ax.bar([x + (j - 0.5) * 0.38 for x in xs], vals, 0.38, label=p, color=colors[p])
        ax.set_xticks(list(xs))
        ax.set_xticklabels([i[0] for i in items])
        ax.set_title(title)
        if logy:
            ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].legend()
    fig.suptitle("mcproxy vs igmpproxy (medians over runs; bench/e2e; "
                 "on log axes 0 is drawn at 0.001, no bar: not measured or never complete)")
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    root = Path(__file__).resolve().parents[2]
    md = Path(sys.argv[2]) if len(sys.argv) > 2 else root / "doc" / "benchmarks.md"
    png = Path(sys.argv[3]) if len(sys.argv) > 3 else root / "doc" / "benchmarks.png"
    write(sys.argv[1], md, png)
