"""The committed recordings (Binder replay) match their notebooks, stay small, and replay without an engine."""

from __future__ import annotations

import json
import os
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


@pytest.mark.notebook
@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_notebook_replays_without_engine(path: pathlib.Path, tmp_path, monkeypatch):
    """With no engine reachable, the chapter runs top to bottom from its recording with no error output."""
    from test_notebooks import execute, stray_stderr

    from dockhelpers.endpoint import daemon

    state = pathlib.Path(f"/tmp/rpl-{os.getpid()}-{path.stem}")  # short: a Unix socket path has a length limit
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent")
    monkeypatch.setenv("DOCKHELPERS_MODE", "replay")
    monkeypatch.setenv(rec.SPEED_ENV, "20")
    monkeypatch.setenv("DOCKHELPERS_ENDPOINT_STATE", str(state))
    monkeypatch.delenv("DOCKHELPERS_RECORD", raising=False)
    try:
        nb, seconds = execute(_notebook(path), run=0)
    finally:
        daemon.stop()
    print(f"{path.stem} replay: {seconds:.1f} s")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.stem}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    stderr = stray_stderr(nb)
    assert not stderr, f"{path.stem}: stderr in replay: {stderr[:3]}"
    texts = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "녹화된 실행을 재생하고 있습니다" in texts
    assert "녹화에 없는 요청" not in texts, "a request was not in the recording: run `make record`"
