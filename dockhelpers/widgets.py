"""Interactive views for the notebooks: container panel, image table, live stats monitor.

Views only: every action calls a helper of :mod:`dockhelpers.containers` / :mod:`dockhelpers.images` /
:mod:`dockhelpers.stats`, and the view shows the equivalent ``docker ...`` command above its result, so
the learner sees what each click does. Each class *is* a widget (an ``ipywidgets.VBox``); the notebook
shows it as the last expression of a cell (the views never call ``display`` themselves).

The live :class:`StatsMonitor` updates its widgets from one background thread that ends on
:meth:`StatsMonitor.stop`, on :meth:`close`, or by itself after ``max_seconds``.

The :class:`LifecycleDiagram` follows one container through the engine's event stream (one thread,
closed by :meth:`LifecycleDiagram.stop`); its logic (:func:`lifecycle_node`, :func:`lifecycle_edge`,
:func:`lifecycle_svg`) is pure and tested without widgets.

Convenience constructors: :func:`container_panel`, :func:`image_table`, :func:`stats_monitor` (names or
a chapter number), :func:`lifecycle_diagram`.

CSS classes for the browser tests and for styling: ``dkc-panel`` (buttons ``dkc-btn-<action>``),
``dkc-images``, ``dkc-stats`` (its visible sample counter ``dkc-stats-count``, buttons ``dkc-btn-start``,
``dkc-btn-pause``, ``dkc-btn-resume``, ``dkc-btn-stop``), ``dkc-lifecycle`` (nodes ``dkc-node`` with
``data-state``, the current one ``dkc-node-active``).

Importing this module imports ipywidgets; ``import dockhelpers`` alone does not.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import pathlib
import threading
import time
from typing import Any, Callable, Sequence

import ipywidgets as W

from dockhelpers.errors import CourseError, translate

_TABLE_CSS = (
    "<style>.dkc-table table{border-collapse:collapse;font-size:12px}"
    ".dkc-table th,.dkc-table td{padding:2px 10px;text-align:left !important;border-bottom:1px solid #ddd;"
    "font-family:var(--jp-code-font-family,monospace);white-space:nowrap}"
    ".dkc-table th{background:#f3f3f3}</style>"
)


def command_html(lines: Sequence[str]) -> str:
    """HTML for the commands a view ran (``$ docker ...`` lines in a code block)."""
    if not lines:
        return ""
    body = html.escape("\n".join(lines))
    return ("<div style='font-size:12px;color:#555'>실행한 명령:</div>"
            f"<pre style='margin:2px 0;padding:4px 8px;background:#f6f8fa;border-radius:4px'>{body}</pre>")


def message_html(text: str, ok: bool = True) -> str:
    """A short Korean status message (green for success, red for an error)."""
    color = "#1a7f37" if ok else "#cf222e"
    return f"<div style='color:{color};white-space:pre-wrap'>{html.escape(text)}</div>"


def table_html(df: Any, empty: str = "표시할 항목이 없습니다.") -> str:
    """A DataFrame as a compact HTML table (escaped), or an empty-state message."""
    if df is None or len(df) == 0:
        return f"<div style='color:#666'>{html.escape(empty)}</div>"
    return _TABLE_CSS + f"<div class='dkc-table'>{df.to_html(index=False, border=0, escape=True)}</div>"


def run_captured(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str], CourseError | None]:
    """Call a helper, capturing what it prints (its ``$ docker ...`` line) instead of losing it.

    Returns:
        (return value or None, the printed lines, the Korean error or None).
    """
    buf = io.StringIO()
    error: CourseError | None = None
    result = None
    with contextlib.redirect_stdout(buf):
        try:
            result = fn(*args, **kwargs)
        except CourseError as exc:
            error = exc
        except Exception as exc:  # an SDK error a helper did not translate
            error = translate(exc)
    return result, [line for line in buf.getvalue().splitlines() if line.strip()], error


def _button(label: str, icon: str = "", style: str = "", tooltip: str = "") -> W.Button:
    return W.Button(description=label, icon=icon, button_style=style, tooltip=tooltip or label,
                    layout=W.Layout(width="auto"))


class ContainerPanel(W.VBox):
    """The course's containers in a table, with buttons for the lifecycle commands.

    Only containers carrying the course label (of one chapter when ``chapter`` is given) are listed, so
    the panel cannot touch anything the course did not create.

    CLI equivalents: ``docker container ls -a --filter label=...``, ``start``, ``stop``, ``restart``,
    ``rm [-f]``, ``logs --tail N``.

    Args:
        chapter: Only this chapter's containers (all of the course's when None).
        tail: Lines shown by 로그 보기.
    """

    def __init__(self, chapter: int | str | None = None, tail: int = 30) -> None:
        self.chapter = chapter
        self.tail = tail
        self.table = W.HTML()
        self.select = W.Dropdown(description="컨테이너", options=[], layout=W.Layout(width="320px"))
        self.force = W.Checkbox(value=False, description="강제 삭제(-f)", indent=False,
                                layout=W.Layout(width="auto"))
        self.buttons = {
            "refresh": _button("새로 고침", "refresh", tooltip="docker container ls -a"),
            "start": _button("시작", "play", tooltip="docker container start"),
            "stop": _button("정지", "stop", tooltip="docker container stop"),
            "restart": _button("재시작", "repeat", tooltip="docker container restart"),
            "rm": _button("삭제", "trash", "danger", tooltip="docker container rm"),
            "logs": _button("로그 보기", "file-text", tooltip="docker container logs"),
        }
        self.command = W.HTML()
        self.message = W.HTML()
        self.output = W.HTML()
        for key, button in self.buttons.items():
            button.on_click(lambda _b, key=key: self.act(key))
            button.add_class(f"dkc-btn-{key}")  # stable selectors for the browser tests (tests/ui)
        super().__init__([
            W.HTML("<b>컨테이너 패널</b> (과정이 만든 컨테이너만 표시합니다)"),
            self.table,
            W.HBox([self.select, self.force]),
            W.HBox(list(self.buttons.values())),
            self.command, self.message, self.output,
        ])
        self.add_class("dkc-panel")
        self.refresh()

    @property
    def names(self) -> list[str]:
        """Names currently listed."""
        return list(self.select.options)

    def refresh(self, commands: list[str] | None = None) -> None:
        """Reload the list (``docker container ls -a --filter label=...``)."""
        from dockhelpers import containers

        df, lines, error = run_captured(containers.ls, self.chapter)
        commands = [*(commands or []), *lines]
        self.command.value = command_html(commands)
        if error:
            self.message.value = message_html(str(error), ok=False)
            return
        self.table.value = table_html(df, "과정이 만든 컨테이너가 없습니다.")
        current = self.select.value
        names = list(df["이름"]) if df is not None else []
        self.select.options = names
        self.select.value = current if current in names else (names[0] if names else None)

    def act(self, action: str) -> None:
        """Run one button's action on the selected container and show its command and result."""
        from dockhelpers import containers

        if action == "refresh":
            self.message.value = ""
            self.refresh()
            return
        name = self.select.value
        if not name or name not in self.names:
            self.message.value = message_html("먼저 컨테이너를 고르세요.", ok=False)
            return
        calls: dict[str, tuple[Callable[..., Any], dict[str, Any], str]] = {
            "start": (containers.start, {}, "시작했습니다"),
            "stop": (containers.stop, {}, "정지했습니다"),
            "restart": (containers.restart, {}, "재시작했습니다"),
            "rm": (containers.rm, {"force": self.force.value}, "삭제했습니다"),
            "logs": (containers.logs, {"tail": self.tail}, "로그를 가져왔습니다"),
        }
        fn, kwargs, done = calls[action]
        result, lines, error = run_captured(fn, name, **kwargs)
        if error:
            self.message.value = message_html(f"{error.message}\n해결 방법: {error.hint}", ok=False)
        else:
            self.message.value = message_html(f"`{name}` 컨테이너를 {done}.")
        self.output.value = (
            f"<pre style='max-height:240px;overflow:auto;font-size:12px'>{html.escape(result or '(출력 없음)')}</pre>"
            if action == "logs" and not error else ""
        )
        if action == "logs":
            self.command.value = command_html(lines)
        else:
            self.refresh(lines)


class ImageTable(W.VBox):
    """The engine's images as a table, with a size chart.

    CLI equivalent: ``docker image ls [--filter label=...]``.

    Args:
        chapter: Only this chapter's images.
        course_only: Only images built by the course (the checkbox 모든 이미지 shows all of them).
        chart: Show a bar chart of the sizes under the table.
    """

    def __init__(self, chapter: int | str | None = None, course_only: bool = True, chart: bool = True) -> None:
        self.chapter = chapter
        self.chart = chart
        self.table = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(max_width="760px"))
        self.show_all = W.Checkbox(value=not course_only, description="모든 이미지", indent=False,
                                   layout=W.Layout(width="auto"))
        self.refresh_button = _button("새로 고침", "refresh", tooltip="docker image ls")
        self.command = W.HTML()
        self.message = W.HTML()
        self.frame = None
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.show_all.observe(lambda _c: self.refresh(), names="value")
        super().__init__([W.HTML("<b>이미지 목록</b>"), W.HBox([self.refresh_button, self.show_all]),
                          self.command, self.message, self.table, self.image])
        self.add_class("dkc-images")
        self.refresh()

    def refresh(self) -> None:
        """Reload the table and the chart."""
        from dockhelpers import images, plots

        chapter = None if self.show_all.value else self.chapter
        df, lines, error = run_captured(images.ls, chapter, course_only=not self.show_all.value)
        self.command.value = command_html(lines)
        if error:
            self.message.value = message_html(str(error), ok=False)
            return
        self.message.value = ""
        self.frame = df
        self.table.value = table_html(df, "이미지가 없습니다. 먼저 `docker image build`로 이미지를 만드세요.")
        named = df[df["저장소(REPOSITORY)"] != "<none>"] if df is not None else None
        if self.chart and named is not None and len(named):
            self.image.value = plots.png(plots.image_sizes_figure(named))
            self.image.layout.display = None
        else:
            self.image.layout.display = "none"


class StatsMonitor(W.VBox):
    """Live ``docker container stats`` for some containers: a CLI-like table and a chart over time.

    One :class:`~dockhelpers.stats.StatsSampler` (a stream per container) feeds the data; one background
    thread refreshes the table every ``interval`` seconds and the chart every ``chart_every`` seconds,
    and stops by itself after ``max_seconds`` so a forgotten monitor does not keep using CPU.

    Buttons: 시작 (start), 일시정지 (pause), 계속 (resume), 정지 (stop).

    - 일시정지 freezes the view (table, counter, chart) so it can be read, while the streams stay open and
      keep collecting: nothing is lost, :meth:`to_dataframe` still grows, and 계속 shows the latest
      figures at once with no gap in the chart. The ``max_seconds`` limit keeps counting while paused.
    - 정지 closes the streams (Ctrl+C in a terminal); 시작 opens them again.

    The monitor's own cost is kept low: the table is rebuilt only when new samples arrived, and the
    chart (the expensive part) is redrawn in place (:class:`~dockhelpers.plots.LiveStatsChart`) only
    every ``chart_every`` seconds. ``benchmarks/stats_monitor.py`` measures it (10 containers, 1 Hz).

    CLI equivalent: ``docker container stats NAME...`` (정지 is Ctrl+C).

    Args:
        containers: Names, IDs or SDK containers.
        interval: Seconds between table refreshes.
        chart: Draw CPU and memory over time.
        chart_every: Seconds between chart redraws (drawing costs CPU).
        history: Samples kept per container.
        max_seconds: Stop by itself after this long (None: never).
        autostart: Start at once.
    """

    def __init__(self, containers: Sequence[Any], interval: float = 1.0, chart: bool = True,
                 chart_every: float = 5.0, history: int = 300, max_seconds: float | None = 300,
                 autostart: bool = True) -> None:
        from dockhelpers import stats

        self.sampler = stats.StatsSampler(containers, history=history)
        self.interval = interval
        self.chart = chart
        self.chart_every = chart_every
        self.max_seconds = max_seconds
        self.table = W.HTML(table_html(None, "시작을 누르면 값이 나타납니다."))
        self.image = W.Image(format="png", layout=W.Layout(max_width="800px",
                                                           display=None if chart else "none"))
        self.status = W.HTML()
        self.counter = W.HTML("받은 표본: 0개")
        self.counter.add_class("dkc-stats-count")
        self.start_button = _button("시작", "play", "success", tooltip=self.sampler.command())
        self.pause_button = _button("일시정지", "pause", tooltip="화면만 멈춥니다 (수집은 계속합니다)")
        self.resume_button = _button("계속", "step-forward", tooltip="멈춘 화면을 다시 갱신합니다")
        self.stop_button = _button("정지", "stop", tooltip="Ctrl+C")
        self.command = W.HTML()
        self.updates = 0
        self.charts = 0
        self._chart = None  # plots.LiveStatsChart, made on first use (imports matplotlib)
        self._shown = -1  # samples received when the table was last rebuilt
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._view_lock = threading.Lock()  # pause/resume wait for a refresh in progress to finish
        self.start_button.on_click(lambda _b: self.start())
        self.pause_button.on_click(lambda _b: self.pause())
        self.resume_button.on_click(lambda _b: self.resume())
        self.stop_button.on_click(lambda _b: self.stop())
        super().__init__([W.HTML("<b>실시간 리소스 모니터</b> (docker container stats)"),
                          W.HBox([self.start_button, self.pause_button, self.resume_button, self.stop_button,
                                  self.counter]),
                          self.command, self.status, self.table, self.image])
        self.add_class("dkc-stats")
        self.start_button.add_class("dkc-btn-start")
        self.pause_button.add_class("dkc-btn-pause")
        self.resume_button.add_class("dkc-btn-resume")
        self.stop_button.add_class("dkc-btn-stop")
        self._buttons(running=False)
        if autostart:
            self.start()

    @property
    def running(self) -> bool:
        """Whether the update thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        """Whether the view is frozen by 일시정지 (the streams keep collecting)."""
        return self._paused.is_set()

    def _buttons(self, running: bool) -> None:
        paused = self._paused.is_set()
        self.start_button.disabled = running
        self.stop_button.disabled = not running
        self.pause_button.disabled = not running or paused
        self.resume_button.disabled = not running or not paused

    def start(self) -> None:
        """Open the streams and start refreshing (``docker container stats NAME...``)."""
        if self.running:
            return
        self.command.value = command_html([f"$ {self.sampler.command()}"])
        self.sampler.start()
        self._stop.clear()
        self._paused.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="dockhelpers-stats-monitor")
        self._thread.start()
        self._buttons(running=True)
        self.status.value = message_html("수집 중입니다. 첫 값은 약 2초 뒤에 나타납니다.")

    def pause(self) -> None:
        """Freeze the view; the streams stay open and keep collecting (:meth:`resume` shows the latest)."""
        if not self.running or self._paused.is_set():
            return
        with self._view_lock:
            self._paused.set()
        self._buttons(running=True)
        self.status.value = message_html(
            f"일시정지: 화면을 멈췄습니다. 수집은 계속합니다 (지금까지 {self.samples}개). 다시 보려면 계속을 누르세요.")

    def resume(self) -> None:
        """Refresh the view again, at once with everything collected while paused."""
        if not self._paused.is_set():
            return
        with self._view_lock:
            self._paused.clear()
            if self.running:
                self._render()
        if self.running:
            self._buttons(running=True)
            self.status.value = message_html("수집 중")

    def stop(self, reason: str = "정지했습니다 (터미널에서 Ctrl+C를 누른 것과 같습니다).") -> None:
        """Stop refreshing and close the streams."""
        if not hasattr(self, "_stop"):  # construction failed (e.g. unknown container): nothing runs
            return
        was_running = self.running or self.sampler.running
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self.sampler.stop()
        self._paused.clear()
        if was_running:
            self._render()
        self._buttons(running=False)
        self.status.value = message_html(reason)

    def close(self) -> None:
        """Stop and remove the widget from the page."""
        if hasattr(self, "_stop"):
            self.stop()
        super().close()

    @property
    def samples(self) -> int:
        """Samples received so far (all containers together)."""
        return self.sampler.received()

    def frame(self):
        """Everything collected so far as tidy rows (a DataFrame for further analysis)."""
        return self.sampler.frame()

    def to_dataframe(self):
        """Alias of :meth:`frame`: the collected rows as a DataFrame (columns of ``stats.COLUMNS``)."""
        return self.frame()

    def to_csv(self, path: str | os.PathLike, korean: bool = False) -> pathlib.Path:
        """Write the collected rows to a CSV file (UTF-8) and return its path.

        Args:
            path: File to write (its folder must exist).
            korean: Korean column headers (written with a BOM so that spreadsheet programs read them).

        Returns:
            The path written.
        """
        from dockhelpers import stats

        df = self.frame()
        target = pathlib.Path(path)
        if korean:
            stats.korean(df).to_csv(target, index=False, encoding="utf-8-sig")
        else:
            df.to_csv(target, index=False, encoding="utf-8")
        return target

    def _refresh_table(self, force: bool = False) -> bool:
        """Rebuild the table and the counter if new samples arrived (or ``force``); True if rebuilt."""
        received = self.samples
        if not force and received == self._shown:
            return False
        self._shown = received
        self.table.value = table_html(self.sampler.table())
        self.counter.value = f"받은 표본: {received}개"
        self.updates += 1
        return True

    def _draw_chart(self) -> None:
        from dockhelpers import plots

        if self._chart is None:
            self._chart = plots.LiveStatsChart()
        self.image.value = self._chart.png(self.sampler.frame())
        self.charts += 1

    def _render(self) -> None:
        self._refresh_table(force=True)
        if self.chart:
            self._draw_chart()

    def _loop(self) -> None:
        started = time.monotonic()
        last_chart = 0.0
        try:
            while not self._stop.wait(self.interval):
                now = time.monotonic()
                if self.max_seconds is not None and now - started >= self.max_seconds:
                    self.sampler.stop()
                    self._paused.clear()
                    self._buttons(running=False)
                    self.status.value = message_html(
                        f"{self.max_seconds:g}초가 지나 자동으로 멈췄습니다. 다시 보려면 시작을 누르세요.")
                    return
                with self._view_lock:
                    if self._paused.is_set():
                        continue
                    self._refresh_table()
                    states = self.sampler.state()
                    notes = [f"{n}: {s}" for n, s in states.items() if s != "실행 중"]
                    # Setting an unchanged value sends nothing to the browser (traitlets compare first).
                    self.status.value = message_html("수집 중" + (f" ({', '.join(notes)})" if notes else ""),
                                                     ok=not any("오류" in s for s in notes))
                    if self.chart and now - last_chart >= self.chart_every and self.samples:
                        self._draw_chart()
                        last_chart = now
        except Exception as exc:  # never die silently in a background thread
            self.status.value = message_html(f"모니터가 멈췄습니다: {exc}", ok=False)


# ---------------------------------------------------------------------------------------------------------
# Container lifecycle diagram
# ---------------------------------------------------------------------------------------------------------

#: Lifecycle states drawn by :class:`LifecycleDiagram`, with their Korean labels.
LIFECYCLE_STATES = {
    "created": "생성됨",
    "running": "실행 중",
    "paused": "일시정지",
    "exited": "정지",
    "removed": "파기",
}

#: Transitions (from, to) -> the CLI command that causes them.
LIFECYCLE_EDGES: dict[tuple[str, str], str] = {
    ("created", "running"): "start",
    ("running", "paused"): "pause",
    ("paused", "running"): "unpause",
    ("running", "exited"): "stop / kill",
    ("exited", "running"): "start / restart",
    ("running", "running"): "restart",
    ("created", "removed"): "rm",
    ("exited", "removed"): "rm",
    ("running", "removed"): "rm -f",
}

#: Engine state (``docker container inspect``'s ``State.Status``) -> node of the diagram.
_STATE_NODES = {
    "created": "created", "running": "running", "restarting": "running", "paused": "paused",
    "exited": "exited", "dead": "exited", "removing": "removed",
}

#: Container event (``docker events``' action) -> node, for when the engine state is not known.
_EVENT_NODES = {
    "create": "created", "start": "running", "restart": "running", "unpause": "running", "pause": "paused",
    "die": "exited", "stop": "exited", "oom": "exited", "destroy": "removed",
}

#: Events that can change the lifecycle state (others, e.g. exec_start or attach, are ignored).
LIFECYCLE_EVENTS = frozenset({*_EVENT_NODES, "kill"})


def lifecycle_node(state: str | None, last_event: str | None = None) -> str:
    """The diagram node to highlight for an engine state and the last container event.

    Args:
        state: ``State.Status`` from ``docker container inspect`` (created, running, paused, restarting,
            removing, exited, dead), or None when the container does not exist (not created yet, or
            removed).
        last_event: Action of the last container event seen (create, start, die, stop, destroy, ...).

    Returns:
        One of the keys of :data:`LIFECYCLE_STATES`. A container that does not exist is 파기 whatever
        the event (events can arrive after the removal they precede, e.g. a late ``stop``), and
        ``destroy`` wins over a stale state (the inspect may have raced the removal). An unknown state
        string falls back to the event's node.
    """
    event = (last_event or "").split(":", 1)[0].strip()
    if event == "destroy" or state is None:
        return "removed"
    return _STATE_NODES.get(state) or _EVENT_NODES.get(event, "exited")


def lifecycle_edge(previous: str | None, node: str, last_event: str | None = None) -> tuple[str, str] | None:
    """The transition to highlight when the diagram moves from ``previous`` to ``node``.

    ``restart`` on a running container is the self-loop on 실행 중; any other move is the edge between
    the two nodes if the diagram has one (None otherwise, e.g. the first state shown).
    """
    event = (last_event or "").split(":", 1)[0].strip()
    if event == "restart" and node == "running":
        return ("running", "running")
    if previous is None or previous == node:
        return None
    return (previous, node) if (previous, node) in LIFECYCLE_EDGES else None


_NODE_POS = {"created": (110, 70), "running": (350, 70), "paused": (590, 70), "exited": (350, 220),
             "removed": (110, 220)}
_NODE_W, _NODE_H = 150, 46


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from a node's centre towards (tx, ty) leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((_NODE_W / 2 + 4) / abs(dx) if dx else float("inf"),
                (_NODE_H / 2 + 4) / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def lifecycle_svg(node: str | None, edge: tuple[str, str] | None = None) -> str:
    """The lifecycle diagram as an SVG string, with ``node`` and ``edge`` highlighted.

    Each state is a ``<g class="dkc-node" data-state="...">``; the highlighted one also has the class
    ``dkc-node-active`` (and the highlighted transition ``dkc-edge-active``).
    """
    active, normal = "#2b7bba", "#9aa4ad"
    hot = "#e8590c"
    parts = [
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 700 285' width='700' height='285' "
        "style='max-width:100%;font-family:var(--jp-ui-font-family,sans-serif)' role='img' "
        "aria-label='컨테이너 생명주기'>",
        "<defs>",
        f"<marker id='dkc-arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{normal}'/></marker>",
        f"<marker id='dkc-arrow-hot' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{hot}'/></marker>",
        "</defs>",
    ]
    # Entry: docker create / docker run.
    cx, cy = _NODE_POS["created"]
    parts.append(f"<line x1='{cx}' y1='8' x2='{cx}' y2='{cy - _NODE_H / 2 - 3}' stroke='{normal}' "
                 "stroke-width='1.5' marker-end='url(#dkc-arrow)'/>")
    parts.append(f"<text x='{cx + 8}' y='20' font-size='12' fill='#333'>create (run = create + start)</text>")
    pairs = {frozenset(k) for k in LIFECYCLE_EDGES if k[0] != k[1] and (k[1], k[0]) in LIFECYCLE_EDGES}
    for (src, dst), label in LIFECYCLE_EDGES.items():
        is_hot = edge == (src, dst)
        color, width = (hot, 3) if is_hot else (normal, 1.5)
        marker = "dkc-arrow-hot" if is_hot else "dkc-arrow"
        css = "dkc-edge dkc-edge-active" if is_hot else "dkc-edge"
        data = f"data-edge='{src}-{dst}'"
        if src == dst:  # restart: a loop above the node
            x, y = _NODE_POS[src]
            top = y - _NODE_H / 2
            parts.append(f"<path class='{css}' {data} d='M{x - 30},{top} C{x - 30},{top - 40} {x + 30},"
                         f"{top - 40} {x + 30},{top - 3}' fill='none' stroke='{color}' stroke-width='{width}' "
                         f"marker-end='url(#{marker})'/>")
            parts.append(f"<text x='{x + 36}' y='{top - 22}' font-size='12' fill='{color}'>{label}</text>")
            continue
        (x1, y1), (x2, y2) = _NODE_POS[src], _NODE_POS[dst]
        ox = oy = 0.0
        if frozenset((src, dst)) in pairs:  # two directions: draw them side by side
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            ox, oy = -(y2 - y1) / length * 8, (x2 - x1) / length * 8
        sx, sy = _clip(x1 + ox, y1 + oy, x2 + ox, y2 + oy)
        ex, ey = _clip(x2 + ox, y2 + oy, x1 + ox, y1 + oy)
        parts.append(f"<line class='{css}' {data} x1='{sx:.1f}' y1='{sy:.1f}' x2='{ex:.1f}' y2='{ey:.1f}' "
                     f"stroke='{color}' stroke-width='{width}' marker-end='url(#{marker})'/>")
        if ox or oy:  # the label goes on the outer side of its own line of the pair
            px, py = ox / 8, oy / 8
        else:  # a single line: the label goes beside it, above or to the left
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            px, py = -(y2 - y1) / length, (x2 - x1) / length
            if py > 0 or (py == 0 and px > 0):
                px, py = -px, -py
        mx, my = (sx + ex) / 2 + px * 10, (sy + ey) / 2 + py * 10
        anchor = "middle" if abs(px) < 0.5 else ("start" if px > 0 else "end")
        parts.append(f"<text x='{mx:.1f}' y='{my + 4:.1f}' font-size='12' text-anchor='{anchor}' "
                     f"fill='{color}'>{label}</text>")
    for key, korean in LIFECYCLE_STATES.items():
        x, y = _NODE_POS[key]
        on = key == node
        css = "dkc-node dkc-node-active" if on else "dkc-node"
        fill, stroke, text = (active, active, "#fff") if on else ("#f3f5f7", normal, "#333")
        parts.append(f"<g class='{css}' data-state='{key}'>"
                     f"<rect x='{x - _NODE_W / 2}' y='{y - _NODE_H / 2}' width='{_NODE_W}' height='{_NODE_H}' "
                     f"rx='10' fill='{fill}' stroke='{stroke}' stroke-width='{3 if on else 1.5}'/>"
                     f"<text x='{x}' y='{y - 3}' text-anchor='middle' font-size='14' font-weight='bold' "
                     f"fill='{text}'>{korean}</text>"
                     f"<text x='{x}' y='{y + 14}' text-anchor='middle' font-size='11' fill='{text}'>{key}</text>"
                     "</g>")
    parts.append("</svg>")
    return "".join(parts)


def _inspect_state(name: str) -> str | None:
    """``State.Status`` of a container, or None when it does not exist."""
    from docker.errors import NotFound as SDKNotFound

    from dockhelpers import engine

    try:
        return engine.client().api.inspect_container(name)["State"]["Status"]
    except SDKNotFound:
        return None


class LifecycleDiagram(W.VBox):
    """The container lifecycle (생성됨, 실행 중, 일시정지, 정지, 파기) with one real container's state lit.

    One background thread reads the engine's event stream for that container
    (``docker events --filter type=container --filter container=NAME``); after each lifecycle event
    it asks the engine for the container's state, and the diagram moves to it, lighting the transition
    that was taken. A container that does not exist (not created yet, or removed) is shown as 파기; when
    it is created later under the same name, the diagram follows it. :meth:`stop` (or :meth:`close`)
    closes the event stream and ends the thread.

    CLI equivalents: ``docker events --filter container=NAME`` and ``docker container inspect
    --format '{{.State.Status}}' NAME``.

    Args:
        name: Container name (or ID) to follow.
        autostart: Start following at once.
        keep: Events listed under the diagram.
    """

    def __init__(self, name: str, autostart: bool = True, keep: int = 6) -> None:
        self.name = name
        self.keep = keep
        self.state: str = "removed"
        self.edge: tuple[str, str] | None = None
        self.engine_state: str | None = None
        self.last_event: str | None = None
        self.events: list[str] = []
        self.svg = W.HTML()
        self.caption = W.HTML()
        self.event_log = W.HTML()
        self.command = W.HTML(command_html([
            f"$ docker events --filter type=container --filter container={name}",
            f"$ docker container inspect --format '{{{{.State.Status}}}}' {name}",
        ]))
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stream: Any = None
        self._lock = threading.Lock()
        super().__init__([W.HTML(f"<b>컨테이너 생명주기</b>: <code>{html.escape(name)}</code>"),
                          self.svg, self.caption, self.command, self.event_log])
        self.add_class("dkc-lifecycle")
        self._show(_inspect_state(name), None)
        if autostart:
            self.start()

    @property
    def running(self) -> bool:
        """Whether the event thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open the event stream and follow the container."""
        if self.running:
            return
        from dockhelpers import engine

        self._stop.clear()
        # Open the stream first, then read the state: no event can fall between the two.
        self._stream = engine.client().events(decode=True, filters={"type": "container", "container": self.name})
        self._show(_inspect_state(self.name), None)
        self._thread = threading.Thread(target=self._follow, daemon=True, name=f"dockhelpers-lifecycle-{self.name}")
        self._thread.start()

    def stop(self) -> None:
        """Close the event stream and end the thread."""
        if not hasattr(self, "_stop"):
            return
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # pragma: no cover - closing a dying socket
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def close(self) -> None:
        """Stop following and remove the widget from the page."""
        self.stop()
        super().close()

    def _show(self, engine_state: str | None, event: str | None) -> None:
        with self._lock:
            node = lifecycle_node(engine_state, event)
            edge = lifecycle_edge(self.state, node, event)
            if edge is not None or node != self.state:
                self.edge = edge
            self.state, self.engine_state = node, engine_state
            if event:
                self.last_event = event
            self.svg.value = lifecycle_svg(self.state, self.edge)
            where = engine_state or "없음 (아직 만들지 않았거나 삭제됨)"
            self.caption.value = (f"<div>현재 상태: <b>{LIFECYCLE_STATES[node]} ({node})</b> · 엔진이 알려 준 "
                                  f"상태: <code>{html.escape(where)}</code>"
                                  + (f" · 마지막 이벤트: <code>{html.escape(event)}</code>" if event else "")
                                  + "</div>")

    def _follow(self) -> None:
        stream = self._stream
        try:
            for ev in stream:
                if self._stop.is_set():
                    break
                action = (ev.get("Action") or ev.get("status") or "").split(":", 1)[0].strip()
                if action not in LIFECYCLE_EVENTS:
                    continue
                when = time.strftime("%H:%M:%S", time.localtime(ev.get("time") or time.time()))
                self.events = [*self.events, f"{when} {action}"][-self.keep:]
                self.event_log.value = ("<div style='font-size:12px;color:#555'>받은 이벤트: "
                                  + html.escape(" → ".join(self.events)) + "</div>")
                state = None if action == "destroy" else _inspect_state(self.name)
                self._show(state, action)
            else:
                if not self._stop.is_set():  # the engine ended the stream (e.g. it was restarted)
                    self.event_log.value = message_html("엔진이 이벤트 스트림을 닫았습니다. 셀을 다시 실행하세요.",
                                                        ok=False)
        except Exception as exc:  # stream closed by stop(), or the engine went away
            if not self._stop.is_set():
                self.caption.value = message_html(f"이벤트 스트림이 끊겼습니다: {exc}", ok=False)


# ---------------------------------------------------------------------------------------------------------
# Convenience constructors (the names the notebooks and the browser tests use)
# ---------------------------------------------------------------------------------------------------------

def container_panel(chapter: int | str | None = None) -> ContainerPanel:
    """A :class:`ContainerPanel` of one chapter's containers (all of the course's when None)."""
    return ContainerPanel(chapter=chapter)


def image_table(chapter: int | str | None = None) -> ImageTable:
    """An :class:`ImageTable` of one chapter's images (all of the course's when None)."""
    return ImageTable(chapter=chapter)


def lifecycle_diagram(name: str) -> LifecycleDiagram:
    """A :class:`LifecycleDiagram` following the container ``name`` (it may not exist yet)."""
    return LifecycleDiagram(name)


def running_course_containers(chapter: int | str) -> list[str]:
    """Names of the running containers labelled with this chapter (``docker container ls --filter ...``)."""
    from dockhelpers import engine, naming

    found = engine.client().containers.list(filters={"label": naming.label_filters(chapter), "status": "running"})
    return sorted(c.name for c in found)


def stats_monitor(names_or_chapter: Sequence[Any] | int | str, interval: float = 1.0, **kw: Any) -> StatsMonitor:
    """A :class:`StatsMonitor` of some containers, or of all running containers of a chapter.

    Args:
        names_or_chapter: A list of names/IDs, one name, or a chapter number (an ``int``): then every
            running container carrying that chapter's course label.
        interval: Seconds between table refreshes.
        **kw: Passed to :class:`StatsMonitor` (``chart``, ``chart_every``, ``max_seconds``, ...).

    Raises:
        CourseError: The chapter has no running container.
    """
    if isinstance(names_or_chapter, int) and not isinstance(names_or_chapter, bool):
        names = running_course_containers(names_or_chapter)
        if not names:
            raise CourseError(f"{names_or_chapter}장에서 실행 중인 컨테이너가 없습니다.",
                              "먼저 컨테이너를 실행하세요 (`docker container ls --filter "
                              f"label=kr.dockercourse.chapter={int(names_or_chapter):02d}`로 확인합니다).")
    elif isinstance(names_or_chapter, str):
        names = [names_or_chapter]
    else:
        names = list(names_or_chapter)
    return StatsMonitor(names, interval=interval, **kw)
