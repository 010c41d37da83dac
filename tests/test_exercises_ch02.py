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
