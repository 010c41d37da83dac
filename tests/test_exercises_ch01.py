"""Chapter 1 exercises against the real engine: each reference solution passes its check, and each
check rejects the obvious wrong states. Everything made here carries the chapter 1 labels and is removed
by label afterwards."""

from __future__ import annotations

import pytest

from dockhelpers import naming
from dockhelpers.exercises import ch01

#: Checks are called directly (not through ``ch01.check``, which turns a crash into a failed answer),
#: so a check that crashes cannot pass for one that correctly says "not yet".
check = ch01.exercises.grade

pytestmark = pytest.mark.engine


def _rm_image(engine, ref):
    from docker.errors import ImageNotFound

    try:
        engine.images.remove(ref, force=True)
    except ImageNotFound:
        pass


def _rm_container(engine, name):
    from docker.errors import NotFound

    try:
        engine.containers.get(name).remove(force=True)
    except NotFound:
        pass


@pytest.fixture
def clean(engine):
    """Remove the exercises' resources before and after (by name; all carry the chapter 1 labels)."""
    def wipe():
        _rm_container(engine, ch01.BOOKWORM_CONTAINER)
        for ref in (ch01.HELLO_IMAGE, ch01.TAG_A, ch01.TAG_B):
            _rm_image(engine, ref)
    wipe()
    yield engine
    wipe()


@pytest.fixture(scope="module", autouse=True)
def remove_built_images(engine):
    """After the module: remove the chapter 1 images these tests built (by label, dangling stages too)."""
    yield
    _rm_image(engine, ch01.BOOKWORM_IMAGE)
    for img in engine.images.list(filters={"label": naming.label_filters(1), "dangling": True}):
        _rm_image(engine, img.id)


def test_exercise_1(clean, tmp_path):
    engine = clean
    assert not check(1), "passes before anything was built"
    ch01.solve(1)
    result = check(1)
    assert result, str(result)
    # wrong state: an image of that name that prints something else
    (tmp_path / "Dockerfile").write_text('FROM debian:trixie-slim\nCMD ["echo", "hello"]\n')
    engine.images.build(path=str(tmp_path), tag=ch01.HELLO_IMAGE, labels=naming.labels(1), rm=True)
    result = check(1)
    assert not result and "hello" in result.found
    # wrong state: the right output but no course label
    (tmp_path / "Dockerfile").write_text('FROM debian:trixie-slim\nCMD ["echo", "안녕하세요, 도커!"]\n'
                                         f'LABEL {naming.CHAPTER_LABEL}=01\n')
    engine.images.build(path=str(tmp_path), tag=ch01.HELLO_IMAGE, rm=True)
    result = check(1)
    assert not result and "라벨" in result.found
    for img in engine.images.list(filters={"label": f"{naming.CHAPTER_LABEL}=01", "dangling": True}):
        _rm_image(engine, img.id)


def test_exercise_2(clean):
    engine = clean
    ch01.solve(2)
    result = check(2)
    assert result, str(result)
    # wrong state: tag b missing
    engine.images.remove(ch01.TAG_B)
    result = check(2)
    assert not result and ch01.TAG_B in result.found
    # wrong state: tag b on a different image
    engine.images.get(naming.BASE_IMAGE).tag(*ch01.TAG_B.rsplit(":", 1))
    result = check(2)
    assert not result and "다릅니다" in result.found


def test_exercise_3(clean):
    engine = clean
    assert not check(3)
    ch01.solve(3)
    result = check(3)
    assert result, str(result)
    # wrong state: stopped
    engine.containers.get(ch01.BOOKWORM_CONTAINER).stop(timeout=1)
    result = check(3)
    assert not result and "exited" in result.found
    # wrong state: running, but Debian 13
    engine.containers.get(ch01.BOOKWORM_CONTAINER).remove(force=True)
    engine.containers.run(naming.BASE_IMAGE, ["sleep", "infinity"], name=ch01.BOOKWORM_CONTAINER, detach=True,
                          init=True, labels=naming.labels(1))
    result = check(3)
    assert not result and "13" in result.found
