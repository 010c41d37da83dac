"""An engine that goes away while a notebook runs: the next cell prints a short Korean error, no traceback.

A notebook-style IPython shell (with ``%load_ext dockhelpers``) talks to the real engine through a small
Unix-socket forwarder set as DOCKER_HOST; the forwarder is then killed and its socket removed, exactly as
when Docker Desktop quits or ``systemctl stop docker`` runs under a learner's open notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.engine, pytest.mark.hostsim]

FORWARDER = r"""
import asyncio, os, sys
listen, target = sys.argv[1], sys.argv[2]

async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()

async def handle(r1, w1):
    r2, w2 = await asyncio.open_unix_connection(target)
    await asyncio.gather(pipe(r1, w2), pipe(r2, w1))

async def main():
    server = await asyncio.start_unix_server(handle, path=listen)
    print("ready", flush=True)
    await server.serve_forever()

asyncio.run(main())
"""

CELLS = r"""
import sys
from IPython.core.interactiveshell import InteractiveShell
sh = InteractiveShell.instance()
sh.run_cell("%load_ext dockhelpers")
ok = sh.run_cell("from dockhelpers import containers, engine\nn = len(containers.ls(show_command=False))").success
print("FIRST", ok, flush=True)
sys.stdin.readline()  # the engine goes away now
for cell in ("containers.ls(show_command=False)",
             "containers.run('debian:trixie-slim', 'dkc-gone-probe', command='true')",
             "engine.doctor(show=False)"):
    print("CELL", cell, flush=True)
    print("RESULT", sh.run_cell(cell).success, flush=True)
"""


def _engine_socket() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip(f"the engine is not on a Unix socket here ({host})")
    return host[len("unix://"):]


def test_engine_going_away_gives_a_short_korean_error(tmp_path):
    sock = tmp_path / "engine.sock"
    fwd = subprocess.Popen([sys.executable, "-c", FORWARDER, str(sock), _engine_socket()], stdout=subprocess.PIPE,
                           text=True)
    try:
        assert fwd.stdout.readline().strip() == "ready"
        env = {**os.environ, "DOCKER_HOST": f"unix://{sock}"}
        nb = subprocess.Popen([sys.executable, "-c", CELLS], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        first = ""
        deadline = time.monotonic() + 60
        while not first.startswith("FIRST") and time.monotonic() < deadline:
            first = nb.stdout.readline()
        assert first.strip() == "FIRST True", first
        fwd.kill()
        fwd.wait()
        sock.unlink()
        out, _ = nb.communicate("go\n", timeout=120)
    finally:
        fwd.kill()
    assert out.count("RESULT False") == 3, out
    assert "Traceback" not in out and "requests.exceptions" not in out, out
    for block in out.split("CELL ")[1:]:
        assert "도커 엔진" in block and "해결 방법" in block, block
        assert len(block.splitlines()) <= 8, block  # short: the message, the fix, the engine's words
