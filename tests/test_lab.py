"""`make lab`'s server: JupyterLab on 127.0.0.1 with a token, serving the learner's copy of the notebooks."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_start_lab_prints_a_working_url(tmp_path):
    port = free_port()
    work = tmp_path / "work"
    env = {**os.environ, "DOCKHELPERS_WORK": str(work)}
    env.pop("JUPYTER_TOKEN", None)
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "start-lab.sh"), str(port)], cwd=ROOT, env=env,
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
        # It serves the learner's copy, not the tracked notebooks; the token is in a 0600 file, not in `ps`.
        assert all((work / n).is_file() for n in notebooks)
        assert (work / ".lab" / "token").read_text().strip() == token
        assert (work / ".lab" / "token").stat().st_mode & 0o077 == 0
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        assert token not in ps
        # No news pop-up: the announcements plugin is disabled in the lab's own config.
        page = (work / ".lab" / "config" / "labconfig" / "page_config.json").read_text()
        assert "@jupyterlab/apputils-extension:announcements" in page
        # Korean UI: the language pack (requirements.txt) is selected in the lab's own settings and served.
        with urllib.request.urlopen(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={token}",
                                    timeout=10) as r:
            assert "ko_KR" in r.read().decode()
        with urllib.request.urlopen(f"{base}/lab/api/translations/ko_KR?token={token}", timeout=10) as r:
            assert '"language": "ko-KR"' in r.read().decode()
        # Without the token the server refuses the API, and it listens on loopback only.
        try:
            urllib.request.urlopen(f"{base}/api/contents", timeout=10)
            raise AssertionError("the API answered without a token")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        # The lab (so its kernels and terminals) talks to the engine through the course endpoint.
        pid = int((work / ".lab" / "lab.pid").read_text())
        environ = dict(item.split("=", 1) for item in
                       open(f"/proc/{pid}/environ", "rb").read().decode().split("\0") if "=" in item)
        from dockhelpers.endpoint import daemon, settings

        assert environ.get("DOCKER_HOST") == settings.docker_host(), environ.get("DOCKER_HOST")
        assert daemon.ping()
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        local = [line.split()[3] for line in listening.splitlines()]
        assert local and all(addr.startswith("127.0.0.1:") for addr in local), local
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _notebook(path, source: str, outputs: list | None = None) -> None:
    import json

    cell = {"cell_type": "code", "source": source, "metadata": {}, "outputs": outputs or [], "execution_count": None}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_update_keeps_the_learners_work_and_names_the_changed_chapters(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "work"
    (course / "ch02").mkdir(parents=True)
    _notebook(course / "01_a.ipynb", "print(1)")
    _notebook(course / "02_b.ipynb", "print(2)")
    (course / "ch02" / "app.py").write_text("v1\n")
    script = str(ROOT / "scripts" / "learner-copy.py")
    subprocess.run(["python3", script, "init", str(course), str(work)], check=True)
    # The learner runs chapter 1 (outputs only) and edits chapter 2's notebook.
    _notebook(work / "01_a.ipynb", "print(1)", outputs=[{"output_type": "stream", "name": "stdout", "text": "1"}])
    _notebook(work / "02_b.ipynb", "print('mine')")
    # A new course version changes both notebooks and a chapter-2 file, and adds a chapter-3 notebook.
    _notebook(course / "01_a.ipynb", "print(10)")
    _notebook(course / "02_b.ipynb", "print(20)")
    (course / "ch02" / "app.py").write_text("v2\n")
    _notebook(course / "03_c.ipynb", "print(3)")
    out = subprocess.run(["python3", script, "update", str(course), str(work)], check=True,
                         capture_output=True, text=True).stdout
    assert "01장, 02장, 03장" in out, out
    assert "print(10)" in (work / "01_a.ipynb").read_text()                  # unedited: new version
    assert list((work / ".backup").rglob("01_a.ipynb"))                       # ... its outputs kept aside
    assert "print('mine')" in (work / "02_b.ipynb").read_text()              # edited: kept
    assert "print(20)" in (work / "02_b.새버전.ipynb").read_text()            # new version beside it
    assert (work / "ch02" / "app.py").read_text() == "v2\n"
    assert (work / "03_c.ipynb").is_file()
    again = subprocess.run(["python3", script, "update", str(course), str(work)], check=True,
                           capture_output=True, text=True).stdout
    assert "바뀐 장이 없습니다" in again
