"""Drive a real JupyterLab in Debian's headless Chromium (Playwright, no downloaded browser).

``LabServer`` starts ``jupyter lab`` on a free 127.0.0.1 port with a random token over a throw-away copy of
the notebooks (the committed notebooks are never opened, so nothing can be saved into them), with its own
settings (autosave off, no news fetching), runtime and workspace folders.

``NotebookDriver`` opens one notebook, runs its code cells one after another with Shift+Enter (or through the
notebook toolbar's "run this cell and advance" button, the learner's ▶), waits for each cell to finish, and after
each cell looks at what the cell rendered (widgets, course widgets) so that a test can click them while the cell's
containers still exist. The page is read through ``window.jupyterapp`` (``--expose-app-in-browser``) only to
observe the notebook model (outputs, execution counts, kernel status); every action is a real key press or click.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = pathlib.Path(os.environ.get("DOCKHELPERS_CHROMIUM", "/usr/bin/chromium"))
#: Chromium flags for this closed network: without the background-networking flags its connections are
#: refused and it stalls; a fresh profile comes from Playwright's own temporary user-data dir.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: How often a wait inside the page checks its condition (milliseconds).
PAGE_POLL_MS = 25
#: At most this many ``j`` presses to reach the next code cell (the markdown cells between); more: a click.
MAX_KEY_STEPS = 8
BROKEN_WIDGET_TEXTS = ("Error displaying widget", "Loading widget...")
# ipywidgets 8 draws a view that failed to load or render as a broken-page icon in this element.
BROKEN_WIDGET_CLASS = "jupyter-widgets-error-widget"
#: CSS classes of the course's own widgets (dockhelpers/widgets.py) that get screenshots and checks.
COURSE_WIDGETS = ("dkc-panel", "dkc-stats", "dkc-lifecycle", "dkc-images", "dkc-swarmview")

# JupyterLab user settings for the test server: never write to disk behind the test's back, never call out.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_tree(src: pathlib.Path, dest: pathlib.Path) -> None:
    """Copy a notebooks folder without checkpoints, executed leftovers or work folders."""
    shutil.copytree(src, dest, dirs_exist_ok=True, symlinks=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_work", "__pycache__"))


class LabServer:
    """``jupyter lab`` as a subprocess over ``root`` (a temporary copy), logging to ``log``."""

    def __init__(self, root: pathlib.Path, state: pathlib.Path, log: pathlib.Path, unix: bool = False):
        """``unix``: listen on a Unix socket (``self.sock``) for a browser in its own network namespace
        (see ``netns_chromium.py``); ``self.port`` is then the port the browser's relay serves."""
        self.root, self.state, self.log_path = root, state, log
        self.unix = unix
        self.sock = state / "jupyter.sock"
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        # A fresh workspace per notebook (?reset): earlier notebooks are not restored as hidden tabs.
        workspace = "dkc-" + "".join(ch if ch.isalnum() else "-" for ch in path)
        return f"{self.base}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"

    def start(self, timeout: float = 90) -> "LabServer":
        settings = self.state / "settings"
        for rel, value in LAB_SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(value), encoding="utf-8")
        for sub in ("workspaces", "runtime", "config"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        bindir = str(pathlib.Path(sys.executable).parent)
        env.update(
            PATH=bindir + os.pathsep + env.get("PATH", ""),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(self.state / "runtime"),
            JUPYTER_CONFIG_DIR=str(self.state / "config"),
            # Extra kernelspecs a test may add while the server runs (e.g. a replaying kernel): <state>/share/kernels.
            JUPYTER_PATH=os.pathsep.join(p for p in (str(self.state / "share"), env.get("JUPYTER_PATH", "")) if p),
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            *([f"--ServerApp.sock={self.sock}"] if self.unix else
              ["--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0"]),
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={self.state / 'workspaces'}",
            "--ServerApp.terminals_enabled=False", "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=self.root,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}; see {self.log_path}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer /api/status in {timeout:.0f} s; see {self.log_path}")

    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"token {self.token}", "Content-Type": "application/json"}
        if self.unix:
            conn = _UnixHTTPConnection(str(self.sock))
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                if resp.status >= 400:
                    raise OSError(f"{method} {path}: HTTP {resp.status}")
            finally:
                conn.close()
        else:
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (their background threads, e.g. a stats sampler, die with them)."""
        try:
            for session in self.api("GET", "/api/sessions") or []:
                self.api("DELETE", f"/api/sessions/{session['id']}")
        except OSError:
            pass

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.shutdown_kernels()
            self.proc.terminate()  # our own child only (its own process group)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


# --- in-page observation (JavaScript run in the page) -------------------------------------------------------

_JS_PANEL = """
(() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  return (w && w.content && w.content.model && w.sessionContext) ? w : null;
})()
"""

JS_STATE = """
() => {
  const panel = %s;
  if (!panel) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.map((c, i) => ({
    index: i,
    type: c.model.type,
    count: c.model.type === 'code' ? c.model.executionCount : null,
    prompt: c.model.type === 'code' && c.promptNode ? c.promptNode.textContent.trim() : '',
  }));
  return {kernel: kernel ? kernel.status : 'none', cells, path: panel.context.path,
          kernelReady: panel.sessionContext.isReady};
}
""" % _JS_PANEL

JS_CELL = """
(i) => {
  const panel = %s;
  const cell = panel.content.widgets[i];
  const outputs = cell.model.type === 'code' ? cell.model.outputs.toJSON() : [];
  const node = cell.node;
  const classes = [];
  for (const cls of %s) if (node.querySelector('.' + cls)) classes.push(cls);
  return {
    type: cell.model.type,
    count: cell.model.type === 'code' ? cell.model.executionCount : null,
    prompt: cell.model.type === 'code' && cell.promptNode ? cell.promptNode.textContent.trim() : '',
    source: cell.model.sharedModel.getSource().slice(0, 300),
    tags: (cell.model.getMetadata('tags') || []),
    outputs: outputs.map(o => ({type: o.output_type, ename: o.ename || '', evalue: o.evalue || '',
                                 widget: !!(o.data && o.data['%s']),
                                 figure: !!(o.data && (o.data['image/png'] || o.data['image/svg+xml'])),
                                 text: (o.text || (o.data && o.data['text/plain']) || '').toString().slice(0, 400)})),
    widgetViews: node.querySelectorAll('.jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output .widget-box, .jp-OutputArea-output .jupyter-widget').length,
    broken: %s.filter(t => (node.querySelector('.jp-OutputArea') || {textContent: ''}).textContent.includes(t))
            .concat(node.querySelector('.jp-OutputArea .jupyter-widgets-error-widget')
                    ? ['a widget view failed (jupyter-widgets-error-widget: ' +
                       (node.querySelector('.jupyter-widgets-error-widget').getAttribute('title') || '').slice(0, 200) + ')']
                    : []),
    courseWidgets: classes,
  };
}
""" % (_JS_PANEL, json.dumps(list(COURSE_WIDGETS)), WIDGET_MIME, json.dumps(list(BROKEN_WIDGET_TEXTS)))

JS_CELL_ACTIVE = "(i) => window.jupyterapp.shell.currentWidget.content.activeCellIndex === i"

#: Cell ``i`` has run: its kernel is idle, it has an execution count and no ``[*]`` prompt. (The count is
#: cleared when the execution starts and set when its reply arrives, so a cell answered very fast is not
#: mistaken for one that has not started.)
JS_CELL_DONE = """
(i) => {
  const panel = %s;
  if (!panel) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cell = panel.content.widgets[i];
  const prompt = cell.promptNode ? cell.promptNode.textContent : '';
  return !!kernel && kernel.status === 'idle' && cell.model.executionCount !== null && !prompt.includes('*');
}
""" % _JS_PANEL

#: The active cell's index when the notebook has the keyboard in command mode (keys go to the notebook, not
#: to an editor or a widget's input); null otherwise.
JS_KEYBOARD_CELL = """
() => {
  const panel = %s;
  if (!panel || panel.content.mode !== 'command') return null;
  const el = document.activeElement;
  if (!el || !panel.content.node.contains(el) || el.closest('.jp-OutputArea, .jp-Editor')) return null;
  if (el.matches('input, textarea, select, [contenteditable="true"]')) return null;
  return panel.content.activeCellIndex;
}
""" % _JS_PANEL

JS_TAG_CELLS = """
() => {
  const panel = %s;
  panel.content.widgets.forEach((c, i) => c.node.setAttribute('data-dkc-cell', String(i)));
}
""" % _JS_PANEL

JS_BROKEN_ANYWHERE = """
() => {
  const panel = %s;
  const found = [];
  panel.content.widgets.forEach((c, i) => {
    const out = c.node.querySelector('.jp-OutputArea');
    if (!out) return;
    for (const t of %s) if (out.textContent.includes(t)) found.push([i, t]);
    if (out.querySelector('.jupyter-widgets-error-widget')) found.push([i, 'jupyter-widgets-error-widget']);
  });
  return found;
}
""" % (_JS_PANEL, json.dumps(list(BROKEN_WIDGET_TEXTS)))


@dataclass
class CellResult:
    index: int
    seconds: float
    info: dict[str, Any]


@dataclass
class RunReport:
    notebook: str
    cells: list[CellResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    #: Seconds spent per phase outside the cells' own run (opening, screenshots, each check): where time goes.
    phases: dict[str, float] = field(default_factory=dict)
    #: How many cells were run with keys (Shift+Enter) and how many with clicks (the toolbar's run button).
    ran_by: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the seconds the enclosed block takes to ``phases[name]``."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.monotonic() - started, 2)


class NotebookDriver:
    """One notebook in one browser page."""

    def __init__(self, page, server: LabServer, path: str, shots: pathlib.Path):
        self.page, self.server, self.path, self.shots = page, server, path, shots
        self.shots.mkdir(parents=True, exist_ok=True)
        self.report = RunReport(notebook=path)
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text[:300]))
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {str(e)[:300]}"))

    # -- opening --------------------------------------------------------------------------------------------
    def open(self, timeout: float = 120) -> None:
        self.page.goto(self.server.url(self.path), wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout * 1000)
        self.wait(lambda: (s := self.state()) and s["kernelReady"] and s["kernel"] == "idle",
                  timeout, "the kernel did not become idle after opening")

    def state(self) -> dict[str, Any] | None:
        return self.page.evaluate(JS_STATE)

    def cell(self, i: int) -> dict[str, Any]:
        return self.page.evaluate(JS_CELL, i)

    def wait(self, predicate, timeout: float, what: str, interval: float = 0.1):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path}: {what} (after {timeout:.0f} s)")
            time.sleep(interval)

    # -- running --------------------------------------------------------------------------------------------
    def run_cell(self, i: int, timeout: float, click: bool = False) -> CellResult:
        """Run cell ``i`` the way a learner goes through a notebook: Shift+Enter (run, select the next cell).

        When the notebook has the keyboard (command mode, focus on the notebook itself, not in a widget's
        input), the cell is selected with ``j`` (select below) and run with Shift+Enter. Otherwise (or with
        ``click``; e.g. after a click on a widget) it is selected with a click on its prompt and run with the
        toolbar's run button. Clicks cost Playwright's checks (about 0.1 to 0.3 s a cell here), keys do not.
        """
        cell = self.cell_locator(i)
        cell.scroll_into_view_if_needed()
        keyboard = not click and self._select_with_keys(i)
        if not keyboard:
            # A click on the input prompt selects the cell without entering edit mode.
            cell.locator(".jp-InputPrompt").first.click()
            self.wait_in_page(JS_CELL_ACTIVE, i, 10, f"cell {i} could not be selected")
        started = time.monotonic()
        if keyboard:
            self.page.keyboard.press("Shift+Enter")
        else:
            self.page.locator(
                ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar "
                "[data-command='notebook:run-cell-and-select-next']").first.click()
        way = "keys" if keyboard else "clicks"
        self.report.ran_by[way] = self.report.ran_by.get(way, 0) + 1
        self.wait_in_page(JS_CELL_DONE, i, timeout, f"cell {i} did not finish")
        return CellResult(i, time.monotonic() - started, self.cell(i))

    def _select_with_keys(self, i: int) -> bool:
        """Select cell ``i`` with ``j`` from the active cell above it; False when the keyboard is not safe."""
        active = self.page.evaluate(JS_KEYBOARD_CELL)
        if active is None or not 0 <= i - active <= MAX_KEY_STEPS:
            return False
        for _ in range(i - active):
            self.page.keyboard.press("j")
        try:
            self.wait_in_page(JS_CELL_ACTIVE, i, 2, f"cell {i} could not be selected with the keyboard")
        except TimeoutError:
            return False
        return True

    def wait_in_page(self, predicate: str, arg: Any, timeout: float, what: str) -> None:
        """Wait until the JavaScript ``predicate(arg)`` holds, checked in the page every :data:`PAGE_POLL_MS`
        (no round trip to Python per check: a cell that ends is seen within that interval)."""
        from playwright.sync_api import TimeoutError as PageTimeout

        try:
            self.page.wait_for_function(predicate, arg=arg, polling=PAGE_POLL_MS, timeout=timeout * 1000)
        except PageTimeout:
            raise TimeoutError(f"{self.path}: {what} (after {timeout:.0f} s)") from None

    def wait_widgets_rendered(self, i: int, timeout: float = 30) -> dict[str, Any]:
        """Wait until cell ``i`` shows no 'Loading widget...' (a view that never appears fails here)."""
        deadline = time.monotonic() + timeout
        info = self.cell(i)
        while time.monotonic() < deadline:
            info = self.cell(i)
            wanted = sum(o["widget"] for o in info["outputs"])
            if "Loading widget..." not in info["broken"] and (not wanted or info["widgetViews"] > 0):
                return info
            time.sleep(0.2)
        return info

    # -- screenshots ------------------------------------------------------------------------------------------
    def shot(self, name: str, locator=None) -> str:
        with self.report.phase("screenshots"):
            return self._shot(name, locator)

    def _shot(self, name: str, locator=None) -> str:
        path = self.shots / f"{name}.png"
        try:
            if locator is not None:
                locator.scroll_into_view_if_needed(timeout=5000)
                locator.screenshot(path=str(path), timeout=15000)
            else:
                self.page.screenshot(path=str(path), timeout=15000)
        except Exception as exc:  # a screenshot must not hide the real failure
            self.report.problems.append(f"screenshot {name} failed: {exc}")
            return ""
        self.report.screenshots.append(str(path))
        return str(path)

    def cell_locator(self, i: int):
        """Cell ``i`` of the open notebook (cells are tagged with their index: the notebook is windowed)."""
        self.page.evaluate(JS_TAG_CELLS)
        return self.page.locator(f"[data-dkc-cell='{i}']")
