"""Images: build with a streamed log, pull with per-layer progress, tag, push, list.

Pull, push and build answer with HTTP 200 and report failures *inside* the JSON stream; every function
here reads the whole stream and raises a Korean :class:`~dockhelpers.errors.CourseError` when an error
object arrives. Each function prints the ``docker`` command it stands for.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from dockhelpers import naming
from dockhelpers.engine import client
from dockhelpers.errors import BuildFailed, DockerfileMissing, InvalidReference, translate
from dockhelpers.shell import format_command, show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# docker/distribution reference grammar, simplified: [host[:port]/]path[:tag][@digest], lowercase path.
_REFERENCE = re.compile(
    r"^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$"
)


def validate_reference(ref: str) -> str:
    """Check an image reference before sending it to the engine.

    Args:
        ref: ``name[:tag]`` such as ``dkc/echo:v1`` or ``127.0.0.1:5000/dkc/echo``.

    Returns:
        The reference unchanged.

    Raises:
        InvalidReference: The reference cannot be an image name (upper case, spaces, empty ...).
    """
    if not ref or not _REFERENCE.match(ref):
        raise InvalidReference(f"`{ref}`은(는) 올바른 이미지 이름이 아닙니다.")
    return ref


def split_reference(ref: str) -> tuple[str, str]:
    """Split ``repo[:tag]`` (or ``repo@digest``) into ``(repo, tag)``; the tag defaults to ``latest``.

    Uses docker-py's own parser (``docker.utils.parse_repository_tag``), which knows that the colon of a
    registry port (``127.0.0.1:5000/dkc/echo``) is not a tag separator.
    """
    from docker.utils import parse_repository_tag

    repo, tag = parse_repository_tag(ref)
    return repo, tag or "latest"


def raise_stream_errors(chunk: dict[str, Any], context: str) -> None:
    """Raise when a JSON stream chunk carries an error (``{"error": ..., "errorDetail": ...}``)."""
    if "error" in chunk or "errorDetail" in chunk:
        text = chunk.get("error") or chunk.get("errorDetail", {}).get("message", "")
        raise translate(str(text), context)


# ---------------------------------------------------------------------------------------------- build
def build_command(path: str | os.PathLike[str], tag: str, *, chapter: int | str | None = None,
                  dockerfile: str | None = None, buildargs: dict[str, str] | None = None,
                  pull: bool = False, nocache: bool = False, target: str | None = None) -> list[str]:
    """The ``docker image build`` command equivalent to :func:`build` (for display)."""
    args = ["docker", "image", "build", "-t", tag]
    if dockerfile:
        args += ["-f", dockerfile]
    if target:
        args += ["--target", target]
    for key, value in (buildargs or {}).items():
        args += ["--build-arg", f"{key}={value}"]
    if pull:
        args.append("--pull")
    if nocache:
        args.append("--no-cache")
    args += naming.label_args(chapter)
    args.append(str(path))
    return args


def build(path: str | os.PathLike[str], tag: str, *, chapter: int | str | None = None,
          dockerfile: str | None = None, buildargs: dict[str, str] | None = None, pull: bool = False,
          nocache: bool = False, quiet: bool = False, on_line: Callable[[str], None] | None = None,
          target: str | None = None) -> str:
    """Build an image and stream its log (``docker image build -t TAG [-f FILE] PATH``).

    The course labels are added to the image so that cleanup can find it.

    Args:
        path: Build context folder.
        tag: Image reference to tag the result with.
        chapter: Chapter label.
        dockerfile: Dockerfile path relative to the context (``-f``).
        buildargs: ``--build-arg`` values.
        pull: Always try to pull a newer base image (``--pull``).
        nocache: Do not use the layer cache (``--no-cache``).
        quiet: Print only the command and the result, not every log line.
        on_line: Called with every log line.
        target: Build only up to this stage of a multi-stage Dockerfile (``--target``).

    Returns:
        The new image's ID (``sha256:...``).

    Raises:
        DockerfileMissing: No Dockerfile where it is expected.
        BuildFailed: A step failed (the failing step's output is in the message).
        InvalidReference: ``tag`` is not a valid image name.
    """
    validate_reference(tag)
    context = Path(path)
    file = context / (dockerfile or "Dockerfile")
    if not context.is_dir() or not file.is_file():
        raise DockerfileMissing(f"Dockerfile을 찾을 수 없습니다: {file}")
    show(format_command(build_command(path, tag, chapter=chapter, dockerfile=dockerfile, buildargs=buildargs,
                                      pull=pull, nocache=nocache, target=target)))
    stream = client().api.build(path=str(context), tag=tag, dockerfile=dockerfile, buildargs=buildargs or {},
                                pull=pull, nocache=nocache, rm=True, forcerm=True, decode=True,
                                labels=naming.labels(chapter), target=target)
    image_id = None
    log: list[str] = []
    for chunk in stream:
        if "error" in chunk or "errorDetail" in chunk:
            message = chunk.get("error") or chunk.get("errorDetail", {}).get("message", "")
            tail = "".join(log[-8:]).strip()
            raise BuildFailed("이미지 빌드 중 한 단계가 실패했습니다.", detail=f"{tail}\n{message}".strip())
        text = chunk.get("stream")
        if text:
            log.append(text)
            if not quiet:
                sys.stdout.write(text)
                sys.stdout.flush()
            if on_line:
                on_line(text.rstrip("\n"))
        aux = chunk.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            image_id = aux["ID"]
    if image_id is None:
        image_id = client().images.get(tag).id
    if quiet:
        print(f"Successfully built {image_id[7:19]} -> {tag}")
    return image_id


# ----------------------------------------------------------------------------------------------- pull
def layer_progress(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Fold a pull stream into per-layer state: ``{layer_id: {"status", "current", "total"}}``.

    Pure function (tested without an engine): the last status of each layer wins, and byte counts come
    from ``progressDetail``.
    """
    layers: dict[str, dict[str, Any]] = {}
    for event in events:
        layer = event.get("id")
        status = event.get("status", "")
        if not layer or status.startswith(("Pulling from", "Digest", "Status")):
            continue
        state = layers.setdefault(layer, {"status": status, "current": 0, "total": 0})
        state["status"] = status
        detail = event.get("progressDetail") or {}
        if detail.get("total"):
            state["total"] = detail["total"]
            state["current"] = detail.get("current", 0)
        if status in ("Download complete", "Pull complete", "Already exists", "Verifying Checksum"):
            if state["total"]:
                state["current"] = state["total"]
    return layers


class _TextProgress:
    """A plain progress line for terminals: one line per finished layer."""

    def __init__(self) -> None:
        self._done: set[str] = set()

    def update(self, layers: dict[str, dict[str, Any]]) -> None:
        for layer, state in layers.items():
            if state["status"] in ("Pull complete", "Already exists") and layer not in self._done:
                self._done.add(layer)
                size = f" ({state['total'] / 1e6:.1f} MB)" if state["total"] else ""
                print(f"  {layer}: {state['status']}{size}", flush=True)

    def close(self) -> None:
        pass


class _WidgetProgress:
    """One ipywidgets progress bar per layer, updated in place."""

    def __init__(self, ref: str) -> None:
        import ipywidgets as w
        from IPython.display import display

        self._w = w
        self._bars: dict[str, Any] = {}
        self.box = w.VBox([w.HTML(f"<b>{ref}</b> 내려받는 중 (레이어별 진행률)")])
        self.box.add_class("dkc-pull-progress")
        display(self.box)

    def update(self, layers: dict[str, dict[str, Any]]) -> None:
        for layer, state in layers.items():
            bar = self._bars.get(layer)
            if bar is None:
                bar = self._w.FloatProgress(min=0, max=1, description=layer[:12],
                                            layout=self._w.Layout(width="60%"))
                bar.label = self._w.Label()
                self._bars[layer] = bar
                self.box.children = (*self.box.children, self._w.HBox([bar, bar.label]))
            total = state["total"] or 1
            bar.value = min(1.0, state["current"] / total) if state["total"] else (
                1.0 if state["status"] in ("Pull complete", "Already exists") else bar.value)
            mb = f"{state['current'] / 1e6:.1f}/{state['total'] / 1e6:.1f} MB" if state["total"] else ""
            bar.label.value = f"{state['status']} {mb}"
            if state["status"] in ("Pull complete", "Already exists"):
                bar.bar_style = "success"

    def close(self) -> None:
        pass


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except ImportError:
        return False


def pull(ref: str, *, progress: bool = True) -> str:
    """Pull an image with a per-layer progress bar (``docker image pull REF``).

    Args:
        ref: Image reference (``debian:trixie-slim``).
        progress: Show progress (a widget in a notebook, plain lines in a terminal).

    Returns:
        The pulled image's ID.

    Raises:
        InvalidReference, ImageNotFound, RegistryUnreachable, RateLimited: As reported in the stream.
    """
    validate_reference(ref)
    show(f"docker image pull {ref}")
    repo, tag = split_reference(ref)
    view = (_WidgetProgress(ref) if _in_notebook() else _TextProgress()) if progress else None
    events: list[dict[str, Any]] = []
    try:
        for chunk in client().api.pull(repo, tag=tag, stream=True, decode=True):
            raise_stream_errors(chunk, "이미지 내려받기")
            events.append(chunk)
            if view and chunk.get("id"):
                view.update(layer_progress(events))
            elif chunk.get("status", "").startswith(("Digest", "Status")):
                print(chunk["status"], flush=True)
    except Exception as exc:
        raise translate(exc, "이미지 내려받기") from exc
    return client().images.get(ref).id


# --------------------------------------------------------------------------------------- tag, push, ls
def tag(source: str, target: str) -> None:
    """Give an image another name (``docker image tag SOURCE TARGET``)."""
    validate_reference(target)
    show(f"docker image tag {source} {target}")
    repo, tg = split_reference(target)
    try:
        client().images.get(source).tag(repo, tg)
    except Exception as exc:
        raise translate(exc, "이미지 태그 붙이기") from exc


def push(ref: str, *, quiet: bool = False) -> None:
    """Push an image to its registry (``docker image push REF``); stream errors are raised."""
    validate_reference(ref)
    show(f"docker image push {ref}")
    repo, tg = split_reference(ref)
    try:
        for chunk in client().api.push(repo, tag=tg, stream=True, decode=True):
            raise_stream_errors(chunk, "이미지 올리기")
            if not quiet and chunk.get("status") and not chunk.get("progressDetail"):
                print(f"{chunk.get('id', '')}: {chunk['status']}".lstrip(": "), flush=True)
    except Exception as exc:
        raise translate(exc, "이미지 올리기") from exc


def rm(ref: str, *, force: bool = False) -> bool:
    """Remove an image tag/image (``docker image rm [-f] REF``); False when it was not there."""
    show(f"docker image rm {'-f ' if force else ''}{ref}")
    from docker.errors import ImageNotFound as _Missing

    try:
        client().images.remove(ref, force=force)
        return True
    except _Missing:
        return False
    except Exception as exc:
        raise translate(exc, "이미지 삭제") from exc


def exists(ref: str) -> bool:
    """True when the engine has the image (``docker image inspect REF``)."""
    from dockhelpers import inspection

    return inspection.image_exists(ref)


def ls(chapter: int | str | None = None, *, course_only: bool = False, show_command: bool = True) -> "pd.DataFrame":
    """The engine's images as a DataFrame (``docker image ls``).

    Args:
        chapter: Only images of this chapter (implies ``course_only``).
        course_only: Only images carrying the course label.
        show_command: Print the CLI equivalent.

    Returns:
        Columns 저장소(REPOSITORY), 태그(TAG), 이미지 ID, 생성(CREATED), 크기(MB).
    """
    import pandas as pd

    filters = {}
    if chapter is not None or course_only:
        filters["label"] = naming.label_filters(chapter)
    if show_command:
        flt = " ".join(f"--filter label={f}" for f in filters.get("label", []))
        show(f"docker image ls {flt}".strip())
    rows = []
    # The list's own summaries (one request, like the CLI): no inspect per image, which would fail for an
    # image removed meanwhile (another notebook, a terminal).
    for img in client().api.images(filters=filters or None):
        tags = [t for t in img.get("RepoTags") or [] if t != "<none>:<none>"] or ["<none>:<none>"]
        created = datetime.fromtimestamp(img.get("Created", 0), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        for t in tags:
            repo, tg = t.rsplit(":", 1)
            rows.append({"저장소(REPOSITORY)": repo, "태그(TAG)": tg, "이미지 ID": img["Id"].split(":")[1][:12],
                         "생성(CREATED)": created, "크기(MB)": round(img.get("Size", 0) / 1e6, 1)})
    return pd.DataFrame(rows, columns=["저장소(REPOSITORY)", "태그(TAG)", "이미지 ID", "생성(CREATED)", "크기(MB)"])
