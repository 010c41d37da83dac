"""Build, push and deploy the TODO app's four stacks, wait until the board answers, and remove them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from dockhelpers import naming, swarm
from dockhelpers.poll import poll
from dockhelpers.shell import CommandResult
from dockhelpers.todo.client import http
from dockhelpers.todo.database import replication_healthy, replication_rows
from dockhelpers.todo.names import (CHAPTER, COMPONENTS, HERE, REPLICAS, STACK_FILES, base_url, local_image,
                                    network, service, stack)


def build_all(tag: str = "v1", *, quiet: bool = True) -> dict[str, str]:
    """Build the five images from ``debian:trixie-slim`` (layer cache makes a rebuild take seconds).

    CLI equivalent: ``docker image build -t dkc/todo-KEY:TAG notebooks/ch04/KEY`` for each component.

    Returns:
        ``{key: local reference}``.
    """
    from dockhelpers import images

    refs: dict[str, str] = {}
    for key, context, dockerfile, repo in COMPONENTS:
        ref = local_image(repo, tag)
        args = {"NGINX_IMAGE": refs["nginx"]} if key == "web-nginx" else None
        images.build(HERE / context, ref, chapter=CHAPTER, dockerfile=dockerfile, buildargs=args, quiet=quiet)
        refs[key] = ref
    return refs


def push_all(local: dict[str, str]) -> dict[str, str]:
    """Push every image to the lab registry; returns ``{key: "registry:5000/dkc/todo-KEY:TAG"}``."""
    return {key: swarm.push(ref, ref) for key, ref in local.items()}


def stack_env(refs: dict[str, str]) -> dict[str, str]:
    """Variables the stack files interpolate (image references, stack and network names, network modes)."""
    env = {
        "DB_IMAGE": refs["db"], "API_IMAGE": refs["api"], "WEB_IMAGE": refs["web"],
        "NGINX_IMAGE": refs["nginx"], "WEB_NGINX_IMAGE": refs["web-nginx"],
        "DB_STACK": stack("db"), "APP_STACK": stack("app"), "FRONTEND_STACK": stack("frontend"),
        "TODO_NETWORK": network(), "DKC_PREFIX": naming.prefix(),
    }
    env.update(swarm.network_modes())
    return env


def ensure_network() -> None:
    """Create the shared overlay network once (``docker network create -d overlay --attachable``)."""
    if swarm.manager(["network", "inspect", network()], check=False, echo=False, stream=False).ok:
        print(f"  오버레이 네트워크 {network()}: 이미 있습니다.")
        return
    swarm.manager(["network", "create", "--driver", "overlay", "--attachable",
                   *naming.label_args(CHAPTER), network()], context="오버레이 네트워크 만들기")


@dataclass
class DeployReport:
    """What :func:`deploy` did and how long each part took (seconds)."""

    refs: dict[str, str]
    build: float = 0.0
    push: float = 0.0
    stacks: float = 0.0
    ready: float = 0.0
    total: float = 0.0

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(f"DeployReport(빌드 {self.build:.1f}s, 올리기 {self.push:.1f}s, 스택 배포 {self.stacks:.1f}s, "
                     f"준비 대기 {self.ready:.1f}s, 합계 {self.total:.1f}s)")


def deploy_stack(key: str, env: dict[str, str]) -> CommandResult:
    """``docker stack deploy -c notebooks/ch04/stacks/todo-KEY.yml dkc-todo-KEY`` on the manager."""
    file = dict(STACK_FILES)[key]
    return swarm.stack_deploy(stack(key), HERE / "stacks" / file, env=env)


def deploy(tag: str = "v1", *, timeout: float = 240) -> DeployReport:
    """Build, push and deploy the four stacks, then wait until the board answers through the ingress.

    Idempotent: deploying again with unchanged images changes nothing and only waits for readiness.

    Returns:
        A :class:`DeployReport` with the measured times.
    """
    started = time.monotonic()
    t = time.monotonic()
    print("▶ 1/4 이미지 빌드 (debian:trixie-slim 기반)", flush=True)
    local = build_all(tag)
    build = time.monotonic() - t
    t = time.monotonic()
    print("▶ 2/4 실습 레지스트리에 이미지 올리기", flush=True)
    refs = push_all(local)
    push = time.monotonic() - t
    t = time.monotonic()
    print("▶ 3/4 오버레이 네트워크와 스택 4개 배포", flush=True)
    ensure_network()
    env = stack_env(refs)
    for key, _ in STACK_FILES:
        deploy_stack(key, env)
    stacks = time.monotonic() - t
    t = time.monotonic()
    print("▶ 4/4 모든 서비스가 준비될 때까지 대기", flush=True)
    wait_ready(timeout=timeout)
    ready = time.monotonic() - t
    report = DeployReport(refs, build, push, stacks, ready, time.monotonic() - started)
    print(f"✅ 배포 완료: 빌드 {build:.1f}초, 올리기 {push:.1f}초, 스택 배포 {stacks:.1f}초, 준비 대기 {ready:.1f}초, "
          f"합계 {report.total:.1f}초 → {base_url()}/", flush=True)
    return report


def wait_service(svc: str, replicas: int, *, timeout: float = 180) -> float:
    """Wait until ``replicas`` tasks of ``svc`` are Running on Ready nodes (repeats ``docker service ps SVC``).

    Returns:
        Seconds waited.

    Raises:
        CourseError: Not all replicas ran in time (the task errors are in the message).
    """
    return swarm.wait_service(svc, replicas, timeout=timeout)


def _board_ready(last: list[str]) -> bool:
    """One readiness probe: the page and the API answer, and every replica replicates (``last`` says why not)."""
    page = http("GET", "/")
    api = http("GET", "/api/todo")
    if not (page.status == 200 and 'id="col-TODO"' in page.text and api.status == 200):
        last[:] = [f"GET / -> {page.status}, GET /api/todo -> {api.status} {api.text[:120]}"]
        return False
    rows = replication_rows()
    last[:] = [f"복제 상태 {rows}"]
    return replication_healthy(rows)


def wait_ready(timeout: float = 240) -> float:
    """Wait until every service runs its replicas, replication works and the board answers over HTTP.

    Returns:
        Seconds waited.

    Raises:
        PollTimeout: Not ready within ``timeout`` (the last probe's answer is in the detail).
    """
    started = time.monotonic()
    for (key, name), replicas in REPLICAS.items():
        left = max(10.0, timeout - (time.monotonic() - started))
        wait_service(service(key, name), replicas, timeout=left)
    last: list[str] = []
    poll(lambda: _board_ready(last), max(10.0, timeout - (time.monotonic() - started)), "TODO 앱", interval=1,
         hint="`todo.services_table()`와 `docker service ps --no-trunc 서비스`로 태스크 상태를 확인하세요.",
         detail=lambda: "".join(last))
    seconds = time.monotonic() - started
    print(f"  ✅ 보드가 응답합니다: {base_url()}/ (복제 정상), {seconds:.1f}초", flush=True)
    return seconds


def remove(*, network_too: bool = True) -> None:
    """Remove the four stacks in reverse order and the overlay network (idempotent)."""
    if not swarm.is_up():
        print("  스웜 실습 환경이 없습니다: 지울 스택이 없습니다.")
        return
    for key, _ in reversed(STACK_FILES):
        swarm.stack_rm(stack(key))
    if network_too:
        swarm.manager(["network", "rm", network()], check=False)
