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
        state_hint: What the engine holds right now around the expected resource and what it means
            (:mod:`dockhelpers.exercises.hints`); unlocked only by a failed check.
        attempt: Which check of this exercise this was for the learner (1 = first; 0 = not recorded).
        solution: How to see the reference solution (``ch01.show_solution(1)``), offered after two failures.
    """

    ok: bool
    expected: str
    found: str
    hint: str = ""
    title: str = ""
    state_hint: str = ""
    attempt: int = 0
    solution: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def _offer_solution(self) -> bool:
        return not self.ok and bool(self.solution) and self.attempt >= SOLUTION_AFTER

    def __str__(self) -> str:
        head = "✅ 정답입니다" if self.ok else "❌ 아직 아닙니다"
        tries = f" ({self.attempt}번째 검사)" if self.attempt else ""
        lines = [f"{head}{': ' + self.title if self.title else ''}{tries}", f"  기대한 상태: {self.expected}",
                 f"  실제 상태:   {self.found}"]
        if not self.ok and self.hint:
            lines.append(f"  힌트: {self.hint}")
        if not self.ok and self.state_hint:
            lines.append(f"  엔진을 살펴보니: {self.state_hint}")
        if self._offer_solution():
            lines.append(f"  막히면 `{self.solution}`로 모범 답안을 볼 수 있습니다(코드만 보여 주고 실행하지 않습니다).")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#cf222e"
        head = "✅ 정답입니다" if self.ok else "❌ 아직 아닙니다"
        tries = f" <span style='color:#666'>({self.attempt}번째 검사)</span>" if self.attempt else ""
        hint = "" if self.ok or not self.hint else f"<div>💡 힌트: {html.escape(self.hint)}</div>"
        state = ("" if self.ok or not self.state_hint else
                 f"<div class='dkc-state-hint'>🔎 엔진을 살펴보니: {html.escape(self.state_hint)}</div>")
        solution = (f"<div style='color:#666'>막히면 <code>{html.escape(self.solution)}</code>로 모범 답안을 볼 수 "
                    "있습니다(코드만 보여 주고 실행하지 않습니다).</div>" if self._offer_solution() else "")
        return (f'<div class="dkc-check" style="border-left:4px solid {color};padding:4px 10px">'
                f"<b>{head}</b> {html.escape(self.title)}{tries}"
                f"<div>기대한 상태: {html.escape(self.expected)}</div>"
                f"<div>실제 상태: {html.escape(self.found)}</div>{hint}{state}{solution}</div>")


#: A failed check offers the reference solution from this attempt on.
SOLUTION_AFTER = 2


def passed(expected: str, found: str) -> CheckResult:
    """Shorthand for a passing result."""
    return CheckResult(True, expected, found)


def failed(expected: str, found: str, hint: str, state_hint: str = "") -> CheckResult:
    """Shorthand for a failing result (``state_hint``: what the engine holds now, see ``exercises.hints``)."""
    return CheckResult(False, expected, found, hint, state_hint=state_hint)


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
        :meth:`grade` instead, so that a crash cannot pass for a correctly failed check. Every answer is
        recorded in the learner's progress store (:mod:`dockhelpers.progress`): this is the one place every
        learner's check passes through.
        """
        try:
            result = self.grade(number)
        except Exception as exc:  # a check must answer, not crash
            result = CheckResult(False, "검사를 마칠 수 있는 상태", f"검사 중 오류: {exc}",
                                 "앞의 셀을 먼저 실행했는지 확인하세요.")
            result.title = f"{self.chapter}-{number}. {self.items[number].title}"
        result.solution = f"ch{self.chapter:02d}.show_solution({number})" if self.items[number].solver else ""
        result.attempt = self._record(number, result)
        return result

    def _record(self, number: int, result: CheckResult) -> int:
        """Append the answer to the progress store; the attempt number, or 0 when the store cannot be written."""
        from dockhelpers import progress

        try:
            return progress.record(self.chapter, number, result.ok, result.title).attempt
        except OSError:  # a read-only home must not stop the learner from checking
            return 0

    def titles(self) -> dict[int, str]:
        """Exercise number -> title."""
        return {number: item.title for number, item in self.items.items()}

    def progress_table(self):
        """The learner's progress in this chapter as a table widget (see :mod:`dockhelpers.widgets.progress_view`)."""
        from dockhelpers.widgets.progress_view import ProgressTable

        return ProgressTable(self.chapter, self.titles())

    def solution_button(self, number: int):
        """A button that shows exercise ``number``'s reference solution when clicked (never run, only shown).

        "Run All" only creates the button: the solution appears on a click.
        """
        import ipywidgets as w

        button = w.Button(description=f"{self.chapter}-{number} 모범 답안 보기", icon="eye",
                          layout=w.Layout(width="auto"))
        button.add_class("dkc-btn-solution")
        shown = w.HTML()

        def reveal(_=None) -> None:
            code = html.escape(self.solution_source(number) or "(모범 답안이 없습니다)")
            shown.value = f"<pre class='dkc-solution' style='background:#f6f8fa;padding:6px'>{code}</pre>"

        button.on_click(reveal)
        return w.VBox([button, shown])

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
        shown = getattr(solver, "source", None)  # a generated solver says what the learner would type
        return shown if shown else textwrap.dedent(inspect.getsource(solver))

    def show_solution(self, number: int) -> None:
        """Print the reference solution's code (``ch02.show_solution(1)``)."""
        print(self.solution_source(number))
