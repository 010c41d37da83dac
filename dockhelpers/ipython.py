"""IPython integration: the ``%docker`` line magic and Korean error display."""

from __future__ import annotations

from dockhelpers.errors import CourseError
from dockhelpers.shell import docker


def _docker_magic(line: str):
    """``%docker container ls -a``: runs the real ``docker`` CLI through :func:`dockhelpers.shell.docker`."""
    docker(line)


def _show_course_error(shell, etype, value, tb, tb_offset=None):
    print(f"❌ {value.message}\n💡 해결 방법: {value.hint}")
    if value.detail:
        print(f"   (도커 원문: {value.detail.strip()[:500]})")
    return None


def register(ipython) -> None:
    """Register the magic and the error handler on an IPython shell."""
    ipython.register_magic_function(_docker_magic, magic_kind="line", magic_name="docker")
    ipython.set_custom_exc((CourseError,), _show_course_error)
