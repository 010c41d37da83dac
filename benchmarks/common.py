"""What the benchmark modules share: repeated timings, their summary, the row format, the bench containers.

A benchmark module under ``benchmarks/`` plugs into ``benchmarks/run.py`` by exposing
``rows(quick: bool = False) -> list[dict]``; each dict is one line of the table (see :func:`row`).
This module has no ``rows``: it is not a benchmark itself.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

#: Chapter label of everything the benchmarks create (the tests use 95 and 99).
CHAPTER = 97
#: The echo image of the book (chapter 2) was about this large.
BOOK_ECHO_MB = 750.0


@dataclass
class Sample:
    """Repeated measurements of one figure (seconds, percent, MB ...)."""

    values: list[float]
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def text(self, digits: int = 2) -> str:
        """``1.51 s (1.50–1.71, n=7)``: the median, then the min–max range and the count."""
        unit = f" {self.unit}" if self.unit else ""
        if len(self.values) == 1:
            return f"{self.median:.{digits}f}{unit} (n=1)"
        return f"{self.median:.{digits}f}{unit} ({self.low:.{digits}f}–{self.high:.{digits}f}, n={len(self.values)})"


def timed(fn: Callable[[], Any]) -> float:
    """Wall-clock seconds of one call."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def alternate(helper: Callable[[], Any], reference: Callable[[], Any], repeats: int,
              unit: str = "s") -> tuple[Sample, Sample]:
    """Time ``helper`` and ``reference`` ``repeats`` times each, interleaved (order swapped every round),
    so both see the same machine load."""
    h, r = [], []
    for i in range(repeats):
        if i % 2 == 0:
            h.append(timed(helper))
            r.append(timed(reference))
        else:
            r.append(timed(reference))
            h.append(timed(helper))
    return Sample(h, unit), Sample(r, unit)


def row(group: str, name: str, value: Sample | str, reference: Sample | str | None = None, *,
        ratio: float | None = None, target: str = "—", limit: float | None = None, note: str = "",
        digits: int = 2) -> dict[str, Any]:
    """One table line.

    Args:
        group: Section of the table (``stats``, ``notebooks`` ...).
        name: What was measured.
        value: The course's figure (a :class:`Sample` or text).
        reference: What it is compared with, measured in the same run (the CLI, ``import docker`` ...).
        ratio: ``value / reference`` (medians); computed from two Samples when omitted.
        target: The target as text (``≤ 1.0×``, ``< 5 %``).
        limit: The number the target compares with; ``met`` is ``ratio <= limit`` (or the value's median
            when there is no ratio). None: no target.
        note: A short remark.
    """
    if ratio is None and isinstance(value, Sample) and isinstance(reference, Sample) and reference.median:
        ratio = value.median / reference.median
    met = None
    if limit is not None:
        measured = ratio if ratio is not None else (value.median if isinstance(value, Sample) else None)
        met = None if measured is None else measured <= limit
    return {"group": group, "name": name,
            "value": value.text(digits) if isinstance(value, Sample) else value,
            "reference": reference.text(digits) if isinstance(reference, Sample) else (reference or "—"),
            "ratio": ratio, "target": target, "met": met, "note": note, "limit": limit}


@contextlib.contextmanager
def quiet() -> Iterator[io.StringIO]:
    """Swallow what a helper prints (its ``$ docker ...`` line) while it is timed."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield buffer


def start_containers(count: int, cpus: float = 0.5) -> list[str]:
    """``count`` idle containers (``sleep``), labelled with :data:`CHAPTER`, named ``<prefix>-bench-NN``.

    Each is limited to ``cpus`` so a load started in it later (``docker exec``) has a known size.
    """
    from dockhelpers import engine, naming

    client = engine.client()
    names = []
    for i in range(count):
        name = naming.name(f"bench-{i:02d}")
        remove_containers([name])
        client.containers.run(naming.BASE_IMAGE, ["sleep", "3600"], name=name, detach=True,
                              labels=naming.labels(CHAPTER), nano_cpus=int(cpus * 1e9), stop_signal="SIGKILL")
        names.append(name)
    return names


def remove_containers(names: list[str]) -> None:
    """Remove the named containers, but only those carrying the benchmark's own labels."""
    from docker.errors import NotFound

    from dockhelpers import engine, naming

    client = engine.client()
    for name in names:
        try:
            container = client.containers.get(name)
        except NotFound:
            continue
        if (container.labels.get(naming.CHAPTER_LABEL) == naming.chapter_id(CHAPTER)
                and container.labels.get(naming.PREFIX_LABEL) == naming.prefix()):
            container.remove(force=True)
