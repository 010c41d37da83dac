"""Container resource statistics: live sampling and one-off snapshots (``docker container stats``).

The math (raw engine dict -> the CLI's figures) lives in :mod:`dockhelpers.statsmath` and is re-exported
here, so ``stats.cpu_percent(raw)``, ``stats.COLUMNS`` and ``stats.korean(df)`` work as before.

- :class:`StatsSampler` keeps one streaming connection open per container (what ``docker container stats``
  does); the streams are opened through :mod:`dockhelpers.statsstream`, the one adapter over docker-py's
  private API (a stream must be closable from another thread).
- :func:`snapshot` reads every container once, in parallel, the way ``docker container stats --no-stream``
  does (``stats(stream=False)``: the engine waits for its next sample, up to one second, and sends the one
  after it, whose ``precpu_stats`` is the first), so it takes about as long as the CLI for 1 or 20
  containers.

CLI equivalent: ``docker container stats [--no-stream] NAME...``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Sequence

from dockhelpers.errors import CourseError, translate
from dockhelpers.statsmath import (CLI_HEADERS, COLUMNS, KOREAN_LABELS, block_io, bytes_size, cli_cells,
                                   cli_table, cpu_percent, frame, has_previous, human_size, is_running, korean,
                                   memory_limit, memory_percent, memory_usage, network_io, parse_time, pids,
                                   to_row)
from dockhelpers.statsstream import StatsStream
from dockhelpers.shell import show as shell_show

if TYPE_CHECKING:  # pragma: no cover
    import docker
    import pandas as pd

__all__ = ["CLI_HEADERS", "COLUMNS", "KOREAN_LABELS", "StatsSampler", "block_io", "bytes_size", "cli_cells",
           "cli_table", "collect", "cpu_percent", "frame", "has_previous", "human_size", "is_running", "korean",
           "memory_limit", "memory_percent", "memory_usage", "network_io", "parse_time", "pids", "snapshot",
           "to_row"]


# ---------------------------------------------------------------------------------------------------------
# Live sampling: one stream per container
# ---------------------------------------------------------------------------------------------------------


def _resolve(api: Any, containers: Sequence[Any]) -> list[tuple[str, str]]:
    """(id, name) of each container given by name, ID or SDK object; Korean error for an unknown one."""
    from docker.errors import DockerException

    result = []
    for item in containers:
        ref = getattr(item, "id", None) or str(item)
        try:
            info = api.inspect_container(ref)
        except DockerException as exc:
            raise translate(exc, f"컨테이너 `{ref}` 통계") from exc
        result.append((info["Id"], info["Name"].lstrip("/")))
    if not result:
        raise CourseError("통계를 볼 컨테이너를 하나 이상 지정하세요.",
                          "예: `StatsSampler([\"dkc-echo\"])` (`docker container ls`로 이름을 확인합니다).")
    return result


class StatsSampler:
    """Streams ``docker container stats`` for several containers in the background and keeps history.

    One thread and one streaming HTTP connection per container, opened by :meth:`start` and closed by
    :meth:`stop` (the engine sends a sample about once a second). The first sample of each stream has no
    previous CPU reading and is skipped, as the CLI does.

    Example::

        with StatsSampler(["dkc-echo"]) as sampler:
            time.sleep(5)
        sampler.frame()           # tidy rows, one per container per second

    CLI equivalent: ``docker container stats NAME...``.

    Args:
        containers: Names, IDs or SDK container objects.
        history: Rows kept per container (oldest dropped first).
        client: Docker SDK client (the course's :func:`dockhelpers.engine.client` by default).
        on_sample: Called from the stream thread with each new tidy row.
    """

    def __init__(self, containers: Sequence[Any], history: int = 300,
                 client: "docker.DockerClient | None" = None,
                 on_sample: Callable[[dict[str, Any]], None] | None = None) -> None:
        from dockhelpers import engine

        self._client = client or engine.client()
        self.targets = _resolve(self._client.api, list(containers))
        if len(self.targets) >= engine.POOL_SIZE:
            raise CourseError(f"한 번에 {engine.POOL_SIZE - 1}개까지의 컨테이너만 지켜볼 수 있습니다.",
                              "지켜볼 컨테이너 수를 줄이세요.")
        self.history = history
        self.on_sample = on_sample
        self._lock = threading.Lock()
        self._rows: dict[str, deque] = {cid: deque(maxlen=history) for cid, _ in self.targets}
        self._state: dict[str, str] = {cid: "대기" for cid, _ in self.targets}
        self._streams: dict[str, StatsStream] = {}
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._received = 0
        self.started: datetime | None = None

    @property
    def names(self) -> list[str]:
        """Container names, in the order given."""
        return [n for _, n in self.targets]

    @property
    def running(self) -> bool:
        """Whether any stream thread is still alive."""
        return any(t.is_alive() for t in self._threads)

    def command(self) -> str:
        """The CLI command this sampler stands for."""
        return "docker container stats " + " ".join(self.names)

    def start(self) -> "StatsSampler":
        """Open one stream per container (returns at once; samples arrive about once a second)."""
        if self.running:
            return self
        self._stop.clear()
        self.started = self.started or datetime.now(timezone.utc)
        self._threads = [threading.Thread(target=self._pump, args=(cid,), daemon=True,
                                          name=f"dockhelpers-stats-{name}") for cid, name in self.targets]
        for t in self._threads:
            t.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every stream and wait for the threads to end."""
        self._stop.set()
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:  # ends the blocked reads in the stream threads at once
            stream.close()
        for t in self._threads:
            t.join(timeout)

    def __enter__(self) -> "StatsSampler":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _pump(self, cid: str) -> None:
        try:
            stream = StatsStream(self._client.api, cid)
        except Exception as exc:
            with self._lock:
                self._state[cid] = f"오류: {translate(exc).message}"
            return
        with self._lock:
            self._streams[cid] = stream
        if self._stop.is_set():  # stop() ran while the stream was opening
            stream.close()
        try:
            for raw in stream:
                if self._stop.is_set():
                    break
                row = to_row(raw, self.started)
                with self._lock:
                    self._state[cid] = "실행 중" if is_running(raw) else "정지됨"
                    if row is not None:
                        self._rows[cid].append(row)
                        self._received += 1
                if row is not None and self.on_sample:
                    self.on_sample(row)
            else:
                with self._lock:
                    self._state[cid] = "종료됨"
        except Exception as exc:  # closed by stop(), or the container was removed
            if not self._stop.is_set():
                with self._lock:
                    self._state[cid] = f"오류: {type(exc).__name__}"
        finally:
            with self._lock:
                self._streams.pop(cid, None)
            stream.close()

    def state(self) -> dict[str, str]:
        """Korean state of each stream by container name (대기, 실행 중, 정지됨, 종료됨, 오류: ...)."""
        with self._lock:
            return {name: self._state[cid] for cid, name in self.targets}

    def latest(self) -> list[dict[str, Any] | None]:
        """The newest row of each container (None where no figures arrived yet or it is stopped)."""
        with self._lock:
            return [self._rows[cid][-1] if self._rows[cid] and self._state[cid] == "실행 중" else None
                    for cid, _ in self.targets]

    def received(self) -> int:
        """Rows received so far, all containers together (also those dropped from the history)."""
        with self._lock:
            return self._received

    def rows(self) -> list[dict[str, Any]]:
        """Every kept row of every container, oldest first."""
        with self._lock:
            all_rows = [r for cid, _ in self.targets for r in self._rows[cid]]
        return sorted(all_rows, key=lambda r: r["time"])

    def series(self) -> dict[str, list[dict[str, Any]]]:
        """Kept rows per container name, oldest first (no sorting: cheap enough to call every second)."""
        with self._lock:
            return {name: list(self._rows[cid]) for cid, name in self.targets}

    def frame(self) -> "pd.DataFrame":
        """:meth:`rows` as a DataFrame (columns :data:`COLUMNS`)."""
        return frame(self.rows())

    def table(self) -> "pd.DataFrame":
        """The latest figures as the CLI prints them (``--`` for a container without figures)."""
        import pandas as pd

        latest = self.latest()
        cells = [cli_cells(row, name, cid) for row, (cid, name) in zip(latest, self.targets)]
        return pd.DataFrame(cells, columns=CLI_HEADERS)

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> bool:
        """Block until every container has at least ``count`` rows (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(len(self._rows[cid]) >= count for cid, _ in self.targets):
                    return True
            time.sleep(0.1)
        return False


def collect(containers: Sequence[Any], seconds: float = 5.0, echo: bool = True) -> "pd.DataFrame":
    """Sample containers for a few seconds and return the tidy rows (for tables and plots).

    CLI equivalent: ``docker container stats NAME...`` (watch, then Ctrl+C).

    Args:
        containers: Names, IDs or SDK container objects.
        seconds: How long to watch.
        echo: Print the equivalent CLI command first.
    """
    sampler = StatsSampler(containers)
    if echo:
        shell_show(f"{sampler.command()}   # {seconds:g}초 동안 관찰")
    with sampler:
        time.sleep(seconds)
    return sampler.frame()


def _read_once(api: Any, ref: str) -> dict[str, Any]:
    """One raw sample with a CPU figure: ``GET /containers/{ref}/stats?stream=false`` (public SDK call)."""
    from docker.errors import DockerException

    try:
        return api.stats(ref, stream=False)
    except DockerException as exc:
        raise translate(exc, f"컨테이너 `{ref}` 통계") from exc


def snapshot(containers: Sequence[Any], echo: bool = True, timeout: float = 10.0) -> "pd.DataFrame":
    """One line per container, like ``docker container stats --no-stream NAME...``.

    Asks for every container at once, in parallel, as the CLI does: ``stats(stream=False)`` makes the
    engine wait for its next one-second sample and send the one after it (whose ``precpu_stats`` is the
    first, so the CPU figure is there), which takes between one and two seconds for 1 or 20 containers.
    ``one-shot`` (API 1.41) would not help: it still waits for the next sample and has no CPU figure.

    Args:
        containers: Names, IDs or SDK container objects (shown in this order).
        echo: Print the equivalent CLI command first.
        timeout: Seconds to wait for the engine (a Korean error after that).

    Returns:
        A DataFrame with the CLI's headers (:data:`CLI_HEADERS`); ``--`` for a stopped container.

    Raises:
        NotFound: A container does not exist (Korean message).
    """
    from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

    from dockhelpers import engine

    refs = [getattr(item, "id", None) or str(item) for item in containers]
    if not refs:
        raise CourseError("통계를 볼 컨테이너를 하나 이상 지정하세요.",
                          "예: `stats.snapshot([\"dkc-echo\"])` (`docker container ls`로 이름을 확인합니다).")
    if echo:
        names = " ".join(getattr(c, "name", None) or str(c) for c in containers)
        shell_show(f"docker container stats --no-stream {names}")
    api = engine.client().api
    pool = ThreadPoolExecutor(max_workers=min(len(refs), engine.POOL_SIZE - 1), thread_name_prefix="dkc-snap")
    try:
        futures = [pool.submit(_read_once, api, ref) for ref in refs]
        raws = [f.result(timeout=timeout) for f in futures]
    except FutureTimeout as exc:
        raise CourseError(f"{timeout:g}초 안에 엔진이 통계를 보내지 않았습니다.",
                          "엔진이 바쁜지 `docker info`로 확인하고 다시 실행하세요.") from exc
    finally:
        pool.shutdown(wait=False)
    cells = []
    for ref, raw in zip(refs, raws):
        name, cid = (raw.get("name") or "").lstrip("/"), (raw.get("id") or "")[:12]
        cells.append(cli_cells(to_row(raw), name or ref, cid or "--"))
    import pandas as pd

    return pd.DataFrame(cells, columns=CLI_HEADERS)
