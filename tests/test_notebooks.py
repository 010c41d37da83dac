"""Every chapter notebook executes top to bottom, twice in a row, against the real engine.

The second run proves the notebook needs no manual cleanup. Executed copies are written to
``build/notebooks/`` (ignored) for inspection; committed notebooks must carry no outputs.
"""

from __future__ import annotations

import json
import os
import pathlib
import time

import pytest

from conftest import NOTEBOOKS, ROOT

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = int(os.environ.get("DOCKHELPERS_CELL_TIMEOUT", "900"))


def test_committed_notebooks_have_no_outputs():
    dirty = []
    for path in NOTEBOOKS.rglob("*.ipynb"):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        if any(c.get("outputs") or c.get("execution_count") for c in nb["cells"]):
            dirty.append(str(path.relative_to(ROOT)))
    assert not dirty, f"notebooks committed with outputs (clear them): {dirty}"


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


def snapshot(engine) -> dict[str, set[str]]:
    """IDs of every container, volume, network and image on the engine."""
    return {
        "container": {c.id for c in engine.containers.list(all=True)},
        "volume": {v.name for v in engine.volumes.list()},
        "network": {n.id for n in engine.networks.list()},
        "image": {i.id for i in engine.images.list(all=False)},
    }


def unlabelled_new(engine, before: dict[str, set[str]]) -> list[str]:
    """Resources created since ``before`` that do not carry the course label and the student's prefix label."""
    from dockhelpers.naming import COURSE_LABEL, PREFIX_LABEL, prefix

    after = snapshot(engine)
    found = []
    getters = {"container": engine.containers.get, "volume": engine.volumes.get,
               "network": engine.networks.get, "image": engine.images.get}
    for kind, ids in after.items():
        for rid in ids - before[kind]:
            try:
                obj = getters[kind](rid)
            except Exception:  # removed meanwhile
                continue
            labels = (obj.attrs.get("Labels") if kind in ("volume", "network") else obj.labels) or {}
            if labels.get(COURSE_LABEL) != "true" or labels.get(PREFIX_LABEL) != prefix():
                found.append(f"{kind} {getattr(obj, 'name', None) or rid[:19]}")
    return found


@pytest.mark.engine
@pytest.mark.notebook
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_notebook_runs_twice(path: pathlib.Path, engine):
    before = snapshot(engine)
    for run in (1, 2):
        nb, seconds = execute(path, run)
        print(f"{path.name} run {run}: {seconds:.0f} s")
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, f"{path.name} run {run}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    strays = unlabelled_new(engine, before)
    assert not strays, f"{path.name} left resources without the course label: {strays}"
