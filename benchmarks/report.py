"""The benchmark report: the machine's facts, the one table (console and Markdown) and the ratio chart (PNG).

Used by ``benchmarks/run.py``; not a benchmark itself (no ``rows``).
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import platform
import re
import subprocess

COLUMNS = ["Figure", "Value: median (min–max, n)", "Reference, same run", "Ratio", "Target", "Met"]

#: What a reader needs to know to trust the figures (written under the table).
METHOD = """\
## How these figures were measured

- Every figure with a reference was measured in the same run, interleaved with it (helper, reference,
  reference, helper, ...), so both saw the same machine load. Values are medians with the min–max range and
  the number of repeats; the ratio is value / reference of the medians.
- **Stats snapshot**: `dockhelpers.stats.snapshot(names)` inside a Python process that has already imported
  the course (as a notebook has) against a fresh `docker stats --no-stream NAME...` process. Both ask the
  engine with `stream=false`: the engine waits for its next one-second collection cycle (0–1 s) and answers
  with the sample after it (whose `precpu_stats` is the first), so both take between one and two seconds;
  the helper asks for all containers in parallel. `one-shot=true` (API 1.41) was measured and does not
  help on engine 20.10: it also waits for the next cycle, and its sample has no CPU figure.
- **Live monitor**: this process's CPU time (all threads) per 5-second window while a `StatsMonitor` runs
  at 1 Hz over 20 containers, against the CPU time of the streaming CLI `docker stats NAME...`. No browser
  is attached: the widget values are computed and set; the browser's own drawing of the SVG is not counted
  (it is the browser's CPU, not the kernel's). The PNG row is the old matplotlib chart, for comparison.
- **Lag**: a 3-second busy loop starts in one container (limited to 0.5 CPU) by `docker exec`; the lag is
  the time from the moment the loop runs (`exec_start` returned) until the chart's data (and, in the same
  run, the streaming CLI's output) first shows half of that load. The engine samples once a second and a
  sample averages the CPU over the second before it, so about 1–2 s of the lag is the engine's; the note
  gives the part from the sample's arrival to the chart.
- **Import**: a fresh interpreter per measurement; only the `import` statement is timed.
- **Notebooks**: run top to bottom like the tests run them (nbclient); cold = after removing this run's
  course images (its own name prefix only; the base image stays; the legacy builder may still reuse layers
  of identical images that others built on this engine), warm = the same notebook again right after.
- **Course endpoint** (`benchmarks/endpoint.py`): the same `docker` CLI command, alternately straight to the
  engine's socket and through a course endpoint started for the run; times are medians, the build and logs
  rows are throughput (MB/s, so a ratio above 1 is faster). `docker ps` through the endpoint lists only the
  course's containers, a shorter answer than the engine's.
- **Classroom hub** (`benchmarks/hub.py`): one hub with two students on its own prefix; a student's lab is
  measured with `docker stats` (its engine's containers nest under the lab's cgroup), while chapter 2 runs
  inside it as the learner.
- The machine is shared with other work (see the load average above), so the spread is wide; the medians
  and ratios are the figures to read.

## What changed to meet the targets

- Stats snapshot: the helper used to open one stream per container through the live sampler (an inspect per
  container, one after another, then the second streamed sample); issue 11 measured 1.44–1.51× the CLI, and
  a side run on 2026-12-06 measured that old helper at 2.52 s vs the CLI's 2.55 s for 1 container and 3.38 s
  vs 2.74 s (1.24×) for 20. It now sends `stats(stream=false)` for all containers at once, which is what the
  CLI asks the engine for, without starting a process.
- Live monitor: the chart was a matplotlib PNG rendered in the kernel (5.1 % of a core at 10 containers in
  issue 11); it is now SVG text built from the numbers (`dockhelpers.statschart`) and drawn by the browser,
  redrawn on every engine sample, which also cuts the lag. `chart_kind="png"` keeps the old chart.
- Run and remove: `containers.run` asks whether the name is taken only when the engine says so, reads the
  image once per row, and `containers.rm` sends one request.
"""


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def facts(root: pathlib.Path) -> dict:
    """Cores, memory, engine and CLI versions, kernel, date, commit and the load at the start."""
    mem_kb = 0
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cgroup = "2" if pathlib.Path("/sys/fs/cgroup/cgroup.controllers").exists() else "1"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": mem_kb / 2**20,
        "engine": _run(["docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"]),
        "cli": _run(["docker", "version", "--format", "{{.Client.Version}}"]),
        "kernel": platform.release(),
        "cgroup": cgroup,
        "python": platform.python_version(),
        "commit": _run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]),
        "load_start": os.getloadavg(),
        "prefix": os.environ.get("DOCKHELPERS_PREFIX", ""),
    }


def _cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _met(row: dict) -> str:
    return {True: "met", False: "**missed**", None: "—"}[row["met"]]


def _ratio(row: dict) -> str:
    if row["ratio"] is None:
        return "—"
    close = isinstance(row.get("limit"), (int, float)) and abs(row["ratio"] - row["limit"]) < 0.005
    return f"{row['ratio']:.3f}×" if close else f"{row['ratio']:.2f}×"  # 1.004× reads as missed, not 1.00×


def _load(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def console_table(rows: list[dict], m: dict) -> str:
    """The table as plain text (what ``make bench`` prints)."""
    cells = [[r["name"], r["value"], r["reference"], _ratio(r), r["target"], _met(r).strip("*")] for r in rows]
    widths = [max(len(c[i]) for c in cells + [COLUMNS]) for i in range(len(COLUMNS))]
    line = "  ".join("-" * w for w in widths)
    out = [f"Benchmarks ({m['mode']}, {m['date']}): {m['cores']} cores, {m['memory_gib']:.1f} GiB, engine "
           f"{m['engine']}, CLI {m['cli']}, load {_load(m['load_start'])} -> {_load(m['load_end'])}",
           "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    met = sum(1 for r in rows if r["met"] is True)
    missed = sum(1 for r in rows if r["met"] is False)
    out += [line, f"targets: {met} met, {missed} missed"]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def write_markdown(rows: list[dict], m: dict, path: pathlib.Path, chart_name: str) -> None:
    """``docs/benchmarks.md``: facts, the table, the chart and the method."""
    met = sum(1 for r in rows if r["met"] is True)
    missed = [r for r in rows if r["met"] is False]
    lines = [
        "# Benchmarks",
        "",
        "도우미(`dockhelpers`)와 노트북의 성능을 같은 실행에서 측정한 기준(주로 `docker` CLI)과 비교한 표입니다. "
        "`make bench`가 이 파일을 다시 씁니다.",
        "",
        f"Written by `make bench` (`benchmarks/run.py`, {m['mode']} mode) on {m['date']}, commit `{m['commit']}`, "
        f"in {m['minutes']:.0f} minutes. Modules: {m['modules']}.",
        "",
        "## Machine",
        "",
        "| Cores | CPU | Memory | Engine | CLI | Kernel | cgroup | Python | Load average (1/5/15 min) at start → end |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {m['cores']} | {_md(m['cpu'])} | {m['memory_gib']:.1f} GiB | {m['engine']} | {m['cli']} | {m['kernel']} | "
        f"v{m['cgroup']} | {m['python']} | {_load(m['load_start'])} → {_load(m['load_end'])} |",
        "",
        "## Results",
        "",
        f"Targets: {met} met, {len(missed)} missed.",
        "",
        "| " + " | ".join(COLUMNS + ["Note"]) + " |",
        "| " + " | ".join(["---"] * (len(COLUMNS) + 1)) + " |",
    ]
    for r in rows:
        lines.append("| " + " | ".join(_md(x) for x in [r["name"], r["value"], r["reference"], _ratio(r), r["target"],
                                                        _met(r), r["note"]]) + " |")
    lines += ["", f"![Ratios against the reference measured in the same run]({chart_name})", ""]
    if missed:
        lines += ["Missed in this run: " + "; ".join(f"{r['name']} ({_ratio(r)}, target {r['target']})"
                                                     for r in missed) + ".", ""]
    lines += [METHOD]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _number(text: str) -> float | None:
    match = re.match(r"\s*([0-9.]+)", text)
    return float(match.group(1)) if match else None


def write_chart(rows: list[dict], path: pathlib.Path) -> None:
    """Left: a bar per ratio against its reference; right: the figures with an absolute target (%, s).

    Green met, red missed, grey no target; the target is a black tick.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [r for r in rows if r["ratio"] is not None and ("×" in r["target"] or r["target"] == "—")][::-1]
    absolute = [r for r in rows if r["target"] != "—" and "×" not in r["target"]
                and isinstance(r.get("limit"), (int, float)) and _number(r["value"]) is not None][::-1]
    colors = {True: "#2ca02c", False: "#d62728", None: "#9e9e9e"}
    height = 0.38 * max(len(ratios), len(absolute), 1) + 1.6
    with plt.rc_context({"font.family": "DejaVu Sans"}):
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, height), layout="constrained",
                                          gridspec_kw={"width_ratios": [3, 2]})
        for ax, shown, value in ((left, ratios, lambda r: r["ratio"]),
                                 (right, absolute, lambda r: _number(r["value"]))):
            for i, r in enumerate(shown):
                v = value(r)
                ax.barh(i, v, color=colors[r["met"]])
                ax.text(v, i, f" {v:.2f}" + ("×" if ax is left else ""), va="center", fontsize=8)
                if isinstance(r.get("limit"), (int, float)) and (ax is right or "×" in r["target"]):
                    ax.plot([r["limit"]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
            ax.set_yticks(range(len(shown)), [r["name"].replace("→", "->") for r in shown], fontsize=8)
            top = max([1.0] + [value(r) for r in shown] + [r["limit"] or 0 for r in shown if ax is right])
            if ax is right:  # percent, seconds and a 60 s target side by side: a log scale keeps each readable
                ax.set_xscale("log")
                ax.set_xlim(0.1, top * 3)
            else:
                ax.set_xlim(0, top * 1.2)
        left.axvline(1.0, color="#555", linewidth=0.8, linestyle="--")
        left.set_xlabel("value / reference measured in the same run (median); black tick = target")
        left.set_title("Against the reference (1.0 = as fast as the reference)", fontsize=10)
        right.set_xlabel("median, log scale (% of a core or s); tick = target")
        right.set_title("Absolute targets", fontsize=10)
        fig.suptitle("dockhelpers benchmarks (green met, red missed, grey no target)", fontsize=11)
        fig.savefig(path, dpi=100)
        plt.close(fig)
