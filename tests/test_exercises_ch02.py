"""Chapter 2 exercises against the real engine: each reference solution passes its check, and each check
rejects the obvious wrong states (missing, stopped, wrong port, wrong content, not pushed). Everything made
here carries the chapter 2 labels and is removed afterwards."""

from __future__ import annotations

import pytest

from dockhelpers import naming
from dockhelpers.exercises import ch02

#: Checks are called directly (not through ``ch02.check``, which turns a crash into a failed answer),
#: so a check that crashes cannot pass for one that correctly says "not yet".
check = ch02.exercises.grade

pytestmark = pytest.mark.engine


def _rm(engine, name):
    from docker.errors import NotFound

    try:
        engine.containers.get(name).remove(force=True)
    except NotFound:
        pass


@pytest.fixture(scope="module", autouse=True)
def remove_built_images(engine):
    """After the module: remove the chapter 2 images these tests built (only ones that were not there before)."""
    from docker.errors import APIError

    flt = {"label": naming.label_filters(2)}
    before = {i.id for i in engine.images.list(filters=flt)}
    yield
    for img in engine.images.list(filters=flt):
        if img.id in before:
            continue
        for ref in img.tags or [img.id]:
            try:
                engine.images.remove(ref)
            except APIError:  # in use by a container someone else started meanwhile: leave it
                pass


@pytest.fixture
def clean(engine):
    names = (ch02.EX1_CONTAINER, ch02.EX2_CONTAINER)
    for n in names:
        _rm(engine, n)
    yield engine
    for n in names:
        _rm(engine, n)


def test_exercise_1(clean):
    engine = clean
    assert not check(1)
    ch02.solve(1)
    result = check(1)
    assert result, str(result)
    # wrong state: stopped
    engine.containers.get(ch02.EX1_CONTAINER).stop(timeout=3)
    result = check(1)
    assert not result and "exited" in result.found
    # wrong state: running, but published on another port
    _rm(engine, ch02.EX1_CONTAINER)
    engine.containers.run(ch02.ECHO_IMAGE, name=ch02.EX1_CONTAINER, detach=True, labels=naming.labels(2),
                          ports={"8080/tcp": ("127.0.0.1", naming.port(9004))})
    result = check(1)
    assert not result and str(naming.port(9004)) in result.found
    # wrong state: running without any published port
    _rm(engine, ch02.EX1_CONTAINER)
    engine.containers.run(ch02.ECHO_IMAGE, name=ch02.EX1_CONTAINER, detach=True, labels=naming.labels(2))
    assert not check(1)


def test_exercise_2(clean):
    engine = clean
    assert not check(2)
    ch02.solve(2)
    result = check(2)
    assert result, str(result)
    # wrong state: running
    engine.containers.get(ch02.EX2_CONTAINER).start()
    result = check(2)
    assert not result and "running" in result.found
    # wrong state: stopped but the file is missing
    _rm(engine, ch02.EX2_CONTAINER)
    engine.containers.create(naming.BASE_IMAGE, ["true"], name=ch02.EX2_CONTAINER, labels=naming.labels(2))
    result = check(2)
    assert not result and "없습니다" in result.found


def test_exercise_3(engine):
    ch02.exercises.items[3].reset()
    try:
        assert not check(3)
        ch02.solve(3)
        result = check(3)
        assert result, str(result)
        # wrong state: the project's container stopped
        from dockhelpers.compose import compose

        compose(ch02.EX3_PROJECT, "stop", file=ch02.CH02 / "compose" / "compose.yaml")
        result = check(3)
        assert not result and "exited" in result.found
    finally:
        ch02.exercises.items[3].reset()
    # wrong state: project down
    result = check(3)
    assert not result and "없습니다" in result.found


@pytest.mark.slow
def test_exercise_4(engine):
    created_registry = engine.containers.list(all=True, filters={"name": ch02.REGISTRY_CONTAINER}) == []
    try:
        ch02.ensure_registry()
        # wrong state: tagged locally but not pushed
        target = f"{ch02.registry_host()}/{ch02.EX4_REPO}:{ch02.EX4_TAG}"
        ch02.ensure_echo_image()
        engine.images.get(ch02.ECHO_IMAGE).tag(f"{ch02.registry_host()}/{ch02.EX4_REPO}", "other")
        engine.images.push(f"{ch02.registry_host()}/{ch02.EX4_REPO}", tag="other")
        if ch02.EX4_TAG not in (ch02.http_get(naming.port(ch02.REGISTRY_PORT), f"/v2/{ch02.EX4_REPO}/tags/list") or ""):
            result = check(4)
            assert not result and "other" in result.found
        ch02.solve(4)
        result = check(4)
        assert result, str(result)
        engine.images.remove(target)
        engine.images.remove(f"{ch02.registry_host()}/{ch02.EX4_REPO}:other")
    finally:
        if created_registry:
            _rm(engine, ch02.REGISTRY_CONTAINER)
    if created_registry:
        # wrong state: no registry at all
        result = check(4)
        assert not result and "응답하지 않습니다" in result.found


# --- Round 3 (issue 12): logs, prune by label, named volume, checked question -------------------------------


def test_exercise_5_logs(clean):
    engine = clean
    result = check(5)
    assert not result and "없습니다" in result.found
    ch02.solve(1)
    ch02.wait_http(naming.port(ch02.EX1_PORT))
    ch02.http_get(naming.port(ch02.EX1_PORT), "/something-else")
    result = check(5)
    assert not result and "줄에" in result.found
    ch02.solve(5)
    result = check(5)
    assert result, str(result)
    assert ch02.EX5_PATH in result.found


def test_exercise_6_prune_by_label(engine):
    ch02.exercises.items[6].reset()
    try:
        ch02.prepare_6()
        result = check(6)
        assert not result and "남은 컨테이너" in result.found
        ch02.solve(6)
        result = check(6)
        assert result, str(result)
        # wrong state: a prune by the course label only also took the decoy
        ch02.prepare_6()
        engine.containers.prune(filters={"label": [ch02.EX6_LABEL]})  # the right prune first ...
        engine.containers.get(ch02.EX6_DECOY).remove()              # ... then the decoy gone as a wide prune would
        result = check(6)
        assert not result and ch02.EX6_DECOY in result.found
        # wrong state: the running one was stopped and removed
        ch02.prepare_6()
        ch02.solve(6)
        engine.containers.get(ch02.EX6_KEEP).remove(force=True)
        result = check(6)
        assert not result and ch02.EX6_KEEP in result.found
    finally:
        ch02.exercises.items[6].reset()


def test_exercise_7_named_volume(engine):
    ch02.exercises.items[7].reset()
    try:
        result = check(7)
        assert not result and "볼륨이 없습니다" in result.found
        # wrong state: a volume without the course label
        engine.volumes.create(ch02.EX7_VOLUME)
        result = check(7)
        assert not result and "라벨" in result.found
        ch02.exercises.items[7].reset()
        # wrong state: labelled but empty
        engine.volumes.create(ch02.EX7_VOLUME, labels=naming.labels(2))
        result = check(7)
        assert not result and "hello.txt" in result.found
        ch02.exercises.items[7].reset()
        ch02.solve(7)
        result = check(7)
        assert result, str(result)
        # wrong state: a container still uses the volume
        user = engine.containers.create(naming.BASE_IMAGE, ["true"], name=naming.name("ex-data-user"),
                                        labels=naming.labels(2), volumes={ch02.EX7_VOLUME: {"bind": "/data"}})
        try:
            result = check(7)
            assert not result and user.name in result.found
        finally:
            user.remove(force=True)
    finally:
        ch02.exercises.items[7].reset()


def test_checked_question_8():
    ch02.answers.clear(8)
    assert not check(8)
    ch02.answer(8, "a")
    result = check(8)
    assert not result and "a)" in result.found
    ch02.solve(8)
    assert check(8)
    ch02.answers.clear(8)
    box = ch02.ask(8)
    box.children[1].value = box.children[1].options[1]
    assert check(8)
    ch02.answers.clear(8)
