"""Pages of the course's own apps shown in a chapter (an ``IFrame`` of http://127.0.0.1:PORT/) made static.

While a notebook runs for the web edition (``scripts/book_execute.py``), every such frame is fetched right
after its cell ran (the app is still up then; chapter 4's TODO board), its style sheets are inlined, and
the frame gets the page as ``srcdoc`` in a sandbox: the book shows what the learner saw, without the app.
A frame that could not be fetched (replay mode, an app already gone) becomes a short Korean note when the
book is assembled, never a frame that fails to load. Standard library only.
CLI equivalent of the capture: ``curl http://127.0.0.1:PORT/`` plus its style sheets.
"""

from __future__ import annotations

import html
import re
import urllib.parse
import urllib.request

LOCAL = r"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/[^\"'\s>]*)?"
FRAME = re.compile(r"<iframe\b[^>]*?\bsrc=\"(" + LOCAL + r")\"[^>]*>\s*</iframe>", re.S | re.I)
STYLESHEET = re.compile(r"<link\b[^>]*\brel=\"?stylesheet\"?[^>]*>", re.I)
HREF = re.compile(r"\bhref=\"([^\"]+)\"", re.I)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def _get(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
        return response.read().decode("utf-8", errors="replace")


def page_snapshot(url: str) -> str:
    """The page at ``url`` with its style sheets inlined and scripts and other links removed."""
    page = _get(url)

    def inline(match: re.Match) -> str:
        href = HREF.search(match.group(0))
        if not href:
            return ""
        try:
            return f"<style>{_get(urllib.parse.urljoin(url, href.group(1)))}</style>"
        except OSError:
            return ""

    page = STYLESHEET.sub(inline, page)
    page = SCRIPT.sub("", page)
    return re.sub(r"<link\b[^>]*>", "", page, flags=re.I)


def capture_frames(text: str) -> str:
    """Every local frame in ``text`` (HTML) with its page as a sandboxed ``srcdoc``; unreachable ones unchanged."""
    def frame(match: re.Match) -> str:
        url = match.group(1)
        try:
            doc = page_snapshot(url)
        except OSError:
            return match.group(0)
        height = re.search(r"\bheight=\"(\d+)\"", match.group(0))
        return (f'<iframe class="dkc-app-snapshot" sandbox="" data-dkc-url="{html.escape(url)}" '
                f'width="100%" height="{height.group(1) if height else 430}" '
                f'srcdoc="{html.escape(doc, quote=True)}"></iframe>')

    return FRAME.sub(frame, text)


def neutralize_frames(text: str) -> str:
    """Local frames still pointing at an app (not captured) become a Korean note with the address."""
    return FRAME.sub(lambda m: (
        '<div class="dkc-static-missing">이 자리에는 실행할 때 '
        f'<code>{html.escape(m.group(1))}</code>에서 열린 앱 화면이 보였습니다. '
        "웹판에는 그 앱이 없으니, 직접 실행해서 확인하세요.</div>"), text)


def on_outputs(outputs: list[dict], transform) -> None:
    """Apply ``transform`` to the ``text/html`` of every output (in place)."""
    for out in outputs:
        data = out.get("data", {})
        if "text/html" in data:
            value = data["text/html"]
            value = "".join(value) if isinstance(value, list) else value
            if "<iframe" in value.lower():
                data["text/html"] = transform(value)
