"""Where no engine exists (Binder), each notebook's first cell explains in Korean instead of a traceback."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_first_cell_without_engine(path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///tmp/dkc-no-engine-here.sock")
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "preflight(chapter=" in first.source
    nb.cells = [first]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = first.outputs
    assert not [o for o in outputs if o["output_type"] == "error"], outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "도커 엔진이 없습니다" in text and "make lab" in text
