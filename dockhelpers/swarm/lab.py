"""The Swarm lab itself: names and ports, bringing it up and down, running commands on its nodes.

Part of :mod:`dockhelpers.swarm` (import that, not this module); see its docstring for the lab's layout.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from dockhelpers import inspection, naming
from dockhelpers.errors import CourseError
from dockhelpers.poll import poll
from dockhelpers.shell import CommandResult, docker, run
from dockhelpers.shell import show as shell_show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CHAPTER = 3
#: Worker hostnames, in order; ``up(workers=n)`` starts the first n.
WORKERS = ("worker01", "worker02", "worker03")
#: Hostname of the manager node (also the compose service name).
MANAGER = "manager"
#: How services inside the lab address the registry.
REGISTRY_IN_CLUSTER = "registry:5000"
#: Manager ports published to the host (host port = naming.port(18000 + i)).
MANAGER_PORTS = range(8000, 8010)
MODES = ("privileged", "capabilities")
#: Name of the lab registry's container and image (``dkc-swarm-registry``, ``dkc/swarm-registry``); chapter 2
#: already uses ``dkc-registry`` and ``dkc/registry`` for its single-host registry.
REGISTRY_NAME = "swarm-registry"


def lab_dir() -> Path:
    """Folder holding the lab's compose files and image build contexts."""
    override = os.environ.get("DOCKHELPERS_SWARM_LAB")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "notebooks" / "ch03" / "lab"


@dataclass
class LabInfo:
    """What :func:`up` brought up.

    Attributes:
        mode: Docker-in-Docker mode used: ``"privileged"`` or ``"capabilities"``.
        registry: Where the host pushes (``127.0.0.1:15000``).
        nodes: Node hostnames (``manager``, ``worker01``, ...).
        containers: Host container name of each node and of the registry.
        manager_ports: Host port for each manager port (``{8000: 18000, ...}``).
        seconds: Time the call took.
    """

    mode: str
    registry: str
    nodes: list[str]
    containers: dict[str, str] = field(default_factory=dict)
    manager_ports: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(f"LabInfo(mode={self.mode!r}, registry={self.registry!r}, nodes={self.nodes}, "
                     f"seconds={self.seconds:.1f})")


# ------------------------------------------------------------------------------------------ naming
def project() -> str:
    """Compose project name of the lab (``dkc-swarm``)."""
    return naming.name("swarm")


def node_container(node: str) -> str:
    """Host container name of a lab node: ``node_container("worker01")`` -> ``"dkc-worker01"``.

    Args:
        node: ``manager``, ``worker01``..``worker03`` or ``registry``.
    """
    if node not in (MANAGER, "registry", *WORKERS):
        raise CourseError(f"`{node}`은(는) 실습 노드 이름이 아닙니다.",
                          f"{MANAGER}, {', '.join(WORKERS)}, registry 중 하나를 쓰세요.")
    if node == "registry":  # chapter 2's own registry is already `dkc-registry` (127.0.0.1:5000)
        return naming.name(REGISTRY_NAME)
    return naming.name(node)


def registry_host() -> str:
    """The lab registry as the host engine sees it (``127.0.0.1:15000``)."""
    return f"127.0.0.1:{naming.port(15000)}"


def manager_port(container_port: int) -> int:
    """Host port that reaches manager port 8000-8009 (``manager_port(8000)`` -> ``18000``)."""
    if container_port not in MANAGER_PORTS:
        raise ValueError(f"manager publishes only {MANAGER_PORTS.start}-{MANAGER_PORTS.stop - 1}")
    return naming.port(18000 + container_port - MANAGER_PORTS.start)


def compose_env() -> dict[str, str]:
    """Variables the lab's compose file reads (all from :mod:`dockhelpers.naming`)."""
    from dockhelpers.endpoint.marker import lab_token

    first, last = MANAGER_PORTS.start, MANAGER_PORTS.stop - 1
    return {
        "DKC_LAB_TOKEN": lab_token(),
        "DKC_PROJECT": project(),
        "DKC_PREFIX": naming.prefix(),
        "DKC_DIND_IMAGE": naming.image("dind"),
        "DKC_REGISTRY_IMAGE": naming.image(REGISTRY_NAME),
        "DKC_REGISTRY_PUBLISH": naming.publish(15000, 5000),
        "DKC_MANAGER_PUBLISH": f"127.0.0.1:{manager_port(first)}-{manager_port(last)}:{first}-{last}",
    }


def compose_args(mode: str | None = None) -> list[str]:
    """``docker compose -p PROJECT -f compose.yaml [-f compose.MODE.yaml]`` as an argument vector."""
    folder = lab_dir()
    args = ["compose", "-p", project(), "-f", str(folder / "compose.yaml")]
    if mode:
        args += ["-f", str(folder / f"compose.{mode}.yaml")]
    return args


def _compose(mode: str | None, rest: Sequence[str], **kw) -> CommandResult:
    return docker([*compose_args(mode), *rest], env=compose_env(), **kw)


# --------------------------------------------------------------------------------------- quiet probes
def _quiet(args: Sequence[str], timeout: float = 30) -> CommandResult:
    """Run ``docker ARGS`` without printing (for polling); never raises on a non-zero exit."""
    try:
        return run(["docker", *args], echo=False, stream=False, check=False, timeout=timeout)
    except CourseError as exc:  # timeout
        return CommandResult(["docker", *args], 124, "", exc.message)


def _inspect(container: str) -> dict | None:
    return inspection.container(container)


def _swarm_state(node: str) -> str | None:
    """``docker info`` Swarm.LocalNodeState of a node's inner engine, or None when it does not answer."""
    res = _quiet(["exec", node_container(node), "docker", "info", "--format", "{{.Swarm.LocalNodeState}}"],
                 timeout=15)
    return res.stdout.strip() if res.ok else None


def _progress(step: int, total: int, text: str) -> None:
    print(f"▶ [{step}/{total}] {text}", flush=True)


def _wait(predicate, timeout: float, what: str, interval: float = 0.5):
    return poll(predicate, timeout, what, interval=interval,
                hint="`swarm.down()` 후 `swarm.up()`을 다시 실행하세요. 계속되면 `docker logs "
                     f"{node_container(MANAGER)}`로 내부 엔진의 로그를 확인하세요.")


def current_mode() -> str | None:
    """Mode of the existing lab (from the manager container's configuration), or None when absent."""
    info = _inspect(node_container(MANAGER))
    if not info or info["State"].get("StartedAt", "").startswith("0001"):
        return None  # never started (e.g. a refused privileged attempt)
    return "privileged" if info["HostConfig"].get("Privileged") else "capabilities"


def is_up() -> bool:
    """True when the manager container runs and its engine is an active swarm manager."""
    info = _inspect(node_container(MANAGER))
    return bool(info and info["State"].get("Running")) and _swarm_state(MANAGER) == "active"


# ---------------------------------------------------------------------------------------------- up
def ensure_images() -> None:
    """Build the lab images (``dkc/dind``, ``dkc/swarm-registry``) from ``debian:trixie-slim`` when missing."""
    from dockhelpers import images

    for repo, context in (("dind", "dind"), (REGISTRY_NAME, "registry")):
        ref = naming.image(repo)
        if images.exists(ref):
            print(f"  이미지 {ref}: 있음 (빌드 생략)")
        else:
            images.build(lab_dir() / context, ref, chapter=CHAPTER, quiet=True)


def _start(services: list[str], mode_wanted: str | None) -> str:
    """``compose up -d`` in the lab's mode: privileged first, capabilities when refused."""
    mode = current_mode() or mode_wanted
    if mode:
        _compose(mode, ["up", "-d", *services], context="스웜 실습 환경 시작")
        return mode
    res = _compose("privileged", ["up", "-d", *services], check=False)
    if res.ok:
        return "privileged"
    print("  ⚠️ 이 엔진은 `--privileged` 컨테이너를 거부합니다(권한 집합 부족). "
          "명시적인 권한(capability) 목록으로 다시 시작합니다.", flush=True)
    _compose("capabilities", ["up", "-d", *services], context="스웜 실습 환경 시작")
    return "capabilities"


def _ready_nodes() -> dict[str, str]:
    res = _quiet(["exec", node_container(MANAGER), "docker", "node", "ls", "--format", "{{.Hostname}} {{.Status}}"])
    states: dict[str, str] = {}
    if res.ok:
        for line in res.stdout.splitlines():
            host, _, status = line.partition(" ")
            if states.get(host) != "Ready":  # a re-joined node may be listed twice (old entry Down)
                states[host] = status
    return states


def up(workers: int = 3, *, mode: str | None = None, timeout: float = 120) -> LabInfo:
    """Bring the lab up (idempotent): images, containers, ``swarm init``, ``swarm join``, all nodes Ready.

    Args:
        workers: Number of workers (1-3).
        mode: Force a Docker-in-Docker mode (``"privileged"`` or ``"capabilities"``); default: try
            privileged and fall back. ``DOCKHELPERS_DIND_MODE`` sets it too.
        timeout: Seconds to wait for the engines and for every node to be Ready.

    Returns:
        A :class:`LabInfo`; ``mode`` says which Docker-in-Docker mode was used.

    Raises:
        CourseError: A step failed or did not finish in time (with the fix in Korean).
    """
    if not 1 <= workers <= len(WORKERS):
        raise CourseError(f"워커 수는 1~{len(WORKERS)}이어야 합니다(받은 값: {workers}).")
    mode = mode or os.environ.get("DOCKHELPERS_DIND_MODE") or None
    if mode and mode not in MODES:
        raise CourseError(f"알 수 없는 모드 `{mode}`입니다.", f"{' 또는 '.join(MODES)}를 쓰세요.")
    started = time.monotonic()
    nodes = [MANAGER, *WORKERS[:workers]]
    total = 5
    _progress(1, total, "실습 이미지 확인 (debian:trixie-slim 기반 dind, registry)")
    ensure_images()

    _progress(2, total, f"컨테이너 시작: registry, {', '.join(nodes)}")
    mode = _start(["registry", *nodes], mode)
    print(f"  Docker-in-Docker 모드: {mode}"
          + (" (--privileged)" if mode == "privileged" else " (cap_add: ALL, cap_drop: SYS_RESOURCE, seccomp/apparmor 해제)"),
          flush=True)

    _progress(3, total, "각 노드의 내부 도커 엔진 응답 대기")
    for node in nodes:
        _wait(lambda n=node: _swarm_state(n) is not None, timeout, f"{node}의 도커 엔진")

    _progress(4, total, "스웜 구성: swarm init / swarm join")
    state = _swarm_state(MANAGER)
    if state != "active":
        if state == "error":
            manager(["swarm", "leave", "--force"], check=False)
        manager(["swarm", "init"], context="swarm init")
    else:
        print(f"  {MANAGER}: 이미 스웜 매니저입니다 (swarm init 생략)")
    token = manager(["swarm", "join-token", "-q", "worker"], echo=False, stream=False).stdout.strip()
    for node in nodes[1:]:
        state = _swarm_state(node)
        if state in ("active", "pending"):
            print(f"  {node}: 이미 스웜에 참여했습니다 (swarm join 생략)")
            continue
        if state == "error":
            exec_on(node, ["swarm", "leave", "--force"], check=False)
        shell_show(f"docker exec {node_container(node)} docker swarm join --token {token[:20]}... {MANAGER}:2377")
        exec_on(node, ["swarm", "join", "--token", token, f"{MANAGER}:2377"], echo=False,
                context=f"{node} swarm join")

    _progress(5, total, "모든 노드가 Ready가 될 때까지 대기")
    _wait(lambda: all(_ready_nodes().get(n) == "Ready" for n in nodes), timeout, "스웜 노드")
    seconds = time.monotonic() - started
    info = LabInfo(mode=mode, registry=registry_host(), nodes=nodes,
                   containers={n: node_container(n) for n in ["registry", *nodes]},
                   manager_ports={p: manager_port(p) for p in MANAGER_PORTS}, seconds=seconds)
    print(f"✅ 스웜 실습 환경 준비 완료: 노드 {len(nodes)}개 Ready, 모드 {mode}, "
          f"레지스트리 {info.registry} (클러스터 안에서는 {REGISTRY_IN_CLUSTER}), {seconds:.1f}초", flush=True)
    return info


def down() -> None:
    """Remove every lab container, volume and network (idempotent).

    CLI equivalent: ``docker compose -p dkc-swarm -f compose.yaml down -v --remove-orphans``; the host
    tags made by :func:`push` (``127.0.0.1:15000/...``) are removed too.
    """
    started = time.monotonic()
    _compose(None, ["down", "-v", "--remove-orphans", "--timeout", "5"], context="스웜 실습 환경 정리")
    # Anything of the project that compose missed (e.g. a container renamed by hand).
    flt = f"label=com.docker.compose.project={project()}"
    for kind, ls_args in (("container", ["container", "ls", "-aq"]), ("volume", ["volume", "ls", "-q"]),
                          ("network", ["network", "ls", "-q"])):
        left = _quiet([*ls_args, "--filter", flt]).stdout.split()
        if left:
            docker([kind, "rm", *(["-f"] if kind == "container" else []), *left], check=False)
    prefix = registry_host() + "/"
    tags = _quiet(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]).stdout.split()
    pushed = [t for t in tags if t.startswith(prefix)]
    if pushed:
        docker(["image", "rm", *pushed], check=False)
    print(f"✅ 스웜 실습 환경을 정리했습니다 ({time.monotonic() - started:.1f}초).", flush=True)


def leftovers() -> dict[str, list[str]]:
    """Lab containers, volumes and networks still on the host (empty lists after :func:`down`)."""
    flt = f"label=com.docker.compose.project={project()}"
    names = {node_container(n) for n in ("registry", MANAGER, *WORKERS)}
    containers = set(_quiet(["container", "ls", "-a", "--filter", flt, "--format", "{{.Names}}"]).stdout.split())
    every = set(_quiet(["container", "ls", "-a", "--format", "{{.Names}}"]).stdout.split())
    return {
        "containers": sorted(containers | (every & names)),
        "volumes": sorted(_quiet(["volume", "ls", "--filter", flt, "--format", "{{.Name}}"]).stdout.split()),
        "networks": sorted(_quiet(["network", "ls", "--filter", flt, "--format", "{{.Name}}"]).stdout.split()),
    }


# ------------------------------------------------------------------------------------ running commands
def _argv(cmd: str | Sequence[str]) -> list[str]:
    return shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]


def exec_on(node: str, cmd: str | Sequence[str], *, exec_env: dict[str, str] | None = None, **kw) -> CommandResult:
    """Run ``docker CMD`` on a node's inner engine: ``docker exec dkc-NODE docker CMD``.

    Args:
        node: ``manager`` or ``worker01``..``worker03``.
        cmd: The arguments after ``docker`` (string or vector).
        exec_env: Environment variables for the inner CLI (``docker exec -e K=V``).
        **kw: As for :func:`dockhelpers.shell.run` (``check``, ``echo``, ``stream``, ``timeout`` ...).
    """
    env_args: list[str] = []
    for key, value in (exec_env or {}).items():
        env_args += ["-e", f"{key}={value}"]
    return docker(["exec", *env_args, node_container(node), "docker", *_argv(cmd)], **kw)


def manager(cmd: str | Sequence[str], **kw) -> CommandResult:
    """Run ``docker CMD`` on the manager: ``docker exec dkc-manager docker CMD`` (printed, streamed)."""
    return exec_on(MANAGER, cmd, **kw)


def status(show: bool = True) -> "pd.DataFrame":
    """The swarm's nodes (``docker node ls`` on the manager) as a DataFrame."""
    import pandas as pd

    fmt = "{{json .}}"
    res = manager(["node", "ls", "--format", fmt], echo=False, stream=False)
    if show:
        shell_show(f"docker exec {node_container(MANAGER)} docker node ls")
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    cols = {"Hostname": "HOSTNAME", "Status": "STATUS", "Availability": "AVAILABILITY",
            "ManagerStatus": "MANAGER STATUS", "EngineVersion": "ENGINE VERSION", "ID": "ID"}
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=list(cols.values()))
    df = df[[c for c in cols if c in df.columns]].rename(columns=cols)
    return df.sort_values("HOSTNAME").reset_index(drop=True)


def network_modes() -> dict[str, str]:
    """Stack variables for outside access: routing mesh where the kernel has IPVS, else DNS round robin.

    Returns:
        ``{"ENDPOINT_MODE": "vip", "PUBLISH_MODE": "ingress"}`` with IPVS, otherwise
        ``{"ENDPOINT_MODE": "dnsrr", "PUBLISH_MODE": "host"}``.
    """
    from dockhelpers.engine import ipvs_supported

    if ipvs_supported():
        return {"ENDPOINT_MODE": "vip", "PUBLISH_MODE": "ingress"}
    return {"ENDPOINT_MODE": "dnsrr", "PUBLISH_MODE": "host"}
