"""A real course endpoint for the endpoint tests: a background process on a temporary socket.

The tests talk to it with the real docker CLI (``DOCKER_HOST=unix://<socket>``) and the docker SDK, and to
the engine directly (the "learner bypassing the course" side of the decoys).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dockhelpers.endpoint import daemon, marker, settings

ROOT = Path(__file__).resolve().parents[1]
#: Label on everything a test creates directly on the engine (decoys), so teardown finds it.
DECOY_LABEL = "kr.dockercourse.test-decoy"


class RunningEndpoint:
    """One endpoint process (``python -m dockhelpers endpoint run --record DIR``) and ways to talk to it."""

    def __init__(self) -> None:
        self.engine = settings.upstream().url
        self.folder = Path(tempfile.mkdtemp(prefix="dkc-ep-", dir="/tmp"))
        self.socket = self.folder / "docker.sock"
        self.record_dir = self.folder / "record"
        self.host = f"unix://{self.socket}"
        #: The decoy label of this session (its value is unique, so one session never removes another's decoys).
        self.decoy = f"{DECOY_LABEL}={self.folder.name}"
        self.env = {**os.environ, settings.STATE_ENV: str(self.folder), settings.UPSTREAM_ENV: self.engine,
                    "PYTHONPATH": str(ROOT)}
        self.env.pop(settings.SOCKET_ENV, None)
        self.env.pop(settings.SHOW_ALL_ENV, None)
        self.env.pop(settings.CHAPTER_ENV, None)
        self.proc: subprocess.Popen | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, timeout: float = 15) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "dockhelpers", "endpoint", "run", "--record",
                                      str(self.record_dir)], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.folder / "endpoint.log", "ab"))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if daemon.ping(self.socket):
                return
            time.sleep(0.05)
        raise RuntimeError((self.folder / "endpoint.log").read_text())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def rss_kb(self) -> int:
        """Resident memory of the endpoint process (``VmRSS`` in kB)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    # -- clients -----------------------------------------------------------------------------------
    def client_env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "DOCKER_HOST": self.host, **extra}
        return env

    def cli(self, *args: str, timeout: float = 120, input: str | None = None, **extra: str):
        """``docker ARGS`` through the endpoint (CompletedProcess; never raises on a non-zero exit)."""
        return subprocess.run(["docker", *args], env=self.client_env(**extra), capture_output=True, text=True,
                              timeout=timeout, input=input)

    def direct(self, *args: str, timeout: float = 120):
        """``docker ARGS`` straight to the engine, bypassing the endpoint."""
        return subprocess.run(["docker", *args], env={**os.environ, "DOCKER_HOST": self.engine},
                              capture_output=True, text=True, timeout=timeout)

    def sdk(self, **kwargs):
        import docker

        return docker.DockerClient(base_url=self.host, **kwargs)

    def marker(self) -> str:
        return (self.folder / "marker").read_text().strip() if (self.folder / "marker").exists() else ""

    # -- cleanup -----------------------------------------------------------------------------------
    def cleanup(self) -> list[str]:
        """Remove, directly on the engine, everything this endpoint created and every decoy; what was left."""
        left: list[str] = []
        value = self.marker()
        selectors = [f"label={self.decoy}"] + ([f"label={marker.MARKER_LABEL}={value}"] if value else [])
        for flt in selectors:
            ids = self.direct("ps", "-aq", "--filter", flt).stdout.split()
            if ids:
                self.direct("rm", "-f", *ids)
                left += ids
            for kind in ("volume", "network"):
                names = self.direct(kind, "ls", "-q", "--filter", flt).stdout.split()
                if names:
                    self.direct(kind, "rm", *names)
                    left += names
        if value:
            imgs = self.direct("images", "-q", "--filter", f"label={marker.IMAGE_MARKER_LABEL}={value}").stdout.split()
            if imgs:
                self.direct("rmi", "-f", *sorted(set(imgs)))
                left += imgs
        return left

    def close(self) -> None:
        self.cleanup()
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
