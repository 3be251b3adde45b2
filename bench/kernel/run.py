"""Kernel benchmark: tsdl beside tslab and Deno's kernel, in one run, through jupyter_client.

    .venv/bin/python bench/kernel/run.py [--reps 5] [--kernels tsdl,tslab,deno]
    .venv/bin/python bench/kernel/run.py --kernels tsdl --reps 3 --out /tmp/x      # quick, tsdl only
    .venv/bin/python bench/kernel/run.py --kernels tsdl --baseline /tmp/old --out /tmp/x
        # before/after: also runs the tsdl package copied to /tmp/old (package.json, bin, dist,
        # node_modules) as kernel "tsdl-base", interleaved with the current build

For each kernel and repetition (kernels interleaved, so machine noise hits all alike):
  - start-up: process spawn to the first kernel_info_reply;
  - round trip of a trivial cell (`1+1` again and again; then `2+1`, `3+1`, … each new) and of a
    100-line cell: execute_request sent to both the execute_reply and the idle status received (what a
    user waits for, read with one poll on both sockets), median of several;
  - memory: RSS of the kernel's whole process tree after 200 cells.
Each figure in the report is the median over repetitions. Writes bench/kernel/results.json (every
sample, versions, machine) and bench/kernel/results.md (the table the README quotes).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from queue import Empty

import psutil
import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / "node_modules" / ".bin"

KERNELS = {
    "tsdl": lambda conn: ["node", str(ROOT / "bin" / "tsdl.js"), "kernel", "-f", conn],
    "tslab": lambda conn: [str(BIN / "tslab"), "kernel", "--config-path", conn],
    "deno": lambda conn: [str(BIN / "deno"), "jupyter", "--kernel", "--conn", conn],
}

TRIVIAL_RUNS = 10
LONG_RUNS = 5
MEMORY_CELLS = 200
# The first cells of the memory run, timed as Run All sees them: their mean, which (unlike a median)
# counts the occasional slow cell, e.g. one held up by a garbage collection.
RUN_ALL_CELLS = 100
TIMEOUT = 60.0


def long_cell(tag: str) -> str:
    """100 lines of ordinary notebook code; names are unique per run so re-running never clashes.

    Its JavaScript twin is longCell in cells.js (compile.js and checkers.js); change both together.
    """
    lines = [f"const v{tag}_{i}: number = Math.sqrt({i}) * {i} + {i % 7};" for i in range(98)]
    lines.append(f"function sum{tag}(xs: number[]): number {{ return xs.reduce((a, b) => a + b, 0); }}")
    lines.append(f"sum{tag}([v{tag}_1, v{tag}_2, v{tag}_97])")
    return "\n".join(lines)


class Kernel:
    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        # A real key, as Jupyter uses: every message is signed and checked, like in a notebook.
        key = secrets.token_hex(32).encode()
        conn, _ = write_connection_file(str(workdir / f"{name}-{time.monotonic_ns()}.json"), ip="127.0.0.1", key=key)
        self.conn = conn
        self.client = BlockingKernelClient(connection_file=conn)
        self.client.load_connection_file()
        self.log = open(workdir / f"{name}.log", "ab")
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            KERNELS[name](conn), cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.client.start_channels()

    def wait_ready(self) -> float:
        """Seconds from spawn to the first kernel_info_reply."""
        msg_id = self.client.kernel_info()
        deadline = self.t0 + TIMEOUT
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before answering kernel_info; see its log")
            try:
                msg = self.client.get_shell_msg(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                elapsed = time.perf_counter() - self.t0
                self.drain_iopub()
                return elapsed
        raise RuntimeError(f"{self.name} sent no kernel_info_reply within {TIMEOUT} s")

    def drain_iopub(self) -> None:
        while True:
            try:
                self.client.get_iopub_msg(timeout=0.2)
            except Empty:
                return

    def run(self, code: str) -> float:
        """Seconds from execute_request to execute_reply + idle; fails on an error reply.

        Waits on the shell and IOPub sockets together (one zmq poll), so the time is the kernel's and
        the wire's: polling one socket at a time in slices would add up to a slice per message."""
        start = time.perf_counter()
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False)
        shell, iopub = self.client.shell_channel, self.client.iopub_channel
        poller = zmq.Poller()
        poller.register(shell.socket, zmq.POLLIN)
        poller.register(iopub.socket, zmq.POLLIN)
        reply = None
        idle = False
        deadline = start + TIMEOUT
        while reply is None or not idle:
            left_ms = (deadline - time.perf_counter()) * 1000
            if left_ms <= 0:
                raise RuntimeError(f"{self.name}: no reply to {code[:40]!r} within {TIMEOUT} s")
            ready = dict(poller.poll(left_ms))
            if shell.socket in ready:
                msg = shell.get_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            if iopub.socket in ready:
                msg = iopub.get_msg(timeout=0)
                if (
                    msg["parent_header"].get("msg_id") == msg_id
                    and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"
                ):
                    idle = True
        elapsed = time.perf_counter() - start
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{self.name}: {code[:60]!r} failed: {reply['content']}")
        return elapsed

    def rss_bytes(self) -> int:
        proc = psutil.Process(self.proc.pid)
        total = 0
        for p in [proc, *proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def close(self) -> None:
        try:
            self.client.shutdown()
            self.proc.wait(timeout=5)
        except Exception:
            pass
        self.client.stop_channels()
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


def one_repetition(name: str, rep: int, workdir: Path) -> dict:
    kernel = Kernel(name, workdir)
    try:
        startup = kernel.wait_ready()
        # The first cell pays for warming the compiler: reported on its own, kept out of the medians.
        first_cell = kernel.run("0")
        trivial = [kernel.run("1+1") for _ in range(TRIVIAL_RUNS)]
        # The same size of cell with a different text each time: what typing new one-liners costs
        # (a type-checking kernel cannot reuse the last check).
        distinct = [kernel.run(f"{i + 2}+1") for i in range(TRIVIAL_RUNS)]
        long = [kernel.run(long_cell(f"r{rep}n{i}")) for i in range(LONG_RUNS)]
        rss_before = kernel.rss_bytes()
        executed = 1 + 2 * TRIVIAL_RUNS + LONG_RUNS
        failure = None
        run_all: list[float] = []
        try:
            while executed < MEMORY_CELLS:
                seconds = kernel.run(f"const m{executed} = {executed} * 2;\nm{executed} + 1")
                if len(run_all) < RUN_ALL_CELLS:
                    run_all.append(seconds)
                executed += 1
        except RuntimeError as err:
            # A kernel that stops answering gets no memory figure, and the report says where it stopped.
            failure = f"stopped at cell {executed + 1}: {err}"
        return {
            "startup_s": startup,
            "first_cell_s": first_cell,
            "trivial_cell_s": statistics.median(trivial),
            "distinct_trivial_cell_s": statistics.median(distinct),
            "long_cell_s": statistics.median(long),
            "run_all_mean_s": statistics.mean(run_all) if len(run_all) == RUN_ALL_CELLS else None,
            "rss_after_200_cells_bytes": None if failure else kernel.rss_bytes(),
            "rss_after_16_cells_bytes": rss_before,
            "cells_completed": executed,
            "failure": failure,
            "samples": {"trivial_cell_s": trivial, "distinct_trivial_cell_s": distinct, "long_cell_s": long, "run_all_s": run_all},
        }
    finally:
        kernel.close()


def median_or_none(values: list) -> float | None:
    """The median, or None when any repetition has no value (a kernel that failed is not averaged away)."""
    return None if any(v is None for v in values) else statistics.median(values)


def versions() -> dict:
    def cmd(args: list[str]) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=30, cwd=ROOT).stdout.strip().splitlines()[0]
        except Exception as err:  # noqa: BLE001 - a missing tool is reported, not fatal
            return f"unknown ({err})"

    pkg = lambda p: json.loads((ROOT / "node_modules" / p / "package.json").read_text())["version"]  # noqa: E731
    return {
        "tsdl": json.loads((ROOT / "package.json").read_text())["version"] + " @ " + cmd(["git", "rev-parse", "--short", "HEAD"])
        + (" + uncommitted changes" if subprocess.run(["git", "status", "--porcelain", "--", "kernel", "cli", "bin"], capture_output=True, text=True, cwd=ROOT).stdout.strip() else ""),
        "tslab": pkg("tslab"),
        "deno": cmd([str(BIN / "deno"), "--version"]).removeprefix("deno "),
        "node": cmd(["node", "--version"]),
        "typescript": pkg("typescript"),
        "typescript-7 (native checker)": pkg("typescript-7"),
    }


def baseline_version(base: Path) -> str:
    """What `--baseline` ran: the tsdl package in that folder, at its commit."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=base).stdout.strip() or "unknown commit"
    return json.loads((base / "package.json").read_text())["version"] + f" @ {commit} (in {base})"


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "os": platform.platform()}


def markdown(results: dict) -> str:
    kernels = list(results["medians"])
    rows = [
        ("Start-up to kernel_info_reply", "startup_s", lambda v: f"{v * 1000:.0f} ms"),
        ("First cell (`0`) round trip, right after start-up", "first_cell_s", lambda v: f"{v * 1000:.0f} ms"),
        ("Start-up to first cell's result (sum of the two above)", "first_result_s", lambda v: f"{v * 1000:.0f} ms"),
        ("Trivial cell (`1+1`, the same cell again) round trip", "trivial_cell_s", lambda v: f"{v * 1000:.1f} ms"),
        ("Trivial cells that differ (`2+1`, `3+1`, …) round trip", "distinct_trivial_cell_s", lambda v: f"{v * 1000:.1f} ms"),
        ("100-line cell round trip", "long_cell_s", lambda v: f"{v * 1000:.1f} ms"),
        (f"Run All: {RUN_ALL_CELLS} short cells back to back (`const m = …;` + `m + 1`), mean round trip", "run_all_mean_s", lambda v: f"{v * 1000:.1f} ms"),
        ("RSS of kernel process tree after 16 cells", "rss_after_16_cells_bytes", lambda v: f"{v / 2**20:.0f} MiB"),
        ("RSS of kernel process tree after 200 cells", "rss_after_200_cells_bytes", lambda v: f"{v / 2**20:.0f} MiB"),
    ]
    head = "| | " + " | ".join(kernels) + (" | tsdl / tslab |" if {"tsdl", "tslab"} <= set(kernels) else " |")
    out = [
        "# Kernel benchmark",
        "",
        f"Produced by `bench/kernel/run.py` on {results['date']} — median of {results['reps']} repetitions "
        f"(each: fresh kernel; {TRIVIAL_RUNS} trivial cells of each kind and {LONG_RUNS} 100-line cells, median; then cells up to {MEMORY_CELLS}).",
        f"Machine: {results['machine']['cpu']}, {results['machine']['cores']} cores, {results['machine']['memory_gb']} GB.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()) + ".",
        "",
        "tsdl and tslab type-check every cell against the earlier ones; Deno's kernel runs cells without "
        "type-checking them, so its cell times are not a like-for-like comparison. "
        "`1+1` sent again and again is a cell re-run unchanged: tsdl reuses its last compile when the cell's text "
        "and everything declared before it are the same; cells that differ are type-checked anew.",
        "",
        head,
        "|---" * (len(kernels) + 1 + ({"tsdl", "tslab"} <= set(kernels))) + "|",
    ]
    notes = []
    for title, key, fmt in rows:
        cells = []
        for k in kernels:
            value = results["medians"][k][key]
            if value is None:
                notes.append(f"{k}: {results['failures'][k][0]}")
                cells.append(f"n/a[^{len(notes)}]")
            else:
                cells.append(fmt(value))
        ratio = ""
        if {"tsdl", "tslab"} <= set(kernels):
            a, b = results["medians"]["tsdl"][key], results["medians"]["tslab"][key]
            ratio = " | " + (f"{a / b:.2f}" if a is not None and b is not None else "n/a")
        out.append(f"| {title} | " + " | ".join(cells) + ratio + " |")
    out += [""] + [f"[^{i + 1}]: {note}" for i, note in enumerate(notes)]
    out += ["", "Regenerate with `.venv/bin/python bench/kernel/run.py` (after `npm run build`); numbers quoted elsewhere come from this file.", ""]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--kernels", default="tsdl,tslab,deno")
    parser.add_argument("--out", default=str(HERE), help="directory for results.json and results.md")
    parser.add_argument("--baseline", metavar="DIR", help="also run the tsdl package in DIR as kernel tsdl-base (before/after)")
    parser.add_argument("--render", metavar="RESULTS_JSON", help="only recompute medians and results.md from a results.json")
    args = parser.parse_args()
    if args.render:
        write_results(json.loads(Path(args.render).read_text()), Path(args.out))
        return 0
    names = [k for k in args.kernels.split(",") if k]
    if args.baseline:
        base = Path(args.baseline).resolve()
        KERNELS["tsdl-base"] = lambda conn: ["node", str(base / "bin" / "tsdl.js"), "kernel", "-f", conn]
        names.append("tsdl-base")
    unknown = set(names) - set(KERNELS)
    if unknown:
        parser.error(f"unknown kernels {sorted(unknown)}; known: {sorted(KERNELS)}")
    if "tsdl" in names and not (ROOT / "dist" / "cli" / "src" / "main.js").exists():
        parser.error("tsdl is not built: run `npm run build` first")

    runs: dict[str, list[dict]] = {k: [] for k in names}
    with tempfile.TemporaryDirectory(prefix="tsdl-bench-") as tmp:
        workdir = Path(tmp)
        for rep in range(args.reps):
            for name in names:
                print(f"[{rep + 1}/{args.reps}] {name} ...", end=" ", flush=True, file=sys.stderr)
                try:
                    r = one_repetition(name, rep, workdir)
                except Exception:
                    logs = workdir / f"{name}.log"
                    print(f"\n{name} kernel log:\n{logs.read_text(errors='replace')[-3000:] if logs.exists() else ''}", file=sys.stderr)
                    raise
                runs[name].append(r)
                print(
                    f"start-up {r['startup_s'] * 1000:.0f} ms, 1+1 {r['trivial_cell_s'] * 1000:.1f} ms, "
                    f"n+1 {r['distinct_trivial_cell_s'] * 1000:.1f} ms, "
                    f"100 lines {r['long_cell_s'] * 1000:.1f} ms, "
                    + (f"RSS {r['rss_after_200_cells_bytes'] / 2**20:.0f} MiB" if r["failure"] is None else r["failure"]),
                    file=sys.stderr,
                )

    results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "reps": args.reps,
        "machine": machine(),
        "versions": {**versions(), **({"tsdl-base": baseline_version(Path(args.baseline))} if args.baseline else {})},
        "method": {
            "startup": "spawn of the kernel command to the first kernel_info_reply",
            "first_cell": "round trip of the first cell (`0`) right after kernel_info_reply; not part of the cell medians",
            "round_trip": "execute_request sent to execute_reply and idle status both received; "
            f"median of {TRIVIAL_RUNS} (each kind of trivial cell) / {LONG_RUNS} (100-line) per repetition, after one warm-up cell; "
            "the client polls the shell and IOPub sockets together",
            "run_all": f"mean round trip of the first {RUN_ALL_CELLS} cells of the memory run, sent back to back",
            "memory": f"sum of RSS over the kernel process and all its descendants after {MEMORY_CELLS} cells",
        },
        "runs": runs,
    }
    write_results(results, Path(args.out))
    return 0


KEYS = ["startup_s", "first_cell_s", "first_result_s", "trivial_cell_s", "distinct_trivial_cell_s", "long_cell_s", "run_all_mean_s", "rss_after_16_cells_bytes", "rss_after_200_cells_bytes"]


def write_results(results: dict, out: Path) -> None:
    """Medians from the raw runs, then results.json and results.md."""
    runs = results["runs"]
    for rs in runs.values():
        for r in rs:
            # What a user waits for after opening a notebook: the kernel up and the first cell done.
            r["first_result_s"] = r["startup_s"] + r["first_cell_s"]
    results["medians"] = {k: {key: median_or_none([r[key] for r in rs]) for key in KEYS} for k, rs in runs.items()}
    results["failures"] = {k: [r["failure"] for r in rs if r["failure"]] for k, rs in runs.items()}
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    sys.exit(main())
