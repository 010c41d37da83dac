"""What every view shares: HTML for commands, messages and tables, and capturing a helper's printed command."""

from __future__ import annotations

import contextlib
import html
import io
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


def make_button(label: str, icon: str = "", style: str = "", tooltip: str = "") -> W.Button:
    return W.Button(description=label, icon=icon, button_style=style, tooltip=tooltip or label,
                    layout=W.Layout(width="auto"))
