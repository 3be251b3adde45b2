"""A class on a real JupyterHub, end to end: a teacher and three learners, nbgrader's exchange,
the tsdl kernel, and `tsdl grade`.

    .venv/bin/python test/hub/class_on_hub.py WORKDIR      (run by test/hub/hub.slow.test.ts)

JupyterHub (PyPI) starts with configurable-http-proxy (npm) and its local spawner; every user's
single-user server is a Jupyter server with nbgrader's server extensions, as a Zero to JupyterHub
single-user image would have. Everything a person would do in JupyterLab goes through the hub's
proxy with that person's own API token:

  teacher:  uploads the source notebook (contents API), generates and releases the assignment
            (formgrader's API: nbgrader's generate_assignment and release to the exchange);
  learners: list and fetch it (the Assignments tab's API), run it cell by cell on the tsdl kernel
            (kernel websocket), write their answers, save (contents API), submit;
  teacher:  collects (formgrader), then in a terminal of their server: `tsdl grade autograde`,
            `tsdl grade manual` for the written answers, `tsdl grade feedback --nbgrader`; releases
            the feedback (formgrader), and each learner fetches theirs (Assignments tab's API).

Prints one JSON object: what each person saw (kernel outputs, scores, feedback pages).

All servers run as this machine's one user, so nbgrader cannot tell learners apart by their
operating-system name (on Zero to JupyterHub every user is "jovyan" and nbgrader reads
JUPYTERHUB_USER instead): each learner's nbgrader_config.py names their student id.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
COURSE = "tsdl101"
LEARNERS = {
    # what each learner writes, by grade_id
    "ada": {
        "relu": "function relu(x: number): number {\n  return x > 0 ? x : 0;\n}",
        "mean": "function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}",
        "why_relu": "Its gradient is 1 for every positive input, so it does not vanish.",
    },
    "ben": {
        "relu": "function relu(x: number): number {\n  return x > 0 ? x : 0;\n}",
        "mean": "function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / 3;\n}",
        "why_relu": "It is fast.",
    },
    "cy": {
        "relu": "function relu(x: number): number {\n  return Math.max(0, x +);\n}",
        "mean": "function mean(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}",
    },
}
TEACHER = "teacher"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Hub:
    def __init__(self, work: Path):
        self.work = work
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None

    def config(self) -> str:
        chp = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
        users = [TEACHER, *LEARNERS]
        return f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.command = [{str(chp)!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.pid_file = {str(self.work / 'proxy.pid')!r}
c.JupyterHub.db_url = "sqlite:///{self.work / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(self.work / 'cookie_secret')!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set({users!r})
c.Authenticator.admin_users = {{"{TEACHER}"}}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.work / 'home' / '{username}')!r}
c.Spawner.cmd = [{str(VENV_BIN / 'jupyterhub-singleuser')!r}]
c.Spawner.args = ["--allow-root"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "JUPYTER_PATH", "TSDL_CACHE_DIR"]
c.JupyterHub.services = [{{"name": "class-test", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "class-test",
    "services": ["class-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
}}]
"""

    def start(self):
        cfg = self.work / "jupyterhub_config.py"
        cfg.write_text(self.config())
        env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
        self.log = open(self.work / "jupyterhub.log", "w")
        self.proc = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(cfg)], cwd=self.work, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}; see {self.work / 'jupyterhub.log'}")
            try:
                if httpx.get(f"{self.url}/hub/api", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("jupyterhub did not answer within 90 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def api(self, method: str, path: str, **kw):
        r = httpx.request(method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"}, timeout=60, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} /hub/api{path}: {r.status_code} {r.text}")
        return r.json() if r.content else None


class Person:
    """Someone at their JupyterLab: their server, reached through the hub's proxy with their own token."""

    def __init__(self, hub: Hub, name: str):
        self.hub = hub
        self.name = name
        self.home = hub.work / "home" / name
        self.token = ""

    def write_config(self, text: str):
        (self.home / ".jupyter").mkdir(parents=True, exist_ok=True)
        (self.home / ".jupyter" / "nbgrader_config.py").write_text(text)

    def start(self):
        self.hub.api("POST", f"/users/{self.name}/server")
        deadline = time.time() + 150
        while time.time() < deadline:
            if self.hub.api("GET", f"/users/{self.name}")["servers"].get("", {}).get("ready"):
                break
            time.sleep(1)
        else:
            raise RuntimeError(f"{self.name}'s server did not start; see jupyterhub.log")
        self.token = self.hub.api("POST", f"/users/{self.name}/tokens", json={"note": "class test", "expires_in": 3600})["token"]

    @property
    def base(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def call(self, method: str, path: str, **kw):
        r = httpx.request(method, f"{self.base}{path}", headers={"Authorization": f"token {self.token}"}, timeout=300, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{self.name}: {method} {path}: {r.status_code} {r.text[:2000]}")
        return r.json() if r.content else None

    def put_notebook(self, path: str, nb: dict):
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            try:
                self.call("GET", f"/api/contents/{d}?content=0")
            except RuntimeError:
                self.call("PUT", f"/api/contents/{d}", json={"type": "directory"})
        self.call("PUT", f"/api/contents/{path}", json={"type": "notebook", "format": "json", "content": nb})

    def get_notebook(self, path: str) -> dict:
        return self.call("GET", f"/api/contents/{path}?type=notebook&content=1")["content"]

    def nbgrader(self, path: str, **form):
        """The Assignments tab's requests (nbgrader's assignment_list server extension)."""
        reply = self.call("POST", path, data=form)
        if isinstance(reply, dict) and reply.get("success") is False:
            raise RuntimeError(f"{self.name}: {path}: {reply.get('value') or reply}")
        return reply

    def formgrader(self, path: str):
        reply = self.call("POST", f"/formgrader/api{path}")
        if not reply.get("success"):
            raise RuntimeError(f"{self.name}: formgrader {path} failed:\n{reply.get('error') or reply.get('log')}")
        return reply

    async def run_notebook(self, path: str, nb: dict) -> dict:
        """Run each code cell on the tsdl kernel through the hub, as Run All does; outputs into nb."""
        session = self.call("POST", "/api/sessions", json={"path": path, "type": "notebook", "name": path.rsplit("/", 1)[-1], "kernel": {"name": "tsdl"}})
        kernel = session["kernel"]["id"]
        ws_url = f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{kernel}/channels"
        conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"}))
        sid = uuid.uuid4().hex
        try:
            count = 0
            for cell in nb["cells"]:
                if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
                    continue
                msg_id = uuid.uuid4().hex
                await conn.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "username": self.name, "session": sid, "msg_type": "execute_request", "version": "5.3", "date": ""},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": "".join(cell["source"]), "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": False},
                }))
                outputs, replied, idle = [], False, False
                while not (replied and idle):
                    raw = await asyncio.wait_for(conn.read_message(), 120)
                    if raw is None:
                        raise RuntimeError(f"{self.name}: the kernel's websocket closed")
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    t, content = msg["msg_type"], msg["content"]
                    if t == "execute_reply":
                        replied = True
                        count = content.get("execution_count") or count
                    elif t == "status" and content["execution_state"] == "idle":
                        idle = True
                    elif t == "stream":
                        outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
                    elif t == "error":
                        outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"], "traceback": content["traceback"]})
                    elif t in ("execute_result", "display_data"):
                        out = {"output_type": t, "data": content["data"], "metadata": content.get("metadata", {})}
                        if t == "execute_result":
                            out["execution_count"] = content["execution_count"]
                        outputs.append(out)
                cell["outputs"] = outputs
                cell["execution_count"] = count
        finally:
            conn.close()
            self.call("DELETE", f"/api/sessions/{session['id']}")
        return nb

    def terminal(self, *args: str) -> str:
        """A command in a terminal of this person's server: their home, their environment."""
        env = {**os.environ, "HOME": str(self.home), "USER": self.name, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
        r = subprocess.run(list(args), cwd=self.home, env=env, capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}$ {' '.join(args)}: exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        return r.stdout


def tsdl(*args: str) -> list[str]:
    return ["node", str(REPO / "bin" / "tsdl.js"), *args]


async def main(work: Path) -> dict:
    seen: dict = {"learners": {}}
    exchange = work / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o777)
    hub = Hub(work)
    hub.start()
    try:
        teacher = Person(hub, TEACHER)
        stub_config = (REPO / "grader" / "nbgrader" / "nbgrader_config.py").read_text()
        teacher.write_config(stub_config + f"""
c.CourseDirectory.course_id = "{COURSE}"
c.CourseDirectory.root = {str(teacher.home / 'course')!r}
c.Exchange.root = {str(exchange)!r}
""")
        (teacher.home / "course").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "grader" / "nbgrader" / "nbgrader_config.py", teacher.home / "course" / "nbgrader_config.py")
        learners = {name: Person(hub, name) for name in LEARNERS}
        for name, person in learners.items():
            person.write_config(f"""
c = get_config()  # noqa
c.CourseDirectory.course_id = "{COURSE}"
c.CourseDirectory.student_id = "{name}"
c.Exchange.root = {str(exchange)!r}
""")
        for person in [teacher, *learners.values()]:
            log(f"starting {person.name}'s server")
            person.start()

        # The teacher writes the assignment and releases it through nbgrader's exchange.
        source = json.loads((REPO / "grader" / "src" / "__fixtures__" / "ps1" / "ps1.ipynb").read_text())
        teacher.put_notebook("course/source/ps1/ps1.ipynb", source)
        teacher.formgrader("/assignment/ps1/assign")
        teacher.formgrader("/assignment/ps1/release")
        log("released")

        # Each learner fetches, works on the tsdl kernel, saves and submits.
        for name, person in learners.items():
            listed = person.call("GET", f"/assignments?course_id={COURSE}")
            released = [a["assignment_id"] for a in listed["value"] if a["status"] == "released"]
            person.nbgrader("/assignments/fetch", course_id=COURSE, assignment_id="ps1")
            nb = person.get_notebook("ps1/ps1.ipynb")
            untouched = await person.run_notebook("ps1/ps1.ipynb", json.loads(json.dumps(nb)))
            for cell in nb["cells"]:
                gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
                if gid in LEARNERS[name]:
                    cell["source"] = LEARNERS[name][gid]
            ran = await person.run_notebook("ps1/ps1.ipynb", nb)
            person.put_notebook("ps1/ps1.ipynb", ran)
            person.nbgrader("/assignments/submit", course_id=COURSE, assignment_id="ps1")
            errors = lambda n: {c["metadata"].get("nbgrader", {}).get("grade_id", f"cell{i}"): [f"{o['ename']}: {o['evalue']}" for o in c.get("outputs", []) if o["output_type"] == "error"] for i, c in enumerate(n["cells"]) if c["cell_type"] == "code"}
            seen["learners"][name] = {"listed": released, "errorsBeforeAnswering": errors(untouched), "errorsAfterAnswering": errors(ran)}
            log(f"{name} submitted")

        # The teacher collects, grades with tsdl, grades the written answers, returns feedback.
        teacher.formgrader("/assignment/ps1/collect")
        submitted = sorted(p.name for p in (teacher.home / "course" / "submitted").iterdir())
        seen["collected"] = submitted
        teacher.terminal(*tsdl("grade", "autograde", "--source", "course/source/ps1/ps1.ipynb", "--out", "course/tsdl-autograded", *[f"course/submitted/{s}/ps1" for s in submitted]))
        seen["pending"] = teacher.terminal(*tsdl("grade", "manual", "course/tsdl-autograded"))
        teacher.terminal(*tsdl("grade", "manual", "course/tsdl-autograded", "ada", "why_relu", "1", "--comment", "Exactly: no saturation for positive inputs."))
        teacher.terminal(*tsdl("grade", "manual", "course/tsdl-autograded", "ben", "why_relu", "0", "--comment", "Speed is not the reason; think about gradients."))
        teacher.terminal(*tsdl("grade", "feedback", "course/tsdl-autograded", "--nbgrader", "course"))
        seen["gradebook"] = (teacher.home / "course" / "tsdl-autograded" / "gradebook.csv").read_text()
        teacher.formgrader("/assignment/ps1/release_feedback")

        for name, person in learners.items():
            person.nbgrader("/assignments/fetch_feedback", course_id=COURSE, assignment_id="ps1")
            feedback_dir = person.call("GET", "/api/contents/ps1/feedback")["content"]
            pages = []
            for stamp in feedback_dir:
                for f in person.call("GET", f"/api/contents/{stamp['path']}")["content"]:
                    if f["name"].endswith(".html"):
                        pages.append(person.call("GET", f"/api/contents/{f['path']}?type=file&format=text")["content"])
            seen["learners"][name]["feedback"] = pages
            log(f"{name} fetched feedback")
    finally:
        hub.stop()
    return seen


if __name__ == "__main__":
    work = Path(sys.argv[1]).resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(json.dumps(asyncio.run(main(work))))
