"""Checked conceptual questions: a multiple-choice widget, or a value the learner sets, graded by a check.

A chapter keeps its questions and the learner's answers::

    QUESTIONS = {5: Question("RUN은 언제 실행되나요?", ["빌드할 때", "컨테이너를 시작할 때"], answer="a",
                             why="RUN의 결과는 레이어로 이미지에 저장됩니다.")}
    answers = Answers()
    ch01.ask(5)           # radio buttons; a click records the answer
    ch01.answer(5, "a")   # or set it by hand
    ch01.check(5)         # grades the recorded answer

The reference answer is never shown by "Run All": only :func:`grade` (after an answer) names it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from dockhelpers.checks import CheckResult, failed, passed

LETTERS = string.ascii_lowercase


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Attributes:
        text: The question, in Korean.
        options: The choices, shown as a), b), c) ...
        answer: The letter of the right choice.
        why: Why that choice is right (shown once the answer is right).
        hint: What to reread when the answer is wrong.
    """

    text: str
    options: list[str]
    answer: str
    why: str = ""
    hint: str = ""

    def label(self, letter: str) -> str:
        """``"b) 빌드할 때"`` for a letter."""
        return f"{letter}) {self.options[LETTERS.index(letter)]}"

    def letters(self) -> list[str]:
        """The valid letters (``["a", "b", "c"]``)."""
        return list(LETTERS[: len(self.options)])


@dataclass
class Answers:
    """The learner's answers of one chapter (question number -> letter)."""

    chosen: dict[int, str] = field(default_factory=dict)

    def set(self, number: int, letter: str) -> None:
        """Record an answer (``"b"``, ``"B"`` or ``"b)"`` all mean b)."""
        self.chosen[number] = str(letter).strip().lower().rstrip(")")

    def clear(self, number: int) -> None:
        """Forget an answer."""
        self.chosen.pop(number, None)


def grade(question: Question, letter: str | None) -> CheckResult:
    """Grade one answer against the question's right letter.

    Args:
        question: The question.
        letter: The learner's letter, or None when none was given yet.

    Returns:
        A passing result with the reason, or a failing one with the question's hint.
    """
    expected = "보기 중 맞는 것을 고른 답"
    if letter is None:
        return failed(expected, "아직 답을 고르지 않았습니다.", "위의 보기에서 하나를 누르거나 `answer(번호, \"a\")`처럼 "
                      "답을 정한 뒤 검사 셀을 다시 실행하세요.")
    if letter not in question.letters():
        return failed(expected, f"`{letter}`는 보기에 없습니다.",
                      f"{', '.join(question.letters())} 중 하나로 답하세요.")
    if letter != question.answer:
        return failed(expected, f"고른 답: {question.label(letter)}", question.hint or "본문을 다시 읽어 보세요.")
    return passed(expected, f"고른 답: {question.label(letter)}. {question.why}".strip())


def widget(question: Question, answers: Answers, number: int):
    """Radio buttons for a question; choosing one records it in ``answers`` (nothing is chosen at first).

    Returns:
        An ``ipywidgets.VBox`` (the caller displays it).
    """
    import ipywidgets as w

    title = w.HTML(f"<b>{number}번 문제.</b> {question.text}")
    buttons = w.RadioButtons(options=[question.label(x) for x in question.letters()], value=None,
                             layout=w.Layout(width="max-content"))
    if number in answers.chosen and answers.chosen[number] in question.letters():
        buttons.value = question.label(answers.chosen[number])

    def on_change(change) -> None:
        if change["new"]:
            answers.set(number, change["new"].split(")")[0])

    buttons.observe(on_change, names="value")
    return w.VBox([title, buttons])


def register(exercises, questions: "dict[int, Question]", answers: Answers, titles: "dict[int, str]",
             module: str) -> None:
    """Register conceptual questions as exercises of a chapter, with one check, solution and reset each.

    The check grades the recorded answer, the solution records the right letter (shown to the learner as
    ``chNN.answer(n, "b")``), the reset forgets the answer.

    Args:
        exercises: The chapter's :class:`~dockhelpers.checks.ExerciseSet`.
        questions: Question number -> :class:`Question`.
        answers: The chapter's recorded answers.
        titles: Question number -> exercise title (Korean), for the questions to register.
        module: The chapter module's name as the learner imports it (``"ch03"``).
    """
    for number, title in titles.items():
        question = questions[number]

        def check(q: Question = question, n: int = number) -> CheckResult:
            return grade(q, answers.chosen.get(n))

        def solve(q: Question = question, n: int = number) -> None:
            answers.set(n, q.answer)

        def reset(n: int = number) -> None:
            answers.clear(n)

        solve.source = f'{module}.answer({number}, "{question.answer}")\n'  # type: ignore[attr-defined]
        exercises.check(number, title)(check)
        exercises.solution(number)(solve)
        exercises.resetter(number)(reset)
