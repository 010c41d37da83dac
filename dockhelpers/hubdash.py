"""The teacher dashboard's logic: students x exercises from each lab's progress store, engine health, reset.

The view is the hub service ``classroom/dashboard.py`` (a page behind the hub's login, admin only); these
functions do the engine work through the host engine's API, one ``docker exec`` per student lab:

* progress: ``docker exec <lab> cat /home/learner/.local/state/dockercourse/progress.jsonl``
* health: ``docker exec <lab> docker info --format ...`` (the student's own engine, inside the lab)
* reset: ``docker exec -u learner <lab> python -m dockhelpers cleanup --chapter N --yes`` (that lab's engine only)
* collect: every student's store copied out for ``python -m dockhelpers progress --csv --file ...``
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dockhelpers import classroom, naming
from dockhelpers.errors import CourseError
from dockhelpers.progress import Record

#: Chapters whose exercises the grid shows.
CHAPTERS = (1, 2, 3, 4)


def columns() -> list[dict[str, Any]]:
    """The grid's columns: one per exercise of every chapter (``{"key": "1-1", "chapter": 1, "exercise": 1, ...}``)."""
    import importlib

    cols = []
    for chapter in CHAPTERS:
        module = importlib.import_module(f"dockhelpers.exercises.ch{chapter:02d}")
        for number, title in sorted(module.exercises.titles().items()):
            cols.append({"key": f"{chapter}-{number}", "chapter": chapter, "exercise": number, "title": title})
    return cols


def _container(student: str):
    import docker

    try:
        return classroom._client().containers.get(classroom.lab_name(student))
    except docker.errors.NotFound:
        return None


def parse(text: str) -> list[Record]:
    """Records from a progress store's text (lines that are not valid records are skipped)."""
    records = []
    for line in text.splitlines():
        try:
            d = json.loads(line)
            records.append(Record(str(d["learner"]), int(d["chapter"]), int(d["exercise"]), bool(d["ok"]),
                                  int(d["attempt"]), str(d["time"]), str(d.get("title", ""))))
        except (ValueError, KeyError, TypeError):
            continue
    return records


def progress_of(student: str) -> list[Record] | None:
    """A student's recorded answers, read from their running lab; None when the lab is not running.

    CLI equivalent: ``docker exec <prefix>-lab-<student> cat ~learner/.local/state/dockercourse/progress.jsonl``.
    """
    box = _container(student)
    if box is None or box.status != "running":
        return None
    res = box.exec_run(["cat", classroom.LAB_PROGRESS], user="learner")
    return parse(res.output.decode("utf-8", "replace")) if res.exit_code == 0 else []


def engine_health(student: str) -> dict[str, Any]:
    """The student's own engine: ``{"state": "ok"|"down"|"stopped", "version", "containers", "images"}``.

    CLI equivalent: ``docker exec <lab> docker info --format '{{.ServerVersion}} {{.ContainersRunning}} {{.Images}}'``.
    """
    box = _container(student)
    if box is None or box.status != "running":
        return {"state": "stopped"}
    res = box.exec_run(["docker", "info", "--format", "{{.ServerVersion}} {{.ContainersRunning}} {{.Images}}"])
    words = res.output.decode("utf-8", "replace").split()
    if res.exit_code != 0 or len(words) != 3:
        return {"state": "down", "detail": res.output.decode("utf-8", "replace")[-200:]}
    return {"state": "ok", "version": words[0], "containers": int(words[1]), "images": int(words[2])}


def cells(records: list[Record]) -> dict[str, dict[str, Any]]:
    """Exercise key -> ``{"ok": passed at least once, "attempts": n, "last": time}``."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        cell = out.setdefault(f"{r.chapter}-{r.exercise}", {"ok": False, "attempts": 0, "last": ""})
        cell["ok"] = cell["ok"] or r.ok
        cell["attempts"] += 1
        cell["last"] = r.time
    return out


def grid(students: list[str] | None = None) -> dict[str, Any]:
    """The dashboard's whole state: columns and one row per student (progress cells and engine health)."""
    from concurrent.futures import ThreadPoolExecutor

    conf = classroom.settings() or {}
    names = students if students is not None else conf.get("students", [])

    def one(student: str) -> dict[str, Any]:
        records = progress_of(student)
        return {"student": student, "running": records is not None, "engine": engine_health(student),
                "cells": cells(records or [])}

    # Two `docker exec` per student: a room of 30 is read in parallel, not one student after another.
    with ThreadPoolExecutor(max_workers=8) as pool:
        rows = list(pool.map(one, names))
    return {"columns": columns(), "rows": rows}


def reset(student: str, chapter: int) -> str:
    """Remove chapter ``chapter``'s course resources in ``student``'s own engine (nobody else's).

    CLI equivalent: ``docker exec -u learner <prefix>-lab-<student> python -m dockhelpers cleanup --chapter N --yes``.

    Returns:
        What the cleanup printed.

    Raises:
        CourseError: Unknown chapter, no running lab, or a failing cleanup.
    """
    if int(chapter) not in CHAPTERS:
        raise CourseError(f"없는 장입니다: {chapter}", "1~4 가운데 하나를 고르세요.")
    conf = classroom.settings() or {}
    if student not in conf.get("students", []) + conf.get("teachers", []):
        raise CourseError(f"명단에 없는 학생입니다: {student}")
    box = _container(student)
    if box is None or box.status != "running":
        raise CourseError(f"{student}의 실습 컨테이너가 실행 중이 아닙니다.", "학생이 다시 로그인하면 실습 환경이 시작됩니다.")
    res = box.exec_run(["python3", "-m", "dockhelpers", "cleanup", "--chapter", str(int(chapter)), "--yes"],
                       user="learner", environment={"HOME": classroom.LAB_HOME, naming.PREFIX_ENV: naming.DEFAULT_PREFIX})
    text = res.output.decode("utf-8", "replace")
    if res.exit_code != 0:
        raise CourseError(f"{student}의 {chapter}장 초기화가 실패했습니다.", text[-300:])
    return text


def collect(folder: str | Path, students: list[str] | None = None) -> list[Path]:
    """Copy every student's progress store into ``folder/<student>.jsonl`` (for ``progress --csv --file ...``).

    A running lab is read with ``docker exec``; a stopped one (the culler removed its container, the home
    volume stays) from its home volume: ``docker run --rm -v <prefix>-lab-<student>-home:/h:ro debian:trixie-slim
    cat /h/.local/state/dockercourse/progress.jsonl``.

    Returns:
        The files written (students with no record yet are skipped).
    """
    import docker

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    conf = classroom.settings() or {}
    names = students if students is not None else conf.get("students", [])
    relative = classroom.LAB_PROGRESS[len(classroom.LAB_HOME) + 1:]
    c = classroom._client()
    written = []
    for student in names:
        box = _container(student)
        if box is not None and box.status == "running":
            res = box.exec_run(["cat", classroom.LAB_PROGRESS], user="learner")
            text = res.output.decode("utf-8", "replace") if res.exit_code == 0 else ""
        else:
            home = f"{classroom.lab_name(student)}-home"
            try:
                c.volumes.get(home)
            except docker.errors.NotFound:
                continue
            try:
                out = c.containers.run(naming.BASE_IMAGE, ["cat", f"/h/{relative}"], remove=True, network_mode="none",
                                       volumes={home: {"bind": "/h", "mode": "ro"}}, labels=naming.classroom_labels())
                text = out.decode("utf-8", "replace")
            except docker.errors.ContainerError:
                text = ""
        if text.strip():
            path = target / f"{student}.jsonl"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
