"""Test helpers: a chapter label of its own (99) so tests never touch a notebook's resources."""

from __future__ import annotations

import contextlib

from dockhelpers import naming

TEST_CHAPTER = 99


def tname(what: str) -> str:
    return naming.name(f"t-{what}")


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
