"""The live resource monitor: ``docker container stats`` as a table and a chart, refreshed by one thread."""

from __future__ import annotations

import os
import pathlib
import threading
import time
from typing import Any, Sequence

import ipywidgets as W

from dockhelpers.widgets.common import command_html, make_button, message_html, table_html

__all__ = ["StatsMonitor"]


class StatsMonitor(W.VBox):
    """Live ``docker container stats`` for some containers: a CLI-like table and a chart over time.

    One :class:`~dockhelpers.stats.StatsSampler` (a stream per container) feeds the data; one background
    thread refreshes the view when new samples arrive (the engine sends one a second per container; at
    most every ``interval / 2`` seconds, at least every ``interval``), and stops by itself after
    ``max_seconds`` so a forgotten monitor does not keep using CPU.

    Buttons: 시작 (start), 일시정지 (pause), 계속 (resume), 정지 (stop).

    - 일시정지 freezes the view (table, counter, chart) so it can be read, while the streams stay open and
      keep collecting: nothing is lost, :meth:`to_dataframe` still grows, and 계속 shows the latest
      figures at once with no gap in the chart. The ``max_seconds`` limit keeps counting while paused.
    - 정지 closes the streams (Ctrl+C in a terminal); 시작 opens them again.

    The monitor's own cost is kept low: the table is rebuilt only when new samples arrived, and the chart
    is SVG text that the browser draws (:mod:`dockhelpers.statschart`, ``chart_kind="svg"``, the
    default), so it follows every sample. ``chart_kind="png"`` draws the matplotlib chart in the kernel
    instead (about 5 % of a core at 1 Hz), every ``chart_every`` seconds. ``benchmarks/run.py`` measures
    the cost and the lag from a load change to the chart (20 containers, 1 Hz).

    CLI equivalent: ``docker container stats NAME...`` (정지 is Ctrl+C).

    Args:
        containers: Names, IDs or SDK containers.
        interval: Longest time between view refreshes (a refresh follows each engine sample).
        chart: Draw CPU and memory over time.
        chart_every: Seconds between chart redraws (default: every refresh for SVG, 5 s for PNG).
        chart_kind: ``"svg"`` (drawn by the browser) or ``"png"`` (matplotlib, drawn in the kernel).
        history: Samples kept per container.
        max_seconds: Stop by itself after this long (None: never).
        autostart: Start at once.
    """

    def __init__(self, containers: Sequence[Any], interval: float = 1.0, chart: bool = True,
                 chart_every: float | None = None, history: int = 300, max_seconds: float | None = 300,
                 autostart: bool = True, chart_kind: str = "svg") -> None:
        from dockhelpers import stats

        if chart_kind not in ("svg", "png"):
            raise ValueError(f"chart_kind must be 'svg' or 'png', not {chart_kind!r}")
        self._fresh = threading.Event()  # set by the stream threads when a sample arrives
        self.sampler = stats.StatsSampler(containers, history=history, on_sample=lambda _row: self._fresh.set())
        self.interval = interval
        self.chart = chart
        self.chart_kind = chart_kind
        self.chart_every = chart_every if chart_every is not None else (0.0 if chart_kind == "svg" else 5.0)
        #: When the chart was last drawn (``time.monotonic()``) and each container's newest CPU % in it.
        self.chart_time = 0.0
        self.chart_latest: dict[str, float] = {}
        self.max_seconds = max_seconds
        self.table = W.HTML(table_html(None, "시작을 누르면 값이 나타납니다."))
        self.image = W.Image(format="png", layout=W.Layout(
            max_width="800px", display=None if chart and chart_kind == "png" else "none"))
        self.svg = W.HTML(layout=W.Layout(display=None if chart and chart_kind == "svg" else "none"))
        self.svg.add_class("dkc-stats-chart")
        self.status = W.HTML()
        self.counter = W.HTML("받은 표본: 0개")
        self.counter.add_class("dkc-stats-count")
        self.start_button = make_button("시작", "play", "success", tooltip=self.sampler.command())
        self.pause_button = make_button("일시정지", "pause", tooltip="화면만 멈춥니다 (수집은 계속합니다)")
        self.resume_button = make_button("계속", "step-forward", tooltip="멈춘 화면을 다시 갱신합니다")
        self.stop_button = make_button("정지", "stop", tooltip="Ctrl+C")
        self.command = W.HTML()
        self.updates = 0
        self.charts = 0
        self._chart = None  # plots.LiveStatsChart, made on first use (imports matplotlib)
        self._shown = -1  # samples received when the table was last rebuilt
        self._charted = -1  # ... and when the chart was last drawn
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
                          self.command, self.status, self.table, self.image, self.svg])
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
        self._fresh.set()  # wake the update thread at once
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
        self._charted = self.samples
        if self.chart_kind == "svg":
            from dockhelpers import statschart

            series = self.sampler.series()
            self.chart_latest = {n: rows[-1]["cpu_percent"] for n, rows in series.items() if rows}
            self.chart_time = time.monotonic()
            self.svg.value = statschart.render(series)
        else:
            from dockhelpers import plots

            if self._chart is None:
                self._chart = plots.LiveStatsChart()
            self.chart_latest = {r["name"]: r["cpu_percent"] for r in self.sampler.latest() if r}
            self.chart_time = time.monotonic()
            self.image.value = self._chart.png(self.sampler.frame())
        self.charts += 1

    def _render(self) -> None:
        self._refresh_table(force=True)
        if self.chart:
            self._draw_chart()

    def _loop(self) -> None:
        started = time.monotonic()
        last_chart = last_render = 0.0
        try:
            while not self._stop.is_set():
                # Wake when a sample arrives (low lag from the engine to the view), at most every
                # interval / 2 and at least every interval; the short pause lets one engine cycle's samples
                # of all containers arrive before the view is rebuilt once.
                if self._fresh.wait(self.interval) and not self._stop.is_set():
                    self._stop.wait(max(0.05, last_render + self.interval / 2 - time.monotonic()))
                self._fresh.clear()
                if self._stop.is_set():
                    break
                now = last_render = time.monotonic()
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
                    if (self.chart and now - last_chart >= self.chart_every and self.samples
                            and self.samples != self._charted):  # nothing new: nothing to redraw
                        self._draw_chart()
                        last_chart = now
        except Exception as exc:  # never die silently in a background thread
            self.status.value = message_html(f"모니터가 멈췄습니다: {exc}", ok=False)
