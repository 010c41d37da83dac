"""The learner's progress: every exercise check's result, kept in a small file in the learner's home.

One JSON object per line (append-only, readable by a teacher's script)::

    {"learner": "kim", "chapter": 2, "exercise": 1, "ok": false, "attempt": 1, "time": "2026-12-06T22:50:01+00:00",
     "title": "2-1. echo 서버를 ..."}

Where: ``DOCKHELPERS_PROGRESS`` (a file; tests set it), else ``$XDG_STATE_HOME/dockercourse/progress.jsonl``,
else ``~/.local/state/dockercourse/progress.jsonl``. The learner is ``DOCKHELPERS_LEARNER``, else
``JUPYTERHUB_USER``, else the OS user.
:meth:`dockhelpers.checks.ExerciseSet.run_check` (what ``chNN.check(n)`` calls) records every answer.
"""

from __future__ import annotations

import csv
import datetime as _dt
import getpass
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

#: Environment variable naming the progress file (overrides the XDG location).
STORE_ENV = "DOCKHELPERS_PROGRESS"
#: Environment variable naming the learner (default: the OS user).
LEARNER_ENV = "DOCKHELPERS_LEARNER"
FIELDS = ("learner", "chapter", "exercise", "ok", "attempt", "time", "title")


@dataclass(frozen=True)
class Record:
    """One graded answer."""

    learner: str
    chapter: int
    exercise: int
    ok: bool
    attempt: int
    time: str
    title: str = ""


def store_path() -> Path:
    """The progress file (it may not exist yet)."""
    setting = os.environ.get(STORE_ENV, "").strip()
    if setting:
        return Path(setting).expanduser()
    state = os.environ.get("XDG_STATE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "dockercourse" / "progress.jsonl"


def learner() -> str:
    """Who is learning: ``DOCKHELPERS_LEARNER``, else ``JUPYTERHUB_USER`` (every lab container of a hub runs as
    the same OS user, ``jovyan``), else the OS user name."""
    name = os.environ.get(LEARNER_ENV, "").strip() or os.environ.get("JUPYTERHUB_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return str(os.getuid()) if hasattr(os, "getuid") else "learner"


def history(chapter: int | None = None, who: str | None = None, path: Path | str | None = None) -> list[Record]:
    """Every recorded answer, oldest first (of one chapter and one learner when given; all learners: ``who="*"``).

    Lines that are not valid records (a half-written line after a crash) are skipped.
    """
    source = Path(path) if path else store_path()
    if not source.is_file():
        return []
    wanted = learner() if who is None else who
    records = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            try:
                data = json.loads(line)
                rec = Record(str(data["learner"]), int(data["chapter"]), int(data["exercise"]), bool(data["ok"]),
                             int(data["attempt"]), str(data["time"]), str(data.get("title", "")))
            except (ValueError, KeyError, TypeError):
                continue
            if (chapter is None or rec.chapter == int(chapter)) and (wanted == "*" or rec.learner == wanted):
                records.append(rec)
    return records


def attempts(chapter: int, exercise: int) -> int:
    """How many times the current learner has checked this exercise."""
    return sum(1 for r in history(chapter) if r.exercise == exercise)


def record(chapter: int, exercise: int, ok: bool, title: str = "") -> Record:
    """Append one graded answer for the current learner; its ``attempt`` counts every check of the exercise.

    Raises:
        OSError: The store cannot be written (the caller decides whether that matters).
    """
    rec = Record(learner(), int(chapter), int(exercise), bool(ok), attempts(chapter, exercise) + 1,
                 _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), title)
    target = store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(rec), ensure_ascii=False) + "\n"
    # One write of one line with O_APPEND: two kernels checking at once never interleave inside a line.
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return rec


def summary(chapter: int, titles: dict[int, str], who: str | None = None) -> list[dict[str, Any]]:
    """One row per exercise of a chapter: passed, attempts, last attempt (English keys; Korean in the view).

    Args:
        chapter: The chapter.
        titles: Exercise number -> title (from the chapter's :class:`~dockhelpers.checks.ExerciseSet`).
        who: The learner (default: the current one).
    """
    records = history(chapter, who)
    rows = []
    for number, title in sorted(titles.items()):
        mine = [r for r in records if r.exercise == number]
        first_pass = next((r for r in mine if r.ok), None)
        rows.append({"exercise": number, "title": title, "attempts": len(mine),
                     "passed": first_pass is not None, "last_ok": mine[-1].ok if mine else None,
                     "passed_on": first_pass.attempt if first_pass else None,
                     "last": mine[-1].time if mine else None})
    return rows


def write_csv(fh: IO[str], chapter: int | None = None, who: str = "*", paths: list[Path] | None = None) -> int:
    """Write every record (all learners by default) as CSV with a header; returns the number of rows.

    CLI equivalent: ``python -m dockhelpers progress --csv [--chapter N] [--file STORE ...]``.

    Args:
        fh: Where to write.
        chapter: Only this chapter.
        who: Only this learner (``"*"``: everyone).
        paths: Store files to read (a teacher collecting students' homes); default: this learner's store.
    """
    writer = csv.DictWriter(fh, fieldnames=list(FIELDS))
    writer.writeheader()
    rows = [rec for path in (paths or [None]) for rec in history(chapter, who, path)]
    for rec in rows:
        writer.writerow(asdict(rec))
    return len(rows)
