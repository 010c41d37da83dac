"""ExerciseSet: the learner's check never crashes, the tests' grade never hides a crash."""

from __future__ import annotations

import pytest

from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed


def _set() -> ExerciseSet:
    exercises = ExerciseSet(chapter=9)

    @exercises.check(1, "통과하는 연습")
    def check_1() -> CheckResult:
        return passed("기대", "실제")

    @exercises.check(2, "아직인 연습")
    def check_2() -> CheckResult:
        return failed("기대", "다름", "힌트")

    @exercises.check(3, "고장 난 검사")
    def check_3() -> CheckResult:
        raise KeyError("State")

    return exercises


def test_grade_returns_the_checks_answer_with_its_title():
    exercises = _set()
    assert exercises.grade(1) and exercises.grade(1).title == "9-1. 통과하는 연습"
    result = exercises.grade(2)
    assert not result and result.hint == "힌트" and "아직 아닙니다" in str(result)


def test_run_check_turns_a_crash_into_a_korean_answer_but_grade_raises():
    exercises = _set()
    answer = exercises.run_check(3)
    assert not answer and "검사 중 오류" in answer.found and answer.title == "9-3. 고장 난 검사"
    with pytest.raises(KeyError):
        exercises.grade(3)


def test_grade_rejects_a_check_that_returns_no_result():
    exercises = ExerciseSet(chapter=9)
    exercises.check(1, "잘못된 검사")(lambda: None)
    with pytest.raises(TypeError):
        exercises.grade(1)
