"""The committed recordings (Binder replay) match their notebooks and stay small.

That each chapter replays without an engine is checked where the replays already run: the web book executes
every recorded chapter with no engine reachable (``tests/test_book.py::test_replayed_chapter_is_clean``), the
Binder-like container replays every chapter with Debian's CLI (``tests/test_labimage.py``), and JupyterLab
replays every chapter in Chromium (``tests/ui/test_ui_replay.py``).
"""

from __future__ import annotations

import json
import pathlib

import pytest

from conftest import NOTEBOOKS
from dockhelpers.replay import recording as rec

RECORDINGS = sorted((NOTEBOOKS / "recordings").glob("ch[0-9][0-9].jsonl"))
pytestmark = pytest.mark.replay


def _header(path: pathlib.Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.loads(fh.readline())


def _notebook(path: pathlib.Path) -> pathlib.Path:
    return next(NOTEBOOKS.glob(f"{_header(path)['chapter']}_*.ipynb"))


def test_recordings_exist_for_chapters_1_and_2():
    assert {p.stem for p in RECORDINGS} >= {"ch01", "ch02"}


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_recording_matches_its_notebook(path: pathlib.Path):
    header = _header(path)
    for key in ("engine", "recorded_at", "code_hash", "cli", "prefix", "port_offset"):
        assert key in header, f"{path.name}: header without {key}"
    notebook = _notebook(path)
    assert header["code_hash"] == rec.notebook_hash(notebook), \
        f"{notebook.name}'s code changed since {path.name} was recorded: run `make record CHAPTERS={int(header['chapter'])}`"


def test_recordings_are_small_text():
    total = sum(p.stat().st_size for p in RECORDINGS)
    assert total <= 5_000_000, f"recordings together {total / 1e6:.1f} MB (limit 5 MB)"
    for path in RECORDINGS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            json.loads(line)  # every line is one JSON object (reviewable, diffable)

