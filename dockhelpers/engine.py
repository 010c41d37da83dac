"""Connect to the Docker Engine and check that it can run the course (``doctor``).

CLI equivalents: ``docker version``, ``docker info``, ``docker compose version``.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockhelpers.errors import EngineUnavailable, translate
from dockhelpers.naming import BASE_IMAGE
from dockhelpers.shell import show as shell_show

if TYPE_CHECKING:  # pragma: no cover
    import docker
    import pandas as pd

#: Connection pool size: the stats sampler keeps one stream open per container.
POOL_SIZE = 64
LOOPBACK = ("127.0.0.1", "localhost")


def ensure_loopback_no_proxy() -> None:
    """Add 127.0.0.1 and localhost to ``NO_PROXY``/``no_proxy``: loopback probes must not go to a proxy."""
    for var in ("NO_PROXY", "no_proxy"):
        items = [i for i in os.environ.get(var, "").split(",") if i.strip()]
        missing = [h for h in LOOPBACK if h not in items]
        if missing:
            os.environ[var] = ",".join(items + missing)


def _engine_gone(exc: BaseException) -> EngineUnavailable:
    reset_client()
    host = os.environ.get("DOCKER_HOST", "기본 소켓")
    cause = translate(exc)
    if isinstance(cause, EngineUnavailable):
        return EngineUnavailable(f"도커 엔진({host})과의 연결이 끊겼습니다. 엔진이 멈췄거나 다시 시작되는 중입니다.",
                                 cause.hint if type(cause) is not EngineUnavailable else None, detail=str(exc))
    return EngineUnavailable(f"도커 엔진({host})이 응답하지 않습니다.", detail=str(exc))


def _guard(c: "docker.DockerClient") -> None:
    """Every request of ``c``: a lost or hung engine becomes a short Korean EngineUnavailable, not a traceback."""
    import requests

    send = c.api.send

    def guarded_send(request, **kwargs):
        try:
            return send(request, **kwargs)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise _engine_gone(exc) from None

    c.api.send = guarded_send


@lru_cache(maxsize=1)
def client() -> "docker.DockerClient":
    """The course's docker SDK client (``DOCKER_HOST``, the CLI's current context, or the default socket).

    Returns:
        A connected :class:`docker.DockerClient` (cached: one per kernel).

    Raises:
        EngineUnavailable: No engine answers (also: permission denied on the socket, in Korean).
    """
    import docker
    from docker.errors import DockerException

    ensure_loopback_no_proxy()
    try:
        c = docker.from_env(max_pool_size=POOL_SIZE, timeout=120)
        c.ping()
    except DockerException as exc:
        host = os.environ.get("DOCKER_HOST", "기본 소켓 또는 현재 CLI 컨텍스트")
        cause = translate(exc)
        hint = cause.hint if isinstance(cause, EngineUnavailable) and type(cause) is not EngineUnavailable else None
        raise EngineUnavailable(f"도커 엔진({host})에 연결할 수 없습니다.", hint, detail=str(exc)) from None
    _guard(c)
    return c


def reset_client() -> None:
    """Forget the cached client (after ``DOCKER_HOST`` changed)."""
    client.cache_clear()


@dataclass
class Check:
    """One line of the doctor's report."""

    item: str
    value: str
    ok: bool
    fix: str = ""


def _compose_version() -> str | None:
    try:
        out = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def ipvs_supported() -> bool | None:
    """Whether the engine's kernel has IPVS (needed by Swarm's routing mesh and VIP load balancing).

    Looks at ``/proc/net/ip_vs`` from a throw-away container (same kernel as the engine, also on Docker
    Desktop's VM). CLI equivalent: ``docker run --rm debian:trixie-slim test -e /proc/net/ip_vs``.

    Returns:
        True/False, or None when it could not be tested (no base image yet).
    """
    c = client()
    if not _has_image(BASE_IMAGE):
        return None
    from dockhelpers.naming import labels

    out = c.containers.run(BASE_IMAGE, ["sh", "-c", "test -e /proc/net/ip_vs && echo yes || echo no"],
                           remove=True, labels=labels(), network_mode="none")
    return out.decode().strip() == "yes"


def checks() -> list[Check]:
    """Run every preflight check against the engine.

    Returns:
        The checks, in display order; failed ones carry a Korean fix.

    Raises:
        EngineUnavailable: No engine answers (the first and decisive check).
    """
    c = client()
    version = c.version()
    info = c.info()
    result = [
        Check("도커 엔진 버전(Engine)", version.get("Version", "?"), True),
        Check("API 버전", f"{version.get('ApiVersion', '?')} (최소 {version.get('MinAPIVersion', '?')})", True),
        Check("운영체제/아키텍처", f"{info.get('OperatingSystem', '?')} / {info.get('Architecture', '?')}", True),
        Check("커널", info.get("KernelVersion", "?"), True),
    ]
    driver = info.get("Driver", "?")
    result.append(Check("스토리지 드라이버", driver, driver not in ("vfs", "?"),
                        "vfs는 매우 느립니다. overlay2를 지원하는 파일 시스템에서 엔진을 실행하세요."))
    cgroup = str(info.get("CgroupVersion", "1"))
    result.append(Check("cgroup 버전", f"v{cgroup} ({info.get('CgroupDriver', '?')})", True))
    compose = _compose_version()
    result.append(Check("컴포즈 플러그인(Compose v2)", compose or "없음", compose is not None,
                        "Docker Desktop에는 포함되어 있습니다. Linux는 `docker-compose-plugin` 패키지를 설치하거나 "
                        "`make lab`을 실행하세요."))
    free = _free_disk_gb(info.get("DockerRootDir", "/"))
    result.append(Check("남은 디스크", f"{free:.1f} GB" if free is not None else "알 수 없음",
                        free is None or free >= 5,
                        "5 GB 이상 비워 두세요. `python -m dockhelpers cleanup`으로 과정의 리소스를 지울 수 있습니다."))
    swarm = info.get("Swarm", {}).get("LocalNodeState", "?")
    result.append(Check("스웜(Swarm)", f"사용 가능 (현재 상태: {swarm})", swarm in ("inactive", "active", "pending"),
                        "엔진이 스웜을 지원하지 않습니다. 3장 실습은 Docker-in-Docker 실습 환경을 씁니다."))
    try:
        ipvs = ipvs_supported()
    except Exception:
        ipvs = None
    ipvs_text = {True: "지원", False: "미지원 (DNS 라운드 로빈과 host 모드 포트로 대신함)", None: "확인 불가"}[ipvs]
    result.append(Check("IPVS (라우팅 메시)", ipvs_text, True))
    result.append(_endpoint_check())
    base = _has_image(BASE_IMAGE)
    result.append(Check(f"베이스 이미지 {BASE_IMAGE}", "있음" if base else "없음", base,
                        "`python -m dockhelpers prepare`를 실행하거나 `docker image pull debian:trixie-slim`을 실행하세요."))
    return result


def _endpoint_check() -> Check:
    """Whether this process talks to the engine through the course endpoint (and how Windows gets one)."""
    from dockhelpers.endpoint import kernel, settings

    host = os.environ.get("DOCKER_HOST", "")
    if settings.is_own(host):
        return Check("과정 엔드포인트", f"사용 중 ({host})", True)
    if kernel.disabled():
        return Check("과정 엔드포인트", "꺼짐 (DOCKHELPERS_ENDPOINT=off: 엔진에 바로 연결)", True)
    if os.name == "nt":
        return Check("과정 엔드포인트", "Windows에서는 쓸 수 없음", False,
                     "Windows에서는 WSL 2(Ubuntu 등) 안에서 `make lab`을 실행하세요. 엔드포인트는 유닉스 소켓을 씁니다.")
    return Check("과정 엔드포인트", "거치지 않음 (노트북의 첫 셀 `engine.preflight(chapter=N)`이 연결합니다)", True)


def _has_image(ref: str) -> bool:
    from dockhelpers import inspection

    try:
        return inspection.image_exists(ref)
    except CourseError:
        return False


def _free_disk_gb(root: str) -> float | None:
    for path in (root, "/var/lib/docker", os.path.expanduser("~")):
        if path and os.path.exists(path):
            return shutil.disk_usage(path).free / 1e9
    return None


def doctor(show: bool = True) -> "pd.DataFrame":
    """Preflight: a Korean table of the engine's facts and each problem with its fix.

    CLI equivalent: ``docker version``, ``docker info``, ``docker compose version``.

    Args:
        show: Print the CLI commands it stands for.

    Returns:
        A DataFrame with columns 항목, 값, 상태, 해결 방법.

    Raises:
        EngineUnavailable: No engine answers.
    """
    import pandas as pd

    if show:
        shell_show("docker version && docker info && docker compose version")
    rows = [
        {"항목": c.item, "값": c.value, "상태": "정상" if c.ok else "확인 필요", "해결 방법": "" if c.ok else c.fix}
        for c in checks()
    ]
    return pd.DataFrame(rows)


def preflight(chapter: int | str | None = None) -> "pd.DataFrame | None":
    """First cell of every notebook: the doctor's table, or a Korean explanation when no engine exists.

    With a chapter, the kernel first goes through the course endpoint (started when needed): the book's
    commands then run as written, and what they create is labelled, bound to 127.0.0.1 and cleaned up later.

    Args:
        chapter: The notebook's chapter (its own endpoint socket); None keeps the current ``DOCKER_HOST``.

    Returns:
        The doctor's table, or None when no engine answers (then an explanation is printed instead of
        a traceback, e.g. on Binder).
    """
    if chapter is not None:
        from dockhelpers.endpoint import kernel

        kernel.use(chapter)
    try:
        return doctor()
    except EngineUnavailable as exc:
        print("⚠️ 도커 엔진이 없습니다. 이 노트북의 도커 셀은 실행되지 않습니다.")
        print(exc.message)
        print("해결 방법:", exc.hint)
        print("Binder처럼 엔진이 없는 곳에서는 설명과 명령만 읽을 수 있습니다. 직접 실습하려면 자신의 컴퓨터에서 "
              "`make lab`을 실행하세요.")
        return None


def host_platform() -> str:
    """The host's OS and machine (``Linux x86_64``), for installation advice."""
    return f"{platform.system()} {platform.machine()}"


def engine_summary() -> dict[str, Any]:
    """Client and server versions (``docker version``) as a dict, for chapter 1."""
    c = client()
    v = c.version()
    return {"server": v.get("Version"), "api": v.get("ApiVersion"), "os": v.get("Os"), "arch": v.get("Arch"),
            "components": [comp.get("Name") for comp in v.get("Components", [])]}


def _cmdline(pid: int) -> str:
    """The command line of a live process ("" when gone or a zombie); ``ps`` works on Linux and macOS."""
    try:
        out = subprocess.run(["ps", "-o", "stat=,command=", "-p", str(pid)], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    stat, _, command = out.stdout.strip().partition(" ")
    return "" if not stat or stat.startswith("Z") else command.strip()


def _stop_pid(pidfile: Path, must_contain: tuple[str, ...], what: str, deadline: float) -> str | None:
    """SIGTERM the process in ``pidfile`` if its command line proves it is the course's; wait up to ``deadline``."""
    import signal
    import time

    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    cmd = _cmdline(pid)
    if not cmd or not all(word in cmd for word in must_contain):
        pidfile.unlink(missing_ok=True)  # stale: that process is gone, or the pid now belongs to another program
        return None
    try:
        os.kill(pid, signal.SIGTERM)
    except PermissionError:
        raise EngineUnavailable(f"{what}(pid {pid})을(를) 멈출 권한이 없습니다.",
                                "root가 시작한 것입니다. `sudo make stop`으로 실행하세요.") from None
    end = time.monotonic() + deadline
    while time.monotonic() < end and _cmdline(pid):
        time.sleep(0.2)
    if _cmdline(pid):
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return f"{what} (pid {pid})"


def stop_course_engine() -> list[str]:
    """Stop what ``make lab`` started, and nothing else (``make stop``, ``python -m dockhelpers engine stop``).

    That is: the JupyterLab it started, the local registry mirror, and either the ``dockerd`` the course
    started itself (no systemd) or ``docker.service`` when the course started it. An engine the learner
    started (Docker Desktop, Docker CE, a service that was already running) is left alone. Each pid file is
    checked against the process's command line before anything is signalled.

    CLI equivalent: ``kill $(cat /run/dockercourse/dockerd.pid)`` or ``sudo systemctl stop docker``.

    Returns:
        What was stopped, one Korean line each (empty when nothing was running).
    """
    state = Path(os.environ.get("DOCKHELPERS_STATE", "/var/lib/dockercourse"))
    rundir = Path(os.environ.get("DOCKHELPERS_RUNDIR", "/run/dockercourse"))
    work = Path(os.environ.get("DOCKHELPERS_WORK", Path(__file__).resolve().parents[1] / "work"))
    stopped: list[str] = []
    lab = _stop_pid(work / ".lab" / "lab.pid", ("jupyter",), "JupyterLab", 20)
    if lab:
        stopped.append(lab)
    for pidfile in (rundir / "registry.pid", state / "registry.pid"):
        done = _stop_pid(pidfile, ("docker-registry", str(state)), "레지스트리 미러(registry mirror)", 10)
        if done:
            stopped.append(done)
    for pidfile in (rundir / "dockerd.pid", state / "dockerd.pid"):
        done = _stop_pid(pidfile, ("dockerd", str(state / "daemon.json")), "dockerd", 60)
        if done:
            stopped.append(done)
    service = rundir / "started-service"
    if service.is_file():
        unit = service.read_text().strip() or "docker.service"
        try:
            done = subprocess.run(["systemctl", "stop", unit, "docker.socket"], capture_output=True, text=True,
                                  timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineUnavailable(f"{unit}을(를) 120초 안에 멈추지 못했습니다.",
                                    f"`sudo systemctl stop {unit} docker.socket`을 직접 실행하세요.",
                                    detail=str(exc)) from None
        if done.returncode != 0:
            raise EngineUnavailable(f"{unit}을(를) 멈추지 못했습니다.", "`sudo make stop`으로 다시 실행하세요.",
                                    detail=done.stderr)
        stopped.append(f"{unit} (systemctl stop)")
        service.unlink()
    reset_client()
    return stopped
