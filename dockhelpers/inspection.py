"""Read-only questions to the engine: inspect a container, ask whether an image exists, follow events.

The one place that asks the engine *about* a resource without changing it, so that views, checks and the
lab code all ask the same way (through the SDK, hence through the course endpoint) and treat "not there"
the same way: ``None`` / ``False``, never an exception. Other engine errors are raised in Korean.
"""

from __future__ import annotations

from typing import Any, Iterator

from dockhelpers.errors import translate


def container(name: str) -> dict[str, Any] | None:
    """The container's inspect document (``docker container inspect NAME``), or None when it does not exist."""
    from docker.errors import NotFound

    from dockhelpers.engine import client

    try:
        return client().api.inspect_container(name)
    except NotFound:
        return None
    except Exception as exc:
        raise translate(exc, "컨테이너 조회") from exc


def container_state(name: str) -> str | None:
    """``State.Status`` (``created``, ``running``, ``exited``, ...) or None when the container does not exist.

    CLI equivalent: ``docker container inspect --format '{{.State.Status}}' NAME``.
    """
    info = container(name)
    return info["State"]["Status"] if info else None


def container_env(info: dict[str, Any]) -> dict[str, str]:
    """``Config.Env`` of an inspect document as a dict (``KEY=VALUE`` entries)."""
    return dict(e.split("=", 1) for e in (info.get("Config") or {}).get("Env") or [] if "=" in e)


def image(ref: str) -> dict[str, Any] | None:
    """The image's inspect document (``docker image inspect REF``), or None when the engine lacks it."""
    from docker.errors import ImageNotFound, NotFound

    from dockhelpers.engine import client

    try:
        return client().api.inspect_image(ref)
    except (ImageNotFound, NotFound):
        return None
    except Exception as exc:
        raise translate(exc, "이미지 조회") from exc


def image_exists(ref: str) -> bool:
    """True when the engine has the image locally (``docker image inspect REF`` succeeds)."""
    return image(ref) is not None


def container_events(name: str) -> Iterator[dict[str, Any]]:
    """The engine's event stream for one container, decoded (``docker events --filter container=NAME``).

    The returned generator has ``close()``; closing it from another thread ends a blocked read.
    """
    from dockhelpers.engine import client

    return client().events(decode=True, filters={"type": "container", "container": name})
