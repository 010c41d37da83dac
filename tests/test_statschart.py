"""The SVG stats chart (pure: tidy rows in, HTML out; the browser draws it)."""

from __future__ import annotations

import re

from dockhelpers import statschart

MIB = 1024 * 1024


def rows(name: str, cpu: list[float], mem_mib: float = 10.0, start: float = 0.0) -> list[dict]:
    return [{"name": name, "elapsed": start + i, "cpu_percent": c, "mem_usage": mem_mib * MIB} for i, c in enumerate(cpu)]


def test_empty_state_in_korean():
    assert "아직 수집된 값이 없습니다" in statschart.render({"a": []})
    assert "<svg" not in statschart.render({})


def test_two_containers_give_two_lines_per_panel_with_their_colours_and_legend():
    out = statschart.render({"dkc-a": rows("dkc-a", [0, 50, 100]), "dkc-b": rows("dkc-b", [1, 1, 1], 20)})
    assert out.count("<svg") == 1 and out.count("<polyline") == 4
    assert out.count(statschart.PALETTE[0]) == 3 and out.count(statschart.PALETTE[1]) == 3  # 2 lines + legend
    assert "dkc-a" in out and "dkc-b" in out and "CPU 사용률" in out and "메모리 사용량" in out
    assert "data-newest='2.000'" in out


def test_points_scale_into_the_panel():
    out = statschart.render({"a": rows("a", [0.0, 100.0])})
    cpu_line = re.findall(r"<polyline points='([^']*)'", out)[0]
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in cpu_line.split()]
    assert x1 > x0 and y1 < y0  # later to the right, more CPU higher up
    assert y0 == statschart._PANEL_H - statschart._BOTTOM  # 0 % on the bottom edge


def test_only_the_last_window_is_drawn_and_names_are_escaped():
    long = rows("<b>x</b>", [5.0] * 300)
    out = statschart.render({"<b>x</b>": long}, window=60)
    first = re.findall(r"<polyline points='([^']*)'", out)[0].split()
    assert len(first) == 61  # elapsed 239..299
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out


def test_nice_top_rounds_up():
    assert statschart.nice_top(0.0, 5.0) == 5.0
    assert statschart.nice_top(47.0, 5.0) == 100.0  # 47 * 1.1 > 50
    assert statschart.nice_top(180.0, 5.0) == 200.0
    assert statschart.nice_top(3.0, 1.0) == 5.0
