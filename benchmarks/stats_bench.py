"""Stats figures: ``stats.snapshot`` against ``docker stats --no-stream``, and the live monitor's cost and lag.

- Snapshot of N = 1, 5, 10, 20 running containers: :func:`dockhelpers.stats.snapshot` (in this process,
  already imported) against ``docker stats --no-stream NAME...`` (a CLI process), interleaved.
- Live monitor at 1 Hz over 20 containers: this process's CPU time (``time.process_time``, all threads)
  per 5-second window while a :class:`~dockhelpers.widgets.StatsMonitor` runs, with the SVG chart (the
  default) and with the matplotlib PNG chart (the old default), against the streaming CLI
  ``docker stats NAME...`` (its own CPU time, read from ``/proc``). No browser is attached: the widget
  values are computed and set, only the messages to a browser are not sent.
- Lag: a 3-second load (``timeout 3 sh -c 'while :; do :; done'`` by ``docker exec``, the container limited
  to 0.5 CPU) starts in one container; the lag is the time from the moment the loop runs (``exec_start``
  returned) to the moment the chart (and, in the same run, the streaming CLI's output) first shows at least
  half of that load. The note splits off the part from the engine's sample arriving to the chart.

Run alone: ``.venv/bin/python benchmarks/stats_bench.py [--quick]``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import Sample, alternate, quiet, remove_containers, row, start_containers  # noqa: E402

COUNTS = (1, 5, 10, 20)
LOAD_CPUS = 0.5
THRESHOLD = LOAD_CPUS * 100 / 2  # percent: half of the new load is visible
_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def snapshot_rows(names: list[str], repeats: int) -> list[dict]:
    from dockhelpers import stats

    with quiet():
        stats.snapshot(names[:1], echo=False)  # imports pandas once: a notebook has done so long before
    out, medians, cli_medians = [], {}, {}
    for n in COUNTS:
        subset = names[:n]
        helper, cli = alternate(lambda: stats.snapshot(subset, echo=False),
                                lambda: subprocess.run(["docker", "stats", "--no-stream", *subset],
                                                       capture_output=True, check=True), repeats)
        medians[n], cli_medians[n] = helper.median, cli.median
        out.append(row("stats", f"stats snapshot, N={n}", helper, cli, target="≤ 1.0×", limit=1.0,
                       note="helper: `stats.snapshot`; reference: `docker stats --no-stream`"))
    ratio = medians[COUNTS[-1]] / medians[COUNTS[0]]
    spread = Sample([_read_spread(names) for _ in range(3)])
    out.append(row("stats", f"stats snapshot, N={COUNTS[-1]} vs N={COUNTS[0]} (helper)",
                   f"{medians[COUNTS[-1]]:.2f} s", f"{medians[COUNTS[0]]:.2f} s", ratio=ratio, target="≤ 1.2×",
                   limit=1.2, note=f"CLI N={COUNTS[-1]} / N={COUNTS[0]}: {cli_medians[COUNTS[-1]] / cli_medians[COUNTS[0]]:.2f}×; "
                                   f"the engine collects the containers one after another in each cycle: "
                                   f"its `read` times of {COUNTS[-1]} containers span {spread.text()}"))
    return out


def _read_spread(names: list[str]) -> float:
    """Seconds between the engine's first and last ``read`` time in one parallel ``stream=false`` round."""
    from concurrent.futures import ThreadPoolExecutor

    from dockhelpers import engine, stats

    api = engine.client().api
    with ThreadPoolExecutor(len(names)) as pool:
        raws = list(pool.map(lambda n: api.stats(n, stream=False), names))
    times = [stats.parse_time(r["read"]).timestamp() for r in raws]
    return max(times) - min(times)


def _windows(seconds: float, cpu: "callable", window: float = 5.0) -> Sample:
    """CPU percent of one core per ``window`` seconds, over ``seconds``."""
    values = []
    for _ in range(max(1, int(seconds // window))):
        w0, c0 = time.monotonic(), cpu()
        time.sleep(window)
        values.append((cpu() - c0) / (time.monotonic() - w0) * 100)
    return Sample(values, "%")


def monitor_rows(names: list[str], seconds: float) -> list[dict]:
    from dockhelpers import plots, stats, widgets

    plots.LiveStatsChart().png(stats.frame([]))  # imports and the font: not the monitor's running cost
    results = {}
    for kind in ("svg", "png"):
        mon = widgets.StatsMonitor(names, interval=1.0, max_seconds=None, chart_kind=kind)
        try:
            mon.sampler.wait_for(1, 15)
            time.sleep(2)
            results[kind] = (_windows(seconds, time.process_time), mon.charts)
        finally:
            mon.stop()
    cli = subprocess.Popen(["docker", "stats", *names], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        reference = _windows(seconds, lambda: _proc_cpu(cli.pid))
    finally:
        cli.kill()
        cli.wait()
    svg, png = results["svg"][0], results["png"][0]
    return [
        row("monitor", f"live monitor CPU, {len(names)} containers, 1 Hz, SVG chart", svg, reference,
            target="< 5 % of a core", limit=5.0, note="reference: the streaming CLI `docker stats` (its process)")
        | {"met": svg.median < 5.0},
        row("monitor", f"live monitor CPU, {len(names)} containers, PNG chart every 5 s (before)", png, reference,
            target="< 5 % of a core", limit=5.0, note="matplotlib in the kernel") | {"met": png.median < 5.0},
    ]


class _CliWatch:
    """Reads ``docker stats --format '{{.Name}} {{.CPUPerc}}'`` and notes when a container's CPU passes a line."""

    def __init__(self, names: list[str], watched: str) -> None:
        self.watched = watched
        self.cpu = 0.0
        self.armed_at: float | None = None
        self.hit: float | None = None
        self.proc = subprocess.Popen(["docker", "stats", "--format", "{{.Name}} {{.CPUPerc}}", *names],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            parts = line.replace("\x1b[2J", "").replace("\x1b[H", "").replace("\x1b[J", "").replace("\x1b[K", "").split()
            if len(parts) == 2 and parts[0] == self.watched and parts[1].endswith("%"):
                self.cpu = float(parts[1].rstrip("%"))
                if self.armed_at is not None and self.hit is None and self.cpu >= THRESHOLD:
                    self.hit = time.monotonic()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def lag_rows(names: list[str], repeats: int) -> list[dict]:
    from dockhelpers import engine, widgets

    api = engine.client().api
    watched = names[0]
    mon = widgets.StatsMonitor(names, interval=1.0, max_seconds=None)
    cli = _CliWatch(names, watched)
    state = {"armed_at": None, "hit": None}

    def seen(_change: dict) -> None:
        if state["armed_at"] is not None and state["hit"] is None and mon.chart_latest.get(watched, 0) >= THRESHOLD:
            state["hit"] = time.monotonic()

    mon.svg.observe(seen, "value")
    sample_hook = mon.sampler.on_sample

    def arrived(r: dict) -> None:  # when the engine's sample showing the load reached this process
        if (state["armed_at"] is not None and state.get("sample") is None and r["name"] == watched
                and r["cpu_percent"] >= THRESHOLD):
            state["sample"] = time.monotonic()
        sample_hook(r)

    mon.sampler.on_sample = arrived
    chart_lags, cli_lags, exec_times, view_times = [], [], [], []
    try:
        mon.sampler.wait_for(2, 15)
        for _ in range(repeats):
            deadline = time.monotonic() + 20  # the previous load has ended and both views show it
            while (mon.chart_latest.get(watched, 100) > 5 or cli.cpu > 5) and time.monotonic() < deadline:
                time.sleep(0.2)
            state.update(armed_at=None, hit=None, sample=None)
            cli.armed_at, cli.hit = None, None
            exec_id = api.exec_create(watched, ["timeout", "3", "sh", "-c", "while :; do :; done"])["Id"]
            asked = time.monotonic()
            state["armed_at"] = cli.armed_at = asked
            api.exec_start(exec_id, detach=True)  # returns once the engine has started the busy loop
            t0 = time.monotonic()  # the load change: the loop is running from here on
            exec_times.append(t0 - asked)
            deadline = t0 + 10
            while (state["hit"] is None or cli.hit is None) and time.monotonic() < deadline:
                time.sleep(0.05)
            if state["hit"] is not None:
                chart_lags.append(state["hit"] - t0)
                if state.get("sample") is not None:
                    view_times.append(state["hit"] - state["sample"])
            if cli.hit is not None:
                cli_lags.append(cli.hit - t0)
    finally:
        mon.stop()
        cli.close()
    chart = Sample(chart_lags or [float("nan")])
    reference = Sample(cli_lags) if cli_lags else "—"
    view = Sample(view_times) if view_times else None
    return [row("monitor", "lag: load change in a container → chart (SVG)", chart, reference, target="< 2 s",
                limit=2.0, note=f"from the busy loop running until half of its {LOAD_CPUS:g} CPU shows; reference: the "
                                f"streaming `docker stats` on the same load change; of the lag, from the engine's sample "
                                f"arriving to the chart: {view.text() if view else '?'}; `docker exec` start "
                                f"(not counted): {Sample(exec_times).text()}")
            | {"met": bool(chart_lags) and chart.median < 2.0}]


def rows(quick: bool = False) -> list[dict]:
    """The stats section of the table (20 bench containers, removed at the end)."""
    names: list[str] = []
    try:
        names = start_containers(max(COUNTS), LOAD_CPUS)
        time.sleep(2)  # let them settle (an observation pause, nothing is asserted)
        out = snapshot_rows(names, 3 if quick else 7)
        out += monitor_rows(names, 10 if quick else 30)
        out += lag_rows(names, 2 if quick else 5)
        return out
    finally:
        remove_containers(names)


if __name__ == "__main__":
    for r in rows("--quick" in sys.argv):
        print(r)
