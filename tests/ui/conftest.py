"""Fixtures of the browser tests: one JupyterLab server per test session, one headless Chromium per module.

The server serves a temporary copy of ``notebooks/`` (plus the UI fixture notebook), so the committed
notebooks stay output-free whatever the browser does. Screenshots and logs go to ``build/ui/`` (ignored).
"""

from __future__ import annotations

import pathlib
import shutil
import signal
import subprocess

import pytest

from ui.browsers import chromium, netns_available, require_chromium
from ui.jlab import LabServer, copy_tree

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
BUILD = ROOT / "build" / "ui"


@pytest.fixture(scope="session")
def ui_build() -> pathlib.Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    return BUILD


@pytest.fixture(scope="session")
def lab(tmp_path_factory, ui_build):
    """A running JupyterLab (127.0.0.1, free port, random token) over a temporary copy of the notebooks."""
    require_chromium()
    base = tmp_path_factory.mktemp("jlab")
    root = base / "root"
    copy_tree(NOTEBOOKS, root)
    copy_tree(FIXTURES, root / "_ui_fixtures")
    server = LabServer(root, base / "state", ui_build / "jupyter-lab.log", unix=netns_available()).start()

    def on_sigterm(signum, frame):  # `kill <pytest>` must not leave JupyterLab and its kernels behind
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="module")
def browser(lab):
    """Headless Chromium for one module at a time (``browsers.chromium``: in its own network namespace, reaching
    JupyterLab's Unix socket): Playwright's sync API allows one running instance per process, and under
    ``pytest -n 2`` a worker runs the web book's and the hub's browser tests (their own instances) between this
    directory's modules, or between a chapter's headless and browser runs."""
    with chromium(lab.port, sock=lab.sock if lab.unix else None) as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR",
                                  device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def fontconfig_korean() -> str:
    """What fontconfig gives for Korean sans text (Chromium asks fontconfig for Hangul fallbacks)."""
    if not shutil.which("fc-match"):
        return ""
    return subprocess.run(["fc-match", "sans:lang=ko", "family"], capture_output=True, text=True).stdout.strip()
