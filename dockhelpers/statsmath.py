"""The math of ``docker container stats``: pure functions from one raw stats dict to the CLI's numbers.

The engine's ``GET /containers/{id}/stats`` returns raw cgroup counters. These functions turn one raw dict
into the numbers the CLI prints, by the CLI's own formulas:

- CPU %: ``cpu_delta / system_delta * online_cpus * 100``, where the deltas are taken between
  ``cpu_stats`` and ``precpu_stats`` of the same sample. The first streamed sample has an empty
  ``precpu_stats``, so it carries no CPU figure and the sampler skips it.
- Memory: ``usage`` minus the inactive page cache (``total_inactive_file`` on cgroup v1,
  ``inactive_file`` on cgroup v2), and that divided by ``limit`` for MEM %.
- Network: the sum of ``rx_bytes``/``tx_bytes`` over the interfaces; block I/O: the sum of the
  ``Read``/``Write`` entries of ``io_service_bytes_recursive``.

No engine, no I/O: :mod:`dockhelpers.stats` samples and re-exports everything here (``stats.cpu_percent``).

CLI equivalent: ``docker container stats [--no-stream] NAME...``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
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
