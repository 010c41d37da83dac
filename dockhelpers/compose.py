"""Docker Compose v2 (the ``docker compose`` CLI plugin; docker-py has no Compose).

Always with an explicit project name (``-p``), so that a notebook's project never collides with a
learner's own, and with ``--progress plain`` so that the output streams into the notebook as text.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Sequence

from dockhelpers import naming
from dockhelpers.errors import CourseError
from dockhelpers.shell import CommandResult, run

_PROGRESS_COMMANDS = {"up", "down", "build", "pull", "push", "create", "start", "stop", "restart", "rm", "kill"}


def compose_command(project: str, args: str | Sequence[str], *, file: str | os.PathLike[str] | None = None) -> list[str]:
    """The argument vector for ``docker compose -p PROJECT [-f FILE] [--progress plain] ARGS``."""
    rest = shlex.split(args) if isinstance(args, str) else list(args)
    argv = ["docker", "compose", "-p", project]
    if file:
        argv += ["-f", str(file)]
    if rest and rest[0] in _PROGRESS_COMMANDS:
        argv += ["--progress", "plain"]
    return argv + rest


def compose(project: str, args: str | Sequence[str], *, file: str | os.PathLike[str] | None = None,
            cwd: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None,
            check: bool = True, timeout: float | None = 900, **kwargs) -> CommandResult:
    """Run ``docker compose -p PROJECT -f FILE ARGS``, showing the command and streaming its output.

    Args:
        project: Compose project name (from :func:`dockhelpers.naming.name`).
        args: Sub-command and options, e.g. ``"up -d --build"``, ``"ps"``, ``"logs --no-color"``.
        file: The compose file (``compose.yaml``); its folder is the working directory unless ``cwd`` is given.
        cwd: Working directory.
        env: Extra environment variables for variable substitution in the file.
        check: Raise a Korean :class:`CourseError` on failure.
        timeout: Seconds before the command is stopped.
        **kwargs: Passed to :func:`dockhelpers.shell.run`.

    Returns:
        The :class:`CommandResult`.

    Raises:
        CourseError: The compose file is missing, or the command failed.
    """
    if file is not None and not Path(file).is_file():
        raise CourseError(f"컴포즈 파일이 없습니다: {file}", "파일 경로를 확인하세요(보통 `compose.yaml`).")
    if cwd is None and file is not None:
        cwd = Path(file).resolve().parent
    if file is not None:
        file = Path(file).resolve().name if cwd and Path(file).resolve().parent == Path(cwd).resolve() else file
    # Compose files label their resources with kr.dockercourse.prefix: ${DKC_PREFIX:-dkc}.
    env = {"DKC_PREFIX": naming.prefix(), **(env or {})}
    return run(compose_command(project, args, file=file), cwd=cwd, env=env, check=check, timeout=timeout,
               context="docker compose", **kwargs)
