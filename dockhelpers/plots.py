"""Matplotlib figures with Korean labels: live stats, image sizes, image layers.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` (no global figure
state, no double display): the last expression of a notebook cell shows it, and widgets turn it into PNG
bytes with :func:`png`. :func:`use_korean_font` picks a Korean font (NanumGothic from Debian's
``fonts-nanum``, or the system's Korean font on macOS/Windows) and turns off the Unicode minus sign,
which Korean fonts lack.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: Korean fonts tried in order (Linux fonts-nanum, macOS, Windows, Noto CJK).
KOREAN_FONTS = ["NanumGothic", "NanumBarunGothic", "AppleGothic", "Apple SD Gothic Neo", "Malgun Gothic",
                "Noto Sans CJK KR", "Noto Sans KR"]
#: Where Debian/Ubuntu put fonts-nanum (registered explicitly when matplotlib's font cache predates it).
FONT_DIRS = ["/usr/share/fonts/truetype/nanum", "/usr/share/fonts/opentype/noto"]

_MIB = 1024 * 1024
_chosen: str | None = None


def use_korean_font() -> str | None:
    """Make matplotlib draw Korean: set ``font.family`` to a Korean font and ``axes.unicode_minus=False``.

    Returns:
        The font family used, or None when no Korean font is installed (a Korean warning says how to
        install one; labels then show as boxes).
    """
    global _chosen
    import matplotlib
    from matplotlib import font_manager

    matplotlib.rcParams["axes.unicode_minus"] = False
    if _chosen is None:
        available = {f.name for f in font_manager.fontManager.ttflist}
        if not available.intersection(KOREAN_FONTS):
            for folder in FONT_DIRS:  # installed after matplotlib built its cache
                if os.path.isdir(folder):
                    for file in sorted(os.listdir(folder)):
                        if file.lower().endswith((".ttf", ".otf", ".ttc")):
                            try:
                                font_manager.fontManager.addfont(os.path.join(folder, file))
                            except Exception:  # pragma: no cover - unreadable font file
                                pass
            available = {f.name for f in font_manager.fontManager.ttflist}
        _chosen = next((f for f in KOREAN_FONTS if f in available), None)
        if _chosen is not None:
            register_bold(_chosen)
        if _chosen is None:
            warnings.warn("한글 글꼴을 찾지 못해 그래프의 한글이 네모로 보일 수 있습니다. Debian/Ubuntu는 "
                          "`sudo apt-get install fonts-nanum` 또는 `make system`을 실행한 뒤 커널을 다시 시작하세요.",
                          stacklevel=2)
            return None
    family = list(matplotlib.rcParams["font.family"])
    if family[:1] != [_chosen]:
        matplotlib.rcParams["font.family"] = [_chosen, *[f for f in family if f != _chosen]]
    # The Korean font's Latin glyphs are used too; DejaVu Sans stays as the fallback for anything missing.
    if "DejaVu Sans" not in matplotlib.rcParams["font.family"]:
        matplotlib.rcParams["font.family"] = [*matplotlib.rcParams["font.family"], "DejaVu Sans"]
    return _chosen


def register_bold(family: str) -> bool:
    """Let ``fontweight="bold"`` resolve to ``family``'s own bold face without a warning.

    fonts-nanum's ``NanumGothicBold.ttf`` declares weight 600 (semibold) in its OS/2 table, so a request for
    ``bold`` (700) finds it but logs ``findfont: Failed to find font weight bold for NanumGothic, now using
    600`` - red text above a learner's figure. This adds the heaviest face of ``family`` once more under
    weight 700 (the same file; only matplotlib's index entry is new).

    Args:
        family: The font family (``NanumGothic``).

    Returns:
        True when an entry was added, False when the family already had a 700 face or has no bold face.
    """
    import dataclasses

    from matplotlib import font_manager

    entries = [f for f in font_manager.fontManager.ttflist if f.name == family]
    weights = [w if isinstance(w, int) else font_manager.weight_dict.get(w, 400) for w in (f.weight for f in entries)]
    if not entries or 700 in weights:
        return False
    heaviest = max(range(len(entries)), key=weights.__getitem__)
    if weights[heaviest] < 600:
        return False
    font_manager.fontManager.ttflist.append(dataclasses.replace(entries[heaviest], weight=700))
    font_manager.fontManager._findfont_cached.cache_clear()
    return True


def _figure(width: float = 8.0, height: float = 3.2, rows: int = 1, cols: int = 1, sharex: bool = False):
    from matplotlib.figure import Figure

    use_korean_font()
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(rows, cols, sharex=sharex, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def png(fig: "Figure", dpi: int = 80, compress_level: int | None = None) -> bytes:
    """Render a figure to PNG bytes (for ``ipywidgets.Image``).

    Args:
        fig: The figure.
        dpi: Resolution.
        compress_level: zlib level 0-9 of the PNG (None: Pillow's default); 1 saves CPU on live charts.
    """
    buf = io.BytesIO()
    kwargs = {"pil_kwargs": {"compress_level": compress_level}} if compress_level is not None else {}
    fig.savefig(buf, format="png", dpi=dpi, **kwargs)
    return buf.getvalue()


def stats_figure(df: "pd.DataFrame", title: str = "컨테이너 리소스 사용량 (docker container stats)") -> "Figure":
    """CPU % and memory (MiB) over time, one line per container.

    Args:
        df: Tidy rows from :func:`dockhelpers.stats.collect` / :meth:`StatsSampler.frame`
            (columns ``elapsed``, ``name``, ``cpu_percent``, ``mem_usage``).
        title: Figure title.
    """
    fig, (cpu_ax, mem_ax) = _figure(9.0, 3.4, 1, 2, sharex=True)
    fig.suptitle(title)
    if df is None or df.empty:
        for ax in (cpu_ax, mem_ax):
            ax.text(0.5, 0.5, "아직 수집된 값이 없습니다", ha="center", va="center", transform=ax.transAxes)
    else:
        for name, part in df.groupby("name", sort=False):
            cpu_ax.plot(part["elapsed"], part["cpu_percent"], marker=".", label=name)
            mem_ax.plot(part["elapsed"], part["mem_usage"] / _MIB, marker=".", label=name)
        fig.legend(*cpu_ax.get_legend_handles_labels(), loc="outside lower center", fontsize="small",
                   ncols=min(4, df["name"].nunique()), frameon=False)
    cpu_ax.set_title("CPU 사용률 (100% = CPU 1개)")
    cpu_ax.set_ylabel("CPU(%)")
    mem_ax.set_title("메모리 사용량 (페이지 캐시 제외)")
    mem_ax.set_ylabel("메모리(MiB)")
    for ax in (cpu_ax, mem_ax):
        ax.set_xlabel("경과 시간(초)")
        ax.grid(alpha=0.3)
    _stats_limits(cpu_ax, mem_ax, df)
    return fig


def _stats_limits(cpu_ax, mem_ax, df: "pd.DataFrame | None") -> tuple[float, float, float]:
    """Set the axes limits of a stats figure; returns (right, cpu_top, mem_top)."""
    has_data = df is not None and not df.empty
    # Time from 0 and a minimum height, so an idle container's noise does not look like a load.
    right = max(10.0, float(df["elapsed"].max()) * 1.05) if has_data else 10.0
    cpu_top = max(5.0, float(df["cpu_percent"].max()) * 1.15) if has_data else 5.0
    mem_top = max(1.0, float(df["mem_usage"].max()) / _MIB * 1.15) if has_data else 1.0
    for ax, top in ((cpu_ax, cpu_top), (mem_ax, mem_top)):
        ax.set_xlim(0, right)
        ax.set_ylim(0, top)
    return right, cpu_top, mem_top


class LiveStatsChart:
    """The :func:`stats_figure` of a live monitor, redrawn in place to keep its CPU cost low.

    Building a new figure every time costs about twice as much as moving the lines of an existing one
    (the constrained layout and the legend are the expensive part), so the figure is built once per set
    of containers and per order of magnitude of the axes (when tick labels get wider the layout is
    recomputed); in between only the line data and the limits change and the layout stays frozen.

    Example::

        chart = LiveStatsChart()
        image.value = chart.png(sampler.frame())   # every few seconds
    """

    def __init__(self, title: str = "컨테이너 리소스 사용량 (docker container stats)", dpi: int = 80) -> None:
        self.title = title
        self.dpi = dpi
        self.fig: "Figure | None" = None
        self.builds = 0
        self._key: tuple | None = None

    def png(self, df: "pd.DataFrame | None") -> bytes:
        """PNG bytes of the chart for these tidy rows."""
        has_data = df is not None and not df.empty
        names = tuple(df["name"].unique()) if has_data else ()
        if has_data:
            cpu_top = max(5.0, float(df["cpu_percent"].max()) * 1.15)
            mem_top = max(1.0, float(df["mem_usage"].max()) / _MIB * 1.15)
            digits = (len(f"{cpu_top:.0f}"), len(f"{mem_top:.0f}"))
        else:
            digits = (0, 0)
        key = (names, digits)
        if self.fig is None or key != self._key:
            self.fig = stats_figure(df, self.title)
            self._key = key
            self.builds += 1
            data = png(self.fig, self.dpi, compress_level=1)  # lays the figure out once
            self.fig.set_layout_engine(None)  # then keep that layout (None, not "none": no extra draw per save)
            return data
        cpu_ax, mem_ax = self.fig.axes[:2]
        for (_, part), cpu_line, mem_line in zip(df.groupby("name", sort=False), cpu_ax.get_lines(),
                                                 mem_ax.get_lines()):
            cpu_line.set_data(part["elapsed"].to_numpy(), part["cpu_percent"].to_numpy())
            mem_line.set_data(part["elapsed"].to_numpy(), part["mem_usage"].to_numpy() / _MIB)
        _stats_limits(cpu_ax, mem_ax, df)
        return png(self.fig, self.dpi, compress_level=1)


def bar_figure(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str,
               annotate: str = "{:.1f}") -> "Figure":
    """A horizontal bar chart with Korean labels (largest value on top).

    Args:
        labels: One label per bar.
        values: One value per bar.
        title: Figure title.
        xlabel: Axis label of the values (with the unit).
        annotate: Format of the number written at the end of each bar ("" for none).
    """
    pairs = sorted(zip(labels, values), key=lambda p: p[1])
    fig, (ax,) = _figure(8.0, max(2.0, 0.45 * len(pairs) + 1.2))
    ax.barh([p[0] for p in pairs], [p[1] for p in pairs], color="#2b7bba")
    if annotate:
        for i, (_, v) in enumerate(pairs):
            ax.text(v, i, " " + annotate.format(v), va="center", fontsize="small")
        ax.set_xlim(right=max([v for _, v in pairs] + [1]) * 1.18)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return fig


def image_sizes_figure(df: "pd.DataFrame", title: str = "이미지 크기 비교 (docker image ls)") -> "Figure":
    """Image sizes in MB from :func:`dockhelpers.images.ls` (columns 저장소, 태그, 크기(MB))."""
    labels = [f"{r}:{t}" for r, t in zip(df["저장소(REPOSITORY)"], df["태그(TAG)"])]
    return bar_figure(labels, list(df["크기(MB)"]), title=title, xlabel="크기(MB)")


def layers_figure(history: "pd.DataFrame | Iterable[dict]", title: str = "이미지 레이어별 크기 (docker image history)",
                  width: int = 48) -> "Figure":
    """Size of each layer of an image, from the engine's image history.

    Args:
        history: Rows with ``CreatedBy`` and ``Size`` (bytes), as returned by the SDK's
            ``client.images.get(ref).history()`` (newest layer first) or a DataFrame of them.
        title: Figure title.
        width: Characters of each layer's command kept as its label.
    """
    import pandas as pd

    df = pd.DataFrame(list(history)) if not isinstance(history, pd.DataFrame) else history
    df = df.iloc[::-1].reset_index(drop=True)  # oldest (FROM) layer first
    labels = []
    for i, cmd in enumerate(df["CreatedBy"]):
        text = str(cmd or "").replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").strip()
        text = text or "(가져온 루트 파일 시스템)"
        labels.append(f"{i + 1}. {text[:width]}{'…' if len(text) > width else ''}")
    values = list(df["Size"] / 1e6)
    fig, (ax,) = _figure(9.0, max(2.2, 0.42 * len(labels) + 1.2))
    ax.barh(range(len(labels)), values, color="#4c9a2a")
    ax.set_yticks(range(len(labels)), labels, fontsize="small")
    ax.invert_yaxis()  # first layer on top, as the Dockerfile reads
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.1f} MB" if v >= 0.1 else f" {v * 1000:.1f} kB", va="center", fontsize="small")
    ax.set_xlim(right=max(values + [1]) * 1.2)
    ax.set_title(title)
    ax.set_xlabel("레이어 크기(MB), 위에서 아래로 쌓이는 순서")
    ax.grid(axis="x", alpha=0.3)
    return fig
