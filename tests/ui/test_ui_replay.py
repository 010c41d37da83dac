"""Binder's view: every recorded chapter replayed in JupyterLab in Chromium, with no engine behind the kernel.

The shared JupyterLab of ``tests/ui`` serves the notebooks; the replayed copies run on a kernel of their own
(a kernelspec whose environment sets ``DOCKHELPERS_MODE=replay`` and a ``DOCKER_HOST`` where nothing answers),
so the same browser checks apply as to a live run: no failing cell, no error output, every widget rendered,
Korean drawn with a Korean font. The replay banner must show and no request may fall outside the recording.
The container panel's clicks and the stats monitor's movement are checked on the live run only (a click was
never recorded).
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest

from dockhelpers.replay import recording as rec
from dockhelpers.replay import session
from ui.conftest import NOTEBOOKS
from ui.test_ui_notebooks import assert_clean, chapter_of, run_notebook

RECORDINGS = sorted((NOTEBOOKS / "recordings").glob("ch[0-9][0-9].jsonl"))
KERNEL = "dkc-replay"
BANNER = session.BANNER
NOT_RECORDED = rec.NOT_RECORDED

pytestmark = [pytest.mark.ui, pytest.mark.replay]


def _notebook(recording: pathlib.Path) -> pathlib.Path:
    header = json.loads(recording.read_text(encoding="utf-8").split("\n", 1)[0])
    return next(NOTEBOOKS.glob(f"{header['chapter']}_*.ipynb"))


@pytest.fixture(scope="module")
def replay_kernel(lab, tmp_path_factory):
    """A kernelspec in the lab's own search path whose kernels replay (no engine; a private endpoint state)."""
    state = pathlib.Path(f"/tmp/rpu-{os.getpid()}")  # short: a Unix socket path has a length limit
    spec = lab.state / "share" / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (녹화 재생)", "language": "python",
        "env": {"DOCKHELPERS_MODE": "replay", "DOCKER_HOST": "unix:///nonexistent", rec.SPEED_ENV: "20",
                "DOCKHELPERS_ENDPOINT_STATE": str(state), "DOCKHELPERS_RECORD": ""},
    }), encoding="utf-8")
    yield KERNEL
    from dockhelpers.endpoint import daemon

    with pytest.MonkeyPatch.context() as mp:  # the replaying endpoint the kernels started
        mp.setenv("DOCKHELPERS_ENDPOINT_STATE", str(state))
        daemon.stop()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("recording", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_recorded_chapter_replays_in_the_browser(page, lab, replay_kernel, fontconfig_korean,
                                                 recording: pathlib.Path):
    source = _notebook(recording)
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["metadata"]["kernelspec"] = {"name": replay_kernel, "display_name": "Python 3 (녹화 재생)",
                                    "language": "python"}
    rel = f"{source.stem}.replay.ipynb"  # beside the original, so relative paths (ch01/...) still resolve
    (lab.root / rel).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    drv = run_notebook(page, lab, None, rel, chapter_of(source), fontconfig_korean, live=False)
    assert_clean(drv)
    texts = "".join(o.get("text", "") for cell in drv.report.cells for o in cell.info["outputs"])
    assert BANNER in texts, f"{rel}: no replay banner in the outputs"
    at = texts.find(NOT_RECORDED)
    assert at < 0, f"{rel}: a request was not in the recording (run `make record`): ...{texts[at - 300:at + 300]}..."
