"""The states the course's code compares against, as enums (English values; Korean only where shown).

Each is a ``str`` enum, so a member equals its value (``LifecycleState.RUNNING == "running"``), works
as a dict key or DataFrame value, and prints as its value (``f"{state}"`` gives ``running`` on every
Python version the course supports).
"""

from __future__ import annotations

import enum


class TextEnum(str, enum.Enum):
    """A ``str`` enum that formats as its value (like ``enum.StrEnum`` of Python 3.11, also on 3.10)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class LifecycleState(TextEnum):
    """A node of the container lifecycle diagram (the value is also its ``data-state`` in the SVG)."""

    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    EXITED = "exited"
    REMOVED = "removed"


class UpdateState(TextEnum):
    """``UpdateStatus.State`` of a Swarm service (``docker service inspect``), plus ``pending`` before it starts."""

    PENDING = "pending"
    UPDATING = "updating"
    PAUSED = "paused"
    COMPLETED = "completed"
    ROLLBACK_STARTED = "rollback_started"
    ROLLBACK_PAUSED = "rollback_paused"
    ROLLBACK_COMPLETED = "rollback_completed"


class TodoStatus(TextEnum):
    """A task's column on the chapter 4 TODO board (the API's ``status`` values)."""

    TODO = "TODO"
    PROGRESS = "PROGRESS"
    DONE = "DONE"
