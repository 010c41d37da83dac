"""``python -m dockhelpers endpoint start|status|stop``: a background endpoint with a pid file, socket 0600."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from endpoint_support import ROOT

pytestmark = pytest.mark.engine


def test_start_status_stop():
    folder = Path(tempfile.mkdtemp(prefix="dkc-ep-d-", dir="/tmp"))
    env = {**os.environ, "DOCKHELPERS_ENDPOINT_STATE": str(folder), "PYTHONPATH": str(ROOT)}
    env.pop("DOCKHELPERS_ENDPOINT_SOCKET", None)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dockhelpers", "endpoint", *args], env=env,
                              capture_output=True, text=True, timeout=60)

    try:
        down = cli("status")
        assert down.returncode == 1 and down.stdout.strip() == f"DOCKER_HOST=unix://{folder}/docker.sock"
        started = cli("start")
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == f"DOCKER_HOST=unix://{folder}/docker.sock"
        assert cli("start").returncode == 0  # idempotent: already answering
        up = cli("status")
        assert up.returncode == 0 and up.stdout.strip() == started.stdout.strip()
        sock = folder / "docker.sock"
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        assert (folder / "docker.pid").is_file()
        version = subprocess.run(["docker", "version", "--format", "{{.Server.APIVersion}}"], capture_output=True,
                                 text=True, env={**env, "DOCKER_HOST": f"unix://{sock}"}, timeout=60)
        assert version.returncode == 0 and version.stdout.strip()
        assert cli("stop").returncode == 0
        assert cli("status").returncode == 1
        assert not sock.exists() and not (folder / "docker.pid").exists()
        assert "no endpoint running" in cli("stop").stdout
    finally:
        cli("stop")
        shutil.rmtree(folder, ignore_errors=True)
