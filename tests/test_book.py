"""The web edition: ``make book`` builds it once per session, then every HTML page is opened in Chromium.

Each page must load without console errors or failed requests, render Hangul with the shipped NanumGothic
(asked of Chromium itself: the platform font it used for a node's text), show no broken image and link to
no missing page or anchor. The search page must find a Korean word, and the second execution must come
from the cache. Chromium is Debian's (/usr/bin/chromium), driven by Playwright, like ``tests/ui``.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import pathlib
import re
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import ROOT
from ui import browsers

pytestmark = pytest.mark.book

BOOK = ROOT / "build" / "book"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Chapter titles as the outline (/work/shared/book-outline.md) names them, in its order.
OUTLINE = ["01 도커의 기초", "02 도커 컨테이너 배포", "03 컨테이너 실전 구축 및 배포",
           "04 스웜을 이용한 실전 애플리케이션 개발"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="session")
def book() -> pathlib.Path:
    """``make book`` from this checkout (the course venv is taken as installed)."""
    started = time.monotonic()
    done = subprocess.run(["make", "-o", ".venv/.installed", "book"], cwd=ROOT, capture_output=True, text=True,
                          timeout=3000)
    print(done.stdout[-3000:])
    assert done.returncode == 0, f"make book failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    print(f"make book: {time.monotonic() - started:.0f} s")
    assert (BOOK / "index.html").is_file()
    return BOOK


def pages(book: pathlib.Path) -> list[str]:
    return sorted(str(p.relative_to(book)) for p in book.rglob("*.html")
                  if not {"_static", "_sources", "_downloads", ".doctrees"} & set(p.relative_to(book).parts))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site(book):
    """The built book over HTTP on 127.0.0.1 (as GitHub Pages serves it), base URL ending in ``/``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def chromium(site, tmp_path_factory):
    """Chromium for this module only (Playwright's sync API allows one running instance per thread, and the hub
    and JupyterLab tests start their own after this module), in its own network namespace where possible
    (``ui.browsers``): under ``pytest -n 2`` the other worker creates Docker networks while the pages load."""
    with browsers.chromium(urllib.parse.urlsplit(site).port, relay_dir=tmp_path_factory.mktemp("booksock")) as b:
        yield b


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def anchors(path: pathlib.Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def platform_fonts(page, selector: str) -> list[dict]:
    """The fonts Chromium really used to draw the text of the first node matching ``selector`` (CDP)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no node matches {selector!r}"
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_book_has_every_chapter_and_the_outline_toc(book):
    found = pages(book)
    for stem in CHAPTERS:
        assert f"{stem}.html" in found
    for name in ("index.html", "live.html", "search.html"):  # no genindex.html (html_use_index = False)
        assert name in found
    index = (book / "index.html").read_text(encoding="utf-8")
    positions = [index.find(title) for title in OUTLINE]
    assert all(p >= 0 for p in positions), f"the index lacks a chapter title of the outline: {OUTLINE}"
    assert positions == sorted(positions), "chapters out of the outline's order"
    for section in ("2.3 도커 컨테이너 다루기", "3.5 컨테이너 배치 전략", "4.2 MySQL 서비스 구축"):
        assert section in index, f"the table of contents lacks the outline's section {section!r}"
    assert "직접 실행하기" in index
    assert (book / "_static" / "fonts" / "NanumGothic.woff2").stat().st_size > 50_000


@pytest.mark.parametrize("stem", CHAPTERS)
def test_replayed_chapter_is_clean(book, stem):
    """A chapter the book replayed (no engine reachable) ran top to bottom from its recording: no error, no stray
    stderr, the replay banner, and no request the recording lacks (the Binder visitor sees the same)."""
    import nbformat
    from test_notebooks import stray_stderr

    from dockhelpers.replay import recording as rec
    from dockhelpers.replay import session

    nb = nbformat.read(ROOT / "build" / "book-src" / f"{stem}.ipynb", as_version=4)
    run = nb.metadata.get("dockercourse_book", {})
    if run.get("mode") != "replay":
        pytest.skip(f"{stem} has no recording: the book ran it live")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{stem}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    stderr = stray_stderr(nb)
    assert not stderr, f"{stem}: stderr in replay: {stderr[:3]}"
    texts = "".join(o.get("text", "") for o in outputs)
    assert session.BANNER in texts
    assert rec.NOT_RECORDED not in texts, f"{stem}: a request was not in the recording: run `make record`"


def test_chapters_are_executed_with_static_widgets(book):
    for stem in CHAPTERS:
        text = (book / f"{stem}.html").read_text(encoding="utf-8")
        assert "dkc-run-note" in text, f"{stem}: the note on how its outputs were made is missing"
        assert 'class="cell_output' in text, f"{stem}: no outputs (not executed?)"
        assert "Traceback" not in text and "output error" not in text, f"{stem}: an error output"
        assert "widget-view+json" not in text and "embed-amd" not in text, f"{stem}: a live widget manager"
    panels = (book / "02_deploying_containers.html").read_text(encoding="utf-8")
    assert panels.count('class="dkc-widget-snapshot"') >= 3, "chapter 2's widgets are not drawn statically"
    assert "dkc-w-button" in panels


def test_every_page_loads_in_chromium(book, site, page):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    broken_links: list[str] = []
    for name in pages(book):
        problems.clear()
        page.goto(site + name, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert not problems, f"{name}: {problems[:5]}"
        broken = page.evaluate("""Array.from(document.images)
            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src)""")
        assert not broken, f"{name}: broken images {broken[:5]}"
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        for link in links:
            parsed = urllib.parse.urlsplit(link)
            if not link.startswith(site):
                continue
            target = book / urllib.parse.unquote(parsed.path[len(urllib.parse.urlsplit(site).path):])
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken_links.append(f"{name} -> {link}")
            elif parsed.fragment and target.suffix == ".html" and \
                    urllib.parse.unquote(parsed.fragment) not in anchors(target):
                broken_links.append(f"{name} -> {link} (no such anchor)")
        # Hangul in the title (and the first paragraph), drawn with the book's NanumGothic: a web font that
        # Chromium loaded from _static/fonts, not a system fallback.
        for kind in ("h1", "p"):
            marked = page.evaluate("""kind => {
                const e = Array.from(document.querySelectorAll('main ' + kind))
                    .find(e => e.getClientRects().length && /[\\uac00-\\ud7a3]/.test(e.textContent));
                if (e) e.setAttribute('data-dkc-probe', kind);
                return !!e; }""", kind)
            if kind == "p" and not marked:
                continue
            assert marked, f"{name}: no title with Hangul"
            selector = f"[data-dkc-probe={kind}]"
            family = page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).fontFamily")
            assert family.strip().strip('"').startswith("NanumGothic"), f"{name} {kind}: font {family!r}"
            fonts = platform_fonts(page, selector)
            used = {f["familyName"] for f in fonts if f["glyphCount"]}
            assert any(f["familyName"].startswith("NanumGothic") and f["isCustomFont"] for f in fonts), \
                f"{name} {kind}: Hangul drawn with {used}, not the shipped NanumGothic"
        assert page.evaluate("document.fonts.check('16px NanumGothic', '한글')")
    assert not broken_links, f"broken internal links: {broken_links[:10]}"


@pytest.mark.engine
def test_pages_load_while_docker_adds_and_removes_networks(book, site, page, engine):
    """Chromium aborts a request with ERR_NETWORK_CHANGED when an interface appears on its network, which Docker
    does all the time (and the other worker's tests under ``pytest -n 2``): the browser has its own namespace."""
    from dockhelpers import naming

    failed: list[str] = []
    # (ERR_ABORTED: the next page.goto cut a favicon's load short, which is this loop, not the network.)
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}") if r.failure != "net::ERR_ABORTED"
            else None)
    stop, cycles = threading.Event(), [0]

    def flap() -> None:
        while not stop.is_set():
            net = engine.networks.create(naming.name("book-flap"), labels=naming.labels())
            net.remove()
            cycles[0] += 1

    flapper = threading.Thread(target=flap, daemon=True)
    flapper.start()
    try:
        for _ in range(2):
            for name in pages(book):
                page.goto(site + name, wait_until="load")
    finally:
        stop.set()
        flapper.join(timeout=30)
    assert cycles[0] >= 5, f"only {cycles[0]} networks came and went while the pages loaded"
    assert not failed, failed[:5]


@pytest.mark.parametrize("word", ["컨테이너", "스웜"])
def test_search_finds_a_korean_word(book, site, page, word):
    page.goto(site + "search.html?q=" + urllib.parse.quote(word), wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(state="attached", timeout=30_000)
    hrefs = page.evaluate("Array.from(document.querySelectorAll('#search-results ul.search li a'))"
                          ".map(a => a.getAttribute('href'))")
    assert any(h.split("#")[0].split("?")[0].removesuffix(".html") in CHAPTERS for h in hrefs), hrefs


def test_second_build_executes_nothing(book):
    """Nothing changed: ``make book`` again takes every chapter from build/book-src/ and only renders."""
    done = subprocess.run(["make", "-o", ".venv/.installed", "book"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count(": cached (") == len(CHAPTERS), done.stdout
    assert "executing" not in done.stdout
