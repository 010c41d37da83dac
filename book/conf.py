"""Sphinx configuration of the web edition (``make book``): MyST-NB over already executed notebooks.

The source folder is ``build/book-site/``, assembled by ``scripts/book_assemble.py`` from this folder (copied
as it is) and the executed notebooks. Nothing is executed here and nothing is fetched: the theme,
its icons and the Korean font files are all local.
"""

from __future__ import annotations

import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "_ext"))

project = "손으로 배우는 도커"
author = "손으로 배우는 도커 과정"
copyright = "손으로 배우는 도커 과정"
language = "ko"
extensions = ["myst_nb", "ko_search"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks were executed by scripts/book_execute.py; MyST-NB only renders them.
nb_execution_mode = "off"
nb_merge_streams = True
# Widget views were turned into static HTML (scripts/book_widgets.py); never load a widget manager.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_output_stderr = "show"
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_title = "손으로 배우는 도커 (웹판)"
html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_last_updated_fmt = "%Y-%m-%d"
html_copy_source = False
html_show_sourcelink = False
html_use_index = False  # no glossary entries: an empty "색인" page helps nobody
html_search_language = "ko"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
    "search_bar_text": "책에서 찾기...",
}
# The repository (the Pages workflow sets BOOK_REPO_URL): a repository button and direct Codespaces/Binder links.
_repo = os.environ.get("BOOK_REPO_URL", "").strip().rstrip("/")
_slug = _repo.split("github.com/", 1)[1] if "github.com/" in _repo else ""
if _repo:
    html_theme_options.update({"repository_url": _repo, "use_repository_button": True})
myst_substitutions = {
    "repo": f"[{_repo}]({_repo})" if _repo else "이 과정의 저장소",
    "codespaces": (f"[Codespaces에서 열기](https://codespaces.new/{_slug})" if _slug
                   else "저장소 페이지의 **Code → Codespaces → Create codespace**"),
    "binder": (f"[Binder에서 열기](https://mybinder.org/v2/gh/{_slug}/HEAD?urlpath=lab/tree/notebooks)로 시작합니다."
               if _slug else "mybinder.org에 저장소 주소를 넣어 시작합니다."),
}
html_favicon = "_static/favicon.svg"
# Light only (the outputs are drawn for a light page): an explicit mode (an empty one logs a console error)
# and no switch (_templates/theme-switcher.html is empty).
html_context = {"default_mode": "light"}
templates_path = ["_templates"]
