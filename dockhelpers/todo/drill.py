"""The failure drill of section 4.7: stop a replica database task and watch what readers see."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from dockhelpers import swarm
from dockhelpers.errors import CourseError
from dockhelpers.todo.client import http
from dockhelpers.todo.database import TaskContainer, task_containers
from dockhelpers.todo.names import CHAPTER, korean, service

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def stop_replica_task(index: int = 0) -> TaskContainer:
    """Stop one replica database task's container on its node (``docker container stop``) - a crash drill."""
    tasks = task_containers(service("db", "replica"))
    if not tasks:
        raise CourseError("실행 중인 레플리카 태스크가 없습니다.", "먼저 `todo.deploy()`를 실행하세요.")
    task = tasks[index % len(tasks)]
    swarm.exec_on(task.node, ["container", "stop", "--time", "5", task.container], stream=False,
                  context="레플리카 태스크 정지")
    return task


def probe_rows(seconds: float = 10, pause: float = 0.2) -> list[dict]:
    """Read the board and the API in turn for ``seconds``; one row per request.

    Returns:
        Dicts with ``seconds`` (since the start), ``path``, ``http_status`` (0: no answer) and ``message``
        (the page's Korean error banner, or the start of the body, for a non-200 answer).
    """
    rows = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:  # a fixed-length probe, not a wait for a condition
        path = ("/", "/api/todo")[i % 2]
        i += 1
        resp = http("GET", path, timeout=10)
        message = ""
        if resp.status != 200:
            match = re.search(r'role="alert">(.*?)</div>', resp.text) if path == "/" else None
            message = match.group(1) if match else (resp.text[:120] or resp.error)
        rows.append({"seconds": round(time.monotonic() - started, 1), "path": path, "http_status": resp.status,
                     "message": message})
        time.sleep(pause)
    return rows


def probe_reads(seconds: float = 10, pause: float = 0.2) -> "pd.DataFrame":
    """:func:`probe_rows` as a table with Korean headers (초, 경로, 상태, 메시지), as the notebook shows it."""
    import pandas as pd

    return korean(pd.DataFrame(probe_rows(seconds, pause), columns=["seconds", "path", "http_status", "message"]))


def unpushed_image_demo(image: str, *, timeout: float = 40) -> list[str]:
    """A known pitfall: a service whose image exists only on the host, not in the lab registry.

    Runs ``docker service create --name NAME IMAGE`` on the manager, waits until a task is rejected, prints
    ``docker service ps --no-trunc NAME`` and removes the service again.

    Args:
        image: A host-only image reference (``dkc/todo-web:v1``).
        timeout: Seconds to wait for the rejection.

    Returns:
        The ``service ps`` lines (state and error) that were seen.
    """
    from dockhelpers import naming
    from dockhelpers.poll import poll_or_none

    name = naming.name("todo-unpushed")
    swarm.manager(["service", "rm", name], check=False, echo=False, stream=False)
    swarm.manager(["service", "create", "--detach", "--name", name, *naming.label_args(CHAPTER), image],
                  context="docker service create")
    fmt = "{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}"

    def rejected() -> list[str] | None:
        res = swarm.manager(["service", "ps", "--no-trunc", "--format", fmt, name], check=False, echo=False,
                            stream=False)
        lines = [ln for ln in res.stdout.splitlines() if "Rejected" in ln or "No such image" in ln]
        return lines or None

    try:
        lines = poll_or_none(rejected, timeout, interval=1) or []
        swarm.manager(["service", "ps", "--no-trunc", "--format", fmt, name], check=False)
    finally:
        swarm.manager(["service", "rm", name], check=False, echo=False, stream=False)
    return lines
