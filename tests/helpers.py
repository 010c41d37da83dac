"""Test helpers: a chapter label of its own (99) so tests never touch a notebook's resources."""

from __future__ import annotations

import contextlib

from dockhelpers import naming

TEST_CHAPTER = 99

#: Prefix and port offset of each test module's own Swarm lab, beside (never instead of) this session's
#: own ``DOCKHELPERS_PREFIX`` / ``DOCKHELPERS_PORT_OFFSET``: two people testing on one engine never share a lab.
SWARM_LAB = naming.separate("t3", 300)
TODO_LAB = naming.separate("t4", 440)
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
