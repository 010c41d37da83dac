"""Test helpers: a chapter label of its own (99) so tests never touch a notebook's resources."""

from __future__ import annotations

import contextlib

import parallel
from dockhelpers import naming

TEST_CHAPTER = 99

#: Prefix and port offset of each test module's own Swarm lab, beside (never instead of) this session's
#: own ``DOCKHELPERS_PREFIX`` / ``DOCKHELPERS_PORT_OFFSET``: two people testing on one engine never share a lab.
SWARM_LAB = naming.separate("t3", 300)
EXERCISE3_LAB = naming.separate("t3x", 310)
EXERCISE4_LAB = naming.separate("t4x", 450)


def tname(what: str) -> str:
    return naming.name(f"t-{what}")


@contextlib.contextmanager
def environment(env: dict[str, str]):
    """Set environment variables (e.g. a lab's ``naming.separate(...)``) for the duration of a ``with`` block."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield mp


def remove_test_resources() -> None:
    from dockhelpers.cleanup import cleanup

    cleanup(TEST_CHAPTER, quiet=True)


@contextlib.contextmanager
def cleaned():
    remove_test_resources()
    try:
        yield
    finally:
        remove_test_resources()


def snapshot(engine) -> dict[str, set[str]]:
    """IDs of every container, volume, network and image on the engine."""
    return {
        "container": {c.id for c in engine.containers.list(all=True, sparse=True)},  # no inspect: none can vanish
        "volume": {v.name for v in engine.volumes.list()},
        "network": {n.id for n in engine.networks.list()},
        "image": {i.id for i in engine.images.list(all=False)},
    }


def unlabelled_new(engine, before: dict[str, set[str]]) -> list[str]:
    """Resources created since ``before`` that do not carry the course label and the student's prefix label.

    Under ``pytest -n 2`` the other worker's chapter runs build at the same time, and a build step's container
    lives for a moment without labels: what is found is looked at again for up to 10 seconds, and only what
    stays is reported.
    """
    from dockhelpers.poll import poll_or_none

    found = _unlabelled_new(engine, before)
    if found and parallel.WORKER:
        stays = set(found)

        def settled() -> bool:
            stays.intersection_update(_unlabelled_new(engine, before))
            return not stays

        poll_or_none(settled, 10, interval=2)
        found = [f for f in found if f in stays]
    return found


def containers_with_command(engine, text: str) -> list:
    """Containers (stopped ones too) whose command holds ``text``; one removed while listed is skipped."""
    return [c for c in engine.containers.list(all=True, ignore_removed=True)
            if text in " ".join(c.attrs["Config"].get("Cmd") or [])]


def _build_step(container) -> bool:
    """A classic builder's RUN step: its container is made from the parent layer's ID (``sha256:...``), not a name."""
    return str(container.attrs.get("Config", {}).get("Image", "")).startswith("sha256:")


def _unlabelled_new(engine, before: dict[str, set[str]]) -> list[str]:
    from dockhelpers.naming import COURSE_LABEL, PREFIX_LABEL, prefix

    after = snapshot(engine)
    found = []
    getters = {"container": engine.containers.get, "volume": engine.volumes.get,
               "network": engine.networks.get, "image": engine.images.get}
    for kind, ids in after.items():
        for rid in ids - before[kind]:
            try:
                obj = getters[kind](rid)
            except Exception:  # removed meanwhile
                continue
            labels = (obj.attrs.get("Labels") if kind in ("volume", "network") else obj.labels) or {}
            if kind == "image" and not obj.tags and parallel.WORKER:
                # Under `pytest -n 2` the other worker builds the same Dockerfiles at the same time; the
                # classic builder's untagged stage images are shared build cache, not a leftover of this test.
                continue
            if kind == "container" and parallel.WORKER and _build_step(obj):
                continue  # the other worker's build step: on a cold engine an apt-get step outlives the look again
            if labels.get(COURSE_LABEL) == "true" and labels.get(PREFIX_LABEL) not in (None, prefix()):
                continue  # another session's course resource on a shared engine (its own prefix): not ours
            if labels.get(COURSE_LABEL) != "true" or labels.get(PREFIX_LABEL) != prefix():
                found.append(f"{kind} {getattr(obj, 'name', None) or rid[:19]}")
    return found
