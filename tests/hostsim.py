"""Throwaway Debian 13 "hosts" for the set-up tests (issue 9): images built once, containers removed after.

Every image is built FROM the local ``debian:trixie-slim`` and tagged with a hash of its Dockerfile chain,
so a warm run reuses it. Containers run with the Docker-in-Docker capability set the Swarm lab uses
(``dockhelpers/swarm`` compose.capabilities.yaml) and an anonymous volume on ``/var/lib/docker``; they are
removed with that volume (``docker rm -f -v``) whatever the test does.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT
from dockhelpers import naming

CAPS = ["--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
        "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
        "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw"]
SYSTEMD = ["--tmpfs", "/run", "--tmpfs", "/run/lock", "-e", "container=docker"]

BASE = """\
FROM debian:trixie-slim
RUN rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update -q \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 procps iproute2 curl \\
    ca-certificates sudo make tar \\
 && echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/dkc-unsafe-io \\
 && chmod 0711 /root && useradd -m -s /bin/bash learner && groupadd -f docker && usermod -aG docker learner
"""
# Debian's docker.io and friends downloaded (not installed): the set-up script installs them itself, fast.
ENGINE = """\
RUN DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus \\
 && apt-get install -y -q --no-install-recommends --download-only docker.io docker-cli docker-registry \\
    debootstrap iptables
"""
# A stand-in docker-ce built with equivs: the real package's Provides/Conflicts/Replaces, no files.
DOCKER_CE = """\
RUN DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends equivs \\
 && cd /tmp && printf '%s\\n' 'Section: admin' 'Priority: optional' 'Standards-Version: 3.9.2' \\
    'Package: docker-ce' 'Version: 5:28.0.0-1~standin' 'Provides: docker-engine' \\
    'Conflicts: docker (<< 1.5~), docker-engine, docker.io' 'Replaces: docker-engine' \\
    'Description: stand-in for Docker CE (course set-up test)' > docker-ce.ctl \\
 && equivs-build docker-ce.ctl >/dev/null && dpkg -i docker-ce_*.deb && rm -f docker-ce* \\
 && apt-get purge -y -q --auto-remove equivs >/dev/null
"""
# Debian's docker.io already installed (by the learner, not the course), engine not running.
DOCKER_IO = """\
RUN DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io docker-cli \\
    docker-registry debootstrap iptables
"""
LAYERS = {"base": [BASE], "engine": [BASE, ENGINE], "docker-ce": [BASE, DOCKER_CE], "docker-io": [BASE, ENGINE, DOCKER_IO]}


def image(kind: str) -> str:
    """The image for ``kind`` ("base", "engine", "docker-ce"), built on first use, reused by content hash.

    Each layer's tag is a hash of its Dockerfile text, which names its parent's tag: a change anywhere
    below gives new tags above. The images carry ``kr.dockercourse.hostsim=true`` (not the course label,
    so that course cleanup keeps them for the next run); remove them with
    ``docker image rm $(docker image ls -q --filter label=kr.dockercourse.hostsim=true)``.
    """
    ref = naming.BASE_IMAGE
    parts = LAYERS[kind]
    for i, part in enumerate(parts):
        text = (part if i == 0 else f"FROM {ref}\n{part}") + 'LABEL kr.dockercourse.hostsim="true"\n'
        layer = next(k for k, v in LAYERS.items() if v == parts[: i + 1])
        ref = f"{naming.prefix()}-hostsim-{layer}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        if subprocess.run(["docker", "image", "inspect", ref], capture_output=True).returncode != 0:
            build = subprocess.run(["docker", "build", "-q", "-t", ref, "-"], input=text, text=True,
                                   capture_output=True, timeout=900)
            assert build.returncode == 0, build.stderr[-3000:]
    return ref


def python_mounts() -> list[str]:
    """Bind mounts that make the host's venv (and its base interpreter) work unchanged inside a container."""
    venv = Path(os.path.realpath(ROOT / ".venv"))
    home = ""
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        if line.startswith("home"):
            home = line.split("=", 1)[1].strip()
    prefix = Path(home).parent
    if str(prefix) in ("/usr", "/usr/local", "/"):
        pytest.skip(f"the venv's interpreter lives in {prefix}; it cannot be mounted into a Debian 13 container")
    return ["-v", f"{venv}:{venv}:ro", "-v", f"{prefix}:{prefix}:ro"]


class Box:
    """A running throwaway container; :meth:`sh` runs a shell command in it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def sh(self, script: str, *, user: str = "root", timeout: float = 300, check: bool = False,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        args = ["docker", "exec", "-u", user]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        proc = subprocess.run([*args, self.name, "bash", "-c", script], capture_output=True, text=True,
                              timeout=timeout)
        if check:
            assert proc.returncode == 0, f"{script}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc


@contextmanager
def box(kind: str, *, systemd: bool = False, course: bool = True, venv: bool = True) -> Iterator[Box]:
    """Run a container of ``kind``; with ``course`` the repository is copied to /home/learner/course."""
    ref = image(kind)
    name = f"{naming.prefix()}-hostsim-{uuid.uuid4().hex[:8]}"
    args = ["docker", "run", "-d", "--name", name, *CAPS, "-v", "/var/lib/docker",
            "-v", f"{ROOT}:/src:ro", "--label", f"{naming.COURSE_LABEL}=true",
            "--label", f"{naming.PREFIX_LABEL}={naming.prefix()}"]
    if venv:
        args += python_mounts()
    if systemd:
        args += [*SYSTEMD, ref, "/sbin/init"]
    else:
        args += ["--init", ref, "sleep", "infinity"]  # an init that reaps orphans, as on a real host
    subprocess.run(args, check=True, capture_output=True, timeout=120)
    try:
        b = Box(name)
        if course:
            venv_path = os.path.realpath(ROOT / ".venv")
            b.sh("mkdir -p /home/learner/course && tar -C /src --exclude=./.venv --exclude=./work --exclude=./build "
                 "--exclude=./.git -cf - . | tar -C /home/learner/course -xf - "
                 f"&& ln -s {venv_path} /home/learner/course/.venv && chown -R learner: /home/learner/course",
                 check=True, timeout=120)
        yield b
    finally:
        subprocess.run(["docker", "rm", "-f", "-v", name], capture_output=True, timeout=120)
