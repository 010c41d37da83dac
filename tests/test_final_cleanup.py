"""After every notebook and test has run: each chapter's cleanup removes all it made, and nothing else.

Runs last (marker ``final``), so that the notebook and browser tests reuse the images the chapters built.
"""

import pytest

from dockhelpers import cleanup, naming

pytestmark = [pytest.mark.engine, pytest.mark.final]


@pytest.mark.parametrize("chapter", [1, 2, 3, 4])
def test_chapter_cleanup_leaves_none(engine, chapter):
    base = engine.images.get(naming.BASE_IMAGE).id
    cleanup.cleanup(chapter)
    left = cleanup.plan(chapter)
    assert left == [], f"chapter {chapter} cleanup left: {[(i.kind, i.name) for i in left]}"
    assert engine.images.get(naming.BASE_IMAGE).id == base
