"""IPython integration: the ``%docker`` line and ``%%docker`` cell magics and Korean error display.

The magics expand ``{name}`` (a Python variable, attribute, call or index, e.g. ``{ECHO_NAME}`` or
``{naming.port(9000)}``) but leave Go templates such as ``--format '{{.Names}}'`` exactly as typed, so a
command copied from the book or a terminal works unchanged.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from dockhelpers.errors import CourseError
from dockhelpers.shell import docker

#: ``{expr}`` not part of ``{{...}}``: an identifier path with an optional call or index.
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][\w.]*(?:\([^{}]*\)|\[[^{}]*\])?)\}(?!\})")


def expand(line: str, namespace: Mapping[str, Any]) -> str:
    """Replace each ``{expr}`` with its value in ``namespace``; ``{{...}}`` (Go templates) stays as it is."""
    return _FIELD.sub(lambda m: str(eval(m.group(1), dict(namespace))), line)  # noqa: S307 - the learner's own cell


def commands(cell: str) -> list[str]:
    """The docker commands of a ``%%docker`` cell: one per line (``\\`` continues a line), ``#`` comments and
    blank lines skipped, a leading ``docker`` optional (``docker image ls`` and ``image ls`` are the same)."""
    found: list[str] = []
    pending = ""
    for raw in cell.splitlines():
        line = raw.strip()
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if not line or line.startswith("#"):
            continue
        if line == "docker" or line.startswith("docker "):
            line = line[len("docker"):].strip()
        if line:
            found.append(line)
    if pending.strip():
        found.append(pending.strip())
    return found


def _magics(ipython):
    """The two magics, bound to ``ipython``'s namespace (IPython's own ``{}`` expansion is switched off)."""
    from IPython.core.magic import no_var_expand

    @no_var_expand
    def docker_line(line: str) -> None:
        """``%docker container ls -a``: runs the real ``docker`` CLI through :func:`dockhelpers.shell.docker`."""
        docker(expand(line, ipython.user_ns))

    def docker_cell(line: str, cell: str) -> None:
        """``%%docker``: several docker commands, run in order like lines typed in a terminal; stops at the
        first that fails (as ``set -e`` would)."""
        for command in commands(cell):
            docker(expand(command, ipython.user_ns))

    return docker_line, docker_cell


def _show_course_error(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """Show a CourseError as a short Korean error output (still an error: the cell counts as failed)."""
    lines = [f"\x1b[31m❌ {value.message}\x1b[0m", f"💡 해결 방법: {value.hint}"]
    if value.detail:
        lines.append(f"   (도커 원문: {value.detail.strip()[:500]})")
    # An "error" output (ename/evalue/traceback) with these few lines instead of a long Python traceback.
    shell._showtraceback(etype, value, lines)
    return lines


def register(ipython) -> None:
    """Register the magic and the error handler on an IPython shell."""
    line_magic, cell_magic = _magics(ipython)
    ipython.register_magic_function(line_magic, magic_kind="line", magic_name="docker")
    ipython.register_magic_function(cell_magic, magic_kind="cell", magic_name="docker")
    ipython.set_custom_exc((CourseError,), _show_course_error)
