"""One way to wait: call a condition until it answers, with a deadline and a Korean timeout message.

Every wait of the course (a service's replicas, an HTTP answer, a rolling update, a lab node) goes through
:func:`poll`, so none can hang for ever and every timeout says in Korean what was awaited and what to do.
There is no CLI equivalent: it stands for running ``docker service ps ...`` (or ``curl``) again and again.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from dockhelpers.errors import CourseError

T = TypeVar("T")


class PollTimeout(CourseError):
    """A condition did not become true before its deadline.

    Attributes:
        last: The condition's last (falsy) value, for callers that want to show it.
    """

    default_hint = "조금 뒤에 셀을 다시 실행하세요. 계속되면 관련 컨테이너나 서비스의 로그를 확인하세요."

    def __init__(self, message: str, hint: str | None = None, detail: str | None = None, last: object = None) -> None:
        super().__init__(message, hint, detail)
        self.last = last


def poll(condition: Callable[[], T], timeout: float, what: str, *, interval: float = 0.5,
         hint: str | None = None, detail: Callable[[], str] | None = None) -> T:
    """Call ``condition()`` until it returns a truthy value, and return that value.

    Args:
        condition: Called at once, then every ``interval`` seconds; exceptions are not caught.
        timeout: Seconds before giving up (measured with a monotonic clock).
        what: What is awaited, in Korean (``"서비스 dkc-web의 레플리카 3개"``): the timeout message names it.
        interval: Seconds between calls (divided by the speed-up factor when replaying a recording).
        hint: What to do after a timeout (Korean); a general hint when omitted.
        detail: Called once on timeout; its text (e.g. the last task errors) goes into the error's detail.

    Returns:
        The first truthy value ``condition()`` returned.

    Raises:
        PollTimeout: ``condition()`` stayed falsy for ``timeout`` seconds (checked once more at the deadline).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise PollTimeout(f"{what}: {timeout:g}초 안에 준비되지 않았습니다.", hint,
                              detail() if detail else None, last=value)
        time.sleep(min(interval / _speed_up(), left))


def _speed_up() -> float:
    """How much faster polls go: the replay's factor when replaying a recording (its answers come faster), else 1."""
    from dockhelpers.replay import recording

    return recording.speed() if recording.active() else 1.0


def poll_or_none(condition: Callable[[], T], timeout: float, *, interval: float = 0.5) -> T | None:
    """:func:`poll` for callers that treat a timeout as an answer: the truthy value, or None."""
    try:
        return poll(condition, timeout, "", interval=interval)
    except PollTimeout:
        return None
