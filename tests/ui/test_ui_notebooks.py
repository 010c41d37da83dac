"""Every chapter notebook, run by a learner's browser: JupyterLab 4 + ipywidgets in headless Chromium.

For each ``notebooks/NN_*.ipynb`` (and the small fixture notebook ``tests/ui/fixtures/ui_widgets.ipynb``)
the test opens the notebook in JupyterLab, runs every code cell as a learner does (the first with a click on the
toolbar's run button, the rest with Shift+Enter; a click again after a widget took the focus), and checks:

- no cell fails (the kernel's ``execute_reply`` says ``ok`` unless the cell is tagged ``raises-exception``)
  and no error output appears;
- every widget renders: no "Error displaying widget" / "Loading widget..." is left, and each widget output
  has a rendered view;
- the course's container panel really drives the engine: a click on 정지 (stop) in a running course
  container's row makes the engine report it exited, and 시작 (start) brings it back;
- the live stats monitor changes over time (its sample counter / chart, read twice a few seconds apart);
- Korean text is drawn with a Korean font (Chromium's own report of the platform fonts it used for a
  Hangul text node, through the DevTools protocol).

Screenshots of each course widget (and of the page on failure) go to ``build/ui/<notebook>/``; every
failure message names them. Each notebook runs exactly once here: this is its second run, after the headless
run of ``tests/test_notebooks.py`` (collected first; under ``pytest -n 2`` right before it, on the same worker:
tests/parallel.py), with no cleanup in between.
"""

from __future__ import annotations

import json
import pathlib
import re
import time

import pytest

from helpers import snapshot, unlabelled_new
from ui.browsers import require_chromium
from ui.conftest import BUILD, FIXTURES, NOTEBOOKS
from ui.jlab import JS_BROKEN_ANYWHERE, NotebookDriver

CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
FIXTURE = FIXTURES / "ui_widgets.ipynb"
#: Chapter label of the fixture's containers (not a book chapter; 99 and 95 belong to other tests).
FIXTURE_CHAPTER = 94
CELL_TIMEOUT = 900
#: Screenshots per notebook of outputs other than the course widgets (plain ipywidgets, matplotlib figures).
MAX_OTHER_SHOTS = 8
HANGUL = re.compile(r"[\uac00-\ud7a3]")

JS_INSTALL_REPLY_HOOK = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  window.__dkcReplies = [];
  kernel.anyMessage.connect((_, args) => {
    const msg = args.msg;
    if (args.direction === 'recv' && msg.header.msg_type === 'execute_reply') {
      window.__dkcReplies.push({status: msg.content.status, count: msg.content.execution_count,
                                ename: msg.content.ename || '', evalue: msg.content.evalue || ''});
    }
  });
  return true;
}
"""

JS_MARK_HANGUL = """
(scope) => {
  // Mark the first element (inside `scope`) whose own text nodes contain Hangul; return that text.
  document.querySelectorAll('[data-dkc-ko]').forEach(e => e.removeAttribute('data-dkc-ko'));
  const root = document.querySelector(scope);
  if (!root) return null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    if (/[\\uac00-\\ud7a3]/.test(n.textContent) && n.parentElement && n.parentElement.offsetParent !== null) {
      const el = n.parentElement;
      el.setAttribute('data-dkc-ko', '1');
      el.scrollIntoView();
      let own = '';
      el.childNodes.forEach(c => { if (c.nodeType === 3) own += c.textContent; });
      return {text: own, family: getComputedStyle(el).fontFamily};
    }
  }
  return null;
}
"""

JS_STATS_SNAPSHOT = """
async (i) => {
  // What a learner sees change: the visible sample counter (if the monitor has one), the table's numbers
  // and the chart's pixels (a hash of the PNG/SVG bytes, not its blob URL, which is new on every set).
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
  const el = cell.node.querySelector('.dkc-stats');
  if (!el) return null;
  const hash = (bytes) => { let h = 2166136261; for (const b of bytes) { h ^= b; h = Math.imul(h, 16777619); }
                            return (h >>> 0).toString(16) + ':' + bytes.length; };
  const counter = el.querySelector('.dkc-stats-count');
  const charts = [];
  for (const img of el.querySelectorAll('img')) {
    if (!img.src || !img.naturalWidth) continue;
    try { charts.push(hash(new Uint8Array(await (await fetch(img.src)).arrayBuffer()))); } catch (e) {}
  }
  for (const svg of el.querySelectorAll('svg')) charts.push(hash(new TextEncoder().encode(svg.outerHTML)));
  // The SVG chart the browser draws from the numbers the kernel sends (dockhelpers.statschart): its lines.
  const svg = el.querySelector('.dkc-stats-chart svg');
  const lines = svg ? Array.from(svg.querySelectorAll('polyline')).filter(p => p.getBBox().width > 0).length : 0;
  const svgChart = svg ? {lines, hash: hash(new TextEncoder().encode(svg.outerHTML))} : null;
  const table = el.querySelector('table');
  const numbers = table ? (table.innerText.match(/\\d+(\\.\\d+)?/g) || []).join(' ') : '';
  return {counter: counter ? counter.innerText.trim() : null, charts, numbers, svg: svgChart};
}
"""


JS_PANEL_ROWS = """
(i) => {
  // Containers a panel offers: one row per container (dkc-row-NAME with its own buttons), or a
  // container chooser (<select>) in front of one row of buttons.
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
  const panel = cell.node.querySelector('.dkc-panel');
  const rows = [];
  panel.querySelectorAll('[class*="dkc-row-"]').forEach(r => {
    const cls = Array.from(r.classList).find(c => c.startsWith('dkc-row-'));
    rows.push({name: cls.slice('dkc-row-'.length), mode: 'row', hasStop: !!r.querySelector('.dkc-btn-stop')});
  });
  const select = panel.querySelector('select');
  if (select) Array.from(select.options).forEach(o => {
    if (!rows.some(r => r.name === o.value))
      rows.push({name: o.value, mode: 'select', hasStop: !!panel.querySelector('.dkc-btn-stop')});
  });
  return rows;
}
"""


def chapter_of(path: pathlib.Path) -> int:
    m = re.match(r"(\d\d)_", path.name)
    return int(m.group(1)) if m else FIXTURE_CHAPTER


# --- checks run after a cell ---------------------------------------------------------------------------------

def check_stats(drv: NotebookDriver, i: int, wait: float = 15.0) -> None:
    """The monitor shows data, then its counter or chart changes while its containers run.

    Read twice a few seconds apart after the first data arrived: with a visible sample counter
    (``.dkc-stats-count``) the counter must change; otherwise the chart's bytes must change.
    """
    snap = lambda: drv.page.evaluate(JS_STATS_SNAPSHOT, i)  # noqa: E731
    def has_data(s):
        if not s:
            return False
        if s["counter"] is not None:
            return bool(re.search(r"[1-9]", s["counter"]))
        return bool(s["charts"])

    try:
        first = drv.wait(lambda: has_data(s := snap()) and s, wait, f"cell {i}: the stats monitor shows no data",
                         interval=0.5)
    except TimeoutError as exc:
        shot = drv.shot(f"cell{i:03d}-dkc-stats-nodata", drv.cell_locator(i).locator(".dkc-stats").first)
        drv.report.problems.append(f"{exc}; screenshot {shot}")
        return
    key = "counter" if first["counter"] is not None else "charts"
    deadline = time.monotonic() + wait
    later = first
    def svg_changed(s) -> bool:  # no SVG chart (chart off, or the PNG chart): nothing to wait for
        return not first.get("svg") or bool(s and s.get("svg") and s["svg"]["lines"] and s["svg"] != first["svg"])

    while time.monotonic() < deadline:
        time.sleep(1.0)
        later = snap()
        if later and later[key] != first[key] and later[key] and svg_changed(later):
            break
    changed = bool(later and later[key] and later[key] != first[key])
    shot = drv.shot(f"cell{i:03d}-dkc-stats-later", drv.cell_locator(i).locator(".dkc-stats").first)
    drv.report.checks.setdefault("stats", []).append(
        {"cell": i, "by": key, "first": first[key], "later": later and later[key], "changed": changed,
         "numbers": later and later["numbers"], "svg": later and later.get("svg"),
         "svg_changed": bool(first.get("svg")) and svg_changed(later)})
    if not changed:
        drv.report.problems.append(f"cell {i}: the stats monitor's {key} did not change in {wait:.0f} s "
                                   f"({first[key]!r}); screenshot {shot}")


def engine_state(engine, name: str) -> dict | None:
    from docker.errors import NotFound

    try:
        c = engine.containers.get(name)
    except NotFound:
        return None
    return {"status": c.status, "labels": c.labels, "auto_remove": c.attrs["HostConfig"].get("AutoRemove")}


def wait_status(engine, name: str, wanted: set[str], timeout: float = 30) -> str | None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        st = engine_state(engine, name)
        status = st and st["status"]
        if status in wanted:
            return status
        time.sleep(0.3)
    return status


def click_panel(drv: NotebookDriver, i: int, row: dict, action: str) -> None:
    """Click the ``action`` button (``stop``, ``start``...) for one container of the panel in cell ``i``."""
    panel = drv.cell_locator(i).locator(".dkc-panel").first
    if row["mode"] == "row":
        panel.locator(f".dkc-row-{row['name']} .dkc-btn-{action}").first.click()
        return
    select = panel.locator("select").first
    select.select_option(row["name"])
    drv.page.wait_for_timeout(300)  # the widget model learns the choice over the comm
    panel.locator(f".dkc-btn-{action}").first.click()


def check_panel(drv: NotebookDriver, i: int, engine, chapter: int) -> bool:
    """Click 정지 for a running container of this chapter, ask the engine, then click 시작. True if done."""
    from dockhelpers.naming import CHAPTER_LABEL, chapter_id

    rows = drv.page.evaluate(JS_PANEL_ROWS, i)
    candidates = []
    for row in rows:
        st = engine_state(engine, row["name"])
        if (st and st["status"] == "running" and not st["auto_remove"] and row["hasStop"]
                and st["labels"].get(CHAPTER_LABEL) == chapter_id(chapter)):
            candidates.append(row)
    drv.report.checks.setdefault("panel_rows", []).append({"cell": i, "rows": rows,
                                                         "candidates": [r["name"] for r in candidates]})
    if not candidates:
        return False
    row = candidates[0]
    name = row["name"]
    panel = drv.cell_locator(i).locator(".dkc-panel").first
    drv.shot(f"cell{i:03d}-dkc-panel-before", panel)
    started = time.monotonic()
    click_panel(drv, i, row, "stop")
    status = wait_status(engine, name, {"exited"}, timeout=40)
    stop_s = time.monotonic() - started
    drv.page.wait_for_timeout(1000)  # let the panel refresh its table
    shot = drv.shot(f"cell{i:03d}-dkc-panel-after-stop", panel)
    result = {"cell": i, "container": name, "mode": row["mode"], "after_stop": status,
              "stop_seconds": round(stop_s, 1)}
    if status != "exited":
        drv.report.problems.append(f"cell {i}: clicked 정지 for {name}, the engine still says {status!r}; "
                                   f"screenshot {shot}")
    else:
        started = time.monotonic()
        click_panel(drv, i, row, "start")
        status = wait_status(engine, name, {"running"}, timeout=40)
        result.update(after_start=status, start_seconds=round(time.monotonic() - started, 1))
        if status != "running":
            drv.report.problems.append(f"cell {i}: clicked 시작 for {name}, the engine says {status!r}; "
                                       f"screenshot {shot}")
    drv.report.checks.setdefault("panel_click", []).append(result)
    return True


def check_korean_font(drv: NotebookDriver, scope: str, label: str, fontconfig: str) -> None:
    """Ask Chromium which platform fonts drew a Hangul text node; a Nanum font must draw its Hangul."""
    with drv.report.phase("korean-font"):
        marked = drv.page.evaluate(JS_MARK_HANGUL, scope)
        if not marked:
            drv.report.problems.append(f"{label}: no visible Korean text found in {scope}")
            return
        cdp = drv.page.context.new_cdp_session(drv.page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            doc = cdp.send("DOM.getDocument", {"depth": 0})
            node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "[data-dkc-ko]"})
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        finally:
            cdp.detach()
        hangul = len(HANGUL.findall(marked["text"]))
        nanum = sum(f["glyphCount"] for f in fonts if "nanum" in f["familyName"].lower())
        drv.report.checks.setdefault("korean_font", []).append(
            {"where": label, "css_font_family": marked["family"], "hangul_chars": hangul,
             "platform_fonts": [(f["familyName"], f["glyphCount"]) for f in fonts], "fontconfig_ko": fontconfig})
        if hangul == 0 or nanum < hangul:
            shot = drv.shot(f"korean-font-{label}")
            drv.report.problems.append(
                f"{label}: {hangul} Hangul characters but only {nanum} glyphs from a Nanum font "
                f"(platform fonts {fonts}); screenshot {shot}")


# --- the run ---------------------------------------------------------------------------------------------------

def run_notebook(page, lab, engine, rel: str, chapter: int, fontconfig: str, live: bool = True) -> NotebookDriver:
    """Open and run one notebook; an unexpected exception fails the test naming a screenshot.

    ``live=False`` (a replayed recording): no engine to check the panel's clicks or the stats monitor against.
    """
    shots = BUILD / pathlib.Path(rel).stem
    for old in [*shots.glob("*.png"), *shots.glob("*.json")]:
        old.unlink()
    drv = NotebookDriver(page, lab, rel, shots)
    started = time.monotonic()
    try:
        return _run(drv, page, lab, engine, chapter, fontconfig, started, live)
    except Exception as exc:
        shot = drv.shot("zz-exception")
        drv.report.seconds = time.monotonic() - started
        drv.report.problems.append(f"{type(exc).__name__}: {str(exc)[:1500]}; screenshot {shot}")
        lab.shutdown_kernels()
        record(drv)
        pytest.fail("\n".join([summary(drv)] + drv.report.problems), pytrace=False)


def _run(drv: NotebookDriver, page, lab, engine, chapter: int, fontconfig: str, started: float,
         live: bool = True) -> NotebookDriver:
    with drv.report.phase("open"):
        drv.open(timeout=300)
        page.evaluate(JS_INSTALL_REPLY_HOOK)
    state = drv.state()
    figures = 0
    check_korean_font(drv, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown", "markdown", fontconfig)
    for i, c in enumerate(state["cells"]):
        if c["type"] != "code":
            continue
        info = drv.cell(i)
        if not info["source"].strip():
            continue
        replies_before = page.evaluate("() => window.__dkcReplies.length")
        # The first code cell with the mouse (its prompt, then the toolbar's run button), the rest with keys.
        result = drv.run_cell(i, CELL_TIMEOUT, click=not drv.report.cells)
        drv.report.cells.append(result)
        replies = page.evaluate("(n) => window.__dkcReplies.slice(n)", replies_before)
        info = result.info
        expected_error = "raises-exception" in info["tags"]
        failed = [r for r in replies if r["status"] != "ok"]
        errors = [o for o in info["outputs"] if o["type"] == "error"]
        if (failed or errors) and not expected_error:
            shot = drv.shot(f"cell{i:03d}-error", drv.cell_locator(i))
            what = (errors[0]["ename"] + ": " + errors[0]["evalue"]) if errors else \
                (failed[0]["ename"] or "") + " " + " | ".join(o["text"] for o in info["outputs"])[:400]
            drv.report.problems.append(f"cell {i} failed ({what.strip()}); screenshot {shot}; source: "
                                       f"{info['source'][:120]!r}")
            break  # like Run All: stop at the first failing cell
        if any(o["widget"] for o in info["outputs"]):
            with drv.report.phase("widgets"):
                info = drv.wait_widgets_rendered(i)
            wanted = sum(o["widget"] for o in info["outputs"])
            if info["broken"] or info["widgetViews"] == 0:
                shot = drv.shot(f"cell{i:03d}-widget-broken", drv.cell_locator(i))
                drv.report.problems.append(
                    f"cell {i}: {wanted} widget output(s) but {info['broken'] or 'no rendered view'}; "
                    f"screenshot {shot}")
        for cls in info["courseWidgets"]:
            drv.shot(f"cell{i:03d}-{cls}", drv.cell_locator(i).locator(f".{cls}").first)
        other = [kind for kind in ("widget", "figure") if any(o[kind] for o in info["outputs"])]
        if other and not info["courseWidgets"] and figures < MAX_OTHER_SHOTS:
            figures += 1
            drv.shot(f"cell{i:03d}-{other[0]}", drv.cell_locator(i).locator(".jp-OutputArea").first)
        if live and "dkc-stats" in info["courseWidgets"]:
            with drv.report.phase("stats"):
                check_stats(drv, i)
        if live and "dkc-panel" in info["courseWidgets"] and not drv.report.checks.get("panel_click"):
            with drv.report.phase("panel"):
                check_panel(drv, i, engine, chapter)
    # The whole notebook once more: nothing broken left anywhere (also widgets re-rendered meanwhile).
    broken = page.evaluate(JS_BROKEN_ANYWHERE)
    if broken:
        shot = drv.shot("broken-widgets")
        drv.report.problems.append(f"widgets not rendered at the end: {broken}; screenshot {shot}")
    if any(c["courseWidgets"] for c in (r.info for r in drv.report.cells)):
        check_korean_font(drv, ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea .widget-button, "
                               ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea [class*='dkc-']",
                          "widget", fontconfig)
    drv.shot("zz-end")
    drv.report.seconds = time.monotonic() - started
    lab.shutdown_kernels()
    record(drv)
    return drv


def record(drv: NotebookDriver) -> None:
    """Keep a per-notebook JSON report next to the screenshots (timings, checks, problems)."""
    rep = drv.report
    data = {"notebook": rep.notebook, "seconds": round(rep.seconds, 1), "phases": rep.phases, "ran_by": rep.ran_by,
            "cells_seconds": round(sum(c.seconds for c in rep.cells), 1), "problems": rep.problems,
            "screenshots": rep.screenshots, "checks": rep.checks, "browser_console_errors": drv.console_errors,
            "cells": [{"index": c.index, "seconds": round(c.seconds, 2)} for c in rep.cells]}
    (drv.shots / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def summary(drv: NotebookDriver) -> str:
    rep = drv.report
    return (f"{rep.notebook}: {rep.seconds:.0f} s, {len(rep.cells)} code cells, "
            f"{len(rep.screenshots)} screenshots in {drv.shots}")


def assert_clean(drv: NotebookDriver) -> None:
    print(summary(drv))
    if drv.report.problems:
        pytest.fail("\n".join([summary(drv)] + drv.report.problems), pytrace=False)


# --- tests -------------------------------------------------------------------------------------------------------

@pytest.mark.ui
def test_chromium_present():
    require_chromium()


@pytest.mark.ui
@pytest.mark.engine
@pytest.mark.timeout(600)
def test_fixture_widgets(page, lab, engine, fontconfig_korean, request):
    """The harness itself on a small notebook that shows every course widget; all checks must happen."""
    from dockhelpers.cleanup import cleanup

    # The notebook cleans up after itself; this also covers a run that failed half-way.
    request.addfinalizer(lambda: cleanup(chapter=FIXTURE_CHAPTER, quiet=True))
    drv = run_notebook(page, lab, engine, "_ui_fixtures/ui_widgets.ipynb", FIXTURE_CHAPTER, fontconfig_korean)
    assert_clean(drv)
    checks = drv.report.checks
    assert checks.get("panel_click"), f"the panel click test did not run: {checks.get('panel_rows')}"
    assert checks.get("stats"), "the stats monitor was not found"
    # The default chart is SVG drawn by the browser: one CPU and one memory line, redrawn as samples arrive.
    assert any(c["svg_changed"] and c["svg"]["lines"] == 2 for c in checks["stats"]), checks["stats"]
    assert len(checks.get("korean_font", [])) == 2, checks.get("korean_font")
    # Both ways a learner runs a cell: the toolbar's button (a click) and Shift+Enter (keys), every cell run once.
    assert drv.report.ran_by.get("clicks") and drv.report.ran_by.get("keys"), drv.report.ran_by
    assert sum(drv.report.ran_by.values()) == len(drv.report.cells)


@pytest.mark.ui
@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_notebook_in_browser(page, lab, engine, fontconfig_korean, path: pathlib.Path):
    """The notebook's second run (the first is tests/test_notebooks.py, headless, with no cleanup between)."""
    before = snapshot(engine)
    drv = run_notebook(page, lab, engine, path.name, chapter_of(path), fontconfig_korean)
    assert_clean(drv)
    strays = unlabelled_new(engine, before)
    assert not strays, f"{path.name} left resources without the course label: {strays}"
    source = path.read_text(encoding="utf-8")
    if re.search(r"container_panel\(|ContainerPanel\(", source):
        assert drv.report.checks.get("panel_click"), \
            f"{path.name} shows a container panel but no running chapter container could be clicked: " \
            f"{drv.report.checks.get('panel_rows')}"
    if re.search(r"stats_monitor\(|StatsMonitor\(", source):
        assert drv.report.checks.get("stats"), f"{path.name} uses stats_monitor but none was seen"
