"""The tsdl kernel as a TypeScript developer uses it: in a project folder with its own tsconfig.json
(NodeNext, ES2022, strict), package.json "type": "module", local .ts modules and an ES-only
package, driven through jupyter_client as JupyterLab would drive it.

Run through jest by test/typescript-projects.slow.test.ts, or by hand:

    TSDL_KERNEL_NAME=tsdl .venv/bin/python -m unittest -v test/python/test_typescript_projects.py

Each test class runs with both checkers: TypeScript 7 (native, the default where it starts) and
TypeScript 6 (TSDL_NATIVE_CHECKER=0).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.manager import KernelManager

KERNEL_NAME = os.environ.get("TSDL_KERNEL_NAME", "tsdl")
ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "test" / "fixtures"
TIMEOUT = 90


@dataclass
class Cell:
    msg_id: str
    reply: dict
    outputs: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.reply["status"]

    def text(self, name: str = "stdout") -> str:
        return "".join(o["text"] for o in self.outputs if o["msg_type"] == "stream" and o["name"] == name)

    def result(self) -> str | None:
        for o in self.outputs:
            if o["msg_type"] == "execute_result":
                return o["data"]["text/plain"]
        return None

    def error(self) -> str:
        """The error as a user reads it: name, value, traceback lines without colours."""
        if self.reply["status"] != "error":
            return ""
        return "\n".join([f'{self.reply["ename"]}: {self.reply["evalue"]}', *map(strip_ansi, self.reply["traceback"])])


def strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class Kernel:
    """One kernel started in `cwd`, as JupyterLab starts one beside a notebook."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.km = KernelManager(kernel_name=KERNEL_NAME)
        self.km.start_kernel(cwd=str(cwd), env={**os.environ, **(env or {})})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def run(self, code: str) -> Cell:
        msg_id = self.kc.execute(code)
        outputs: list[dict] = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            if msg["msg_type"] in ("stream", "execute_result", "display_data", "error"):
                outputs.append({"msg_type": msg["msg_type"], **msg["content"]})
        return Cell(msg_id, self.reply_to(msg_id)["content"], outputs)

    def reply_to(self, msg_id: str) -> dict:
        """The shell reply to `msg_id`; replies to wait_for_ready's repeated kernel_info requests are skipped."""
        while True:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def ok(self, code: str) -> Cell:
        cell = self.run(code)
        assert cell.status == "ok", f"cell failed:\n{code}\n---\n{cell.error()}"
        return cell

    def late_outputs(self, parent: Cell, until, timeout: float = 10) -> list[dict]:
        """IOPub output under `parent` after it finished, until `until(outputs)` or the timeout."""
        outputs: list[dict] = []
        deadline = time.monotonic() + timeout
        while not until(outputs) and time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            except Empty:
                break
            if msg["parent_header"].get("msg_id") == parent.msg_id and msg["msg_type"] != "status":
                outputs.append({"msg_type": msg["msg_type"], **msg["content"]})
        return outputs

    def complete(self, code: str) -> list[str]:
        return self.reply_to(self.kc.complete(code, len(code)))["content"]["matches"]


def stream_text(outputs: list[dict], name: str = "stdout") -> str:
    return "".join(o["text"] for o in outputs if o["msg_type"] == "stream" and o["name"] == name)


def project_copy() -> Path:
    """A fresh copy of the fixture project: tests edit its files."""
    target = Path(tempfile.mkdtemp(prefix="tsdl-ts-project-"))
    shutil.copytree(FIXTURES / "ts-project", target, dirs_exist_ok=True)
    # Node's types from this checkout, as a project would have them installed (tsc needs them).
    (target / "node_modules" / "@types").symlink_to(ROOT / "node_modules" / "@types")
    return target


class BackgroundOutput(unittest.TestCase):
    """Output that happens after its cell ended is shown under the last cell, not lost."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = Path(tempfile.mkdtemp(prefix="tsdl-background-"))
        cls.kernel = Kernel(cls.dir)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.kernel.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_timer_print_after_the_cell_ends(self) -> None:
        cell = self.kernel.ok('setTimeout(() => console.log("late print"), 300);\n"A"')
        self.assertEqual(cell.result(), "'A'")
        self.assertNotIn("late print", cell.text())
        late = self.kernel.late_outputs(cell, lambda out: "late print" in stream_text(out))
        self.assertEqual(stream_text(late), "late print\n")

    def test_error_thrown_in_a_callback_is_shown_and_the_runtime_survives(self) -> None:
        self.kernel.ok("const survivor = 41;")
        cell = self.kernel.ok('setTimeout(() => {\n  throw new RangeError("late failure");\n}, 100);\n"scheduled"')
        late = self.kernel.late_outputs(cell, lambda out: any(o["msg_type"] == "error" for o in out))
        errors = [o for o in late if o["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, late)
        self.assertEqual((errors[0]["ename"], errors[0]["evalue"]), ("RangeError", "late failure"))
        self.assertIn(":2:9", "\n".join(map(strip_ansi, errors[0]["traceback"])))
        self.assertEqual(self.kernel.ok("survivor + 1").result(), "42")

    def test_http_handler_logs_appear(self) -> None:
        start = self.kernel.ok(
            'import * as http from "node:http";\n'
            "const server = http.createServer((req, res) => {\n"
            "  console.log(`handled ${req.method} ${req.url}`);\n"
            '  res.end("pong");\n'
            "});\n"
            'await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));\n'
            "(server.address() as { port: number }).port"
        )
        port = int(start.result())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=10) as response:
            self.assertEqual(response.read(), b"pong")
        late = self.kernel.late_outputs(start, lambda out: "handled" in stream_text(out))
        self.assertEqual(stream_text(late), "handled GET /ping\n")
        self.kernel.ok("server.close();")


def write(file: Path, text: str) -> None:
    """Writes `text` and moves the modification time on, so a reload cannot miss the edit."""
    before = file.stat().st_mtime if file.exists() else 0
    file.write_text(text)
    if file.stat().st_mtime <= before:
        os.utime(file, (before + 1, before + 1))


def tsc_errors(project: Path, cell: str) -> str:
    """What `tsc -p` reports for `cell` as a file of `project`."""
    probe = project / "tsc_probe.ts"
    probe.write_text(cell + "\nexport {};\n")
    try:
        out = subprocess.run([str(ROOT / "node_modules" / ".bin" / "tsc"), "-p", str(project)], capture_output=True, text=True)
        return out.stdout + out.stderr
    finally:
        probe.unlink()


# A project file whose JavaScript has fewer lines than it: the interface goes.
EXPLODE = "export interface Options {\n  size: number;\n}\n\nexport function explode(o: Options): never {\n  throw new RangeError(`exploded at ${o.size}`);\n}\n"


class ProjectTests:
    """A NodeNext/ES2022/strict project with "type": "module" (test/fixtures/ts-project)."""

    checker_env: dict[str, str] = {}
    kernel: Kernel
    dir: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = project_copy()
        cls.kernel = Kernel(cls.dir, cls.checker_env)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.kernel.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def rejected(self, code: str) -> str:
        cell = self.kernel.run(code)
        self.assertEqual(cell.status, "error", f"{code!r} ran")
        self.assertEqual(cell.reply["ename"], "TypeScriptError")
        return cell.error()

    def test_a_named_node_import_keeps_its_type(self) -> None:
        self.kernel.ok('import { readFileSync } from "node:fs";')
        self.assertIn("TS2322", self.rejected('const z: number = readFileSync("/etc/hostname", "utf8");'))
        self.assertIn("TS2322", self.rejected('import * as fs from "node:fs";\nconst y: number = fs.readFileSync("/etc/hostname", "utf8");'))

    def test_a_local_module_imported_by_its_js_name_checks_and_runs(self) -> None:
        self.kernel.ok('import { dist, origin, type Point } from "./utils.js";')
        self.assertIn("TS2322", self.rejected("const s: string = dist(origin, { x: 3, y: 4 });"))
        self.assertIn("TS2353", self.rejected("const p: Point = { x: 1, y: 2, z: 3 };"))
        self.assertEqual(self.kernel.ok("dist(origin, { x: 3, y: 4 })").result(), "5")

    def test_an_extensionless_relative_import_fails_as_under_tsc(self) -> None:
        error = self.rejected('import { dist as d2 } from "./utils";')
        self.assertIn("TS2835", error)
        self.assertIn("TS2835", tsc_errors(self.dir, 'import { dist as d2 } from "./utils";'))

    def test_a_default_import_of_an_es_only_package_keeps_its_type(self) -> None:
        self.kernel.ok('import greet from "esm-greet";')
        self.assertIn("TS2322", self.rejected('const n: number = greet.hello("you");'))
        self.assertIn("loud", self.kernel.complete("greet.lo"))
        self.assertEqual(self.kernel.ok('greet.loud("you")').result(), "'HELLO, YOU'")

    def test_the_project_lib_is_the_one_tsc_uses(self) -> None:
        cell = "const last = [1, 2, 3].findLast((x) => x > 1);"
        self.assertIn("TS2550", self.rejected(cell))
        self.assertIn("TS2550", tsc_errors(self.dir, cell))

    def test_import_meta_in_a_cell_and_in_an_es_module_file(self) -> None:
        self.assertEqual(self.kernel.ok("import.meta.url").result(), repr((self.dir / "__notebook__.ts").as_uri()))
        write(self.dir / "where.ts", "export const here: string = import.meta.url;\nawait Promise.resolve();\nexport const ready = true;\n")
        cell = self.kernel.ok('import { here, ready } from "./where.js";\n[here.endsWith("/where.ts"), ready]')
        self.assertEqual(cell.result(), "[ true, true ]")

    def test_reimporting_an_edited_module_gets_the_new_code(self) -> None:
        counter = self.dir / "counter.ts"
        uses = self.dir / "uses-counter.ts"
        write(counter, "export const value: number = 1;\n")
        write(uses, 'import { value } from "./counter.js";\nexport const twice = value * 2;\n')
        cell = 'import { value } from "./counter.js";\nimport { twice } from "./uses-counter.js";\n[value, twice]'
        self.assertEqual(self.kernel.ok(cell).result(), "[ 1, 2 ]")
        write(counter, "export const value: number = 21;\n")
        self.assertEqual(self.kernel.ok(cell).result(), "[ 21, 42 ]")


    def test_a_frame_in_a_project_file_points_at_its_typescript_line(self) -> None:
        write(self.dir / "explode.ts", EXPLODE)
        cell = self.kernel.run('import { explode } from "./explode.js";\nexplode({ size: 3 });')
        self.assertEqual(cell.status, "error")
        self.assertRegex(cell.error(), r"at explode \(file://.*/explode\.ts(\?tsdl-reload=\d+)?:6:9\)")


class ProjectWithTypeScript7(ProjectTests, unittest.TestCase):
    """TypeScript 7's native checker, where the kernel starts it."""


class ProjectWithTypeScript6(ProjectTests, unittest.TestCase):
    checker_env = {"TSDL_NATIVE_CHECKER": "0"}


class PlainFolder(unittest.TestCase):
    """A folder with no tsconfig.json and no package.json: CommonJS local files, notebook defaults."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = Path(tempfile.mkdtemp(prefix="tsdl-plain-"))
        cls.kernel = Kernel(cls.dir)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.kernel.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_named_imports_of_a_local_module_keep_their_types(self) -> None:
        write(self.dir / "shapes.ts", "export class Box<T> {\n  constructor(public value: T) {}\n}\nexport function area(w: number, h: number): number {\n  return w * h;\n}\n")
        self.kernel.ok('import { Box, area } from "./shapes";')
        cell = self.kernel.run("const a: string = area(2, 3);")
        self.assertEqual(cell.reply.get("ename"), "TypeScriptError")
        self.assertIn("TS2322", cell.error())
        self.assertEqual(self.kernel.ok("new Box(area(2, 3)).value").result(), "6")

    def test_reimporting_an_edited_commonjs_module_gets_the_new_code(self) -> None:
        file = self.dir / "greeting.ts"
        write(file, 'export const greeting = "hello";\n')
        self.assertEqual(self.kernel.ok('import { greeting } from "./greeting";\ngreeting').result(), "'hello'")
        write(file, 'export const greeting = "hello again";\n')
        self.assertEqual(self.kernel.ok('import { greeting } from "./greeting";\ngreeting').result(), "'hello again'")

    def test_a_frame_in_a_local_file_points_at_its_typescript_line(self) -> None:
        write(self.dir / "explode.ts", EXPLODE)
        cell = self.kernel.run('import { explode } from "./explode";\nexplode({ size: 3 });')
        self.assertEqual(cell.status, "error")
        self.assertRegex(cell.error(), r"at explode \(/.*/explode\.ts:6:9\)")

    def test_a_missing_local_file_names_the_path_not_npm(self) -> None:
        cell = self.kernel.run('// @ts-nocheck\nimport { nothing } from "./missing.js";')
        self.assertEqual(cell.status, "error")
        self.assertIn("missing.ts", cell.error())
        self.assertNotIn("npm install", cell.error())


class StackTraces(unittest.TestCase):
    """Every stack a user can see names the cells' own lines and the names the user wrote."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.dir = Path(tempfile.mkdtemp(prefix="tsdl-stacks-"))
        cls.kernel = Kernel(cls.dir)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.kernel.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assert_user_stack(self, stack: str, frames: list[str]) -> None:
        """`frames` (regexes) appear in order, and nothing of the kernel or renamed functions does."""
        lines = [l.strip() for l in stack.splitlines() if l.strip().startswith("at ")]
        self.assertEqual(len(lines), len(frames), stack)
        for line, frame in zip(lines, frames):
            self.assertRegex(line, frame)
        self.assertNotRegex(stack, r"runtime-main|module-loader|node:vm|node:internal|parse1|alpha1")

    def test_logged_errors_and_e_stack_point_at_the_cells(self) -> None:
        define = self.kernel.ok('function parse(s: string): number {\n  if (!s) throw new Error("empty input");\n  return Number(s);\n}')
        d = define.reply["execution_count"]
        use = self.kernel.ok("try {\n  parse(\"\");\n} catch (e) {\n  console.error(e);\n  console.log((e as Error).stack);\n}")
        u = use.reply["execution_count"]
        expected = [rf"^at parse \(In\[{d}\]:2:\d+\)$", rf"^at In\[{u}\]:2:\d+$"]
        self.assert_user_stack(use.text("stdout"), expected)
        self.assertIn("Error: empty input", use.text("stderr"))
        self.assert_user_stack(use.text("stderr"), expected)

    def test_names_are_the_ones_the_user_wrote(self) -> None:
        # The function is called in the cell that declares it (SWC renamed such a function `alpha1`).
        cell = self.kernel.ok(
            "function alpha(): string {\n  return new Error(\"where\").stack!;\n}\n"
            "const arrow = () => 1;\n"
            "const stack = alpha();\n[arrow.name, alpha.name, stack.split(\"\\n\")[1].trim().split(\" \")[1]]"
        )
        self.assertEqual(cell.result(), "[ 'arrow', 'alpha', 'alpha' ]")
        self.assertEqual(self.kernel.ok("const Klass = class {};\nKlass.name").result(), "'Klass'")

    def test_an_error_shown_by_the_kernel_has_the_same_frames(self) -> None:
        self.kernel.ok("function beta(): never {\n  throw new TypeError(\"bad\");\n}")
        cell = self.kernel.run("const before = 1;\nbeta();")
        self.assertEqual(cell.status, "error")
        self.assert_user_stack(cell.error(), [r"^at beta \(In\[\d+\]:2:\d+\)$", rf"^at In\[{cell.reply['execution_count']}\]:2:1$"])


if __name__ == "__main__":
    unittest.main()
