"""The chapter runs' stray check (``helpers.unlabelled_new``) called directly against the engine.

It must report what a notebook leaves without the course label, and must not report the other test worker's
classic-builder RUN step, whose container carries no labels while the step runs (a cold run's apt-get outlives
the check's second look).
"""

import secrets
import threading

import pytest

import parallel
from dockhelpers import images, naming
from dockhelpers.poll import poll
from helpers import TEST_CHAPTER, cleaned, containers_with_command, snapshot, unlabelled_new

pytestmark = pytest.mark.engine


@pytest.fixture(autouse=True)
def _clean():
    with cleaned():
        yield


def test_an_unlabelled_container_is_reported(engine, monkeypatch):
    monkeypatch.setattr(parallel, "WORKER", None)
    before = snapshot(engine)
    stray = engine.containers.create(naming.BASE_IMAGE, ["true"], name=f"stray-{secrets.token_hex(4)}")
    try:
        assert f"container {stray.name}" in unlabelled_new(engine, before)
    finally:
        stray.remove(force=True)
    assert f"container {stray.name}" not in unlabelled_new(engine, before)


def test_a_build_step_is_reported_alone_but_not_beside_another_worker(engine, monkeypatch, tmp_path):
    token = secrets.token_hex(6)
    (tmp_path / "Dockerfile").write_text(f"FROM {naming.BASE_IMAGE}\nRUN sleep 12 && echo {token}\n")
    before = snapshot(engine)
    build = threading.Thread(target=images.build, args=(tmp_path, naming.image(f"t-step-{token}")),
                             kwargs={"chapter": TEST_CHAPTER, "quiet": True})
    build.start()
    try:
        step = poll(lambda: next(iter(containers_with_command(engine, token)), None), 30, "빌드 단계 컨테이너")
        assert step.attrs["Config"]["Image"].startswith("sha256:") and not step.labels.get(naming.COURSE_LABEL)
        monkeypatch.setattr(parallel, "WORKER", None)  # alone: a step container is a leftover like any other
        assert f"container {step.name}" in unlabelled_new(engine, before)
        monkeypatch.setattr(parallel, "WORKER", "gw9")  # beside another worker: its build, not ours
        assert f"container {step.name}" not in unlabelled_new(engine, before)
        assert step.reload() is None and step.status == "running"  # it was looked at while it still ran
    finally:
        build.join(60)
    assert not build.is_alive()
