"""Shared fixtures. Every engine test talks to the real Docker Engine (no mocks).

Markers say what a test needs: ``engine`` (a running engine), ``lab`` (the shared Swarm lab, added
automatically to tests that use ``swarm_lab`` or ``todo_app``), ``browser`` (headless Chromium, added to
everything under ``tests/ui``), ``notebook`` (executes a chapter), ``hostsim`` (a throwaway host container).
``make test-quick`` runs what needs none of lab, browser, notebook and hostsim.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import subprocess
import tempfile

import pytest

import buildcache
import parallel
from dockhelpers import naming

# Under `pytest -n 2` each worker has its own name prefix and port offset (tests/parallel.py); before anything
# below (or any test module) computes a name.
parallel.isolate()

# Exercise checks record the learner's progress in their home (dockhelpers.progress); the tests' checks, and
# the notebooks the tests execute (their kernels inherit this), record into a throwaway file instead.
if parallel.WORKER:  # the folders below are each worker's own, not the ones the xdist controller made
    for _var in ("DOCKHELPERS_PROGRESS", "DOCKHELPERS_ENDPOINT_STATE"):
        os.environ.pop(_var, None)
os.environ.setdefault("DOCKHELPERS_PROGRESS", os.path.join(tempfile.mkdtemp(prefix="dkc-progress-"), "progress.jsonl"))

# Notebooks route their kernels through the course endpoint (engine.preflight(chapter)), which starts one in
# the background when none answers. The tests' notebooks get their own state folder (socket, marker, pulled
# images), never the tester's ~/.local/state/dockercourse; pytest_sessionfinish stops what was started there.
ENDPOINT_STATE = os.environ.setdefault("DOCKHELPERS_ENDPOINT_STATE", tempfile.mkdtemp(prefix="dkc-ep-", dir="/tmp"))

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: The one Swarm lab the tests share: its own name prefix and port offset, so that it never touches a lab
#: that a notebook (default prefix) brings up at the same time.
#: Beside (never instead of) this session's own prefix: two people testing on one engine never share a lab.
LAB_ENV = naming.separate("tl", 440)
LAB_FIXTURES = ("swarm_lab", "todo_app")


@pytest.fixture(scope="session")
def engine():
    """The course's docker SDK client; the engine must be running (make test starts it)."""
    from dockhelpers.engine import client

    return client()


@contextlib.contextmanager
def lab_env():
    """Run the enclosed code under the shared lab's prefix and port offset."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in LAB_ENV.items():
            mp.setenv(key, value)
        yield


class SharedLab:
    """One Swarm lab, and at most one TODO deployment on it, for every test that needs them.

    Brought up on first use; taken down right after the last test that uses it (the tests that need it run
    together, see :func:`pytest_collection_modifyitems`), with a check that nothing of it is left.
    """

    def __init__(self) -> None:
        self.info = None
        self.app = None

    def up(self):
        if self.info is None:
            from dockhelpers import images, swarm

            with lab_env():
                # Chapter 2's echo image under the lab's prefix (built here: never rely on another test's cache).
                images.build(ROOT / "notebooks" / "ch02" / "echo", naming.image("echo"), chapter=2, quiet=True)
                self.info = swarm.up()
        return self.info

    def deploy(self):
        self.up()
        if self.app is None:
            from dockhelpers import todo

            with lab_env():
                self.app = todo.deploy()
                report = self.app
                print(f"lab up {self.info.seconds:.1f} s; deploy {report.total:.1f} s (build {report.build:.1f}, "
                      f"push {report.push:.1f}, stacks {report.stacks:.1f}, ready {report.ready:.1f})")
        return self.app

    def down(self) -> None:
        if self.info is None:
            return
        from dockhelpers import swarm

        self.info = self.app = None
        with lab_env():
            buildcache.keep(naming.prefix())
            swarm.down()
            left = swarm.leftovers()
            mine = [ref for ref in _image_refs() if ref.startswith(LAB_ENV[naming.PREFIX_ENV] + "/")]
            if mine:
                subprocess.run(["docker", "image", "rm", *mine], capture_output=True)
        assert left == {"containers": [], "volumes": [], "networks": []}, left
        still = [ref for ref in _image_refs() if ref.startswith(LAB_ENV[naming.PREFIX_ENV] + "/")]
        assert not still, f"the shared lab left images: {still}"


def _image_refs() -> list[str]:
    return subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True,
                          text=True, check=True).stdout.split()


SHARED_LAB = SharedLab()


@pytest.fixture
def swarm_lab():
    """The shared Swarm lab (``LabInfo``); the test runs under the lab's prefix and port offset."""
    info = SHARED_LAB.up()
    with lab_env():
        yield info


@pytest.fixture
def todo_app(swarm_lab):
    """The TODO app deployed once on the shared lab (``todo.deploy()``'s report)."""
    yield SHARED_LAB.deploy()


def _uses_lab(item) -> bool:
    return any(name in getattr(item, "fixturenames", ()) for name in LAB_FIXTURES)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark what each test needs, and order: everything else, lab tests, TODO tests, then ``final``.

    The lab tests run together so the shared lab is up once; the ones that need the TODO app run after the
    plain lab tests (whose failure drill stops a node) so the deployed app is never disturbed. Under ``-n``
    the longest units come first and each test gets its worker group (tests/parallel.py).
    """
    for item in items:
        if _uses_lab(item):
            item.add_marker(pytest.mark.lab)
            item.add_marker(pytest.mark.engine)
        if "ui" in pathlib.Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)

    def order(item) -> tuple[int, int]:
        group = 0
        if _uses_lab(item):
            group = 2 if "todo_app" in item.fixturenames else 1
        return (item.get_closest_marker("final") is not None, group)

    items.sort(key=order)
    if parallel.WORKER:
        parallel.arrange(items, _uses_lab)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Whole modules or groups per worker, the final checks last (tests/parallel.py)."""
    return parallel.make_scheduler(config, log)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Take the shared lab down as soon as no later test needs it."""
    if SHARED_LAB.info is not None and (nextitem is None or not _uses_lab(nextitem)):
        SHARED_LAB.down()


@pytest.fixture(scope="session")
def course_endpoint():
    """One course endpoint (a real background process on a temporary socket) for every endpoint test.

    Each test using it gets the endpoint's state folder in its environment (``_course_endpoint_state``), so
    ``dockhelpers.endpoint.marker`` sees the same marker value. Everything created through it is removed at
    the end (by its marker label).
    """
    from endpoint_support import RunningEndpoint

    ep = RunningEndpoint()
    ep.start()
    try:
        yield ep
    finally:
        ep.close()


@pytest.fixture(autouse=True)
def _course_endpoint_state(request):
    """Tests that use ``course_endpoint`` see its state folder (its marker), and only while they run."""
    if "course_endpoint" not in request.fixturenames:
        yield
        return
    from dockhelpers.endpoint import settings

    ep = request.getfixturevalue("course_endpoint")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.STATE_ENV, str(ep.folder))
        yield


def pytest_sessionfinish(session, exitstatus):
    """Stop the endpoints the notebooks' kernels started (in this session's state folders only)."""
    from dockhelpers.endpoint import daemon, settings

    for folder in {ENDPOINT_STATE, os.environ.get(settings.STATE_ENV, ENDPOINT_STATE)}:
        mp = pytest.MonkeyPatch()
        mp.setenv(settings.STATE_ENV, folder)
        try:
            daemon.stop()
        finally:
            mp.undo()
