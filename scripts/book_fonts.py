"""The web edition's Korean fonts: NanumGothic from fonts-nanum as small WOFF2 subsets (``make book``).

Browsers reject the TTF files as packaged (Chromium's font sanitizer: "TSI3: zero-length table", the
empty VTT hinting tables), and each is 2-5 MB. This writes one WOFF2 per face with the hinting and VTT
tables dropped and only the characters the book can show: every character of the assembled pages and
notebooks, the Korean messages of Sphinx and the theme, ASCII and Latin-1 punctuation, the Hangul jamo,
and the 2,350 common Hangul syllables of KS X 1001 (so most words typed in the search box look the same).
CLI equivalent: ``pyftsubset NanumGothic.ttf --text-file=... --flavor=woff2 --no-hinting``.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

#: Output file name -> fonts-nanum file name.
FACES = {"NanumGothic.woff2": "NanumGothic.ttf", "NanumGothicBold.woff2": "NanumGothicBold.ttf",
         "NanumGothicCoding.woff2": "NanumGothicCoding.ttf"}
FONT_DIRS = [pathlib.Path(p) for p in os.environ.get("BOOK_FONT_DIRS", "").split(":") if p] + [
    pathlib.Path("/usr/share/fonts/truetype/nanum"), pathlib.Path("/usr/share/fonts/nanum"),
    pathlib.Path.home() / ".local/share/fonts", pathlib.Path("/Library/Fonts")]
VTT_TABLES = ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "TSIV", "TSIP", "TSIS", "TSIJ", "TSIB", "TSID", "TSIC"]


def find_font(name: str) -> pathlib.Path | None:
    """A font file from fonts-nanum (or ``BOOK_FONT_DIRS``), else wherever fontconfig has it."""
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", "-f", "%{file}\n"], capture_output=True, text=True).stdout.split("\n")
        for path in listed:
            if path and pathlib.Path(path).name == name:
                return pathlib.Path(path)
    return None


def _strings(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "".join(_strings(v) for v in value)
    return ""


def book_characters(site: pathlib.Path) -> set[str]:
    """Every character the book's pages can show (see the module docstring)."""
    chars: set[str] = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= {chr(c) for c in range(0x2000, 0x2070)} | {chr(c) for c in range(0x3130, 0x3190)}
    chars |= {chr(c) for c in range(0x2190, 0x2200)} | {chr(c) for c in range(0x2500, 0x2580)}
    for hi in range(0xB0, 0xC9):  # KS X 1001 Hangul syllables (rows 16-40)
        for lo in range(0xA1, 0xFF):
            try:
                chars |= set(bytes([hi, lo]).decode("euc-kr"))
            except UnicodeDecodeError:
                pass
    for path in site.rglob("*"):
        if path.suffix == ".ipynb":
            chars |= set(_strings(json.loads(path.read_text(encoding="utf-8"))))
        elif path.suffix in (".md", ".py", ".css"):
            chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    import pydata_sphinx_theme
    import sphinx
    import sphinx_book_theme

    for package in (sphinx, pydata_sphinx_theme, sphinx_book_theme):
        for po in pathlib.Path(package.__file__).parent.rglob("ko*/LC_MESSAGES/*.po"):
            chars |= set(po.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if c.isprintable()}


def write_fonts(site: pathlib.Path, dest: pathlib.Path) -> list[str]:
    """Subset every face into ``dest``; the names written (a missing face is reported, not fatal)."""
    from fontTools import subset

    text = "".join(sorted(book_characters(site)))
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for out, source_name in FACES.items():
        source = find_font(source_name)
        if source is None:
            print(f"[book] 글꼴 {source_name}이(가) 없습니다 / font missing: apt-get install fonts-nanum", flush=True)
            continue
        options = subset.Options()
        options.flavor = "woff2"
        options.hinting = False
        options.drop_tables += VTT_TABLES
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        subset.save_font(font, str(dest / out), options)
        written.append(out)
    return written
