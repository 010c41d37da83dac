"""Shared fixtures. Every engine test talks to the real Docker Engine (no mocks)."""

from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="session")
def engine():
    """The course's docker SDK client; the engine must be running (make test starts it)."""
    from dockhelpers.engine import client

    return client()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``final`` (whole-course cleanup checks) run after everything else."""
    items.sort(key=lambda item: item.get_closest_marker("final") is not None)
