"""The learner's progress in one chapter as a table (each chapter shows it at its start and at its end).

Reads the progress store (:mod:`dockhelpers.progress`); the HTML is built by the pure :func:`progress_html`.
CSS classes: ``dkc-progress`` (the view), ``dkc-progress-row`` (one row per exercise, ``data-state`` =
``passed`` / ``failed`` / ``todo``), button ``dkc-btn-refresh``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W

from dockhelpers import progress
from dockhelpers.widgets.common import make_button

_CSS = ("<style>.dkc-progress table{border-collapse:collapse;font-size:13px}"
        ".dkc-progress th,.dkc-progress td{padding:3px 10px;text-align:left;border-bottom:1px solid #ddd}"
        ".dkc-progress th{background:#f3f3f3}</style>")
_STATES = {"passed": ("✅ 통과", "#1a7f37"), "failed": ("❌ 아직", "#cf222e"), "todo": ("― 안 함", "#666")}


def _when(stamp: str | None) -> str:
    """``2026-12-06T22:50:01+00:00`` -> ``12-06 22:50`` (UTC, as stored)."""
    return f"{stamp[5:10]} {stamp[11:16]}" if stamp else ""


def progress_html(chapter: int, rows: list[dict[str, Any]], who: str) -> str:
    """The table for :func:`dockhelpers.progress.summary` rows, with a one-line summary above it."""
    done = sum(1 for r in rows if r["passed"])
    head = (f"<div><b>{chapter}장 진행 상황</b> · 학습자 <code>{html.escape(who)}</code> · "
            f"{len(rows)}문제 중 {done}문제 통과</div>")
    if not any(r["attempts"] for r in rows):
        head += "<div style='color:#666'>아직 검사한 문제가 없습니다. 장 끝의 연습 문제를 풀고 검사 셀을 실행하면 여기에 쌓입니다.</div>"
    body = []
    for r in rows:
        state = "passed" if r["passed"] else ("failed" if r["attempts"] else "todo")
        label, color = _STATES[state]
        passed_on = f"{r['passed_on']}번째에 통과" if r["passed_on"] else ""
        body.append(f"<tr class='dkc-progress-row' data-state='{state}'><td>{chapter}-{r['exercise']}</td>"
                    f"<td>{html.escape(r['title'])}</td><td style='color:{color}'>{label}</td>"
                    f"<td>{r['attempts']}</td><td>{passed_on}</td><td>{_when(r['last'])}</td></tr>")
    table = ("<table><thead><tr><th>번호</th><th>문제</th><th>결과</th><th>검사 횟수</th><th>통과</th>"
             f"<th>마지막 검사(UTC)</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
    return f"{_CSS}{head}{table}"


class ProgressTable(W.VBox):
    """One chapter's progress for the current learner, with a refresh button (the store is re-read on click)."""

    def __init__(self, chapter: int, titles: dict[int, str]) -> None:
        self.chapter = chapter
        self.titles = dict(titles)
        self.table = W.HTML()
        self.refresh_button = make_button("새로 고침", icon="refresh", tooltip="진행 기록을 다시 읽기")
        self.refresh_button.add_class("dkc-btn-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([self.table, self.refresh_button])
        self.add_class("dkc-progress")
        self.refresh()

    def rows(self) -> list[dict[str, Any]]:
        """The rows shown now (:func:`dockhelpers.progress.summary`)."""
        return progress.summary(self.chapter, self.titles)

    def refresh(self) -> None:
        """Re-read the store and redraw."""
        self.table.value = progress_html(self.chapter, self.rows(), progress.learner())
