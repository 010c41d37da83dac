"""Container resource statistics: the math of ``docker container stats`` and a live sampler.

The engine's ``GET /containers/{id}/stats`` returns raw cgroup counters. The pure functions here turn one
raw dict into the numbers the CLI prints, by the CLI's own formulas:

- CPU %: ``cpu_delta / system_delta * online_cpus * 100``, where the deltas are taken between
  ``cpu_stats`` and ``precpu_stats`` of the same sample. The first streamed sample has an empty
  ``precpu_stats``, so it carries no CPU figure and the sampler skips it.
- Memory: ``usage`` minus the inactive page cache (``total_inactive_file`` on cgroup v1,
  ``inactive_file`` on cgroup v2), and that divided by ``limit`` for MEM %.
- Network: the sum of ``rx_bytes``/``tx_bytes`` over the interfaces; block I/O: the sum of the
  ``Read``/``Write`` entries of ``io_service_bytes_recursive``.

:class:`StatsSampler` keeps one streaming connection open per container (what ``docker container stats``
does) instead of calling ``stats(stream=False)`` repeatedly, which waits about two seconds per call.

CLI equivalent: ``docker container stats [--no-stream] NAME...``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from dockhelpers.errors import CourseError, translate

if TYPE_CHECKING:  # pragma: no cover
    import docker
    import pandas as pd

#: Columns of a tidy stats row (one container at one instant), in order.
COLUMNS = ["time", "elapsed", "name", "id", "cpu_percent", "mem_usage", "mem_limit", "mem_percent",
           "net_rx", "net_tx", "block_read", "block_write", "pids"]

#: Korean labels for the tidy columns (tables and plots shown to learners).
KOREAN_LABELS = {
    "time": "시각", "elapsed": "경과 시간(초)", "name": "컨테이너", "id": "컨테이너 ID",
    "cpu_percent": "CPU 사용률(%)", "mem_usage": "메모리 사용량(바이트)", "mem_limit": "메모리 한도(바이트)",
    "mem_percent": "메모리 사용률(%)", "net_rx": "네트워크 수신(바이트)", "net_tx": "네트워크 송신(바이트)",
    "block_read": "디스크 읽기(바이트)", "block_write": "디스크 쓰기(바이트)", "pids": "프로세스 수(PIDs)",
}

#: Headers of ``docker container stats`` (kept in English: they are what the CLI prints).
CLI_HEADERS = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]

_ZERO_TIME = "0001-01-01T00:00:00Z"


# ---------------------------------------------------------------------------------------------------------
# Pure functions on one raw stats dict
# ---------------------------------------------------------------------------------------------------------

def is_running(raw: dict[str, Any]) -> bool:
    """Whether a raw sample comes from a running container.

    A stopped container's stream keeps sending samples whose ``read`` time is Go's zero time and whose
    counters are empty; the CLI shows ``--`` for them.
    """
    read = raw.get("read") or _ZERO_TIME
    return not read.startswith("0001-01-01") and bool(raw.get("memory_stats"))


def has_previous(raw: dict[str, Any]) -> bool:
    """Whether the sample carries a previous CPU reading (false for the first streamed sample)."""
    pre = raw.get("precpu_stats") or {}
    return bool(pre.get("system_cpu_usage")) and bool((pre.get("cpu_usage") or {}).get("total_usage"))


def cpu_percent(raw: dict[str, Any]) -> float | None:
    """CPU usage in percent of one CPU, as ``docker container stats`` computes it (Linux engines).

    ``(cpu_delta / system_delta) * online_cpus * 100``: 100 % means one full CPU, so a container can
    show up to ``online_cpus * 100`` %.

    Args:
        raw: One sample from ``GET /containers/{id}/stats``.

    Returns:
        The percentage, ``0.0`` when nothing ran between the readings, or None when the sample has no
        previous reading (first streamed sample, stopped container).
    """
    if not is_running(raw) or not has_previous(raw):
        return None
    cur, pre = raw["cpu_stats"], raw["precpu_stats"]
    cpu_delta = float(cur["cpu_usage"].get("total_usage", 0)) - float(pre["cpu_usage"].get("total_usage", 0))
    system_delta = float(cur.get("system_cpu_usage", 0)) - float(pre.get("system_cpu_usage", 0))
    online = float(cur.get("online_cpus") or len(cur["cpu_usage"].get("percpu_usage") or []))
    if system_delta > 0.0 and cpu_delta > 0.0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def memory_usage(raw: dict[str, Any]) -> int:
    """Memory in use without the inactive page cache, in bytes (the CLI's ``MEM USAGE``).

    cgroup v1 reports ``total_inactive_file``, cgroup v2 ``inactive_file``; file pages the kernel can drop
    at once are not counted, so a container that only read or wrote files does not look large.
    """
    mem = raw.get("memory_stats") or {}
    usage = int(mem.get("usage") or 0)
    detail = mem.get("stats") or {}
    if "total_inactive_file" in detail and detail["total_inactive_file"] < usage:  # cgroup v1
        return usage - int(detail["total_inactive_file"])
    inactive = int(detail.get("inactive_file", 0))  # cgroup v2 (0 when absent)
    if inactive < usage:
        return usage - inactive
    return usage


def memory_limit(raw: dict[str, Any]) -> int:
    """The memory limit in bytes (the host's memory when the container has no ``--memory`` limit)."""
    return int((raw.get("memory_stats") or {}).get("limit") or 0)


def memory_percent(raw: dict[str, Any]) -> float:
    """:func:`memory_usage` as a percentage of :func:`memory_limit` (0 when no limit is known)."""
    limit = memory_limit(raw)
    return memory_usage(raw) / limit * 100.0 if limit else 0.0


def network_io(raw: dict[str, Any]) -> tuple[int, int]:
    """Bytes received and sent, summed over the container's interfaces (``NET I/O``)."""
    rx = tx = 0
    for iface in (raw.get("networks") or {}).values():
        rx += int(iface.get("rx_bytes", 0))
        tx += int(iface.get("tx_bytes", 0))
    return rx, tx


def block_io(raw: dict[str, Any]) -> tuple[int, int]:
    """Bytes read from and written to block devices (``BLOCK I/O``).

    Sums the ``io_service_bytes_recursive`` entries whose operation starts with r/R or w/W (cgroup v1
    writes ``Read``/``Write``, cgroup v2 ``read``/``write``). The list is empty or null when the
    container's files live on a device without block accounting.
    """
    read = write = 0
    for entry in (raw.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = (entry.get("op") or "")[:1]
        if op in ("r", "R"):
            read += int(entry.get("value", 0))
        elif op in ("w", "W"):
            write += int(entry.get("value", 0))
    return read, write


def pids(raw: dict[str, Any]) -> int:
    """Number of processes/threads in the container (``PIDS``)."""
    return int((raw.get("pids_stats") or {}).get("current") or 0)


def parse_time(text: str) -> datetime:
    """Parse the engine's RFC 3339 time with nanoseconds (``2026-11-29T11:42:43.047577561Z``) as UTC."""
    text = text.rstrip("Z")
    if "+" in text[10:]:
        text = text[: text.index("+", 10)]
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{(frac + '000000')[:6]}"
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def to_row(raw: dict[str, Any], start: datetime | None = None) -> dict[str, Any] | None:
    """One tidy row (see :data:`COLUMNS`) from a raw sample.

    Args:
        raw: One sample from the stats stream.
        start: Time origin of ``elapsed`` (seconds); the sample's own time when omitted.

    Returns:
        The row, or None for a sample that carries no figures (first streamed sample, stopped container).
    """
    cpu = cpu_percent(raw)
    if cpu is None:
        return None
    when = parse_time(raw["read"])
    rx, tx = network_io(raw)
    rd, wr = block_io(raw)
    return {
        "time": when,
        "elapsed": (when - (start or when)).total_seconds(),
        "name": (raw.get("name") or "").lstrip("/"),
        "id": (raw.get("id") or "")[:12],
        "cpu_percent": cpu,
        "mem_usage": memory_usage(raw),
        "mem_limit": memory_limit(raw),
        "mem_percent": memory_percent(raw),
        "net_rx": rx, "net_tx": tx, "block_read": rd, "block_write": wr,
        "pids": pids(raw),
    }


def frame(rows: Iterable[dict[str, Any]]) -> "pd.DataFrame":
    """A DataFrame of tidy rows with the columns of :data:`COLUMNS` (empty rows give an empty frame)."""
    import pandas as pd

    return pd.DataFrame(list(rows), columns=COLUMNS)


def korean(df: "pd.DataFrame") -> "pd.DataFrame":
    """The same frame with Korean column headers (for display)."""
    return df.rename(columns=KOREAN_LABELS)


# ---------------------------------------------------------------------------------------------------------
# Sizes and table cells exactly as the CLI prints them
# ---------------------------------------------------------------------------------------------------------

def _custom_size(fmt: str, size: float, base: float, units: Sequence[str]) -> str:
    i = 0
    while size >= base and i < len(units) - 1:
        size /= base
        i += 1
    return fmt % size + units[i]


def bytes_size(size: float) -> str:
    """Binary size as the CLI writes memory (``1.27MiB``, ``64MiB``, ``23.54GiB``)."""
    return _custom_size("%.4g", float(size), 1024.0, ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"])


def human_size(size: float, precision: int = 3) -> str:
    """Decimal size as the CLI writes network and block I/O (``1.2kB``, ``25.2MB``)."""
    return _custom_size(f"%.{precision}g", float(size), 1000.0, ["B", "kB", "MB", "GB", "TB", "PB", "EB"])


def cli_cells(row: dict[str, Any] | None, name: str = "--", cid: str = "--") -> dict[str, str]:
    """One line of ``docker container stats`` as strings keyed by :data:`CLI_HEADERS`.

    Args:
        row: A tidy row, or None for a container without figures (the CLI prints ``--``).
        name: Name shown when ``row`` is None.
        cid: Container ID shown when ``row`` is None.
    """
    if row is None:
        return {"CONTAINER ID": cid[:12], "NAME": name, "CPU %": "--", "MEM USAGE / LIMIT": "-- / --",
                "MEM %": "--", "NET I/O": "--", "BLOCK I/O": "--", "PIDS": "--"}
    return {
        "CONTAINER ID": row["id"],
        "NAME": row["name"],
        "CPU %": f"{row['cpu_percent']:.2f}%",
        "MEM USAGE / LIMIT": f"{bytes_size(row['mem_usage'])} / {bytes_size(row['mem_limit'])}",
        "MEM %": f"{row['mem_percent']:.2f}%",
        "NET I/O": f"{human_size(row['net_rx'])} / {human_size(row['net_tx'])}",
        "BLOCK I/O": f"{human_size(row['block_read'])} / {human_size(row['block_write'])}",
        "PIDS": str(row["pids"]),
    }


def cli_table(rows: Iterable[dict[str, Any] | None]) -> "pd.DataFrame":
    """A DataFrame that reads like the output of ``docker container stats --no-stream``."""
    import pandas as pd

    return pd.DataFrame([cli_cells(r) for r in rows], columns=CLI_HEADERS)


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
        self._responses: dict[str, Any] = {}
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
            responses = list(self._responses.values())
        for resp in responses:
            try:
                resp.close()
            except Exception:  # pragma: no cover - closing a dying socket
                pass
        for t in self._threads:
            t.join(timeout)

    def __enter__(self) -> "StatsSampler":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _pump(self, cid: str) -> None:
        api = self._client.api
        try:
            resp = api._get(api._url("/containers/{0}/stats", cid), params={"stream": True}, stream=True)
            api._raise_for_status(resp)
        except Exception as exc:
            with self._lock:
                self._state[cid] = f"오류: {translate(exc).message}"
            return
        with self._lock:
            self._responses[cid] = resp
        try:
            for raw in api._stream_helper(resp, decode=True):
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
                self._responses.pop(cid, None)
            try:
                resp.close()
            except Exception:  # pragma: no cover
                pass

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
        print(f"$ {sampler.command()}   # {seconds:g}초 동안 관찰", flush=True)
    with sampler:
        time.sleep(seconds)
    return sampler.frame()


def snapshot(containers: Sequence[Any], echo: bool = True, timeout: float = 10.0) -> "pd.DataFrame":
    """One line per container, like ``docker container stats --no-stream NAME...``.

    Opens the streams in parallel and waits for each container's second sample (the first has no CPU
    figure), so it takes one or two engine cycles (about 2 s, more on a busy host) whatever the number of
    containers, where one ``stats(stream=False)`` call per container takes about 2 s each.
    """
    sampler = StatsSampler(containers, history=1)
    if echo:
        print(f"$ docker container stats --no-stream {' '.join(sampler.names)}", flush=True)
    with sampler:
        sampler.wait_for(1, timeout)
    return sampler.table()
