"""Interactive views for the notebooks: container panel, image table, live stats monitor.

Views only: every action calls a helper of :mod:`dockhelpers.containers` / :mod:`dockhelpers.images` /
:mod:`dockhelpers.stats`, and the view shows the equivalent ``docker ...`` command above its result, so
the learner sees what each click does. Each class *is* a widget (an ``ipywidgets.VBox``); the notebook
shows it as the last expression of a cell (the views never call ``display`` themselves).

The live :class:`StatsMonitor` updates its widgets from one background thread that ends on
:meth:`StatsMonitor.stop`, on :meth:`close`, or by itself after ``max_seconds``.

CSS classes for the browser tests and for styling: ``dkc-panel`` (buttons ``dkc-btn-<action>``),
``dkc-images``, ``dkc-stats`` (its visible sample counter ``dkc-stats-count``).

Importing this module imports ipywidgets; ``import dockhelpers`` alone does not.
"""

from __future__ import annotations

import contextlib
import html
import io
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
                 chart_every: float = 3.0, history: int = 120, max_seconds: float | None = 300,
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
        self.stop_button = _button("정지", "stop", tooltip="Ctrl+C")
        self.command = W.HTML()
        self.updates = 0
        self.charts = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.start_button.on_click(lambda _b: self.start())
        self.stop_button.on_click(lambda _b: self.stop())
        super().__init__([W.HTML("<b>실시간 리소스 모니터</b> (docker container stats)"),
                          W.HBox([self.start_button, self.stop_button, self.counter]), self.command,
                          self.status, self.table, self.image])
        self.add_class("dkc-stats")
        self.start_button.add_class("dkc-btn-start")
        self.stop_button.add_class("dkc-btn-stop")
        if autostart:
            self.start()

    @property
    def running(self) -> bool:
        """Whether the update thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open the streams and start refreshing (``docker container stats NAME...``)."""
        if self.running:
            return
        self.command.value = command_html([f"$ {self.sampler.command()}"])
        self.sampler.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="dockhelpers-stats-monitor")
        self._thread.start()
        self.start_button.disabled, self.stop_button.disabled = True, False
        self.status.value = message_html("수집 중입니다. 첫 값은 약 2초 뒤에 나타납니다.")

    def stop(self, reason: str = "정지했습니다 (터미널에서 Ctrl+C를 누른 것과 같습니다).") -> None:
        """Stop refreshing and close the streams."""
        if not hasattr(self, "_stop"):  # construction failed (e.g. unknown container): nothing runs
            return
        was_running = self.running or self.sampler.running
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self.sampler.stop()
        if was_running:
            self._render()
        self.start_button.disabled, self.stop_button.disabled = False, True
        self.status.value = message_html(reason)

    def close(self) -> None:
        """Stop and remove the widget from the page."""
        if hasattr(self, "_stop"):
            self.stop()
        super().close()

    @property
    def samples(self) -> int:
        """Samples received so far (all containers together)."""
        return len(self.sampler.rows())

    def frame(self):
        """Everything collected so far as tidy rows (a DataFrame for further analysis)."""
        return self.sampler.frame()

    def _render(self) -> None:
        self.table.value = table_html(self.sampler.table())
        self.counter.value = f"받은 표본: {self.samples}개"
        if self.chart:
            from dockhelpers import plots

            self.image.value = plots.png(plots.stats_figure(self.sampler.frame()))
            self.charts += 1
        self.updates += 1

    def _loop(self) -> None:
        started = time.monotonic()
        last_chart = 0.0
        try:
            while not self._stop.wait(self.interval):
                now = time.monotonic()
                self.table.value = table_html(self.sampler.table())
                self.counter.value = f"받은 표본: {self.samples}개"
                self.updates += 1
                states = self.sampler.state()
                notes = [f"{n}: {s}" for n, s in states.items() if s != "실행 중"]
                self.status.value = message_html(
                    "수집 중" + (f" ({', '.join(notes)})" if notes else ""), ok=not any("오류" in s for s in notes))
                if self.chart and now - last_chart >= self.chart_every:
                    from dockhelpers import plots

                    self.image.value = plots.png(plots.stats_figure(self.sampler.frame()))
                    self.charts += 1
                    last_chart = now
                if self.max_seconds is not None and now - started >= self.max_seconds:
                    self.sampler.stop()
                    self.start_button.disabled, self.stop_button.disabled = False, True
                    self.status.value = message_html(
                        f"{self.max_seconds:g}초가 지나 자동으로 멈췄습니다. 다시 보려면 시작을 누르세요.")
                    return
        except Exception as exc:  # never die silently in a background thread
            self.status.value = message_html(f"모니터가 멈췄습니다: {exc}", ok=False)
