"""Exercise checks: read the engine's real state and answer in Korean (expected vs found, and a hint).

A chapter's exercises live in ``dockhelpers/exercises/chNN.py`` as one :class:`ExerciseSet`::

    exercises = ExerciseSet(chapter=2)

    @exercises.check(1, "echo 컨테이너를 9001번 포트로 실행하기")
    def check_1() -> CheckResult:
        ...

    @exercises.solution(1)
    def solution_1() -> None:
        docker("container run ...")

In the notebook: ``ch02.check(1)`` grades, ``ch02.show_solution(1)`` prints the reference solution's code,
``ch02.solve(1)`` runs it. Tests run every solution and assert its check passes.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class CheckResult:
    """The answer of one check.

    Attributes:
        ok: Whether the engine's state is what the exercise asks for.
        expected: What was expected, in Korean.
        found: What was found on the engine, in Korean.
        hint: What to try next (only shown when not ok).
        title: The exercise's title.
    """

    ok: bool
    expected: str
    found: str
    hint: str = ""
    title: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = "✅ 정답입니다" if self.ok else "❌ 아직 아닙니다"
        lines = [f"{head}{': ' + self.title if self.title else ''}", f"  기대한 상태: {self.expected}",
                 f"  실제 상태:   {self.found}"]
        if not self.ok and self.hint:
            lines.append(f"  힌트: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#cf222e"
        head = "✅ 정답입니다" if self.ok else "❌ 아직 아닙니다"
        hint = "" if self.ok or not self.hint else f"<div>💡 힌트: {html.escape(self.hint)}</div>"
        return (f'<div style="border-left:4px solid {color};padding:4px 10px">'
                f"<b>{head}</b> {html.escape(self.title)}"
                f"<div>기대한 상태: {html.escape(self.expected)}</div>"
                f"<div>실제 상태: {html.escape(self.found)}</div>{hint}</div>")


def passed(expected: str, found: str) -> CheckResult:
    """Shorthand for a passing result."""
    return CheckResult(True, expected, found)


def failed(expected: str, found: str, hint: str) -> CheckResult:
    """Shorthand for a failing result."""
    return CheckResult(False, expected, found, hint)


@dataclass
class Exercise:
    """One exercise: its check and its reference solution."""

    number: int
    title: str
    checker: Callable[[], CheckResult]
    solver: Callable[[], None] | None = None
    reset: Callable[[], None] | None = None


@dataclass
class ExerciseSet:
    """The exercises of one chapter."""

    chapter: int
    items: dict[int, Exercise] = field(default_factory=dict)

    def check(self, number: int, title: str) -> Callable[[Callable[[], CheckResult]], Callable[[], CheckResult]]:
        """Decorator registering the check of exercise ``number``."""

        def register(fn: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
            self.items[number] = Exercise(number, title, fn)
            return fn

        return register

    def solution(self, number: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
        """Decorator registering the reference solution of exercise ``number``."""

        def register(fn: Callable[[], None]) -> Callable[[], None]:
            self.items[number].solver = fn
            return fn

        return register

    def resetter(self, number: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
        """Decorator registering a function that undoes exercise ``number`` (tests use it for wrong states)."""

        def register(fn: Callable[[], None]) -> Callable[[], None]:
            self.items[number].reset = fn
            return fn

        return register

    def run_check(self, number: int) -> CheckResult:
        """Grade exercise ``number`` against the engine's current state (what ``chNN.check(n)`` calls).

        A check that crashes still answers the learner (not ok, with the error in Korean); tests call
        :meth:`grade` instead, so that a crash cannot pass for a correctly failed check.
        """
        try:
            return self.grade(number)
        except Exception as exc:  # a check must answer, not crash
            result = CheckResult(False, "검사를 마칠 수 있는 상태", f"검사 중 오류: {exc}",
                                 "앞의 셀을 먼저 실행했는지 확인하세요.")
            result.title = f"{self.chapter}-{number}. {self.items[number].title}"
            return result

    def grade(self, number: int) -> CheckResult:
        """Call exercise ``number``'s check directly: like :meth:`run_check`, but an exception propagates."""
        exercise = self.items[number]
        result = exercise.checker()
        if not isinstance(result, CheckResult):
            raise TypeError(f"check {self.chapter}-{number} returned {result!r}, not a CheckResult")
        result.title = f"{self.chapter}-{number}. {exercise.title}"
        return result

    def solve(self, number: int) -> None:
        """Run the reference solution of exercise ``number`` (it shows each real command)."""
        solver = self.items[number].solver
        if solver is None:
            raise KeyError(f"exercise {number} has no solution")
        solver()

    def solution_source(self, number: int) -> str:
        """The reference solution's code, for display."""
        solver = self.items[number].solver
        if solver is None:
            return ""
        return textwrap.dedent(inspect.getsource(solver))

    def show_solution(self, number: int) -> None:
        """Print the reference solution's code (``ch02.show_solution(1)``)."""
        print(self.solution_source(number))
