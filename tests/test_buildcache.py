"""The build cache the test runs keep (tests/buildcache.py): a chapter's cleanup still removes its images,
the next build of the same Dockerfile is served from the cache, and a changed Dockerfile replaces the keeper."""

from __future__ import annotations

import secrets

import pytest
from docker.errors import ImageNotFound

import buildcache
from dockhelpers import cleanup, images, naming
from helpers import environment

pytestmark = pytest.mark.engine


def _context(path, token: str):
    path.mkdir(exist_ok=True)
    (path / "Dockerfile").write_text(f"FROM {naming.BASE_IMAGE}\nRUN echo {token} > /token\nCMD [\"cat\", \"/token\"]\n")
    return path


def _build(path, ref: str) -> tuple[str, list[str]]:
    lines: list[str] = []
    image_id = images.build(path, ref, chapter=1, quiet=True, on_line=lines.append)
    return image_id, lines


def _keepers(engine, cache: str) -> list:
    return engine.images.list(filters={"label": f"{naming.PREFIX_LABEL}={cache}"})


def test_keepers_hold_the_cache_through_a_chapter_cleanup(engine, tmp_path, capsys):
    prefix = f"{naming.prefix()}-tbc"
    cache = buildcache.cache_prefix(prefix)
    env = {naming.PREFIX_ENV: prefix}
    first_token, second_token = secrets.token_hex(8), secrets.token_hex(8)
    try:
        with environment(env):
            ref = naming.image("cached", "v1")
            context = _context(tmp_path / "ctx", first_token)
            first, lines = _build(context, ref)
            assert not any("Using cache" in line for line in lines), lines

            assert buildcache.keep(prefix, cache) == [f"{cache}/{prefix}/cached:v1"]
            keeper = engine.images.get(f"{cache}/{prefix}/cached:v1")
            assert keeper.labels[naming.COURSE_LABEL] == "true"
            assert keeper.labels[naming.CHAPTER_LABEL] == ""
            assert keeper.labels[buildcache.CACHE_OF_LABEL] == prefix

            # The chapter's cleanup still removes what it built: the tag goes, the layers stay under the keeper.
            cleanup.cleanup(1, quiet=True)
            assert cleanup.plan(1) == []
            with pytest.raises(ImageNotFound):
                engine.images.get(ref)

            again, lines = _build(context, ref)
            assert again == first
            assert any("Using cache" in line for line in lines), lines
            assert [k.id for k in _keepers(engine, cache)] == [keeper.id]
            assert buildcache.keep(prefix, cache) == [f"{cache}/{prefix}/cached:v1"]
            assert [k.id for k in _keepers(engine, cache)] == [keeper.id]

            # A changed Dockerfile builds anew; its keeper replaces the old one, whose layers go with it.
            cleanup.cleanup(1, quiet=True)
            changed, lines = _build(_context(tmp_path / "ctx", second_token), ref)
            assert changed != first
            assert not any("Using cache" in line for line in lines), lines
            buildcache.keep(prefix, cache)
            assert [k.id for k in _keepers(engine, cache)] == [engine.images.get(f"{cache}/{prefix}/cached:v1").id]
            with pytest.raises(ImageNotFound):
                engine.images.get(first)
    finally:
        with environment(env):
            cleanup.cleanup(1, quiet=True)
        with environment({naming.PREFIX_ENV: cache}):
            cleanup.cleanup(quiet=True)
    assert _keepers(engine, cache) == []
    with pytest.raises(ImageNotFound):
        engine.images.get(changed)
