"""Interrupts as Jupyter sends them, at random moments, and the kernel's answer after each.

    .venv/bin/python test/python/interrupts.py [--rounds 10] [--seed 1] [--kernel tsdl]

Each round interrupts five situations in turn — a busy loop, a pending await, a cell still being
compiled, a wasm-threaded model.fit and an idle kernel — alternating signal mode (KernelManager.
interrupt_kernel(): SIGINT to the kernel's whole process group, as Jupyter Server sends it) and
message mode (interrupt_request on the control channel), each a random time after the kernel
started the cell. After each, a cell reads a variable defined before them all. Prints one JSON
line per interrupt, then a summary line; run by test/interrupt.slow.test.ts.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time

from kernel_driver import Driver

SETUP = """import * as tsdl from "tsdl";
const kept = 41;
const backendInfo = await tsdl.initBackend();
const tf = tsdl.tf;
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [32], units: 64, activation: "relu" }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: "adam", loss: "meanSquaredError" });
const xs = tf.randomNormal([512, 32]);
const ys = xs.sum(1, true);
`${backendInfo.name} ${backendInfo.threads}`"""


def compiling_cell(i: int) -> str:
    # Thousands of checked declarations take a while to compile; the loop would run forever.
    lines = "\n".join(f"const slow{i}_{k}: number = {k} * {i};" for k in range(3000))
    return f"{lines}\nfor (;;) {{}}"


SITUATIONS = {
    "busy loop": lambda i: "let spins = 0;\nwhile (true) spins++;",
    "pending await": lambda i: "await new Promise((r) => setTimeout(r, 600_000));",
    "compiling": compiling_cell,
    "model.fit": lambda i: "await model.fit(xs, ys, { epochs: 100000, batchSize: 64, verbose: 0 });",
    "idle": None,
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kernel", default="tsdl")
    ap.add_argument("--warmup", type=float, default=10.0, help="idle seconds after the setup cell")
    ap.add_argument("--max-delay", type=float, default=1.0, help="latest moment of an interrupt after the cell started, s")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    d = Driver(args.kernel)
    setup = d.run(SETUP, timeout=300)
    if setup.status != "ok":
        print(json.dumps({"setup_failed": setup.status, "ename": setup.ename, "outputs": [m["content"] for m in setup.outputs]}))
        d.shutdown()
        return 1
    print(json.dumps({"backend": setup.text}), flush=True)
    # The compiler spends its first idle moment on TypeScript 6's warm-up (docs/kernel.md, "What
    # makes a cell fast"), and a cell sent meanwhile waits for it: seconds on a loaded machine,
    # interrupt or not. Let it happen here, so the figures below are the interrupts' own.
    time.sleep(args.warmup)

    n = 0
    failures = 0
    for rnd in range(args.rounds):
        for name, cell in SITUATIONS.items():
            mode = "signal" if n % 2 == 0 else "message"
            delay = rng.uniform(0.0, args.max_delay)
            record: dict = {"n": n, "situation": name, "mode": mode, "delay_s": round(delay, 3)}
            msg_id = None
            if cell is not None:
                msg_id = d.send(cell(n))
                d.wait_started(msg_id, timeout=120)
            time.sleep(delay)
            t0 = time.monotonic()
            d.interrupt(mode)
            if msg_id is not None:
                try:
                    r = d.result(msg_id, timeout=60, started=t0)
                    record.update(cell_status=r.status, cell_ename=r.ename, interrupt_to_reply_s=round(r.seconds, 3))
                    if r.ename != "Interrupted":
                        record.update(cell_evalue=r.evalue)
                except TimeoutError as e:
                    record.update(cell_status="no reply", error=str(e))
            if msg_id is None and mode == "signal":
                # A signal carries no reply to wait for: one processed after the next cell has
                # arrived interrupts that cell (as with ipykernel), so give it a moment, as a user would.
                time.sleep(0.5)
            try:
                after = d.run("kept + 1", timeout=60)
                record.update(next_status=after.status, next_text=after.text, next_cell_s=round(after.seconds, 3))
                if after.status != "ok":
                    record.update(next_ename=after.ename, next_evalue=after.evalue)
            except TimeoutError as e:
                record.update(next_status="no reply", error=str(e))
            ok = record.get("next_text") == "42" and (msg_id is None or record.get("cell_ename") == "Interrupted")
            failures += 0 if ok else 1
            print(json.dumps(record), flush=True)
            n += 1
            if record.get("next_status") == "no reply":
                # The kernel hangs: later interrupts would only repeat this failure.
                d.shutdown()
                print(json.dumps({"interrupts": n, "failures": failures, "hung": True}))
                return 1
    d.shutdown()
    print(json.dumps({"interrupts": n, "failures": failures}))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
