"""The rolling update of section 4.6: change the API, build and push it, roll it out under load.

CLI equivalents: ``docker service update --image REF SVC`` (or ``--env-add K=V``) and
``docker service inspect --format '{{json .UpdateStatus}}' SVC`` to follow it.
"""

from __future__ import annotations

import difflib
import json
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dockhelpers import swarm
from dockhelpers.errors import CourseError
from dockhelpers.poll import poll
from dockhelpers.states import UpdateState
from dockhelpers.todo.client import http
from dockhelpers.todo.names import CHAPTER, HERE, local_image


#: States in which an update will not complete by itself.
FAILED_UPDATES = frozenset({UpdateState.PAUSED, UpdateState.ROLLBACK_PAUSED, UpdateState.ROLLBACK_COMPLETED})


def make_api_v2(version: str = "2") -> Path:
    """Copy the API's build context to a temporary folder and change its version (the edit of 4.6).

    Prints the change as a unified diff. Returns the new build context.
    """
    source = HERE / "api"
    target = Path(tempfile.mkdtemp(prefix="dkc-todo-api-"))
    shutil.copytree(source, target, dirs_exist_ok=True)
    app = target / "app.py"
    old = app.read_text(encoding="utf-8")
    new = old.replace('API_VERSION = "1"', f'API_VERSION = "{version}"')
    if new == old:
        raise CourseError("API 코드에서 버전 줄을 찾지 못했습니다.", detail=str(app))
    app.write_text(new, encoding="utf-8")
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "api/app.py", f"api/app.py (v{version})",
                                lineterm="", n=0)
    print("\n".join(diff))
    return target


def build_push_api(context: Path, tag: str) -> str:
    """Build the changed API as ``dkc/todo-api:TAG`` and push it; returns the in-cluster reference."""
    from dockhelpers import images

    ref = local_image("todo-api", tag)
    images.build(context, ref, chapter=CHAPTER, quiet=True)
    return swarm.push(ref, ref)


def update_state(svc: str) -> dict:
    """``docker service inspect --format '{{json .UpdateStatus}}' SVC`` as a dict (empty before any update)."""
    res = swarm.manager(["service", "inspect", "--format", "{{json .UpdateStatus}}", svc],
                        echo=False, stream=False, check=False)
    text = res.stdout.strip()
    return json.loads(text) if text and text != "null" else {}


def wait_update(svc: str, before: dict, *, timeout: float = 180) -> float:
    """Wait until the update started after ``before`` (an earlier :func:`update_state`) has completed.

    Prints every change of ``UpdateStatus.State`` (``pending`` until the new update shows up).

    Returns:
        Seconds waited.

    Raises:
        CourseError: The update rolled back or paused.
        PollTimeout: It did not finish in time.
    """
    started = time.monotonic()
    last = [""]

    def completed() -> bool:
        state = update_state(svc)
        current = state.get("State", "") if state.get("StartedAt") != before.get("StartedAt") else "pending"
        if current != last[0]:
            print(f"  [{time.monotonic() - started:5.1f}s] UpdateStatus: {current} {state.get('Message', '')}",
                  flush=True)
            last[0] = current
        if current in FAILED_UPDATES:
            raise CourseError(f"{svc} 업데이트가 실패해 {current} 상태입니다.", "새 이미지의 태스크 로그를 확인하세요.",
                              detail=state.get("Message", ""))
        return current == UpdateState.COMPLETED

    poll(completed, timeout, f"{svc} 업데이트", interval=1,
         hint=f"`docker service ps --no-trunc {svc}`로 새 태스크의 상태를 확인하세요.")
    return time.monotonic() - started


def rolling_update(svc: str, image_ref: str, *, timeout: float = 180) -> float:
    """Roll a service to a new image (``docker service update --image REF SVC``) and wait until completed.

    The stack file's ``update_config`` applies: one task at a time, the new task first (``start-first``),
    healthy before the old one stops, rollback on failure.

    Returns:
        Seconds the update took.
    """
    before = update_state(svc)
    swarm.manager(["service", "update", "--detach", "--image", image_ref, svc],
                  context="docker service update", stream=False)
    return wait_update(svc, before, timeout=timeout)


def update_env(svc: str, values: dict[str, str], *, timeout: float = 120) -> float:
    """``docker service update --env-add K=V ... SVC`` (skipped when the spec already has the values)."""
    res = swarm.manager(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", svc],
                        echo=False, stream=False)
    current = dict(p.split("=", 1) for p in (json.loads(res.stdout) or []) if "=" in p)
    if all(current.get(k) == v for k, v in values.items()):
        print(f"  {svc}: 환경 변수가 이미 {values}입니다 (업데이트 생략).")
        return 0.0
    before = update_state(svc)
    args: list[str] = []
    for key, value in values.items():
        args += ["--env-add", f"{key}={value}"]
    swarm.manager(["service", "update", "--detach", *args, svc], context="docker service update", stream=False)
    return wait_update(svc, before, timeout=timeout)


@dataclass
class LoadResult:
    """Counts of a client loop: every non-2xx answer and every connection error is a failure."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)
    api_versions: Counter = field(default_factory=Counter)
    #: One ``(seconds, path, status, api_version)`` per request (status 0: no answer; version "" when none).
    samples: list = field(default_factory=list)
    #: ``(seconds, {image_tag: running_tasks})`` read from ``docker service ps`` about once a second.
    tasks: list = field(default_factory=list)

    def summary(self) -> str:
        versions = ", ".join(f"v{v} {n}회" for v, n in sorted(self.api_versions.items()))
        errors = "; ".join(f"{k} ×{n}" for k, n in self.errors.most_common(5))
        return (f"요청 {self.total}개 (성공 {self.ok}, 실패 {self.failed}), {self.seconds:.1f}초"
                + (f", 응답한 API 버전: {versions}" if versions else "") + (f", 실패 내용: {errors}" if errors else ""))


class LoadLoop:
    """A client loop in a background thread: ``GET /`` (the whole path) and ``GET /api/todo`` in turn.

    No retries: each request counts once, and any non-2xx status or connection error is a failure.
    Use as a context manager; on exit it keeps going until ``min_requests`` were sent.
    """

    PATHS = ("/", "/api/todo?status=TODO")

    def __init__(self, min_requests: int = 200, pause: float = 0.02, service: str | None = None) -> None:
        self.min_requests = min_requests
        self.pause = pause
        self.service = service
        self.result = LoadResult()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        """Every second: the running tasks of ``service`` per image tag (``docker service ps``), until stopped."""
        while not self._thread_done.is_set():
            # Every task, not only desired-state=running: an old task that is draining (told to shut down, still
            # answering for TODO_DRAIN_SECONDS) is still Running and is counted.
            res = swarm.manager(["service", "ps", self.service, "--format", "{{.Image}} {{.CurrentState}}"],
                                check=False, echo=False, stream=False)
            counts: Counter = Counter()
            for line in res.stdout.splitlines() if res.ok else []:
                image, _, state = line.partition(" ")
                if state.startswith("Running"):
                    counts[image.split("@")[0].rsplit(":", 1)[-1]] += 1
            self.result.tasks.append((time.monotonic() - self._started, dict(counts)))
            self._thread_done.wait(1.0)

    def _run(self) -> None:
        started = self._started
        i = 0
        while not (self._stop.is_set() and self.result.total >= self.min_requests):
            path = self.PATHS[i % len(self.PATHS)]
            i += 1
            sent = time.monotonic() - started
            resp = http("GET", path, timeout=10)
            self.result.total += 1
            api = resp.headers.get("X-Todo-Api", "") if resp.status else ""
            version = api.rsplit("v", 1)[-1] if api else ""
            self.result.samples.append((sent, path, resp.status, version))
            if 200 <= resp.status < 300:
                self.result.ok += 1
                if api:
                    self.result.api_versions[version] += 1
            else:
                self.result.failed += 1
                self.result.errors[f"{path} -> {resp.status or resp.error}"] += 1
            self.result.seconds = time.monotonic() - started
            time.sleep(self.pause)

    def __enter__(self) -> "LoadLoop":
        self._thread_done = threading.Event()
        self._started = time.monotonic()
        self._thread.start()
        if self.service:
            self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._thread_done.set()
        if self.service:
            self._watcher.join()
