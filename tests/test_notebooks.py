"""Every chapter notebook executes top to bottom against the real engine, and again in the browser.

Here each notebook runs once headless (nbclient); ``tests/ui`` runs it a second time in JupyterLab without
any cleanup in between, which proves the notebook needs no manual cleanup (``DOCKHELPERS_NOTEBOOK_RUNS=2``
runs it twice here, for working on one notebook without the browser). Executed copies are written to
``build/notebooks/`` (ignored) for inspection; committed notebooks must carry no outputs.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import time

import pytest

from conftest import NOTEBOOKS, ROOT
from helpers import snapshot, unlabelled_new

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = int(os.environ.get("DOCKHELPERS_CELL_TIMEOUT", "900"))
RUNS = int(os.environ.get("DOCKHELPERS_NOTEBOOK_RUNS", "1"))
#: Cell tag of a cell that shows a tool's stderr on purpose (everything else a learner sees has none).
STDERR_OK = "stderr-ok"


def committed_notebooks() -> dict[str, str]:
    """Path -> text of every tracked notebook as git holds it (the index), not the working tree.

    A learner's lab or an editor may have written outputs into the working copy; what matters is what is
    committed (the nbstripout filter strips outputs on ``git add``). Outside a git checkout: the files.
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--", "*.ipynb"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:
        return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in NOTEBOOKS.rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts}
    paths = [p for p in listed.stdout.decode().split("\0") if p]
    return {p: subprocess.run(["git", "show", f":{p}"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
            for p in paths}


def test_committed_notebooks_have_no_outputs():
    dirty = []
    for path, text in committed_notebooks().items():
        nb = json.loads(text)
        if any(c.get("outputs") or c.get("execution_count") for c in nb["cells"]):
            dirty.append(path)
    assert not dirty, f"notebooks committed with outputs (clear them): {dirty}"


def test_nbstripout_filter_is_configured():
    """The repo asks git to strip notebook outputs on commit (``make venv`` installs the filter)."""
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8")
    assert "*.ipynb filter=nbstripout" in attributes
    assert "nbstripout --install" in (ROOT / "Makefile").read_text(encoding="utf-8")


def execute(path: pathlib.Path, run: int):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    try:
        client.execute()
    finally:
        out = ROOT / "build" / "notebooks" / f"{path.stem}.run{run}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    return nb, time.monotonic() - started


def stray_stderr(nb) -> list[str]:
    """``[cell N] first line`` for every stderr output of a cell not tagged ``stderr-ok``."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or STDERR_OK in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and out.get("text", "").strip():
                found.append(f"[cell {index}] {out['text'].strip().splitlines()[0][:160]}")
    return found


@pytest.mark.engine
@pytest.mark.notebook
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_notebook_runs(path: pathlib.Path, engine):
    before = snapshot(engine)
    for run in range(1, RUNS + 1):
        nb, seconds = execute(path, run)
        print(f"{path.name} run {run}: {seconds:.0f} s")
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, f"{path.name} run {run}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        stderr = stray_stderr(nb)
        assert not stderr, f"{path.name} run {run}: stderr a learner would see (tag the cell {STDERR_OK!r} " \
                           f"if it is on purpose): {stderr[:3]}"
    strays = unlabelled_new(engine, before)
    assert not strays, f"{path.name} left resources without the course label: {strays}"
