"""How a notebook kernel's clients go through the endpoint with its chapter and recording session.

The endpoint reads the chapter (``X-Dockercourse-Chapter``) and the recording session
(``X-Dockercourse-Session``) from request headers. The SDK sets them on its client; the docker CLI sends
the ``HttpHeaders`` of its config file, so each kernel gets its own ``DOCKER_CONFIG`` folder: the learner's
config (registry logins stay) plus the headers, with the learner's CLI plugins (compose) linked in.
A terminal uses neither, so what it creates has no chapter.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from dockhelpers import naming
from dockhelpers.endpoint import settings

if TYPE_CHECKING:  # pragma: no cover
    import docker

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def headers(chapter: int | str | None = None, session: str | None = None) -> dict[str, str]:
    """The request headers naming a chapter and a recording session (``{"X-Dockercourse-Chapter": "02"}``)."""
    result = {}
    if chapter is not None:
        result["X-Dockercourse-Chapter"] = naming.chapter_id(chapter)
    if session:
        result["X-Dockercourse-Session"] = session
    return result


def configure_sdk(client: "docker.DockerClient", chapter: int | str | None = None,
                  session: str | None = None) -> "docker.DockerClient":
    """Make an SDK client send the chapter and session headers (returns the same client)."""
    client.api.headers.update(headers(chapter, session))
    return client


def _user_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def cli_config(chapter: int | str | None = None, session: str | None = None) -> Path:
    """A ``DOCKER_CONFIG`` folder whose CLI calls carry the chapter and session headers.

    CLI equivalent: a ``config.json`` with ``{"HttpHeaders": {"X-Dockercourse-Chapter": "02"}}``.

    Returns:
        ``<state>/cli/<name>/`` (mode 0700), re-written on every call.
    """
    user = _user_config_dir()
    name = _SAFE.sub("_", f"{session or 'chapter'}-{naming.chapter_id(chapter) if chapter is not None else 'none'}")
    folder = settings.state_dir() / "cli" / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        config = json.loads((user / "config.json").read_text())
    except (OSError, ValueError):
        config = {}
    config["HttpHeaders"] = {**config.get("HttpHeaders", {}), **headers(chapter, session)}
    target = folder / "config.json"
    tmp = folder / "config.json.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(config, fh, indent=1)
    os.replace(tmp, target)
    plugins = folder / "cli-plugins"
    if (user / "cli-plugins").is_dir() and not plugins.exists():
        plugins.symlink_to(user / "cli-plugins")
    return folder


def environ(chapter: int | str | None = None, session: str | None = None) -> dict[str, str]:
    """``DOCKER_HOST`` and ``DOCKER_CONFIG`` for CLI calls of a notebook (merge into a subprocess's env)."""
    return {"DOCKER_HOST": settings.docker_host(), "DOCKER_CONFIG": str(cli_config(chapter, session))}
