"""The live stats chart as SVG text: the browser draws it, the kernel only writes numbers into a string.

The matplotlib chart of :mod:`dockhelpers.plots` renders a PNG in the kernel, which costs about 5 % of a
core at one frame a second (``benchmarks/run.py`` measures it). Here the kernel formats the points of each
container's line as an SVG ``<polyline>`` (a few milliseconds for 20 containers) and the browser draws
them, so the chart can follow every engine sample. Pure: rows in, HTML text out (no widgets, no engine).

Two panels, as in :func:`dockhelpers.plots.stats_figure`: CPU % (100 % = one CPU) and memory in MiB
(page cache excluded), over the last ``window`` seconds, one colour per container, and a legend.
"""

from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

#: Line colours (matplotlib's tab10), repeated with a dash pattern after ten containers.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
_MIB = 1024 * 1024
_PANEL_W, _PANEL_H = 380, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 8, 22, 28


def nice_top(value: float, minimum: float) -> float:
    """A round upper limit above ``value`` (1, 2, 2.5, 5 times a power of ten), at least ``minimum``."""
    value = max(value * 1.1, minimum)
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _label(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _panel(x0: float, title: str, series: list[tuple[int, list[tuple[float, float]]]], left: float,
           right: float, top: float) -> list[str]:
    """SVG elements of one panel: frame, grid with labels, title and one polyline per container."""
    w, h = _PANEL_W - _LEFT - _RIGHT, _PANEL_H - _TOP - _BOTTOM
    ox, oy = x0 + _LEFT, _TOP
    span = max(right - left, 1e-9)
    out = [f"<text x='{x0 + _PANEL_W / 2:.0f}' y='14' text-anchor='middle' font-size='12'>{html.escape(title)}</text>",
           f"<rect x='{ox}' y='{oy}' width='{w}' height='{h}' fill='none' stroke='#999'/>"]
    for i in range(5):  # horizontal grid and value labels
        y = oy + h - h * i / 4
        out.append(f"<line x1='{ox}' y1='{y:.1f}' x2='{ox + w}' y2='{y:.1f}' stroke='#e5e5e5'/>")
        out.append(f"<text x='{ox - 4}' y='{y + 4:.1f}' text-anchor='end' font-size='10'>{_label(top * i / 4)}</text>")
    for i in range(5):  # time labels (seconds since the monitor started)
        x = ox + w * i / 4
        out.append(f"<text x='{x:.1f}' y='{oy + h + 14}' text-anchor='middle' font-size='10'>"
                   f"{left + span * i / 4:.0f}</text>")
    out.append(f"<text x='{ox + w / 2:.0f}' y='{oy + h + 26}' text-anchor='middle' font-size='10'>경과 시간(초)</text>")
    for index, points in series:
        if not points:
            continue
        coords = " ".join(f"{ox + (t - left) / span * w:.1f},{oy + h - min(v, top) / top * h:.1f}" for t, v in points)
        dash = " stroke-dasharray='4 2'" if index >= len(PALETTE) else ""
        out.append(f"<polyline points='{coords}' fill='none' stroke='{PALETTE[index % len(PALETTE)]}' "
                   f"stroke-width='1.5'{dash}/>")
    return out


def render(series: Mapping[str, Sequence[Mapping[str, Any]]], window: float = 120.0) -> str:
    """HTML (an inline SVG and a legend) of CPU and memory over time for each container.

    Args:
        series: Container name -> its tidy rows, oldest first (``stats.COLUMNS``; ``elapsed``,
            ``cpu_percent`` and ``mem_usage`` are used). Order gives the colours.
        window: Seconds shown (the newest ones).

    Returns:
        An HTML fragment; an empty-state message when no row has arrived yet.
    """
    names = list(series)
    newest = max((rows[-1]["elapsed"] for rows in series.values() if rows), default=None)
    if newest is None:
        return "<div class='dkc-statschart' style='color:#666'>아직 수집된 값이 없습니다.</div>"
    right = max(newest, 10.0)
    left = max(0.0, right - window)
    cpu, mem, cpu_max, mem_max = [], [], 0.0, 0.0
    for index, name in enumerate(names):
        rows = [r for r in series[name] if r["elapsed"] >= left]
        c = [(r["elapsed"], r["cpu_percent"]) for r in rows]
        m = [(r["elapsed"], r["mem_usage"] / _MIB) for r in rows]
        cpu_max = max([cpu_max] + [v for _, v in c])
        mem_max = max([mem_max] + [v for _, v in m])
        cpu.append((index, c))
        mem.append((index, m))
    width = 2 * _PANEL_W
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{_PANEL_H}' "
             f"viewBox='0 0 {width} {_PANEL_H}' font-family='sans-serif' role='img'>"]
    parts += _panel(0, "CPU 사용률(%, 100% = CPU 1개)", cpu, left, right, nice_top(cpu_max, 5.0))
    parts += _panel(_PANEL_W, "메모리 사용량(MiB, 페이지 캐시 제외)", mem, left, right, nice_top(mem_max, 1.0))
    parts.append("</svg>")
    legend = "".join(
        f"<span style='margin-right:10px;white-space:nowrap'><span style='display:inline-block;width:10px;"
        f"height:10px;background:{PALETTE[i % len(PALETTE)]};margin-right:3px'></span>{html.escape(n)}</span>"
        for i, n in enumerate(names))
    return (f"<div class='dkc-statschart' data-newest='{newest:.3f}'>{''.join(parts)}"
            f"<div style='font-size:11px;max-width:{width}px'>{legend}</div></div>")
