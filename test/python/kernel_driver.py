"""A kernel driven the way Jupyter Server drives it: jupyter_client's KernelManager (which, with the
kernelspec's interrupt_mode "signal", interrupts with os.killpg(SIGINT) on the kernel's process
group) and a BlockingKernelClient; interrupts also as interrupt_request on the control channel
(message mode). Shared by test/python/interrupts.py and bench/kernel/soak.py.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from queue import Empty

import psutil
import zmq
from jupyter_client.manager import KernelManager


@dataclass
class CellResult:
    status: str
    ename: str | None = None
    evalue: str | None = None
    text: str | None = None
    seconds: float = 0.0
    outputs: list = field(default_factory=list)


class Driver:
    def __init__(self, kernel_name: str = "tsdl", startup_timeout: float = 120) -> None:
        self.km = KernelManager(kernel_name=kernel_name)
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=startup_timeout)
        self._poll_sockets()

    def _poll_sockets(self) -> None:
        self.poller = zmq.Poller()
        self.poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
        self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid  # type: ignore[union-attr]

    def tree(self) -> list[psutil.Process]:
        """The kernel and every process it started, in its session or not."""
        p = psutil.Process(self.pid)
        return [p, *p.children(recursive=True)]

    def rss_mib(self) -> float:
        total = 0
        for p in self.tree():
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 2**20

    def send(self, code: str) -> str:
        return self.kc.execute(code, stop_on_error=False)

    def wait_started(self, msg_id: str, timeout: float) -> None:
        """Until the kernel says it is busy with `msg_id` (so an interrupt lands on that cell)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            except Empty:
                break
            if (msg["msg_type"] == "execute_input" or (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "busy")) \
                    and msg["parent_header"].get("msg_id") == msg_id:
                return
        raise TimeoutError(f"the kernel did not start the cell within {timeout} s")

    def result(self, msg_id: str, timeout: float, started: float | None = None) -> CellResult:
        """The cell's reply and outputs, once the kernel is idle after it."""
        started = time.monotonic() if started is None else started
        deadline = started + timeout
        reply = None
        idle = False
        outputs = []
        text = None
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {'reply' if reply is None else 'idle status'} within {timeout} s")
            # One poll on both sockets: a latency is not rounded up to another socket's timeout.
            ready = dict(self.poller.poll(left * 1000))
            if self.kc.shell_channel.socket in ready:
                m = self.kc.get_shell_msg(timeout=0)
                if m["parent_header"].get("msg_id") == msg_id:
                    reply = m
            if self.kc.iopub_channel.socket not in ready:
                continue
            try:
                m = self.kc.get_iopub_msg(timeout=0)
            except Empty:
                continue
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                idle = True
            elif m["msg_type"] == "execute_result":
                text = m["content"]["data"].get("text/plain")
            elif m["msg_type"] in ("stream", "error", "display_data"):
                outputs.append(m)
        c = reply["content"]
        return CellResult(c["status"], c.get("ename"), c.get("evalue"), text, time.monotonic() - started, outputs)

    def run(self, code: str, timeout: float = 120) -> CellResult:
        started = time.monotonic()
        return self.result(self.send(code), timeout, started)

    def interrupt(self, mode: str, timeout: float = 30) -> None:
        """mode "signal": what Jupyter Server does for interrupt_mode signal; "message": interrupt_request."""
        if mode == "signal":
            self.km.interrupt_kernel()
            return
        msg = self.kc.session.msg("interrupt_request", {})
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.kc.get_control_msg(timeout=max(0.01, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return

    def restart(self, timeout: float = 120) -> None:
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=timeout)
        self._poll_sockets()

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
