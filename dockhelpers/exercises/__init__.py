"""Per-chapter exercises (``ch01`` ... ``ch04``), each an :class:`dockhelpers.checks.ExerciseSet`.

Notebook use::

    from dockhelpers.exercises import ch02, progress_table
    progress_table(chapter=2)  # the learner's progress in chapter 2 (a table widget)
    ch02.check(1)          # grade against the engine (recorded in the progress store)
    ch02.show_solution(1)  # print the reference solution
    ch02.solve(1)          # run it
"""

from __future__ import annotations

import importlib


def progress_table(chapter: int):
    """The learner's progress in ``chapter`` as a table widget (each chapter shows it at its start and end).

    CLI equivalent: ``python -m dockhelpers progress --chapter N``.
    """
    module = importlib.import_module(f"dockhelpers.exercises.ch{int(chapter):02d}")
    return module.exercises.progress_table()
