"""The classroom hub's network and cache registry on the host engine (see :mod:`dockhelpers.classroom`).

* ``<prefix>-hub``: a private bridge with inter-container traffic off (``enable_icc=false``), so that a lab
  reaches the hub and the registry on the gateway address but never another student's lab.
* ``<prefix>-hub-registry``: the Swarm lab's registry image (Debian's ``docker-registry``), read-only, in the
  host's network namespace on the gateway address, filled the way :mod:`dockhelpers.baseimage` fills the
  course's own mirror: a writable twin on 127.0.0.1 on the same volume only while pushing.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from dockhelpers import naming
from dockhelpers.errors import CourseError

REGISTRY_CONFIG = """\
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
  maintenance:
    readonly:
      enabled: {readonly}
http:
  addr: {addr}
health:
  storagedriver:
    enabled: false
"""

Out = Callable[[str], None]


def real_engine() -> None:
    """Point ``DOCKER_HOST`` at the engine itself when it names the course endpoint (a terminal in ``make lab``).

    The hub is the teacher's infrastructure: its labs need ``--privileged`` (or the capability set) and their
    own labels, which the endpoint's rules for learners would refuse or rewrite.
    """
    from dockhelpers.endpoint import settings

    host = os.environ.get("DOCKER_HOST", "")
    if host and settings.is_own(host):
        os.environ["DOCKER_HOST"] = settings.upstream().url
        from dockhelpers.engine import reset_client

        reset_client()


def _client():
    from dockhelpers.engine import client

    real_engine()
    return client()


def _say(out: Out | None) -> Out:
    return out if out else (lambda text: print(text, flush=True))


def network_name() -> str:
    """The students' network (``<prefix>-hub``)."""
    return naming.name("hub")


def registry_name() -> str:
    """The cache registry container."""
    return naming.name("hub-registry")


def _docker(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def dind_mode() -> str:
    """``"privileged"`` when the engine runs ``--privileged`` containers, else ``"capabilities"`` (the Swarm lab's set).

    CLI equivalent: ``docker container run --rm --privileged debian:trixie-slim true``.
    """
    forced = os.environ.get("DOCKHELPERS_DIND_MODE", "").strip()
    if forced in ("privileged", "capabilities"):
        return forced
    args = ["container", "run", "--rm", "--privileged", "--network", "none"]
    for key, value in naming.classroom_labels().items():
        args += ["--label", f"{key}={value}"]
    return "privileged" if _docker([*args, naming.BASE_IMAGE, "true"], timeout=120).returncode == 0 else "capabilities"


def ensure_network() -> str:
    """Create the students' network when missing; returns its gateway address (where the hub and registry listen).

    CLI equivalent: ``docker network create --opt com.docker.network.bridge.enable_icc=false --label ... <prefix>-hub``.
    """
    import docker

    c = _client()
    try:
        net = c.networks.get(network_name())
    except docker.errors.NotFound:
        net = c.networks.create(network_name(), driver="bridge", labels=naming.classroom_labels(),
                                options={"com.docker.network.bridge.enable_icc": "false"})
        net.reload()
    configs = (net.attrs.get("IPAM") or {}).get("Config") or []
    gateway = next((cfg.get("Gateway") for cfg in configs if cfg.get("Gateway")), None)
    if not gateway:
        raise CourseError(f"네트워크 {network_name()}의 게이트웨이 주소를 읽을 수 없습니다.", f"`docker network inspect {network_name()}`로 확인하세요.")
    return gateway


def _registry_image() -> str:
    from dockhelpers import courseimages
    from dockhelpers.inspection import image_exists

    img = next(i for i in courseimages.IMAGES if i.repo == "swarm-registry")
    if not image_exists(img.ref):
        img.build()
    return img.ref


def _run_registry(name: str, addr: str, readonly: bool, config_dir: Path) -> None:
    import docker

    c = _client()
    config_dir.mkdir(parents=True, exist_ok=True)
    config = config_dir / f"{name}.yml"
    config.write_text(REGISTRY_CONFIG.format(readonly=str(readonly).lower(), addr=addr), encoding="utf-8")
    try:
        c.containers.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass
    volume = naming.name("hub-registry-data")
    try:
        c.volumes.get(volume)
    except docker.errors.NotFound:
        c.volumes.create(volume, labels=naming.classroom_labels())
    c.containers.run(_registry_image(), name=name, detach=True, network_mode="host", labels=naming.classroom_labels(),
                     volumes={volume: {"bind": "/var/lib/docker-registry", "mode": "rw"},
                              str(config): {"bind": "/etc/docker/registry/config.yml", "mode": "ro"}},
                     restart_policy={"Name": "unless-stopped"} if readonly else None)
    deadline = time.monotonic() + 30
    url = f"http://{addr}/v2/"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise CourseError(f"캐시 레지스트리 {name}가 {addr}에서 응답하지 않습니다.", f"`docker logs {name}`를 확인하세요.")


def ensure_registry(gateway: str, state: Path, refs: list[str] | None = None, out: Out | None = None) -> str:
    """Fill and start the read-only cache registry on ``gateway``; returns the mirror URL the labs use.

    CLI equivalent: a writable ``docker-registry`` on 127.0.0.1 for ``docker image push``, removed after, then
    ``docker container run -d --network host <prefix>/swarm-registry`` read-only on the gateway address.
    """
    say = _say(out)
    from dockhelpers.engine import ensure_loopback_no_proxy

    ensure_loopback_no_proxy()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = ",".join(filter(None, [os.environ.get("NO_PROXY", ""), gateway]))
    seed_addr = f"127.0.0.1:{naming.hub_port('seed')}"
    seed = naming.name("hub-registry-seed")
    _run_registry(seed, seed_addr, False, state)
    try:
        for ref in refs or [naming.BASE_IMAGE]:
            repo = ref if "/" in ref.split(":")[0] else f"library/{ref}"
            target = f"{seed_addr}/{repo}"
            for step in (["image", "tag", ref, target], ["image", "push", target], ["image", "rm", target]):
                res = _docker(step)
                if res.returncode != 0:
                    raise CourseError(f"캐시 레지스트리에 {ref}를 넣지 못했습니다.", res.stderr.strip()[-300:])
            say(f"캐시 레지스트리에 넣음: {ref}")
    finally:
        _docker(["container", "rm", "-f", seed])
    addr = f"{gateway}:{naming.hub_port('registry')}"
    _run_registry(registry_name(), addr, True, state)
    return f"http://{addr}"
