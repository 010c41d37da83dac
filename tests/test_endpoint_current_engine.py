"""The endpoint in front of a current engine: Debian 13's engine 26 inside a throwaway lab node container.

The node runs from the Swarm lab's image (``<prefix>/dind``) in the lab's capability mode, directly on the
host engine (labelled as a test object, removed at the end), its engine listening on a socket in a host
folder. An in-process endpoint forwards to that socket; the real CLI 28 talks to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from endpoint_support import ROOT

from dockhelpers import naming
from dockhelpers.endpoint import marker, settings
from dockhelpers.endpoint.server import Endpoint

pytestmark = [pytest.mark.engine, pytest.mark.slow]
BASE = naming.BASE_IMAGE
CAPS = ["--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
        "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
        "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw"]


class Inner:
    def __init__(self, ep, folder: Path, server: Endpoint) -> None:
        self.ep, self.folder, self.server = ep, folder, server
        self.engine = f"unix://{folder / 'engine' / 'docker.sock'}"
        self.host = f"unix://{server.path}"

    def cli(self, *args: str, input: str | None = None, timeout: float = 180):
        return subprocess.run(["docker", *args], env={**self.ep.client_env(), "DOCKER_HOST": self.host},
                              capture_output=True, text=True, input=input, timeout=timeout)

    def direct(self, *args: str):
        return subprocess.run(["docker", *args], env={**self.ep.client_env(), "DOCKER_HOST": self.engine},
                              capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def inner(course_endpoint):
    ep = course_endpoint
    image = naming.image("dind")
    if ep.direct("image", "inspect", image).returncode != 0:
        res = ep.cli("build", "-q", "-t", image, str(ROOT / "notebooks" / "ch03" / "lab" / "dind"), timeout=900)
        assert res.returncode == 0, res.stderr
    folder = Path(tempfile.mkdtemp(prefix="dkc-ep-dind-", dir="/tmp"))
    (folder / "engine").mkdir()
    name = naming.name(f"dind{uuid.uuid4().hex[:6]}")
    volume = f"{name}-data"
    ep.direct("volume", "create", "--label", ep.decoy, volume)
    res = ep.direct("run", "-d", "--name", name, "--label", ep.decoy, *CAPS,
                    "-v", f"{folder / 'engine'}:/var/run/dind", "-v", f"{volume}:/var/lib/docker", image,
                    "--host=unix:///var/run/dind/docker.sock")
    assert res.returncode == 0, res.stderr
    server = Endpoint(folder / "inner.sock", settings.Upstream(f"unix://{folder / 'engine' / 'docker.sock'}"))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    node = Inner(ep, folder, server)
    try:
        end = time.monotonic() + 60
        while node.direct("version").returncode != 0:
            assert time.monotonic() < end, ep.direct("logs", name).stderr[-2000:]
            time.sleep(0.5)
        save = subprocess.Popen(["docker", "save", BASE], stdout=subprocess.PIPE,
                                env={**ep.client_env(), "DOCKER_HOST": ep.engine})
        load = subprocess.run(["docker", "load"], stdin=save.stdout, capture_output=True, text=True, timeout=300,
                              env={**ep.client_env(), "DOCKER_HOST": node.host})
        save.wait()
        assert load.returncode == 0, load.stderr  # a large upload (image tarball) through the endpoint
        yield node
    finally:
        server.shutdown()
        server.server_close()
        ep.direct("rm", "-f", name)
        ep.direct("volume", "rm", volume)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_version_negotiation_and_ping(inner):
    version = json.loads(inner.cli("version", "--format", "{{json .}}").stdout)
    assert version["Server"]["Version"].startswith("26.")
    assert version["Server"]["ApiVersion"] == version["Client"]["ApiVersion"] == "1.45"


def test_run_labels_ports_stdin_tty(inner):
    name = naming.name(f"in{uuid.uuid4().hex[:6]}")
    res = inner.cli("run", "-d", "--name", name, "-p", f"{naming.port(9005)}:80", BASE, "sleep", "infinity")
    assert res.returncode == 0, res.stderr
    info = json.loads(inner.direct("inspect", name).stdout)[0]
    assert marker.is_course(info["Config"]["Labels"])
    assert info["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
    assert inner.cli("run", "--rm", "-i", BASE, "cat", input="stdin-26\n").stdout == "stdin-26\n"
    tty = subprocess.run(["script", "-qec", f"docker exec -it {name} sh -c 'tty; echo it-26'", "/dev/null"],
                         env={**inner.ep.client_env(), "DOCKER_HOST": inner.host}, capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert "it-26" in tty.stdout and "/dev/pts/" in tty.stdout
    assert inner.cli("rm", "-f", name).returncode == 0


def test_build_logs_and_decoy(inner, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nRUN echo built-on-26 > /b\nCMD [\"cat\", \"/b\"]\n")
    ref = naming.image("inner")
    res = inner.cli("build", "-t", ref, str(tmp_path))
    assert res.returncode == 0, res.stderr
    labels = json.loads(inner.direct("image", "inspect", "-f", "{{json .Config.Labels}}", ref).stdout)
    assert labels[marker.IMAGE_MARKER_LABEL] == inner.ep.marker()
    name = naming.name(f"lg{uuid.uuid4().hex[:6]}")
    assert inner.cli("run", "--name", name, ref).stdout == "built-on-26\n"
    assert inner.cli("logs", "-f", name).stdout == "built-on-26\n"
    decoy = f"decoy-{uuid.uuid4().hex[:6]}"
    assert inner.direct("run", "-d", "--name", decoy, ref, "sleep", "infinity").returncode == 0
    refused = inner.cli("rm", "-f", decoy)
    assert refused.returncode != 0 and "과정이 만들지 않은 컨테이너" in refused.stderr
    assert inner.cli("container", "prune", "-f").returncode == 0
    assert inner.direct("inspect", name).returncode != 0  # the course's stopped container: pruned
    assert inner.direct("inspect", decoy).returncode == 0
    assert name not in inner.cli("ps", "-a", "--format", "{{.Names}}").stdout.split()
    assert decoy not in inner.cli("ps", "-a", "--format", "{{.Names}}").stdout.split()
