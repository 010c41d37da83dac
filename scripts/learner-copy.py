"""The learner's own copy of the notebooks (``work/``, kept out of git), and course updates into it.

JupyterLab serves ``work/``, so autosave never writes outputs into the tracked notebooks: ``make test``
keeps passing and ``git pull`` never conflicts with a learner's work.

Usage::

    python3 learner-copy.py init   NOTEBOOKS WORK   # first `make lab`: copy the course into WORK
    python3 learner-copy.py update NOTEBOOKS WORK   # `make update`: bring a new course version in

``update`` never loses the learner's work: a file the learner did not edit (same cell sources as the
course version it was copied from) is replaced by the new version (the old file is kept under
``WORK/.backup/``); a file the learner edited stays as it is and the new version is put next to it
(``02_deploying_containers.새버전.ipynb``). It prints which chapters changed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

MANIFEST = ".course-manifest.json"
SKIP = {"_work", ".ipynb_checkpoints", "__pycache__"}


def digest(path: Path) -> str:
    """Content hash; for notebooks only the cells' types and sources count (outputs are the learner's)."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(data).get("cells", [])
            src = [[c.get("cell_type"), "".join(c.get("source", ""))] for c in cells]
            data = json.dumps(src, ensure_ascii=False).encode()
        except ValueError:
            pass
    return hashlib.sha256(data).hexdigest()


def course_files(src: Path) -> dict[str, Path]:
    """Every course file under ``src`` by relative path (checkpoints and per-run folders left out)."""
    return {p.relative_to(src).as_posix(): p for p in sorted(src.rglob("*"))
            if p.is_file() and not SKIP.intersection(p.relative_to(src).parts)}


def chapter_of(rel: str) -> str:
    """``02_deploying_containers.ipynb`` or ``ch02/echo/app.py`` -> ``"02"``; ``""`` otherwise."""
    match = re.match(r"(?:ch)?(\d\d)", rel.split("/")[0])
    return match.group(1) if match else ""


def init(src: Path, work: Path) -> int:
    """Copy the course into ``work`` unless it is there already."""
    if (work / MANIFEST).is_file():
        return 0
    manifest = {}
    for rel, path in course_files(src).items():
        target = work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(path, target)
        manifest[rel] = digest(path)
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    print(f"[lab] 학습용 사본을 만들었습니다 / made your own copy of the notebooks: {work}")
    print("[lab] 실습 결과는 이 폴더에 저장됩니다(git이 추적하지 않음) / your work is saved there (not tracked by git)")
    return 0


def update(src: Path, work: Path) -> int:
    """Bring the course version in ``src`` into ``work`` without losing the learner's edits."""
    if not (work / MANIFEST).is_file():
        return init(src, work)
    manifest: dict[str, str] = json.loads((work / MANIFEST).read_text())
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    chapters: set[str] = set()
    replaced, kept, added = [], [], []
    for rel, path in course_files(src).items():
        new, old = digest(path), manifest.get(rel)
        target = work / rel
        if new == old and target.exists():
            continue
        chapters.add(chapter_of(rel))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            added.append(rel)
        elif digest(target) in (old, new):  # the learner did not edit it: replace, keeping a backup
            backup = work / ".backup" / stamp / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup)
            shutil.copy2(path, target)
            replaced.append(rel)
        else:  # the learner edited it: keep theirs, put the new version next to it
            side = target.with_name(f"{target.stem}.새버전{target.suffix}")
            shutil.copy2(path, side)
            kept.append(f"{rel} -> {side.relative_to(work).as_posix()}")
        manifest[rel] = new
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    if not (replaced or kept or added):
        print("[update] 바뀐 장이 없습니다 / no chapter changed")
        return 0
    names = ", ".join(f"{c}장" if c else "공통 파일" for c in sorted(chapters))
    print(f"[update] 바뀐 장 / chapters changed: {names}")
    for rel in added:
        print(f"  + 새 파일 / new: {rel}")
    for rel in replaced:
        print(f"  * 새 버전으로 바꿈(이전 파일은 .backup/{stamp}/) / updated: {rel}")
    for rel in kept:
        print(f"  ! 고친 파일은 그대로 두고 새 버전을 옆에 두었습니다 / kept your edits, new version beside it: {rel}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("init", "update"):
        print(__doc__)
        return 2
    src, work = Path(argv[2]).resolve(), Path(argv[3]).resolve()
    return (init if argv[1] == "init" else update)(src, work)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
