"""Where no engine exists (Binder), each notebook's first cell explains in Korean instead of a traceback.

With a recording of the chapter (``notebooks/recordings``) the first cell switches to the replay and says so;
with ``DOCKHELPERS_MODE=live`` (or no recording) it explains that no engine is there.
"""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _first_cell(path, monkeypatch, mode: str | None) -> str:
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/dkc-no-engine-here.sock")
    if mode:
        monkeypatch.setenv("DOCKHELPERS_MODE", mode)
    else:
        monkeypatch.delenv("DOCKHELPERS_MODE", raising=False)
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "preflight(chapter=" in first.source
    nb.cells = [first]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = first.outputs
    assert not [o for o in outputs if o["output_type"] == "error"], outputs
    return "".join(o.get("text", "") for o in outputs)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_first_cell_without_engine(path, monkeypatch):
    text = _first_cell(path, monkeypatch, "live")
    assert "도커 엔진이 없습니다" in text and "make lab" in text


@pytest.mark.replay
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_first_cell_replays_when_recorded(path, monkeypatch):
    """No engine and no mode set: a recorded chapter replays (with the banner), another one explains."""
    from dockhelpers.endpoint import daemon

    recorded = (NOTEBOOKS / "recordings" / f"ch{path.name[:2]}.jsonl").is_file()
    try:
        text = _first_cell(path, monkeypatch, None)
    finally:
        daemon.stop()
    if recorded:
        assert "녹화된 실행을 재생하고 있습니다" in text and "make lab" in text and "실제로 실행한 결과" in text
    else:
        assert "도커 엔진이 없습니다" in text and "make lab" in text
