"""Facts about the learner's own engine, read at run time, and the Korean sentences that depend on them.

The chapters never describe the machine the course was written on: where the text depends on the
learner's set-up (is BuildKit there, can the engine reach Docker Hub, which client and engine versions
talk to each other), a cell reads the fact with :func:`learner_facts` and prints the sentence that fits
with :func:`describe`. The sentence builders are pure functions of a :class:`Facts`, so both cases are
tested without changing the machine.

CLI equivalents: ``docker version``, ``docker buildx version``, ``docker search --limit 1 debian``,
``docker info``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from functools import lru_cache

#: Seconds to wait for Docker Hub before calling it unreachable.
HUB_TIMEOUT = 10.0


@dataclass(frozen=True)
class Facts:
    """What the learner's CLI and engine are.

    Attributes:
        client_version: ``docker version``'s client version (``28.2.2``).
        server_version: The engine's version (``27.5.1``).
        client_api: The newest API version the client speaks.
        server_api: The newest API version the engine speaks.
        buildx: The buildx plugin's version, or None when it is missing (then ``docker build`` falls back
            to the legacy builder and prints a deprecation notice).
        hub_reachable: Whether the engine reached Docker Hub (``docker search``).
        operating_system: ``docker info``'s OperatingSystem (``Docker Desktop``, ``Debian GNU/Linux 13``).
        ipvs: Whether the engine's kernel has IPVS (Swarm's routing mesh and VIPs need it), None when unknown.
    """

    client_version: str
    server_version: str
    client_api: str
    server_api: str
    buildx: str | None
    hub_reachable: bool
    operating_system: str = ""
    ipvs: bool | None = None

    @property
    def negotiated(self) -> bool:
        """True when the client is newer than the engine and talks the engine's older API version."""
        return _api_tuple(self.client_api) > _api_tuple(self.server_api)

    @property
    def docker_desktop(self) -> bool:
        """True on Docker Desktop (the engine runs in Docker Desktop's Linux VM)."""
        return "docker desktop" in self.operating_system.lower()


def _api_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def buildx_version() -> str | None:
    """The buildx plugin's version (``docker buildx version``), or None when the plugin is missing."""
    done = _run(["docker", "buildx", "version"], timeout=20)
    if done is None or done.returncode != 0:
        return None
    parts = done.stdout.split()
    return parts[1] if len(parts) > 1 else done.stdout.strip()


def hub_reachable(timeout: float = HUB_TIMEOUT) -> bool:
    """Whether the engine can reach Docker Hub (``docker search --limit 1 debian`` succeeds in time)."""
    done = _run(["docker", "search", "--limit", "1", "debian"], timeout=timeout)
    return done is not None and done.returncode == 0


def versions() -> dict[str, str]:
    """Client and server versions and API versions (``docker version --format '{{json .}}'``)."""
    done = _run(["docker", "version", "--format", "{{json .}}"], timeout=30)
    data = json.loads(done.stdout) if done is not None and done.stdout.strip() else {}
    client = data.get("Client") or {}
    server = data.get("Server") or {}
    return {"client_version": client.get("Version", "?"), "server_version": server.get("Version", "?"),
            "client_api": client.get("ApiVersion", "?"),
            "server_api": server.get("ApiVersion", "?")}


def _client_max_api() -> str:
    """The newest API the client speaks: ``docker version`` shows the negotiated one, so ask with the
    engine out of reach (``DOCKER_HOST`` pointing at nothing prints only the client part)."""
    import os

    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    env.pop("DOCKER_CONTEXT", None)
    try:
        done = subprocess.run(["docker", "version", "--format", "{{.Client.APIVersion}}"], capture_output=True,
                              text=True, timeout=20, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "?"


@lru_cache(maxsize=1)
def learner_facts() -> Facts:
    """Read the facts once per kernel (cached; :func:`refresh` reads them again).

    Returns:
        The learner's :class:`Facts`.
    """
    v = versions()
    info = _run(["docker", "info", "--format", "{{.OperatingSystem}}"], timeout=30)
    return Facts(client_version=v["client_version"], server_version=v["server_version"],
                 client_api=_client_max_api(), server_api=v["server_api"], buildx=buildx_version(),
                 hub_reachable=hub_reachable(),
                 operating_system=info.stdout.strip() if info is not None and info.returncode == 0 else "",
                 ipvs=_ipvs())


def _ipvs() -> bool | None:
    """:func:`dockhelpers.engine.ipvs_supported`, or None when it cannot be tested."""
    try:
        from dockhelpers.engine import ipvs_supported

        return ipvs_supported()
    except Exception:  # no engine, no base image: unknown
        return None


def refresh() -> Facts:
    """Forget the cached facts and read them again."""
    learner_facts.cache_clear()
    return learner_facts()


def describe_versions(f: Facts) -> str:
    """One Korean sentence about the client and engine versions on this machine."""
    if f.negotiated:
        return (f"이 컴퓨터에서는 CLI({f.client_version}, API {f.client_api})가 엔진({f.server_version}, "
                f"API {f.server_api})보다 새것이라, CLI가 API 버전을 엔진에 맞춰 {f.server_api}로 낮춰(negotiate) "
                "대화합니다. 두 프로그램이 API로만 연결되어 있다는 증거입니다.")
    return (f"이 컴퓨터에서는 CLI({f.client_version})와 엔진({f.server_version})이 같은 API 버전 {f.server_api}로 "
            "대화합니다. CLI가 엔진보다 새것이면 CLI가 API 버전을 엔진에 맞춰 낮춰(negotiate) 대화합니다.")


def describe_builder(f: Facts) -> str:
    """One Korean sentence about which builder ``docker image build`` uses on this machine."""
    if f.buildx:
        return (f"이 컴퓨터에는 buildx 플러그인({f.buildx})이 있어 터미널의 `docker image build`는 BuildKit으로 "
                "빌드합니다. 로그는 `#1 [internal] ...`, `CACHED` 모양입니다. 노트북의 `images.build()`는 도커 SDK가 "
                "쓰는 옛 빌더(legacy builder) API로 빌드하므로 `Step 1/4` 모양의 로그가 나옵니다. 이미지는 같습니다.")
    return ("이 컴퓨터에는 buildx 플러그인이 없어 `docker image build`가 옛 빌더(legacy builder)로 빌드하고 "
            "`DEPRECATED: The legacy builder is deprecated` 안내를 출력합니다. 빌드 결과는 같습니다. "
            "Docker Desktop과 docker-ce 패키지에는 buildx가 들어 있어 BuildKit(`#1 [internal] ...` 모양의 로그)이 "
            "기본입니다.")


def describe_hub(f: Facts) -> str:
    """One Korean sentence about whether Docker Hub is reachable from this machine's engine."""
    if f.hub_reachable:
        return ("이 컴퓨터의 엔진은 Docker Hub에 연결됩니다. `docker search`와 `docker image pull debian:bookworm-slim` "
                "같은 명령이 그대로 동작합니다.")
    return ("이 컴퓨터의 엔진은 Docker Hub에 연결되지 않습니다(회사·학교 방화벽, 오프라인 실습실 등). "
            "`docker search`는 실패하고 Docker Hub에서 직접 이미지를 받을 수 없습니다(레지스트리 미러가 있으면 미러에 "
            "있는 이미지만 받습니다). 이 과정은 `debian:trixie-slim` 하나에서 모든 이미지를 직접 빌드하므로 그래도 "
            "실습할 수 있습니다.")


def describe_ipvs(f: Facts) -> str:
    """One Korean sentence about Swarm's routing mesh on this machine's kernel (IPVS or not)."""
    if f.ipvs is True:
        return ("이 컴퓨터의 엔진이 쓰는 커널에는 IPVS가 있습니다. 그래서 스웜의 라우팅 메시(ingress)와 서비스 VIP를 "
                "그대로 씁니다. 어느 노드의 공개 포트로 들어와도 살아 있는 태스크로 전달됩니다.")
    if f.ipvs is False:
        return ("이 컴퓨터의 엔진이 쓰는 커널에는 IPVS가 없습니다(일부 클라우드 샌드박스, 최소 커널, 일부 WSL 커널). "
                "라우팅 메시와 VIP가 동작하지 않으므로 `endpoint_mode: dnsrr`(DNS 라운드 로빈)과 "
                "`mode: host` 포트 공개로 대신합니다. 보통의 Linux 서버와 Docker Desktop은 IPVS가 있어 라우팅 메시를 씁니다.")
    return ("이 컴퓨터의 커널에 IPVS가 있는지 아직 확인하지 못했습니다(베이스 이미지가 없음). IPVS가 있으면 라우팅 메시를, "
            "없으면 DNS 라운드 로빈과 host 모드 포트를 씁니다.")


def describe(topic: str, f: Facts | None = None) -> str:
    """The Korean sentence for ``topic`` (``versions``, ``builder``, ``hub``, ``ipvs``) on this machine."""
    f = f or learner_facts()
    builders = {"versions": describe_versions, "builder": describe_builder, "hub": describe_hub,
                "ipvs": describe_ipvs}
    return builders[topic](f)


def say(topic: str) -> None:
    """Print :func:`describe` with a marker, for a notebook cell (``facts.say("builder")``)."""
    print("🖥️ " + describe(topic))
