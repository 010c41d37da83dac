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


def _rm_image(engine, ref, shared_ok: bool = False):
    """Remove an image; with ``shared_ok``, one that another build uses as its cache (409) stays."""
    from docker.errors import APIError, ImageNotFound

    try:
        engine.images.remove(ref, force=True)
    except ImageNotFound:
        pass
    except APIError as e:
        if not (shared_ok and e.status_code == 409):
            raise


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
    built = [engine.images.build(path=str(tmp_path), tag=ch01.HELLO_IMAGE, labels=naming.labels(1), rm=True)[0]]
    result = check(1)
    assert not result and "hello" in result.found
    # wrong state: the right output but no course label
    (tmp_path / "Dockerfile").write_text('FROM debian:trixie-slim\nCMD ["echo", "안녕하세요, 도커!"]\n'
                                         f'LABEL {naming.CHAPTER_LABEL}=01\n')
    built.append(engine.images.build(path=str(tmp_path), tag=ch01.HELLO_IMAGE, rm=True)[0])
    result = check(1)
    assert not result and "라벨" in result.found
    for img in built:  # only what this test built (another test session may hold images with the same labels)
        _rm_image(engine, img.id, shared_ok=True)


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


@pytest.mark.slow
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


# --- Round 3 (issue 12): build cache vs --no-cache, exec + diff, checked questions -----------------------


@pytest.fixture
def clean_c(clean):
    """Also remove tag c of exercise 1-2 (before and after)."""
    _rm_image(clean, ch01.TAG_C)
    yield clean
    _rm_image(clean, ch01.TAG_C)


def test_exercise_2_no_cache_gives_a_new_id(clean_c):
    engine = clean_c
    assert not check(2), "passes before anything was built"
    ch01.solve(2)
    result = check(2)
    assert result, str(result)
    assert engine.images.get(ch01.TAG_A).id == engine.images.get(ch01.TAG_B).id
    # wrong state: c built from the cache too (same ID as a)
    engine.images.get(ch01.TAG_A).tag(*ch01.TAG_C.rsplit(":", 1))
    result = check(2)
    assert not result and "같은 이미지 ID" in result.found
    # wrong state: c missing
    engine.images.remove(ch01.TAG_C)
    result = check(2)
    assert not result and ch01.TAG_C in result.found


def test_exercise_4_exec_shows_in_diff(clean):
    engine = clean
    result = check(4)
    assert not result and "실행 중이 아닙니다" in result.found
    ch01.solve(3)
    result = check(4)
    assert not result and "없습니다" in result.found
    # wrong state: the file with other content
    engine.containers.get(ch01.BOOKWORM_CONTAINER).exec_run(["sh", "-c", "echo other > /tmp/exec.txt"])
    result = check(4)
    assert not result and "other" in result.found
    ch01.solve(4)
    result = check(4)
    assert result, str(result)
    # a new container from the same image has no such change: the check fails again (immutable infrastructure)
    engine.containers.get(ch01.BOOKWORM_CONTAINER).remove(force=True)
    ch01.solve(3)
    assert not check(4)


@pytest.mark.parametrize("number", [5, 6])
def test_checked_questions(number):
    ch01.answers.clear(number)
    result = check(number)
    assert not result and "고르지 않았습니다" in result.found
    ch01.answer(number, "a")
    result = check(number)
    assert not result and result.hint
    ch01.answer(number, "z")
    assert not check(number)
    ch01.solve(number)
    result = check(number)
    assert result, str(result)
    # the widget records a click as the answer
    ch01.answers.clear(number)
    box = ch01.ask(number)
    buttons = box.children[1]
    buttons.value = buttons.options[0]
    assert ch01.answers.chosen[number] == "a" and not check(number)
    buttons.value = buttons.options[1]
    assert check(number)
    ch01.answers.clear(number)
