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
