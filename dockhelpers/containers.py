"""Containers: thin, idempotent calls that print their CLI equivalent and return data.

``run`` with a fixed name replaces an existing container of that name (re-running a notebook cell works);
``stop``/``rm`` of a container that is not there is not an error. Bad input raises a Korean
:class:`~dockhelpers.errors.CourseError` and leaves nothing half-made (a container that was created but
could not start, e.g. because its port is taken, is removed again).
"""

from __future__ import annotations

import io
import os
import shlex
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from dockhelpers import errors, naming
from dockhelpers.engine import client
from dockhelpers.errors import NotFound, translate
from dockhelpers.images import validate_reference
from dockhelpers.shell import format_command, show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PortMap = dict[int | str, int | str | None]


def run_command(image: str, name: str | None = None, *, chapter: int | str | None = None,
                command: str | Sequence[str] | None = None, ports: PortMap | None = None,
                env: dict[str, str] | None = None, volumes: Sequence[str] | None = None,
                detach: bool = True, remove: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The ``docker container run`` argument vector equivalent to :func:`run` (for display)."""
    args = ["docker", "container", "run"]
    if detach:
        args.append("-d")
    if remove:
        args.append("--rm")
    if name:
        args += ["--name", name]
    for cport, hport in (ports or {}).items():
        args += ["-p", f"127.0.0.1:{hport}:{cport}" if hport else f"127.0.0.1::{cport}"]
    for key, value in (env or {}).items():
        args += ["-e", f"{key}={value}"]
    for vol in volumes or ():
        args += ["-v", vol]
    args += list(extra)
    args += naming.label_args(chapter)
    args.append(image)
    if command:
        args += shlex.split(command) if isinstance(command, str) else list(command)
    return args


def _sdk_ports(ports: PortMap | None) -> dict[str, Any] | None:
    if not ports:
        return None
    result: dict[str, Any] = {}
    for cport, hport in ports.items():
        key = str(cport) if "/" in str(cport) else f"{cport}/tcp"
        result[key] = ("127.0.0.1", int(hport)) if hport else ("127.0.0.1", None)
    return result


def _sdk_volumes(volumes: Sequence[str] | None) -> list[str] | None:
    if not volumes:
        return None
    fixed = []
    for vol in volumes:
        src, _, rest = vol.partition(":")
        if src.startswith((".", "~")):
            src = str(Path(src).expanduser().resolve())
        fixed.append(f"{src}:{rest}")
    return fixed


def run(image: str, name: str | None = None, *, chapter: int | str | None = None,
        command: str | Sequence[str] | None = None, ports: PortMap | None = None,
        env: dict[str, str] | None = None, volumes: Sequence[str] | None = None, detach: bool = True,
        remove: bool = False, replace: bool = True, quiet: bool = False, **sdk_options: Any) -> dict[str, Any]:
    """Create and start a container (``docker container run -d --name NAME -p 127.0.0.1:H:C IMAGE``).

    Args:
        image: Image reference.
        name: Container name (use :func:`dockhelpers.naming.name`); an existing one is replaced when
            ``replace`` is true.
        chapter: Chapter label.
        command: Command overriding the image's CMD.
        ports: ``{container_port: host_port}``; host ports bind to 127.0.0.1 (``None`` picks a free port).
        env: Environment variables (``-e``).
        volumes: ``-v`` values (``"dkc-data:/data"``, ``"/host/dir:/dir:ro"``).
        detach: Run in the background (``-d``); otherwise wait and return its output.
        remove: Remove it when it exits (``--rm``).
        replace: Remove an existing container of the same name first.
        quiet: Don't print the command.
        **sdk_options: Further ``docker.containers.run`` options (shown only through the SDK).

    Returns:
        A row: ``{"이름", "ID", "상태", "포트", "출력"}``.

    Raises:
        CourseError: Invalid image, port in use, name conflict (when ``replace`` is false), ...
    """
    from docker.errors import APIError, ImageNotFound

    validate_reference(image)
    if not quiet:
        show(format_command(run_command(image, name, chapter=chapter, command=command, ports=ports, env=env,
                                        volumes=volumes, detach=detach, remove=remove)))
    c = client()
    labels = {**naming.labels(chapter), **sdk_options.pop("labels", {})}

    def create() -> Any:
        return c.containers.create(image, command=command, name=name, ports=_sdk_ports(ports), environment=env,
                                   volumes=_sdk_volumes(volumes), labels=labels, **sdk_options)

    try:
        try:
            container = create()
        except APIError as exc:  # replace-on-run only when the name is taken (no extra request otherwise)
            if not (name and replace and exc.status_code == 409):
                raise
            _remove_quietly(name)
            container = create()
    except ImageNotFound:
        try:
            c.images.pull(*_split(image))
        except Exception as exc:
            cause = translate(exc)
            raise errors.ImageNotFound(f"`{image}` 이미지가 로컬에 없고 레지스트리에서 받지도 못했습니다.",
                                       detail=cause.detail) from exc
        return run(image, name, chapter=chapter, command=command, ports=ports, env=env, volumes=volumes,
                   detach=detach, remove=remove, replace=replace, quiet=True, labels=labels, **sdk_options)
    except APIError as exc:
        raise translate(exc, "컨테이너 실행") from exc
    try:
        container.start()
    except APIError as exc:  # created but not started (port taken...): leave nothing half-made
        container.remove(force=True)
        raise translate(exc, "컨테이너 실행") from exc
    if detach:
        container.reload()
        return _row(container, image)
    code = container.wait().get("StatusCode", -1)
    output = container.logs().decode(errors="replace")
    if remove:
        container.remove(force=True)
    if not quiet and output:
        print(output, end="" if output.endswith("\n") else "\n")
    if code != 0:
        raise translate(output or f"exit code {code}", "컨테이너 실행")
    return {"이름": name, "ID": container.short_id, "상태": "exited", "포트": "", "출력": output}


def _split(image: str) -> tuple[str, str]:
    from dockhelpers.images import split_reference

    return split_reference(image)


def _remove_quietly(name: str) -> None:
    """Replace-on-run: remove the container called exactly ``name`` - only if the course created it.

    The engine resolves a name to a container of that name *or* one whose ID starts with it, so the name
    is compared exactly; a container without the course label (the learner's own) is never removed.
    (When the course endpoint adds its creation marker label, check it here as well.)

    Raises:
        NameConflict: A container of that name exists that the course did not create.
    """
    from docker.errors import NotFound as _Missing

    try:
        found = client().containers.get(name)
    except _Missing:
        return
    if found.name != name.lstrip("/"):
        return  # an ID-prefix match, not this name: leave it; create() reports a real name conflict
    if (found.labels or {}).get(naming.COURSE_LABEL) != "true":
        raise errors.NameConflict(
            f"`{name}` 이름의 컨테이너가 이미 있지만 과정이 만든 것이 아니어서 지우지 않았습니다.",
            f"직접 만든 컨테이너라면 다른 이름을 쓰거나, 지워도 되는지 확인한 뒤 `docker container rm -f {name}`을 "
            "실행하세요.")
    found.remove(force=True)


def _ports_text(container: Any) -> str:
    ports = container.attrs.get("NetworkSettings", {}).get("Ports") or {}
    parts = []
    for cport, binds in ports.items():
        for b in binds or []:
            parts.append(f"{b.get('HostIp')}:{b.get('HostPort')}->{cport}")
    return ", ".join(parts)


def _row(container: Any, image_ref: str | None = None) -> dict[str, Any]:
    """A table row; ``image_ref`` (the reference just run) saves the image lookup, one request."""
    if image_ref is None:
        image = container.image  # one request: each access of the SDK's ``image`` property inspects the image
        image_ref = (", ".join(image.tags) if image and image.tags else
                     container.attrs.get("Config", {}).get("Image", ""))
    return {"이름": container.name, "ID": container.short_id, "상태": container.status, "이미지": image_ref,
            "포트": _ports_text(container)}


def get(name: str) -> Any:
    """The SDK container object (``docker container inspect NAME``).

    Raises:
        NotFound: There is no such container.
    """
    from docker.errors import NotFound as _Missing

    try:
        return client().containers.get(name)
    except _Missing as exc:
        raise NotFound(f"`{name}` 컨테이너가 없습니다.", detail=str(exc)) from exc


def status(name: str) -> str | None:
    """The container's state (``running``, ``exited``, ...) or None when it does not exist."""
    from dockhelpers import inspection

    return inspection.container_state(name)


def ls(chapter: int | str | None = None, *, all: bool = True, course_only: bool = True,
       show_command: bool = True) -> "pd.DataFrame":
    """The course's containers as a DataFrame (``docker container ls -a --filter label=...``).

    Args:
        chapter: Only this chapter's containers.
        all: Include stopped ones (``-a``).
        course_only: Only containers with the course label.
        show_command: Print the CLI equivalent.

    Returns:
        Columns 이름, ID, 상태, 이미지, 포트.
    """
    import pandas as pd

    filters = {"label": naming.label_filters(chapter)} if (course_only or chapter is not None) else {}
    if show_command:
        flt = " ".join(f"--filter label={f}" for f in filters.get("label", []))
        show(f"docker container ls{' -a' if all else ''} {flt}".rstrip())
    rows = [_row(c) for c in client().containers.list(all=all, filters=filters or None, ignore_removed=True)]
    return pd.DataFrame(rows, columns=["이름", "ID", "상태", "이미지", "포트"])


def _act(verb: str, name: str, action: str, **kwargs: Any) -> dict[str, Any] | None:
    show(f"docker container {verb} {name}")
    container = get(name)
    try:
        getattr(container, action)(**kwargs)
    except Exception as exc:
        raise translate(exc, f"컨테이너 {verb}") from exc
    if action == "remove":
        return None
    container.reload()
    return _row(container)


def start(name: str) -> dict[str, Any] | None:
    """Start a stopped container (``docker container start NAME``)."""
    return _act("start", name, "start")


def stop(name: str, timeout: int = 3) -> dict[str, Any] | None:
    """Stop a running container (``docker container stop -t 3 NAME``); a stopped one stays stopped."""
    return _act("stop", name, "stop", timeout=timeout)


def restart(name: str, timeout: int = 3) -> dict[str, Any] | None:
    """Restart a container (``docker container restart NAME``)."""
    return _act("restart", name, "restart", timeout=timeout)


def rm(name: str, *, force: bool = False) -> bool:
    """Remove a container (``docker container rm [-f] NAME``); False when it did not exist.

    Raises:
        CourseError: It is running and ``force`` is false (the engine's conflict, in Korean).
    """
    from docker.errors import NotFound as _Missing

    show(f"docker container rm {'-f ' if force else ''}{name}")
    try:
        client().api.remove_container(name, force=force)  # one request, as `docker container rm` sends
        return True
    except _Missing:
        return False
    except Exception as exc:
        raise translate(exc, "컨테이너 삭제") from exc


def logs(name: str, *, tail: int | None = None, show_command: bool = True) -> str:
    """The container's standard output and error (``docker container logs [--tail N] NAME``)."""
    if show_command:
        show(f"docker container logs{f' --tail {tail}' if tail else ''} {name}")
    data = get(name).logs(tail=tail if tail else "all")
    return data.decode(errors="replace")


def exec_(name: str, command: str | Sequence[str], *, user: str | None = None,
          workdir: str | None = None) -> tuple[int, str]:
    """Run a command in a running container (``docker container exec NAME CMD``).

    Returns:
        ``(exit_code, output)``.
    """
    argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
    show(format_command(["docker", "container", "exec", name, *argv]))
    try:
        code, out = get(name).exec_run(argv, user=user or "", workdir=workdir)
    except NotFound:
        raise
    except Exception as exc:
        raise translate(exc, "컨테이너에서 명령 실행") from exc
    return code, out.decode(errors="replace")


def cp_in(name: str, src: str | os.PathLike[str], dest: str) -> None:
    """Copy a host file or folder into a container (``docker container cp SRC NAME:DEST``).

    Works on stopped containers too. ``dest`` is the target directory inside the container.
    """
    show(f"docker container cp {src} {name}:{dest}")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(str(src), arcname=Path(src).name)
    buf.seek(0)
    if not get(name).put_archive(dest, buf.getvalue()):
        raise NotFound(f"컨테이너 안 경로 {dest}에 복사하지 못했습니다.")


def cp_out(name: str, src: str, dest: str | os.PathLike[str]) -> Path:
    """Copy a file or folder out of a container (``docker container cp NAME:SRC DEST``).

    Works on stopped containers too.

    Returns:
        The path written on the host.
    """
    from docker.errors import NotFound as _Missing

    show(f"docker container cp {name}:{src} {dest}")
    try:
        stream, _ = get(name).get_archive(src)
    except _Missing as exc:
        raise NotFound(f"컨테이너 안에 {src}가 없습니다.", detail=str(exc)) from exc
    buf = io.BytesIO(b"".join(stream))
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=buf) as tar:
        tar.extractall(dest, filter="data")
    return dest / Path(src).name
