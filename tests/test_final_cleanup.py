"""After every notebook and test has run: each chapter's cleanup removes all it made, and nothing else.

Runs last (marker ``final``), so that the notebook and browser tests reuse the images the chapters built.
Under ``pytest -n 2`` it runs once both workers are done, and checks the resources of each worker's prefix.
First the chapters' images get keepers (``tests/buildcache.py``), so that the next run reuses their build cache.
"""

import pytest

import buildcache
import parallel
from dockhelpers import cleanup, naming
from helpers import environment

pytestmark = [pytest.mark.engine, pytest.mark.final]


@pytest.fixture(scope="module", autouse=True)
def build_cache_kept(engine):
    for env in parallel.every_worker_env():
        with environment(env):
            buildcache.keep(naming.prefix())


@pytest.mark.parametrize("chapter", [1, 2, 3, 4])
def test_chapter_cleanup_leaves_none(engine, chapter):
    base = engine.images.get(naming.BASE_IMAGE).id
    for env in parallel.every_worker_env():
        with environment(env):
            cleanup.cleanup(chapter)
            left = cleanup.plan(chapter)
            assert left == [], f"chapter {chapter} cleanup ({naming.prefix()}) left: {[(i.kind, i.name) for i in left]}"
    assert engine.images.get(naming.BASE_IMAGE).id == base
