"""The tsdl kernel's contract, checked by jupyter_kernel_test (the Jupyter project's own kernel
conformance suite) plus the few things a notebook user relies on that it has no sample for.

Run through jest by test/jupyter-kernel-test.slow.test.ts (`npm test`), or by hand:

    TSDL_KERNEL_NAME=tsdl .venv/bin/python -m unittest -v test/python/test_tsdl_kernel.py

Every sample is what a user would type in a cell; every expectation is what JupyterLab would show.
"""
from __future__ import annotations

import os
import unittest
from queue import Empty

import jupyter_kernel_test as jkt
from jupyter_kernel_test.msgspec_v5 import validate_message

TIMEOUT = 30
# Start-up compiles TypeScript; the first requests may wait on it.
jkt.TIMEOUT = 60


class TsdlKernelTests(jkt.KernelTests):
    kernel_name = os.environ.get("TSDL_KERNEL_NAME", "tsdl")

    # kernel_info_reply.language_info
    language_name = "typescript"
    file_extension = ".ts"

    # stdout / stderr streams
    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    # complete_request from the TypeScript language service: `Math.ab` + Tab -> `Math.abs`
    completion_samples = [
        {"text": "Math.ab", "matches": ["abs"]},
        {"text": "JSON.str", "matches": ["stringify"]},
        {"text": "[1, 2].fil", "matches": ["fill", "filter"]},
    ]

    # is_complete_request: JupyterLab's console and `jupyter console` use it to decide Enter vs newline
    complete_code_samples = [
        "1 + 1",
        "const x = 1;",
        "function f(a: number): number { return a * 2; }",
        "class P {\n  x = 1;\n}",
        "for (const i of [1, 2]) console.log(i);",
    ]
    incomplete_code_samples = [
        "function f(a: number) {",
        "const xs = [1, 2,",
        "if (true) {\n  console.log(1);",
        "const s = `abc",
        "Math.max(1,",
    ]
    invalid_code_samples = [
        "}",
        "const 1x = 2;",
        "let = = 3;",
    ]

    # inspect_request (Shift+Tab / contextual help): signature and doc of the name at the cursor
    code_inspect_sample = "Math.max"

    # the cell's last expression becomes execute_result; text/plain is how Node prints the value
    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "Math.max(6, 7)", "result": "7"},
        {"code": "const answer = 40; answer + 2", "result": "42"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
        {"code": "'ab' + 'c'", "result": "'abc'"},
        {"code": "({ a: 1 })", "result": "{ a: 1 }"},
        {"code": "await Promise.resolve(3)", "result": "3"},
    ]

    # display(...) and its typed variants send display_data with that MIME type
    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.markdown("# Title")', "mime": "text/markdown"},
        {"code": 'display.latex("$x^2$")', "mime": "text/latex"},
        {"code": "display.svg('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')", "mime": "image/svg+xml"},
        {"code": "display.png(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]))", "mime": "image/png"},
        {"code": "display.json({ a: [1, 2] })", "mime": "application/json"},
        {"code": 'display({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>mine</i>" }; } })', "mime": "text/html"},
        {"code": 'display("plain")', "mime": "text/plain"},
    ]

    # history_request: tail, range and search (glob pattern, as IPython)
    code_history_pattern = "Math.max*"
    supported_history_operations = ("tail", "range", "search")

    # clear_output from notebook code
    code_clear_output = "clearOutput()"

    # a thrown error: status "error" and exactly one iopub error message
    code_generate_error = 'throw new Error("boom")'

    # ---- what jupyter_kernel_test has no sample for -------------------------------------------

    def run_cell(self, code: str, **kwargs):
        return self.execute_helper(code=code, timeout=TIMEOUT, **kwargs)

    def test_kernel_info_banner_and_protocol(self) -> None:
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        validate_message(reply, "kernel_info_reply", msg_id)
        content = reply["content"]
        major, minor = (int(p) for p in content["protocol_version"].split(".")[:2])
        self.assertGreaterEqual((major, minor), (5, 3))
        self.assertIn("TypeScript", content["banner"])
        self.assertIn("Node", content["banner"])
        info = content["language_info"]
        self.assertTrue(info.get("version"), "language_info.version (the TypeScript version) is empty")
        self.assertTrue(info.get("codemirror_mode"), "language_info.codemirror_mode is missing")
        if self.kernel_name == "tsdl":
            # A string: typed clients (the Rust jupyter-protocol crate) refuse the dict form.
            self.assertEqual(info["codemirror_mode"], "typescript")

    def applied_completions(self, text: str) -> list[str]:
        """What Tab does in JupyterLab: replace cursor_start..cursor_end with each match."""
        self.flush_channels()
        msg_id = self.kc.complete(text, len(text))
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        validate_message(reply, "complete_reply", msg_id)
        c = reply["content"]
        return [text[: c["cursor_start"]] + m + text[c["cursor_end"] :] for m in c["matches"]]

    def test_completion_applies_to_math_abs(self) -> None:
        self.assertIn("Math.abs", self.applied_completions("Math.ab"))

    def test_completion_knows_earlier_cells(self) -> None:
        self.flush_channels()
        reply, _ = self.run_cell("const learningRateSchedule = [0.1, 0.01];")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("learningRateSchedule", self.applied_completions("learningRateSch"))

    def test_state_and_redeclaration_across_cells(self) -> None:
        self.flush_channels()
        for code in ["const k = 1;", "const k = 2;", "function twice(x: number) { return 2 * x; }"]:
            reply, _ = self.run_cell(code)
            self.assertEqual(reply["content"]["status"], "ok", f"re-running {code!r} failed: {reply['content']}")
        reply, outputs = self.run_cell("twice(k)")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "4")

    def test_execution_count_increments(self) -> None:
        self.flush_channels()
        first, _ = self.run_cell("1")
        second, _ = self.run_cell("2")
        self.assertEqual(second["content"]["execution_count"], first["content"]["execution_count"] + 1)

    def test_error_traceback_names_the_error(self) -> None:
        self.flush_channels()
        reply, outputs = self.run_cell('throw new RangeError("out of range")')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "RangeError")
        self.assertIn("out of range", reply["content"]["evalue"])
        error = [m for m in outputs if m["msg_type"] == "error"][0]["content"]
        self.assertTrue(any("out of range" in line for line in error["traceback"]))

    # `await input("prompt")` asks the frontend through input_request and gets the reply.
    def test_stdin_input(self) -> None:
        self.flush_channels()
        code = 'const who = await input("Your name: "); console.log(`hello, ${who}`)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        # Answer before asserting: a kernel left waiting for input would hang every later test.
        self.kc.input("Ada")
        # Not validate_message: jupyter_kernel_test 0.7.0's schema types `password` as a number,
        # while the protocol (and ipykernel) send a boolean.
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.assertEqual(request["content"]["prompt"], "Your name: ")
        self.assertIs(request["content"]["password"], False)
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("hello, Ada", self.stdout_of(msg_id))

    # `await input("Password: ", { password: true })`: the frontend shows a password field.
    def test_stdin_password(self) -> None:
        self.flush_channels()
        code = 'const secret = await input("Password: ", { password: true }); console.log(secret.length)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.kc.input("hunter2")
        self.assertEqual(request["content"]["prompt"], "Password: ")
        self.assertIs(request["content"]["password"], True)
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("7", self.stdout_of(msg_id))

    # nbclient-style clients send allow_stdin=False: input() must fail, not hang.
    def test_stdin_refused_when_frontend_has_none(self) -> None:
        self.flush_channels()
        msg_id = self.kc.execute('await input("x")', allow_stdin=False)
        reply = self.get_non_kernel_info_reply(timeout=TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.flush_channels()

    def stdout_of(self, msg_id: str) -> str:
        text = ""
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=5)
            except Empty:
                return text
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                text += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return text


class TsdlIopubWelcomeTests(jkt.IopubWelcomeTests):
    """IOPub is an XPUB socket that sends iopub_welcome when a client subscribes (JEP 65)."""

    kernel_name = os.environ.get("TSDL_KERNEL_NAME", "tsdl")
    support_iopub_welcome = kernel_name == "tsdl"


if __name__ == "__main__":
    unittest.main(verbosity=2)
