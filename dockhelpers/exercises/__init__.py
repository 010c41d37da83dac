"""Per-chapter exercises (``ch01`` ... ``ch04``), each an :class:`dockhelpers.checks.ExerciseSet`.

Notebook use::

    from dockhelpers.exercises import ch02
    ch02.check(1)          # grade against the engine
    ch02.show_solution(1)  # print the reference solution
    ch02.solve(1)          # run it
"""
