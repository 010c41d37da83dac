"""Small drawing helpers shared by the chapter figure modules (boxes, arrows, a blank canvas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def canvas(width: float, height: float, xlim: float = 10, ylim: float = 6) -> tuple["Figure", "Axes"]:
    """A figure with one axis from (0, 0) to (xlim, ylim), no ticks, Korean font set."""
    from matplotlib.figure import Figure

    from dockhelpers.plots import use_korean_font

    use_korean_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    ax.set_xlim(0, xlim)
    ax.set_ylim(0, ylim)
    ax.axis("off")
    return fig, ax


def box(ax: "Axes", x: float, y: float, w: float, h: float, text: str = "", *, color: str = "#deebf7",
        edge: str = "#555555", size: float = 9, style: str = "-", weight: str = "normal",
        align: str = "center") -> None:
    """A rounded box with centred (or top-left) text."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=color,
                                edgecolor=edge, linestyle=style, linewidth=1.2))
    if text:
        if align == "top":
            ax.text(x + 0.12, y + h - 0.12, text, ha="left", va="top", fontsize=size, fontweight=weight)
        else:
            ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, fontweight=weight)


def arrow(ax: "Axes", start: tuple[float, float], end: tuple[float, float], text: str = "", *,
          color: str = "#333333", size: float = 8.5, style: str = "-", offset: tuple[float, float] = (0, 0.18),
          rad: float = 0.0) -> None:
    """An arrow from ``start`` to ``end`` with an optional label near its middle."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=color, linewidth=1.4,
                                 linestyle=style, connectionstyle=f"arc3,rad={rad}"))
    if text:
        mx, my = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, text, ha="center", va="bottom", fontsize=size, color=color)
