"""IPython integration: the ``%docker`` line magic and Korean error display."""

from __future__ import annotations

from dockhelpers.errors import CourseError
from dockhelpers.shell import docker


def _docker_magic(line: str):
    """``%docker container ls -a``: runs the real ``docker`` CLI through :func:`dockhelpers.shell.docker`."""
    docker(line)


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


def _docker_cell_magic(line: str, cell: str) -> None:
    """``%%docker``: several docker commands, run in order like lines typed in a terminal; stops at the first
    that fails (as ``set -e`` would)."""
    for command in commands(cell):
        docker(command)


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
    ipython.register_magic_function(_docker_magic, magic_kind="line", magic_name="docker")
    ipython.register_magic_function(_docker_cell_magic, magic_kind="cell", magic_name="docker")
    ipython.set_custom_exc((CourseError,), _show_course_error)
