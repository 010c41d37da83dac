"""The course lab image for tests: build it once per session (kept between runs by its content-hash tag), and
run containers from it that are removed exactly (the container and its anonymous volumes, nothing else).

Use in a test module::

    from labimage_support import lab_image, LabContainer   # noqa: F401  (lab_image is a fixture)

    def test_x(lab_image):
        with LabContainer(lab_image, binder=True) as lab:
            lab.exec(["python", "-c", "import dockhelpers"])
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dockhelpers import labimage, naming

ROOT = Path(__file__).resolve().parents[1]
#: Label marking every container a test session made from the lab image (value: a per-run token).
TEST_LABEL = "kr.dockercourse.test.labimage"
#: Runs inside a lab container (``python -c RUN_NOTEBOOK PATH [CODE_CELLS]``): executes the notebook (or its first
#: CODE_CELLS code cells) with nbclient in its folder and prints a JSON summary on the last line: seconds, the
#: exception that stopped it, every error output, and the text of every stream/display output.
RUN_NOTEBOOK = r"""
import json, os, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
if len(sys.argv) > 2:
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"][: int(sys.argv[2])]
    nb.cells = nb.cells[: code[-1] + 1]
started = time.monotonic()
error = ""
try:
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
except Exception as exc:
    error = f"{type(exc).__name__}: {str(exc)[-1500:]}"
outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
errors = [o.get("ename", "") + ": " + o.get("evalue", "")[:300] for o in outputs if o.get("output_type") == "error"]
text = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)
print(json.dumps({"seconds": round(time.monotonic() - started, 1), "error": error, "errors": errors,
                  "cells": sum(c.cell_type == "code" for c in nb.cells), "text": text[-5000:]}))
"""
#: The lab's port inside the container and the lesson port its tests publish (shifted by the port offset).
LAB_PORT = 8888
TEST_PORT = 18888


@pytest.fixture(scope="session")
def lab_image() -> str:
    """The lab image for the current inputs (built on the first use, found by its tag afterwards)."""
    started = time.monotonic()
    ref = labimage.ensure_lab_image(ROOT, out=lambda line: None)
    print(f"\n[lab image] {ref} ({time.monotonic() - started:.1f}s)")
    return ref


def _free_port(start: int) -> int:
    for candidate in range(start, start + 50):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise RuntimeError("no free port")


class LabContainer:
    """A container from the lab image, started in ``__enter__`` and removed (with ``-v``) in ``__exit__``.

    Args:
        image: The lab image reference.
        binder: Run it the way Binder does: the unprivileged user (uid 1000), ``--cap-drop ALL``,
            ``no-new-privileges``, no engine, ``binder/`` mounted and ``binder/start`` in front of the command.
        env: Extra environment variables.
        command: The command (default: the image's, JupyterLab on port 8888).
        extra: More ``docker container run`` arguments.
    """

    def __init__(self, image: str, *, binder: bool = False, env: dict[str, str] | None = None,
                 command: list[str] | None = None, extra: list[str] | None = None) -> None:
        self.image = image
        self.binder = binder
        self.env = dict(env or {})
        self.command = command
        self.extra = list(extra or [])
        self.run_id = secrets.token_hex(4)
        self.name = naming.name(f"labtest-{self.run_id}")
        self.token = secrets.token_hex(16)
        self.port = 0
        self.id = ""

    def __enter__(self) -> "LabContainer":
        self.port = _free_port(naming.port(TEST_PORT))
        args = ["docker", "container", "run", "-d", "--name", self.name, *naming.label_args(),
                "--label", f"{TEST_LABEL}={self.run_id}", "-p", f"127.0.0.1:{self.port}:{LAB_PORT}",
                "-e", f"JUPYTER_TOKEN={self.token}"]
        for key, value in self.env.items():
            args += ["-e", f"{key}={value}"]
        command = self.command
        if self.binder:
            args += ["--user", "1000:1000", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                     "-v", f"{ROOT / 'binder'}:/opt/binder:ro"]
            if command is None:
                command = ["/opt/binder/start", "bash", "/opt/course/scripts/start-lab.sh", str(LAB_PORT)]
        args += [*self.extra, self.image, *(command or [])]
        out = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            self.remove()
            raise AssertionError(f"docker run failed: {out.stderr}")
        self.id = out.stdout.strip()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def remove(self) -> None:
        """``docker container rm -f -v NAME``, then check that nothing this object made is left."""
        subprocess.run(["docker", "container", "rm", "-f", "-v", self.name], capture_output=True, timeout=120)
        left = subprocess.run(["docker", "container", "ls", "-aq", "--filter", f"label={TEST_LABEL}={self.run_id}"],
                              capture_output=True, text=True, timeout=30).stdout.split()
        assert not left, f"lab test containers left behind: {left}"

    def exec(self, cmd: list[str], *, user: str | None = None, check: bool = True, timeout: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``docker container exec [-u USER] [-e K=V...] NAME CMD...``."""
        args = ["docker", "container", "exec", *(["-u", user] if user else [])]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        args += [self.name, *cmd]
        out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stdout}\n{out.stderr}")
        return out

    def run_notebook(self, path: str, code_cells: int | None = None, timeout: float = 1800,
                     env: dict[str, str] | None = None) -> dict:
        """Execute a notebook inside (as the container's user) with nbclient; its JSON summary (RUN_NOTEBOOK).

        ``env`` reaches the kernel (e.g. ``{"DOCKHELPERS_MODE": "replay"}``, what ``binder/start`` gives the lab).
        """
        cmd = ["python", "-c", RUN_NOTEBOOK, path, *([str(code_cells)] if code_cells else [])]
        out = self.exec(cmd, timeout=timeout, env=env)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def logs(self) -> str:
        """``docker container logs NAME`` (stdout and stderr)."""
        out = subprocess.run(["docker", "container", "logs", self.name], capture_output=True, text=True, timeout=30)
        return out.stdout + out.stderr

    def lab_status(self, deadline: float = 120) -> dict:
        """Wait until JupyterLab answers ``/api/status`` (with the token) and return its JSON."""
        url = f"http://127.0.0.1:{self.port}/api/status"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        end = time.monotonic() + deadline
        last = ""
        while time.monotonic() < end:
            request = urllib.request.Request(url, headers={"Authorization": f"token {self.token}"})
            try:
                with opener.open(request, timeout=5) as response:
                    return json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = repr(exc)
            state = subprocess.run(["docker", "container", "inspect", "-f", "{{.State.Running}}", self.name],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
            if state != "true":
                break
            time.sleep(1)
        raise AssertionError(f"JupyterLab did not answer {url}: {last}\n{self.logs()[-3000:]}")
