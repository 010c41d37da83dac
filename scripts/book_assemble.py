"""Assemble the web edition's Sphinx source (``make book``, step 2 of 3; step 3 is ``sphinx-build``).

Reads the executed notebooks in ``build/book-src/`` (``scripts/book_execute.py``) and writes
``build/book-site/``: the pages of ``book/`` (``*.md``), each chapter notebook with its widget views turned
into static HTML (``scripts/book_widgets.py``) and a short note on how its outputs were made, and the Korean
font subsets (``scripts/book_fonts.py``, fontTools) under ``_static/fonts/``. Runs in the book's venv.

Usage: ``python scripts/book_assemble.py`` (then ``sphinx-build -b html build/book-site build/book``).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from book_fonts import write_fonts  # noqa: E402
from book_snapshots import neutralize_frames, on_outputs  # noqa: E402
from book_widgets import snapshot_notebook  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = ROOT / "book"
EXECUTED = ROOT / "build" / "book-src"
SITE = ROOT / "build" / "book-site"
NOTEBOOKS = ROOT / "notebooks"
def run_note(meta: dict) -> str:
    """The Korean note placed under a chapter's title: how and when its outputs were made."""
    when = meta.get("executed", "")
    if meta.get("mode") == "replay":
        return (f"이 페이지의 출력은 실제 엔진에서 녹화한 세션을 엔진 없이 재생하며 실행한 결과입니다"
                f"(실행: {when}). 녹화한 날짜와 엔진은 아래 안내문에 있습니다. "
                "직접 실행하려면 [직접 실행하기](live.md)를 보세요.")
    engine = f"도커 엔진 {meta['engine']}" if meta.get("engine") else "실제 도커 엔진"
    return (f"이 페이지의 출력은 {when}에 {engine}에서 노트북을 처음부터 끝까지 실행한 결과입니다. "
            "직접 실행하려면 [직접 실행하기](live.md)를 보세요.")


def chapter(src: pathlib.Path, dest: pathlib.Path) -> tuple[dict, dict]:
    """Copy one executed notebook into the site, widgets as snapshots; (drawn, missing) widget counts."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    drawn, missing = snapshot_notebook(nb)
    for cell in nb["cells"]:
        on_outputs(cell.get("outputs", []), neutralize_frames)
    meta = nb.get("metadata", {}).get("dockercourse_book", {})
    note = {"cell_type": "markdown", "metadata": {"tags": ["book-run-note"]},
            "source": f':::{{note}}\n:class: dkc-run-note\n{run_note(meta)}\n:::\n'}
    cells = nb["cells"]
    first = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), None)
    if first is not None and "".join(cells[first]["source"]).lstrip().startswith("# "):
        # Split the title off the first markdown cell so the note sits right under it.
        text = "".join(cells[first]["source"]).lstrip()
        title, _, rest = text.partition("\n")
        cells[first]["source"] = title + "\n"
        cells.insert(first + 1, note)
        if rest.strip():
            cells.insert(first + 2, {"cell_type": "markdown", "metadata": {}, "source": rest})
    else:
        cells.insert(0, note)
    for cell in cells:  # nbformat 4.5 wants ids; the inserted cells get simple unique ones
        cell.setdefault("id", f"book-{cells.index(cell)}")
    dest.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return dict(drawn), dict(missing)


def copy_chapter_files(site: pathlib.Path) -> None:
    """The chapters' own files (``notebooks/chNN/``), which the chapters link to: Sphinx ships them as downloads."""
    for folder in sorted(NOTEBOOKS.glob("ch[0-9][0-9]")):
        shutil.copytree(folder, site / folder.name, symlinks=False, ignore=shutil.ignore_patterns(
            "_work", "__pycache__", ".ipynb_checkpoints", "*.md", "*.ipynb", "*.rst"))


def main() -> int:
    started = time.monotonic()
    chapters = sorted(EXECUTED.glob("[0-9][0-9]_*.ipynb"))
    expected = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    missing_chapters = sorted(set(expected) - {p.name for p in chapters})
    if missing_chapters:
        print(f"[book] 실행한 노트북이 없습니다 / not executed yet: {', '.join(missing_chapters)} "
              "(run scripts/book_execute.py)", file=sys.stderr)
        return 1
    if SITE.exists():
        shutil.rmtree(SITE)
    shutil.copytree(PAGES, SITE, ignore=shutil.ignore_patterns("__pycache__"))
    copy_chapter_files(SITE)
    report = {}
    for src in chapters:
        drawn, missing = chapter(src, SITE / src.name)
        report[src.name] = {"drawn": drawn, "missing": missing}
        shown = sum(v for k, v in drawn.items() if not k.endswith("StyleModel") and k != "LayoutModel")
        print(f"[book] {src.name}: {shown} widget parts drawn statically"
              + (f", not drawn: {missing}" if missing else ""), flush=True)
    fonts = write_fonts(SITE, SITE / "_static" / "fonts")
    print(f"[book] fonts: {', '.join(fonts) or 'none'} (subset WOFF2)", flush=True)
    (SITE.parent / "book-widgets.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                                   encoding="utf-8")
    print(f"[book] assemble: {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
