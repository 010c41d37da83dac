"""poll(): returns the first truthy value, gives up at its deadline with a Korean CourseError."""

from __future__ import annotations

import time

import pytest

from dockhelpers.errors import CourseError
from dockhelpers.poll import PollTimeout, poll, poll_or_none


def test_returns_the_first_truthy_value_without_waiting_when_already_true():
    started = time.monotonic()
    assert poll(lambda: "ready", 60, "무엇", interval=30) == "ready"
    assert time.monotonic() - started < 5  # one sleep would be 30 s


def test_keeps_calling_until_the_condition_holds():
    calls = []

    def third_time() -> int | None:
        calls.append(1)
        return len(calls) if len(calls) >= 3 else None

    assert poll(third_time, 5, "세 번째 호출", interval=0.01) == 3
    assert len(calls) == 3


def test_times_out_at_its_deadline_in_korean_with_the_detail():
    started = time.monotonic()
    with pytest.raises(PollTimeout) as info:
        poll(lambda: 0, 0.3, "서비스 dkc-web의 레플리카 3개", interval=0.05, hint="로그를 보세요.",
             detail=lambda: "worker01: Rejected")
    waited = time.monotonic() - started
    assert 0.3 <= waited < 3  # at its deadline, not at once
    err = info.value
    assert isinstance(err, CourseError) and err.last == 0
    assert err.message == "서비스 dkc-web의 레플리카 3개: 0.3초 안에 준비되지 않았습니다."
    assert err.hint == "로그를 보세요." and err.detail == "worker01: Rejected"


def test_checks_once_more_at_the_deadline_and_never_sleeps_past_it():
    started = time.monotonic()
    value = poll(lambda: time.monotonic() - started >= 0.2, 0.2, "마감", interval=10)
    assert value is True and time.monotonic() - started < 5  # one whole interval would be 10 s


def test_exceptions_of_the_condition_are_not_swallowed():
    def broken():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        poll(broken, 1, "고장")


def test_poll_or_none_answers_none_on_timeout():
    assert poll_or_none(lambda: [], 0.1, interval=0.02) is None
    assert poll_or_none(lambda: [1], 0.1) == [1]
