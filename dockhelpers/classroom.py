"""The classroom hub: JupyterHub on one server, one lab container with its own Docker engine per student.

CLI equivalents::

    python -m dockhelpers classroom up --roster classroom/roster.txt [--address 0.0.0.0] [--port 8600]
    python -m dockhelpers classroom status
    python -m dockhelpers classroom down [--keep-homes]

What ``up`` makes on the host engine, every piece labelled ``kr.dockercourse.classroom=<prefix>``:

* a private bridge network ``<prefix>-hub`` with inter-container traffic off (``enable_icc=false``): a
  student's lab reaches the hub and the cache registry (both on the host side of the bridge) but never
  another student's lab;
* the cache registry ``<prefix>-hub-registry`` (Debian's ``docker-registry``, the Swarm lab's registry image)
  in the host's network namespace, read-only, on the bridge's gateway address: every student engine pulls
  ``debian:trixie-slim`` through it (``--registry-mirror``), so the room hits Docker Hub at most once. It is
  filled the way the course fills its own local mirror (:mod:`dockhelpers.baseimage`): a second, writable
  registry on the same volume runs on 127.0.0.1 only for the push and is removed right after;
* the hub process (``jupyterhub -f classroom/jupyterhub_config.py``), which starts configurable-http-proxy
  on the address the teacher chose and a lab container per student (DockerSpawner) with its home and engine
  volumes, CPU and memory limits, and the idle culler and the teacher dashboard as hub services.

``down`` stops the hub and removes exactly the labelled resources (and the hub's state folder).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from dockhelpers import naming
from dockhelpers.errors import CourseError
from dockhelpers.hubnet import dind_mode, ensure_network, ensure_registry, network_name, registry_name  # noqa: F401
from dockhelpers.roster import Roster, read_roster  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "classroom"
CHP = CLASSROOM / "node_modules" / ".bin" / "configurable-http-proxy"
#: Where the learner's home is inside the lab image.
LAB_HOME = "/home/learner"
#: Where the lab image keeps the learner's copy of the notebooks (the lab's start folder).
LAB_WORK = f"{LAB_HOME}/work"
#: The progress store inside a lab container (dockhelpers.progress's default for the learner).
LAB_PROGRESS = f"{LAB_HOME}/.local/state/dockercourse/progress.jsonl"
Out = Callable[[str], None]


def state_dir() -> Path:
    """The hub's own folder (database, cookie secret, tokens, logs): ``build/classroom/<prefix>``."""
    setting = os.environ.get("DOCKHELPERS_HUB_STATE", "").strip()
    return Path(setting) if setting else ROOT / "build" / "classroom" / naming.prefix()


def lab_name(student: str) -> str:
    """A student's lab container (``<prefix>-lab-<student>``)."""
    return f"{naming.name('lab')}-{student}"


def lab_volumes(student: str) -> dict[str, str]:
    """A student's volumes: name -> mount point (the home, and the inner engine's data)."""
    return {f"{lab_name(student)}-home": LAB_HOME, f"{lab_name(student)}-docker": "/var/lib/docker"}


def lab_image(out: Out | None = None) -> str:
    """The students' lab image: ``DOCKHELPERS_LAB_IMAGE``, else the hub's lab image, built when missing
    (:func:`dockhelpers.hublab.ensure_hub_lab_image`)."""
    setting = os.environ.get("DOCKHELPERS_LAB_IMAGE", "").strip()
    if setting:
        return setting
    from dockhelpers.hublab import ensure_hub_lab_image

    return ensure_hub_lab_image(out=_say(out))


# --------------------------------------------------------------------------------------------- helpers
def _client():
    from dockhelpers.hubnet import _client as hub_client

    return hub_client()


def _say(out: Out | None) -> Out:
    return out if out else (lambda text: print(text, flush=True))


# ----------------------------------------------------------------------------------------------- hub
@dataclass
class Settings:
    """What ``up`` hands the hub's config file (``classroom/jupyterhub_config.py``) through ``settings.json``."""

    roster: Roster
    address: str
    port: int
    gateway: str
    mirror: str
    image: str
    mode: str
    cpu: float
    memory: str
    idle_timeout: int
    ssl_cert: str | None = None
    ssl_key: str | None = None
    admin_token: str = field(default_factory=lambda: secrets.token_hex(32))

    def as_json(self) -> dict[str, Any]:
        """The JSON form (also read by :func:`status` and the tests)."""
        return {"students": self.roster.students, "teachers": self.roster.teachers, "address": self.address,
                "port": self.port, "gateway": self.gateway, "mirror": self.mirror, "image": self.image,
                "mode": self.mode, "cpu": self.cpu, "memory": self.memory, "idle_timeout": self.idle_timeout,
                "admin_token": self.admin_token, "prefix": naming.prefix(), "network": network_name(),
                "labels": naming.classroom_labels(), "lab_prefix": naming.name("lab"),
                "api_port": naming.hub_port("api"), "proxy_api_port": naming.hub_port("proxy_api"),
                "dashboard_port": naming.hub_port("dashboard"), "chp": str(CHP), "root": str(ROOT),
                "lab_args": os.environ.get("DOCKHELPERS_HUB_LAB_ARGS", "").split(),
                "ssl_cert": self.ssl_cert, "ssl_key": self.ssl_key}


def settings() -> dict[str, Any] | None:
    """The running (or last) hub's settings, or None."""
    path = state_dir() / "settings.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def url(conf: dict[str, Any] | None = None) -> str:
    """The hub's address for browsers (``http://ADDRESS:PORT/``)."""
    conf = conf or settings() or {}
    host = conf.get("address", "127.0.0.1")
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    scheme = "https" if conf.get("ssl_cert") else "http"
    return f"{scheme}://{shown}:{conf.get('port', naming.hub_port('public'))}/"


def api(path: str, method: str = "GET", body: Any = None, conf: dict[str, Any] | None = None,
        timeout: float = 30) -> Any:
    """Call the hub's REST API with the teacher tools' admin token (``curl -H 'Authorization: token ...'``)."""
    conf = conf or settings()
    if not conf:
        raise CourseError("실행 중인 교실 허브가 없습니다.", "`python -m dockhelpers classroom up --roster 명단.txt`로 시작하세요.")
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(_api_base(conf).rstrip("/") + "/hub/api" + path, data=data, method=method,
                                 headers={"Authorization": f"token {conf['admin_token']}", "Content-Type": "application/json"})
    handlers: list[Any] = [urllib.request.ProxyHandler({})]
    if conf.get("ssl_cert"):  # the certificate names the public host, not 127.0.0.1: the token stays on loopback
        import ssl

        handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    opener = urllib.request.build_opener(*handlers)
    with opener.open(req, timeout=timeout) as res:
        text = res.read().decode()
    return json.loads(text) if text.strip() else None


def _api_base(conf: dict[str, Any]) -> str:
    """Where the teacher tools call the hub: the proxy on its address (loopback when it listens everywhere)."""
    scheme = "https" if conf.get("ssl_cert") else "http"
    host = conf.get("address") if conf.get("address") not in (None, "", "0.0.0.0", "::") else "127.0.0.1"
    return f"{scheme}://{host}:{conf['port']}/"


def _pid() -> int | None:
    path = state_dir() / "jupyterhub.pid"
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def ensure_deps() -> None:
    """JupyterHub in this Python and configurable-http-proxy under ``classroom/node_modules`` (``npm ci``)."""
    try:
        import dockerspawner  # noqa: F401
        import jupyterhub  # noqa: F401
    except ImportError as exc:
        raise CourseError("JupyterHub가 설치되어 있지 않습니다.", "`make classroom`을 실행하세요(classroom/requirements.txt 설치).") from exc
    if CHP.exists():
        return
    if not shutil.which("npm"):
        raise CourseError("configurable-http-proxy(npm)가 없고 npm도 없습니다.", "Node.js와 npm을 설치한 뒤 `make classroom`을 실행하세요.")
    res = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--omit=dev"], cwd=CLASSROOM,
                         capture_output=True, text=True, timeout=600)
    if res.returncode != 0 or not CHP.exists():
        raise CourseError("configurable-http-proxy를 설치하지 못했습니다(npm ci).", res.stderr.strip()[-400:])


def up(roster_file: str | os.PathLike[str], *, address: str = "127.0.0.1", port: int | None = None,
       cpu: float = 1.0, memory: str = "2G", idle_timeout: int = 3600, ssl_cert: str | None = None,
       ssl_key: str | None = None, out: Out | None = None, wait: float = 120) -> dict[str, Any]:
    """Start the classroom hub (idempotent: a running hub is left as it is).

    CLI equivalent: ``python -m dockhelpers classroom up --roster FILE [--address A] [--port P]``, i.e. the
    network, the registry, then ``jupyterhub -f classroom/jupyterhub_config.py`` in the background.

    Args:
        roster_file: The class roster (see :func:`read_roster`).
        address: Where students' browsers reach the hub; 127.0.0.1 unless the teacher chooses (0.0.0.0: every
            interface of the server - the one documented exception to the course's loopback rule).
        port: The hub's public port (default 8600 plus the port offset).
        cpu: CPU limit per student lab (cores).
        memory: Memory limit per student lab (``2G``).
        idle_timeout: Seconds of inactivity after which the culler stops a lab (its volumes stay).
        ssl_cert: PEM certificate (full chain) for HTTPS on the public address; with ``ssl_key``.
        ssl_key: PEM private key.
        out: Where progress lines go.
        wait: Seconds to wait for the hub to answer.

    Returns:
        The hub's settings (``url(settings)`` is the address to give students).
    """
    say = _say(out)
    roster = read_roster(roster_file)
    if bool(ssl_cert) != bool(ssl_key) or any(f and not Path(f).is_file() for f in (ssl_cert, ssl_key)):
        raise CourseError("HTTPS에는 인증서와 개인 키 파일이 모두 있어야 합니다.", "--ssl-cert와 --ssl-key에 있는 PEM 파일을 주세요.")
    ensure_deps()
    if _pid():
        say(f"교실 허브가 이미 실행 중입니다: {url()}")
        return settings() or {}
    from dockhelpers.inspection import image_exists

    image = lab_image(say)
    if not image_exists(image):
        raise CourseError(f"학생 실습 이미지 {image}가 없습니다.", "먼저 실습 이미지를 만드세요(`make classroom`이 만듭니다).")
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    gateway = ensure_network()
    mirror = ensure_registry(gateway, state, out=say)
    conf = Settings(roster, address, port or naming.hub_port("public"), gateway, mirror, image, dind_mode(), cpu,
                    memory, idle_timeout, *(str(Path(f).resolve()) if f else None for f in (ssl_cert, ssl_key)))
    data = conf.as_json()
    (state / "settings.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.chmod(state / "settings.json", 0o600)
    env = {**os.environ, "DKC_HUB_SETTINGS": str(state / "settings.json"), "PYTHONPATH": str(ROOT),
           "DOCKHELPERS_HUB_STATE": str(state)}
    env["NO_PROXY"] = env["no_proxy"] = ",".join(filter(None, [env.get("NO_PROXY", ""), "127.0.0.1", "localhost", gateway]))
    log = open(state / "jupyterhub.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CLASSROOM / "jupyterhub_config.py")],
                            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (state / "jupyterhub.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CourseError("JupyterHub가 시작하자마자 끝났습니다.", f"로그를 보세요: {state / 'jupyterhub.log'}")
        try:
            api("/", conf=data, timeout=3)
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    else:
        raise CourseError(f"JupyterHub가 {wait:.0f}초 안에 응답하지 않습니다.", f"로그를 보세요: {state / 'jupyterhub.log'}")
    say(f"교실 허브가 시작되었습니다: {url(data)} (학생 {len(roster.students)}명, 교사 {', '.join(roster.teachers)}, "
        f"실습 컨테이너 모드 {conf.mode})")
    return data


def _stop_pid(pid: int, grace: float = 30) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def resources() -> dict[str, list[str]]:
    """Every resource on the engine carrying this hub's label (``docker ... ls --filter label=...``)."""
    c = _client()
    flt = {"label": f"{naming.CLASSROOM_LABEL}={naming.prefix()}"}
    return {"containers": [x.name for x in c.containers.list(all=True, filters=flt)],
            "volumes": [v.name for v in c.volumes.list(filters=flt)],
            "networks": [n.name for n in c.networks.list(filters=flt)]}


def down(*, keep_homes: bool = False, out: Out | None = None) -> dict[str, list[str]]:
    """Stop the hub and remove exactly what ``up`` created (labelled ``kr.dockercourse.classroom=<prefix>``).

    CLI equivalent: ``kill <jupyterhub>``, then ``docker container rm -f``, ``docker volume rm`` and
    ``docker network rm`` of the labelled resources.

    Args:
        keep_homes: Keep the students' home volumes (their notebooks and progress) for the next ``up``.
        out: Where progress lines go.

    Returns:
        What was removed, by kind.
    """
    say = _say(out)
    pid = _pid()
    if pid:
        _stop_pid(pid)
        say("JupyterHub를 멈췄습니다.")
    proxy_pid = state_dir() / "jupyterhub-proxy.pid"
    if proxy_pid.is_file():
        try:
            _stop_pid(int(proxy_pid.read_text().strip()), grace=5)
        except ValueError:
            pass
    import docker

    c = _client()
    found = resources()
    removed: dict[str, list[str]] = {"containers": [], "volumes": [], "networks": []}
    for name in found["containers"]:
        try:
            c.containers.get(name).remove(force=True, v=False)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # the hub is removing it at this moment (stopping its servers)
            if exc.status_code != 409:
                raise
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                c.containers.get(name)
            except docker.errors.NotFound:
                break
            time.sleep(0.3)
        removed["containers"].append(name)
    for name in found["volumes"]:
        if keep_homes and name.endswith("-home"):
            continue
        try:
            c.volumes.get(name).remove(force=True)
            removed["volumes"].append(name)
        except docker.errors.NotFound:
            pass
    for name in found["networks"]:
        try:
            c.networks.get(name).remove()
            removed["networks"].append(name)
        except docker.errors.NotFound:
            pass
    if state_dir().is_dir():
        shutil.rmtree(state_dir(), ignore_errors=True)
    say(f"교실 허브를 정리했습니다: 컨테이너 {len(removed['containers'])}개, 볼륨 {len(removed['volumes'])}개, "
        f"네트워크 {len(removed['networks'])}개" + (" (학생 홈 볼륨은 남김)" if keep_homes else ""))
    return removed


def status() -> list[dict[str, Any]]:
    """One row per piece of the hub: the hub itself, the registry, and each student's lab."""
    conf = settings()
    rows: list[dict[str, Any]] = [{"what": "hub", "name": "jupyterhub", "state": "running" if _pid() else "stopped",
                                   "detail": url(conf) if conf else ""}]
    c = _client()
    flt = {"label": f"{naming.CLASSROOM_LABEL}={naming.prefix()}"}
    for x in c.containers.list(all=True, filters=flt):
        student = x.labels.get(naming.STUDENT_LABEL, "")
        rows.append({"what": "lab" if student else "registry", "name": x.name, "state": x.status, "detail": student})
    return rows
