"""Two test workers on one engine: ``make test`` runs ``pytest -n 2`` (pytest-xdist), one worker per core.

Most of the suite waits on the engine (builds, containers starting, a Swarm converging), so a second worker
nearly halves the wall time. The workers share the engine the way two students share a classroom host:

* **Names and ports.** Each worker runs under its own ``DOCKHELPERS_PREFIX`` (``dkc-gw0``, ``dkc-gw1``; beside
  the tester's own prefix) and port offset (:data:`PORT_STEP` apart), so its notebooks, labs and exercise
  checks never see the other worker's containers, and its cleanups never remove them.
* **Units of work** (:class:`CourseScheduling`). A test module runs on one worker (its module- and
  session-scoped fixtures come up once). Tests in a named group run together on one worker: ``lab`` (the
  shared Swarm lab and TODO app), ``labimage`` (the lab image the hub, the devcontainer and the Binder-like
  tests build on), and the two chapter units (:data:`CHAPTER_UNITS`): each holds both runs of two chapters,
  headless then in the browser, so every notebook still runs twice in one prefix with no cleanup between.
* **Order.** The chapter units start first, side by side: each chapter run checks that nothing without the
  course label appeared on the engine while it ran, which another worker's test could break, so beside a
  chapter run only another chapter run or the ``lab`` unit runs (everything the lab makes carries the label
  and the worker's prefix). The ``lab`` unit (about five minutes) comes next, so the worker whose chapter unit
  ends first takes it instead of idling; then the other units, longest first (:func:`weight`). The ``final``
  tests wait until every other test has run, on both workers, and then check every worker's prefix.

Without ``-n`` (one process) nothing here changes the run: the tester's prefix and offset are used as they are.
"""

from __future__ import annotations

import os
import re

from dockhelpers import naming

#: The worker's id under pytest-xdist (``gw0``, ``gw1``); None in a plain ``pytest`` run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
#: Port offset between workers: no lesson port (5000-19032, the hub's 8600-8605) plus any test lab's
#: offset (10-520) lands on another worker's port with this step (tests/test_parallel.py checks it).
PORT_STEP = 635
#: Named groups of test modules that must run on the same worker (by file name).
MODULE_GROUPS = {
    "test_labimage.py": "labimage", "test_devcontainer.py": "labimage", "test_hub.py": "labimage",
}
#: The group of the tests that run after all others.
FINAL = "final"
LAB = "lab"


def worker_env(worker: str, base_prefix: str, base_offset: int) -> dict[str, str]:
    """Prefix and port offset of one worker: ``worker_env("gw1", "dkc", 0)`` -> ``dkc-gw1`` and 1270."""
    number = int(worker.removeprefix("gw"))
    return {naming.PREFIX_ENV: f"{base_prefix}-{worker}",
            naming.PORT_OFFSET_ENV: str(base_offset + PORT_STEP * (number + 1))}


#: The tester's own prefix and offset (read when this module loads, before :func:`isolate` sets the worker's).
BASE = (naming.prefix(), naming.port_offset())


def isolate() -> None:
    """Give this worker its own prefix and port offset (nothing in a plain run). Called when conftest loads."""
    if WORKER:
        os.environ.update(worker_env(WORKER, *BASE))


def every_worker_env() -> list[dict[str, str]]:
    """The prefix and offset of every worker of this run (the final checks look at each); ``[{}]`` in a plain run."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if not WORKER or not count:
        return [{}]
    return [worker_env(f"gw{n}", *BASE) for n in range(count)]


#: The unit each chapter's two runs go to: both runs of a chapter on one worker, under one prefix, the browser
#: run right after the headless one (the run "again, without cleanup" of the course's rule). Measured warm:
#: chapters 1 and 4 take 53+40 and 157+140 s, chapters 2 and 3 take 76+113 and 116+117 s (six to seven minutes
#: a unit). The rest of each chapter module's tests go after its unit's runs.
CHAPTER_UNITS = {1: "chapters-a", 4: "chapters-a", 2: "chapters-b", 3: "chapters-b"}
CHAPTER_MODULE_UNITS = {"test_notebooks.py": "chapters-a", "test_ui_notebooks.py": "chapters-b"}


#: The chapter runs (each notebook once headless, once in the browser): they check that nothing without the
#: course label appeared on the engine while they ran, so only the two of them run at the same time.
CHAPTER_TESTS = ("::test_notebook_runs[", "::test_notebook_in_browser[")


def is_chapter_run(nodeid: str) -> bool:
    return any(marker in nodeid for marker in CHAPTER_TESTS)


def chapter_of(nodeid: str) -> int:
    """The chapter of a chapter run's node id (``...[03_practical_containers]`` -> 3)."""
    return int(re.search(r"\[(\d+)_", nodeid).group(1))


def group_of(item, uses_lab: bool) -> str | None:
    """The named group of a test (``final``, a chapter unit, ``lab``, ``labimage``) or None (its module is its
    unit)."""
    if item.get_closest_marker("final") is not None:
        return FINAL
    if is_chapter_run(item.nodeid):
        number = chapter_of(item.nodeid)
        return CHAPTER_UNITS.get(number, f"chapters-{'ab'[number % 2]}")
    if uses_lab:
        return LAB
    return CHAPTER_MODULE_UNITS.get(item.path.name) or MODULE_GROUPS.get(item.path.name)


def weight(item) -> int:
    """How early a test's unit should start: 0 for the chapter runs (six to nine minutes a unit), 1 for the
    rest of their modules (after the chapter runs, in the same unit) and the other long units (lab image, hub,
    book, replays, host simulations; :func:`arrange` puts the lab's tests before all of these), 2 for the rest."""
    names = {m.name for m in item.iter_markers()}
    if is_chapter_run(item.nodeid):
        return 0
    if names & {"lab", "hub", "book", "replay", "hostsim", "labimage", "devcontainer", "slow", "notebook", "ui"}:
        return 1
    return 2


def arrange(items, uses_lab) -> None:
    """Order a worker's collection and put each test's group where xdist's ``loadgroup`` looks for it (an
    ``xdist_group`` marker).

    The chapter runs come first, by unit, chapter, and headless before browser; then the lab tests (a stable
    sort: they keep their order); then the rest by :func:`weight`; the final tests last.
    """
    import pytest

    def key(item) -> tuple:
        final = item.get_closest_marker("final") is not None
        if is_chapter_run(item.nodeid):
            return (final, 0, group_of(item, False), chapter_of(item.nodeid), "in_browser" in item.nodeid)
        return (final, 1 if uses_lab(item) else 1 + weight(item), "", 0, False)

    items.sort(key=key)
    for item in items:
        group = group_of(item, uses_lab(item))
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def make_scheduler(config, log):
    """The scheduler of ``-n N`` runs (see the module's docstring)."""
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        """Whole modules (or named groups) as units; ``final`` units only when every other test has run."""

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return "@" + nodeid.rsplit("@", 1)[1]
            return nodeid.split("::", 1)[0]

        def _only_final_left(self) -> bool:
            return all(scope == "@" + FINAL for scope in self.workqueue)

        def _chapter_runs_left(self) -> bool:
            """Whether a chapter run is waiting or running (a worker's last test is held until it gets more
            work, which is why each chapter module ends with short tests that are not chapter runs)."""
            queued = (nodeid for unit in self.workqueue.values() for nodeid in unit)
            assigned = (nodeid for work in self.assigned_work.values() for unit in work.values()
                        for nodeid, done in unit.items() if not done)
            return any(is_chapter_run(nodeid) for nodeid in (*queued, *assigned))

        def mark_test_complete(self, node, item_index: int, duration: float = 0) -> None:
            super().mark_test_complete(node, item_index, duration)
            for other in list(self.assigned_work):  # a worker waiting for the chapter runs may go on now
                if other is not node:
                    self._reschedule(other)

        def _reschedule(self, node) -> None:
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            pending = [nodeid for unit in self.assigned_work[node].values() for nodeid, done in unit.items()
                       if not done]
            if len(pending) > 2:
                return
            # A worker runs a test only once it has the next one (or is told to stop): a lone chapter run is
            # held, not running, and must get more work now, or every worker may wait on the others. The
            # full suite never gets here (each chapter unit ends with short tests); a `-k` selection may.
            if not (len(pending) == 1 and is_chapter_run(pending[0])):
                if any(is_chapter_run(nodeid) for nodeid in pending):
                    return  # its chapter runs first: the lab goes to the worker whose chapter unit ends first
                scope, unit = next(iter(self.workqueue.items()))
                if self._chapter_runs_left() and scope != "@" + LAB and not is_chapter_run(next(iter(unit))):
                    return  # wait: nothing but the lab runs beside the chapter runs
            if self._only_final_left():
                busy = [other for other, work in self.assigned_work.items()
                        if other is not node and self._pending_of(work)]
                if any(not other.shutting_down for other in busy):
                    # This worker is done; another still runs tests whose resources the final checks look
                    # at, and will run the final unit after them. Let this one finish (it holds its last
                    # test until told to stop).
                    node.shutdown()
                    return
                if busy:
                    # The busy ones are stopping (their last test still runs): this worker will run the
                    # final unit, once they are gone (remove_node asks again).
                    return
            self._assign_work_unit(node)
            if not self.workqueue:
                node.shutdown()

        def remove_node(self, node):
            crashed = super().remove_node(node)
            for other in list(self.assigned_work):
                self._reschedule(other)
            return crashed

        def _assign_work_unit(self, node) -> None:
            # Never hand out the final unit while anything else is waiting.
            if "@" + FINAL in self.workqueue and not self._only_final_left():
                self.workqueue.move_to_end("@" + FINAL)
            super()._assign_work_unit(node)

    config.option.loadscopereorder = False  # keep the order of tests/conftest.py (longest units first)
    return CourseScheduling(config, log)
