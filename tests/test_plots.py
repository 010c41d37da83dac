"""Korean matplotlib figures: Korean glyphs really render (no missing-glyph warnings), real engine data."""

from __future__ import annotations

import json
import pathlib
import warnings

import pytest

from dockhelpers import plots, stats

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "stats_samples.json").read_text(encoding="utf-8"))


def render(fig) -> tuple[bytes, list[str]]:
    """PNG bytes of a figure and the missing-glyph warnings raised while drawing it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = plots.png(fig)
    return data, [str(w.message) for w in caught if "missing from" in str(w.message)]


def sample_frame():
    start = stats.parse_time(DATA["busy"][1]["read"])
    rows = [stats.to_row(r, start) for r in DATA["busy"][1:]]
    rows += [stats.to_row(DATA["limited_after_cli"], start)]
    return stats.frame(rows)


def test_a_korean_font_is_chosen_and_the_unicode_minus_is_off():
    import matplotlib
    from matplotlib import font_manager

    family = plots.use_korean_font()
    assert family in plots.KOREAN_FONTS
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert "nanum" in path.lower() or "noto" in path.lower(), path


def test_the_glyph_check_detects_a_font_without_hangul():
    # Guard for the tests below: drawing Korean with a Latin-only font must be caught.
    from matplotlib.figure import Figure

    fig = Figure()
    fig.suptitle("컨테이너", family="DejaVu Sans")
    _, missing = render(fig)
    assert missing


def test_stats_figure_draws_korean_labels_and_one_line_per_container():
    fig = plots.stats_figure(sample_frame())
    data, missing = render(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and not missing, missing
    cpu_ax, mem_ax = fig.axes
    assert cpu_ax.get_title().startswith("CPU 사용률") and "MiB" in mem_ax.get_ylabel()
    assert len(cpu_ax.get_lines()) == 2  # busy and limited containers
    busy = cpu_ax.get_lines()[0]
    assert 35 < busy.get_ydata().mean() < 65
    assert cpu_ax.get_xlim()[0] == 0 and cpu_ax.get_xlim()[1] >= 10
    assert cpu_ax.get_ylim()[1] > 50  # the busy line stays inside


def test_an_idle_container_is_not_magnified():
    df = sample_frame()
    idle = df[df["name"] == df["name"].iloc[-1]].assign(elapsed=1.0)  # memory-limited container, CPU 0 %
    fig = plots.stats_figure(idle)
    cpu_ax, mem_ax = fig.axes
    assert cpu_ax.get_ylim() == (0, 5.0) and mem_ax.get_ylim()[1] >= 1.0
    assert cpu_ax.get_xlim() == (0, 10.0)


def test_stats_figure_of_no_data_says_so():
    fig = plots.stats_figure(stats.frame([]))
    _, missing = render(fig)
    assert not missing
    assert any("아직 수집된 값이 없습니다" in t.get_text() for t in fig.axes[0].texts)


def test_negative_ticks_use_an_ascii_minus():
    fig = plots.bar_figure(["감소", "증가"], [-3.0, 5.0], title="변화량", xlabel="MB")
    _, missing = render(fig)
    assert not missing
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert any(label.startswith("-") for label in labels) and not any("\u2212" in label for label in labels)


@pytest.mark.engine
def test_image_and_layer_figures_from_the_engine(engine):
    from dockhelpers import images
    from dockhelpers.naming import BASE_IMAGE

    df = images.ls(show_command=False)
    df = df[df["저장소(REPOSITORY)"] != "<none>"].head(6)
    fig = plots.image_sizes_figure(df)
    _, missing = render(fig)
    assert not missing and len(fig.axes[0].patches) == len(df)

    history = engine.images.get(BASE_IMAGE).history()
    fig = plots.layers_figure(history)
    _, missing = render(fig)
    assert not missing
    bars = fig.axes[0].patches
    assert len(bars) == len(history)
    total_mb = sum(b.get_width() for b in bars)
    assert total_mb == pytest.approx(engine.images.get(BASE_IMAGE).attrs["Size"] / 1e6, rel=0.05)


def _count_rendering_work(monkeypatch) -> dict[str, int]:
    """Count, from here on, the figures made, the constrained layouts run and the figure draws."""
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    counts = {"figures": 0, "layouts": 0, "draws": 0}

    def counting(cls, name, key):
        original = getattr(cls, name)

        def wrapper(self, *args, **kwargs):
            counts[key] += 1
            return original(self, *args, **kwargs)
        monkeypatch.setattr(cls, name, wrapper)

    counting(Figure, "__init__", "figures")
    counting(ConstrainedLayoutEngine, "execute", "layouts")
    counting(Figure, "draw", "draws")
    return counts


def test_live_chart_redraws_in_place_and_does_less_work_than_a_new_figure(monkeypatch):
    """The live chart's saving is proven by counting matplotlib's work, not by timing it (no timing assertions
    in the suite: ``make bench`` measures the monitor's CPU)."""
    df = sample_frame()
    chart = plots.LiveStatsChart()
    first = chart.png(df)
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and chart.builds == 1
    moved = df.assign(cpu_percent=df["cpu_percent"] * 0.9)  # same containers, same magnitude
    second = chart.png(moved)
    assert chart.builds == 1 and second != first  # redrawn in place, and the picture changed
    cpu_ax = chart.fig.axes[0]
    assert cpu_ax.get_lines()[0].get_ydata().max() == pytest.approx(moved.groupby("name", sort=False)
                                                                    ["cpu_percent"].max().iloc[0])
    chart.png(df.assign(cpu_percent=df["cpu_percent"] * 10))  # wider tick labels: laid out again
    assert chart.builds == 2
    chart.png(df[df["name"] == df["name"].iloc[0]])  # other containers: a new figure
    assert chart.builds == 3

    chart.png(df)
    counts = _count_rendering_work(monkeypatch)
    for _ in range(3):
        chart.png(moved)
    live = dict(counts)
    counts.update(figures=0, layouts=0, draws=0)
    for _ in range(3):
        plots.png(plots.stats_figure(moved))
    full = dict(counts)
    # in place: no new figure, no layout, one draw per frame; a new figure is laid out and drawn twice per save
    assert live == {"figures": 0, "layouts": 0, "draws": 3}, live
    assert full["figures"] == 3 and full["layouts"] >= 3 and full["draws"] > live["draws"], full


def test_bold_korean_text_resolves_to_the_bold_face_without_a_findfont_warning(caplog):
    """fonts-nanum's NanumGothicBold declares weight 600: without registration, ``fontweight="bold"`` logs a red
    ``findfont: Failed to find font weight bold for NanumGothic`` above the figure (issue 12, chapter 4)."""
    import logging

    from matplotlib import font_manager
    from matplotlib.figure import Figure

    family = plots.use_korean_font()
    if family != "NanumGothic":
        pytest.skip(f"the bold-weight quirk is specific to fonts-nanum (font here: {family})")
    assert plots.register_bold(family) is False  # already registered once by use_korean_font, never twice
    fig = Figure(figsize=(3, 1))
    fig.subplots().set_title("굵은 제목", fontweight="bold")
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        plots.png(fig)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()], caplog.text
    path = font_manager.findfont(font_manager.FontProperties(family=family, weight="bold"))
    assert path.endswith("NanumGothicBold.ttf"), path
