"""`make lab`'s server: JupyterLab on 127.0.0.1 with a token, serving the chapter notebooks."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_start_lab_prints_a_working_url():
    port = free_port()
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "start-lab.sh"), str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+/lab\?token=\w+)", line)
            url = match.group(1) if match else None
        assert url, "start-lab.sh printed no URL"
        assert f":{port}/" in url
        base, token = url.split("/lab?token=")
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and "JupyterLab" in r.read().decode()
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=10) as r:
            names = r.read().decode()
        notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        assert all(n in names for n in notebooks)
        # Without the token the server refuses the API, and it listens on loopback only.
        try:
            urllib.request.urlopen(f"{base}/api/contents", timeout=10)
            raise AssertionError("the API answered without a token")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        local = [line.split()[3] for line in listening.splitlines()]
        assert local and all(addr.startswith("127.0.0.1:") for addr in local), local
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
