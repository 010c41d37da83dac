"""Images, stacks and services on the Swarm lab: push to its registry, deploy and remove stacks, wait for tasks.

Part of :mod:`dockhelpers.swarm` (import that, not this module).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from dockhelpers import naming
from dockhelpers.errors import CourseError
from dockhelpers.poll import poll
from dockhelpers.shell import CommandResult, docker
from dockhelpers.swarm.lab import (MANAGER, REGISTRY_IN_CLUSTER, _quiet, _ready_nodes, _wait, manager, node_container,
                                   registry_host)


# ------------------------------------------------------------------------------------ registry, stacks
def push(local_ref: str, name: str) -> str:
    """Tag a host image for the lab registry, push it, and return the in-cluster reference.

    CLI equivalent: ``docker image tag LOCAL 127.0.0.1:15000/NAME`` and ``docker image push ...``.

    Args:
        local_ref: Image on the host engine (``dkc/echo:latest``).
        name: Repository (and optional tag) in the registry (``example/echo`` or ``example/echo:v1``).

    Returns:
        ``registry:5000/NAME``, the reference services in the lab use.
    """
    from dockhelpers import images

    host_ref = f"{registry_host()}/{name}"
    images.tag(local_ref, host_ref)
    images.push(host_ref, quiet=True)
    print(f"  올리기 완료: {host_ref} (클러스터 안에서는 {REGISTRY_IN_CLUSTER}/{name})", flush=True)
    return f"{REGISTRY_IN_CLUSTER}/{name}"


def stack_deploy(stack: str, compose_file: str | os.PathLike[str], env: dict[str, str] | None = None,
                 **kw) -> CommandResult:
    """Copy a stack file into the manager and deploy it (``docker stack deploy -c FILE STACK``).

    Args:
        stack: Stack name.
        compose_file: The stack's compose file on the host (copied to ``/stacks/STACK/`` in the manager).
        env: Variables the stack file interpolates (``${VAR}``), passed with ``docker exec -e``.
    """
    path = Path(compose_file)
    if not path.is_file():
        raise CourseError(f"스택 파일을 찾을 수 없습니다: {path}", "경로를 확인하세요.")
    target_dir = f"/stacks/{stack}"
    container = node_container(MANAGER)
    docker(["exec", container, "mkdir", "-p", target_dir], echo=False, stream=False)
    docker(["container", "cp", str(path), f"{container}:{target_dir}/{path.name}"], context="스택 파일 복사")
    # Stack files label their services with kr.dockercourse.prefix: ${DKC_PREFIX:-dkc}.
    env = {"DKC_PREFIX": naming.prefix(), **(env or {})}
    return manager(["stack", "deploy", "--detach=true", "-c", f"{target_dir}/{path.name}", stack],
                   exec_env=env, context="docker stack deploy", **kw)


def stack_rm(stack: str, timeout: float = 60) -> None:
    """Remove a stack (``docker stack rm STACK``) and wait until its tasks and networks are gone."""
    manager(["stack", "rm", stack], check=False)
    flt = f"label=com.docker.stack.namespace={stack}"
    c = node_container(MANAGER)

    def gone() -> bool:
        services = _quiet(["exec", c, "docker", "service", "ls", "-q", "--filter", flt]).stdout.strip()
        networks = _quiet(["exec", c, "docker", "network", "ls", "-q", "--filter", flt]).stdout.strip()
        return not services and not networks

    _wait(gone, timeout, f"스택 {stack} 삭제")
    print(f"  스택 {stack}을(를) 지웠습니다.", flush=True)


# ----------------------------------------------------------------------------------------- services
def service_tasks(name: str) -> list[dict]:
    """Tasks of a service that should be running: ``[{"name", "node", "state", "error"}]`` (quiet)."""
    res = _quiet(["exec", node_container(MANAGER), "docker", "service", "ps", name, "--no-trunc",
                  "--filter", "desired-state=running", "--format", "{{json .}}"])
    tasks = []
    for line in res.stdout.splitlines():
        if line.lstrip().startswith("{"):  # skip notices the CLI may print between the JSON lines
            t = json.loads(line)
            tasks.append({"name": t.get("Name", ""), "node": t.get("Node", ""), "state": t.get("CurrentState", ""),
                          "error": t.get("Error", "")})
    return tasks


def running_replicas(name: str) -> dict[str, int]:
    """Running tasks of a service per node, counting only nodes that are Ready."""
    ready = {n for n, s in _ready_nodes().items() if s == "Ready"}
    counts: dict[str, int] = {}
    for t in service_tasks(name):
        if t["state"].startswith("Running") and t["node"] in ready:
            counts[t["node"]] = counts.get(t["node"], 0) + 1
    return counts


def wait_node(node: str, state: str = "Ready", timeout: float = 60) -> float:
    """Wait until the manager reports a node in ``state`` (``Ready`` or ``Down``) in ``docker node ls``.

    A stopped worker stays ``Ready`` until its heartbeats are missed (several seconds), so a failure
    drill first waits for ``Down`` and only then for the service to converge.

    Returns:
        Seconds waited.
    """
    print(f"  노드 {node}: 상태가 {state}(으)로 바뀔 때까지 대기 (최대 {timeout:.0f}초)", flush=True)
    started = time.monotonic()
    _wait(lambda: _ready_nodes().get(node) == state, timeout, f"노드 {node}의 {state} 상태", interval=1)
    seconds = time.monotonic() - started
    print(f"  ✅ {node}: {state}, {seconds:.1f}초", flush=True)
    return seconds


def wait_service(name: str, replicas: int, timeout: float = 90) -> float:
    """Wait until ``replicas`` tasks of a service are Running on Ready nodes.

    Tasks on a node that is not Ready (stopped worker) do not count, so this also waits for a failed
    node's tasks to be rescheduled. CLI equivalent: repeat ``docker service ps NAME``.

    Returns:
        Seconds waited.

    Raises:
        CourseError: Not all replicas ran within ``timeout`` (the last task states are in the message).
    """
    print(f"  서비스 {name}: 레플리카 {replicas}개가 Running이 될 때까지 대기 (최대 {timeout:.0f}초)", flush=True)
    started = time.monotonic()

    def all_running() -> dict[str, int] | None:
        counts = running_replicas(name)
        return counts if sum(counts.values()) >= replicas else None

    last = poll(all_running, timeout, f"서비스 {name}의 레플리카 {replicas}개", interval=1,
                hint="`docker service ps --no-trunc 서비스`로 오류를 확인하세요. 'No such image'면 "
                     "이미지를 레지스트리에 올렸는지 확인합니다.",
                detail=lambda: "; ".join(f"{t['node'] or '-'}:{t['state']} {t['error']}".strip()
                                         for t in service_tasks(name)))
    seconds = time.monotonic() - started
    spread = ", ".join(f"{n}={c}" for n, c in sorted(last.items()))
    print(f"  ✅ {name}: {sum(last.values())}/{replicas} Running ({spread}), {seconds:.1f}초", flush=True)
    return seconds
