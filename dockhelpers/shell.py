"""The one path from a notebook to the ``docker`` CLI: show the exact command, run it, stream its output.

Every ``docker ...`` command a notebook runs goes through :func:`docker` (or the ``%docker`` line magic,
which calls it), so the learner always sees the real command. Docker commands reach the engine through the
course endpoint, which records their API exchanges; every other command (curl, ls, ssh ...) is recorded here
when ``DOCKHELPERS_RECORD`` names a folder: one JSON line per command in ``<folder>/<session>.shell.jsonl``
(the session is ``DOCKHELPERS_SESSION``, set by a notebook's preflight to ``chNN``), with each output line's
time offset, for the Binder replay.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import IO, Callable, Sequence

from dockhelpers.errors import CourseError, translate


@dataclass
class CommandResult:
    """What a command did.

    Attributes:
        args: The argument vector that ran.
        returncode: Its exit status.
        stdout: Everything written to standard output.
        stderr: Everything written to standard error.
    """

    args: list[str]
    returncode: int
    stdout: str = ""
    stderr: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the command exited with status 0."""
        return self.returncode == 0

    def __str__(self) -> str:
        return self.stdout

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython: don't echo the result a second time
        printer.text(f"<종료 코드 {self.returncode}>")


#: A folder: non-docker commands are recorded there (see the module docstring).
RECORD_ENV = "DOCKHELPERS_RECORD"
#: The recording's session name (a notebook's preflight sets ``chNN``); ``terminal`` when unset.
SESSION_ENV = "DOCKHELPERS_SESSION"


def _record(args: Sequence[str], cwd: object, returncode: int, seconds: float,
            timed: list[tuple[float, str, str]]) -> None:
    """Append one command's record (argv, exit code, output lines with time offsets) when recording is on."""
    folder = os.environ.get(RECORD_ENV)
    if not folder:
        return
    session = re.sub(r"[^A-Za-z0-9_.-]", "_", os.environ.get(SESSION_ENV) or "terminal")[:80]
    if args and Path(args[0]).name == "docker" and not cli_level(args):  # the endpoint records its exchanges
        from dockhelpers.replay import binds

        files = binds.snapshot(list(args), time.time() - seconds)
        if not files:
            return
        entry = {"t": round(time.time() - seconds, 3), "kind": "files", "argv": list(args), "files": files}
    else:
        entry = {"t": round(time.time() - seconds, 3), "argv": list(args),
                 "cwd": str(cwd) if cwd else None, "returncode": returncode, "seconds": round(seconds, 3),
                 "out": [[round(offset, 3), stream, line] for offset, stream, line in timed]}
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / f"{session}.shell.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def cli_level(args: Sequence[str]) -> bool:
    """Whether a docker command is recorded and replayed as its printed output, not as API exchanges.

    BuildKit builds (``docker image build``, ``docker compose build``, ``compose up --build``) talk gRPC over a
    hijacked connection, which cannot be played back byte for byte, and compose decides what to create from
    this machine's files; their output lines are recorded like a shell command's.
    """
    if not args or Path(args[0]).name != "docker":
        return False
    if len(args) > 1 and args[1] == "compose" and "version" not in args[2:]:
        return True  # compose decides locally what to create (config hashes of this machine's files and paths)
    return "build" in args[1:] or "--build" in args[1:]


def show(command: str) -> None:
    """Print a command the way a learner would type it (``$ docker ...``)."""
    print(f"$ {command}", flush=True)


def format_command(args: Sequence[str]) -> str:
    """Join an argument vector into one shell-quoted line."""
    return " ".join(shlex.quote(a) for a in args)


def run(
    command: str | Sequence[str],
    *,
    check: bool = True,
    echo: bool = True,
    stream: bool = True,
    input: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    context: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> CommandResult:
    """Run a host command, printing it and streaming its output line by line.

    Args:
        command: A shell-like string (split with :func:`shlex.split`) or an argument vector.
        check: Raise a Korean :class:`CourseError` when the command exits non-zero.
        echo: Print ``$ command`` first.
        stream: Print output lines as they arrive (stderr lines too).
        input: Text sent to standard input.
        cwd: Working directory.
        timeout: Seconds before the command is killed (then a :class:`CourseError` is raised).
        env: Extra environment variables.
        context: Korean phrase for error messages ("이미지 빌드" ...).
        on_line: Called with every output line (for widgets).

    Returns:
        The :class:`CommandResult`.

    Raises:
        CourseError: On a non-zero exit when ``check`` is true, or on timeout.
    """
    args = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if echo:  # a string is shown as written (the book's quoting), a vector shell-quoted
        show(command.strip() if isinstance(command, str) and "\n" not in command else format_command(args))
    from dockhelpers.replay import recording as replay

    if replay.active() and args and (Path(args[0]).name != "docker" or cli_level(args)):
        return _replay(args, check=check, stream=stream, on_line=on_line, context=context)
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.Popen(
            args, cwd=cwd, env=full_env, text=True, encoding="utf-8", errors="replace",
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1,
        )
    except FileNotFoundError as exc:
        advice = ("도커 CLI가 설치되어 있는지 확인하세요." if args[0] == "docker" else
                  f"`{args[0]}` 프로그램이 이 컴퓨터에 설치되어 있고 PATH에 있는지 확인하세요.")
        raise CourseError(f"`{args[0]}` 명령을 찾을 수 없습니다.", advice) from exc
    out: list[str] = []
    err: list[str] = []
    lines: list[str] = []
    timed: list[tuple[float, str, str]] = []
    started = time.monotonic()
    lock = threading.Lock()

    def pump(pipe: IO[str], sink: list[str], target: IO[str]) -> None:
        for line in pipe:
            with lock:
                sink.append(line)
                lines.append(line.rstrip("\n"))
                timed.append((time.monotonic() - started, "out" if sink is out else "err", line.rstrip("\n")))
                if stream:
                    target.write(line)
                    target.flush()
            if on_line:
                on_line(line.rstrip("\n"))

    threads = [
        threading.Thread(target=pump, args=(proc.stdout, out, sys.stdout), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, err, sys.stdout), daemon=True),
    ]
    for t in threads:
        t.start()
    if input is not None:
        assert proc.stdin is not None
        proc.stdin.write(input)
        proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.wait()
        raise CourseError(f"명령이 {timeout:.0f}초 안에 끝나지 않아 중단했습니다: {format_command(args)}",
                          "엔진 상태를 확인하고 다시 실행하세요.") from exc
    for t in threads:
        t.join()
    _record(args, cwd, proc.returncode, time.monotonic() - started, timed)
    if replay.active() and args and Path(args[0]).name == "docker":
        _restore_files(args)
    result = CommandResult(args, proc.returncode, "".join(out), "".join(err), lines)
    if check and proc.returncode != 0:
        raise translate(result.stderr or result.stdout or f"exit code {proc.returncode}", context)
    return result


def _restore_files(args: list[str]) -> None:
    """Replay mode: put back the files the recorded command's container wrote into bind-mounted folders."""
    from dockhelpers.replay import binds, recording as replay

    recorded = replay.recording(os.environ.get(SESSION_ENV))
    entry = recorded.match("files", replay.shell_key(args)) if recorded else None
    if entry:
        binds.restore(args, entry.get("files") or {})


def _replay(args: list[str], *, check: bool, stream: bool, on_line: Callable[[str], None] | None,
            context: str | None) -> CommandResult:
    """Replay mode (no engine, Binder): a non-docker command prints what it printed when recorded."""
    from dockhelpers.replay import recording as replay

    recorded = replay.recording(os.environ.get(SESSION_ENV))
    entry = recorded.match("shell", replay.shell_key(args)) if recorded else None
    if entry is None:
        message = replay.not_recorded(format_command(args))
        if check:
            raise CourseError(message)
        print(message, flush=True)
        return CommandResult(args, 127, "", message, [message])
    started = time.monotonic()
    factor = replay.speed()
    out: list[str] = []
    err: list[str] = []
    lines: list[str] = []
    for offset, stream_name, line in entry.get("out", []):
        delay = started + min(float(offset), 600) / factor - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        (out if stream_name == "out" else err).append(line + "\n")
        lines.append(line)
        if stream:
            print(line, flush=True)
        if on_line:
            on_line(line)
    delay = started + min(float(entry.get("seconds", 0)), 600) / factor - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    result = CommandResult(args, int(entry.get("returncode", 0)), "".join(out), "".join(err), lines)
    if check and result.returncode != 0:
        raise translate(result.stderr or result.stdout or f"exit code {result.returncode}", context)
    return result


def docker(command: str | Sequence[str], **kwargs) -> CommandResult:
    """Run the real ``docker`` CLI: ``docker("container ls -a")`` runs and shows ``docker container ls -a``.

    Args:
        command: The arguments after ``docker`` (string or vector).
        **kwargs: As for :func:`run`.

    Returns:
        The :class:`CommandResult`.
    """
    if isinstance(command, str):
        return run(f"docker {command.strip()}", **kwargs)
    return run(["docker", *command], **kwargs)
