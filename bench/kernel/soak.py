"""Soak: the kernel through jupyter_client for 1,000 cells, 100 interrupts and 10 restarts.

    .venv/bin/python bench/kernel/soak.py [--segments 10] [--cells 100] [--out DIR]

Ten segments of 100 cells each (arrays, loops, prints, HTML displays, a variable from the
segment's start), after every tenth a busy loop or a pending await interrupted 0.3 s after it
started (signal mode, i.e. KernelManager.interrupt_kernel(): SIGINT to the process group, and
interrupt_request, alternating); a KernelManager.restart_kernel() after each segment. Records
every cell's round trip (execute_request sent to reply and idle received) and the RSS of the
kernel's whole process tree at each segment's end: both should stay flat from the first segment
to the last. Writes soak-results.json and soak-results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "python"))
from kernel_driver import Driver  # noqa: E402


def cell(i: int) -> str:
    kind = i % 5
    if kind == 0:
        return f"const s{i} = Array.from({{ length: 1000 }}, (_, k) => k * {i});\ns{i}.length"
    if kind == 1:
        return f"let acc = 0;\nfor (let k = 0; k < 100000; k++) acc += k % {i + 1};\nacc"
    if kind == 2:
        return f'console.log("cell {i}")'
    if kind == 3:
        return f'display.html("<b>cell {i}</b>")'
    return f"kept + {i}"


def q(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(p * len(s)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=10)
    ap.add_argument("--cells", type=int, default=100, help="cells per segment, an interrupted one after every tenth")
    ap.add_argument("--kernel", default="tsdl")
    ap.add_argument("--out", default=str(Path(__file__).parent))
    args = ap.parse_args()

    started = time.time()
    d = Driver(args.kernel)
    segments = []
    failures = []
    n_interrupts = 0
    restarts = 0
    for seg in range(args.segments):
        setup = d.run("const kept = 1000;", timeout=300)
        if setup.status != "ok":
            failures.append({"segment": seg, "setup": setup.status})
        latencies, interrupt_s, slowest = [], [], []
        for i in range(args.cells):
            code = cell(seg * args.cells + i)
            r = d.run(code, timeout=120)
            latencies.append(r.seconds)
            slowest.append((r.seconds, i, code.split("\n")[0][:40]))
            if r.status != "ok":
                failures.append({"segment": seg, "cell": i, "status": r.status, "ename": r.ename, "evalue": r.evalue})
            if i % 10 == 9:
                mode = "signal" if n_interrupts % 2 == 0 else "message"
                code = "while (true) {}" if n_interrupts % 4 < 2 else "await new Promise((r) => setTimeout(r, 600_000));"
                msg_id = d.send(code)
                d.wait_started(msg_id, 120)
                time.sleep(0.3)
                t0 = time.monotonic()
                d.interrupt(mode)
                r = d.result(msg_id, 120, started=t0)
                interrupt_s.append(r.seconds)
                n_interrupts += 1
                if r.ename != "Interrupted":
                    failures.append({"segment": seg, "cell": i, "interrupt": mode, "ename": r.ename, "evalue": r.evalue})
        rss = d.rss_mib()
        segments.append({
            "segment": seg, "cells": len(latencies), "interrupts": len(interrupt_s),
            "median_ms": round(1000 * statistics.median(latencies), 1), "p90_ms": round(1000 * q(latencies, 0.9), 1),
            "max_ms": round(1000 * max(latencies), 1),
            "interrupt_median_ms": round(1000 * statistics.median(interrupt_s), 1) if interrupt_s else None,
            "interrupt_max_ms": round(1000 * max(interrupt_s), 1) if interrupt_s else None,
            "rss_mib": round(rss), "processes": len(d.tree()),
            "slowest": [{"cell": i, "ms": round(1000 * sec), "code": code} for sec, i, code in sorted(slowest, reverse=True)[:3]],
        })
        print(json.dumps(segments[-1]), flush=True)
        t0 = time.monotonic()
        d.restart()
        restarts += 1
        segments[-1]["restart_s"] = round(time.monotonic() - t0, 2)
    d.shutdown()

    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(), "python": platform.python_version()},
        "cells": sum(s["cells"] for s in segments), "interrupts": n_interrupts, "restarts": restarts,
        "seconds": round(time.time() - started), "segments": segments, "failures": failures,
    }
    out = Path(args.out)
    (out / "soak-results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Kernel soak (bench/kernel/soak.py)",
        "",
        f"{results['date']}, {results['machine']['cpus']} CPUs; through jupyter_client's KernelManager: {results['cells']} cells, "
        f"{n_interrupts} interrupts (signal to the process group and interrupt_request, alternating), {restarts} restarts, in {results['seconds']} s. "
        f"Failures: {len(failures)}.",
        "",
        "| segment | cells | median ms | p90 ms | max ms | interrupt to reply, median / max ms | RSS of the kernel's tree, MiB | processes | restart s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[f"| {s['segment']} | {s['cells']} | {s['median_ms']} | {s['p90_ms']} | {s['max_ms']} | {s['interrupt_median_ms']} / {s['interrupt_max_ms']} | {s['rss_mib']} | {s['processes']} | {s['restart_s']} |" for s in segments],
        "",
        "Round trip: execute_request sent to execute_reply and idle received. RSS and processes at the end of each segment, before its restart.",
        "",
        "Slowest cell of each segment (cell number within it, first line):",
        "",
        *[f"- {s['segment']}: cell {s['slowest'][0]['cell']}, {s['slowest'][0]['ms']} ms, `{s['slowest'][0]['code']}`" for s in segments],
        "",
    ]
    if failures:
        lines += ["Failures:", "", *[f"- `{json.dumps(f)}`" for f in failures], ""]
    (out / "soak-results.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
