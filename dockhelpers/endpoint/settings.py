"""Where the course endpoint lives and which engine it forwards to.

Every setting is an environment variable of the endpoint process (documented in the README):

- ``DOCKHELPERS_ENDPOINT_STATE``: state folder (default ``$XDG_STATE_HOME/dockercourse`` or
  ``~/.local/state/dockercourse``): the socket, pid file, marker secret and the course's image list.
- ``DOCKHELPERS_ENDPOINT_SOCKET``: the socket path (default ``<state>/docker.sock``).
- ``DOCKHELPERS_ENDPOINT_UPSTREAM``: the engine to forward to (``unix:///...`` or ``tcp://host:port``);
  default: ``DOCKER_HOST``, else the docker CLI's current context, else ``/var/run/docker.sock``.
- ``DOCKHELPERS_ENDPOINT_SHOW_ALL=1``: listings show everything on the engine, not just the course's.
- ``DOCKHELPERS_ENDPOINT_CHAPTER``: chapter label for what is created without an ``X-Dockercourse-Chapter``
  request header.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dockhelpers.errors import EngineUnavailable

STATE_ENV = "DOCKHELPERS_ENDPOINT_STATE"
SOCKET_ENV = "DOCKHELPERS_ENDPOINT_SOCKET"
UPSTREAM_ENV = "DOCKHELPERS_ENDPOINT_UPSTREAM"
SHOW_ALL_ENV = "DOCKHELPERS_ENDPOINT_SHOW_ALL"
CHAPTER_ENV = "DOCKHELPERS_ENDPOINT_CHAPTER"
#: Request header a notebook kernel sends to name its chapter (``02``).
CHAPTER_HEADER = "x-dockercourse-chapter"
#: Request header naming a recording session (one JSON-lines file per notebook run).
SESSION_HEADER = "x-dockercourse-session"
DEFAULT_ENGINE_SOCKET = "/var/run/docker.sock"


def state_dir() -> Path:
    """The endpoint's state folder (created with mode 0700)."""
    override = os.environ.get(STATE_ENV)
    if override:
        path = Path(override)
    else:
        base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
        path = Path(base) / "dockercourse"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def socket_path() -> Path:
    """The endpoint's Unix socket (``<state>/docker.sock``)."""
    override = os.environ.get(SOCKET_ENV)
    return Path(override) if override else state_dir() / "docker.sock"


#: Chapters with a socket of their own: what a client creates through ``<state>/chNN.sock`` gets that
#: chapter's label (the docker CLI and compose cannot send the chapter header, but every client honours
#: ``DOCKER_HOST``; a notebook's preflight points its kernel at its chapter's socket).
CHAPTERS = ("01", "02", "03", "04")


def chapter_socket_path(chapter: int | str) -> Path:
    """The socket of one chapter (``<state>/ch02.sock`` next to the main socket)."""
    return socket_path().with_name(f"ch{int(chapter):02d}.sock")


def docker_host(chapter: int | str | None = None) -> str:
    """``unix://<socket>``: the value of ``DOCKER_HOST`` that sends a client through the endpoint.

    Args:
        chapter: A chapter's own socket (what is created through it carries that chapter's label).
    """
    return f"unix://{chapter_socket_path(chapter) if chapter else socket_path()}"


def is_own(url: str | None) -> bool:
    """Whether a ``DOCKER_HOST`` value points at one of the endpoint's own sockets."""
    if not url or not url.startswith("unix://"):
        return False
    own = {docker_host()} | {docker_host(ch) for ch in CHAPTERS}
    return url in own


def pid_file() -> Path:
    """Pid file of the background endpoint."""
    return socket_path().with_suffix(".pid")


def log_file() -> Path:
    """Log file of the background endpoint."""
    return socket_path().with_suffix(".log")


def show_all() -> bool:
    """Whether listings show everything (``DOCKHELPERS_ENDPOINT_SHOW_ALL=1``)."""
    return os.environ.get(SHOW_ALL_ENV, "").lower() in ("1", "true", "yes")


def default_chapter() -> str | None:
    """Chapter for requests without a chapter header (``DOCKHELPERS_ENDPOINT_CHAPTER``), else None."""
    value = os.environ.get(CHAPTER_ENV, "").strip()
    return value or None


@dataclass(frozen=True)
class Upstream:
    """The engine the endpoint forwards to.

    Attributes:
        url: ``unix:///var/run/docker.sock`` or ``tcp://host:port``.
    """

    url: str

    def connect(self, timeout: float | None = 10) -> socket.socket:
        """Open a new connection to the engine.

        Raises:
            OSError: The engine does not answer.
        """
        if self.url.startswith("unix://"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(self.url[len("unix://"):])
        else:
            hostport = self.url.split("://", 1)[-1].rstrip("/")
            host, _, port = hostport.rpartition(":")
            sock = socket.create_connection((host or "127.0.0.1", int(port or 2375)), timeout=timeout)
        sock.settimeout(None)
        tune(sock)
        return sock


#: Socket buffer size: fewer wake-ups per megabyte on a busy machine (large build contexts, logs).
SOCKET_BUFFER = 1024 * 1024


def tune(sock: socket.socket) -> None:
    """Give a connection larger kernel buffers (best effort)."""
    for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
        except OSError:
            pass


def _context_host() -> str | None:
    """The docker CLI's current context endpoint (``docker context inspect``), or None."""
    try:
        out = subprocess.run(["docker", "context", "inspect"], capture_output=True, text=True, timeout=10,
                             env={k: v for k, v in os.environ.items() if k != "DOCKER_HOST"})
        data = json.loads(out.stdout) if out.returncode == 0 else []
        return data[0]["Endpoints"]["docker"]["Host"] or None
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError):
        return None


def upstream() -> Upstream:
    """Find the engine: ``DOCKHELPERS_ENDPOINT_UPSTREAM``, ``DOCKER_HOST``, the CLI context, the default socket.

    A ``DOCKER_HOST`` that points at the endpoint itself is skipped (a terminal inside the lab has it).

    Raises:
        EngineUnavailable: The engine address uses TLS or ssh, which the endpoint does not forward to.
    """
    for candidate in (os.environ.get(UPSTREAM_ENV), os.environ.get("DOCKER_HOST"), _context_host()):
        if candidate and not is_own(candidate):
            url = candidate
            break
    else:
        url = f"unix://{DEFAULT_ENGINE_SOCKET}"
    if not url.startswith(("unix://", "tcp://")) or os.environ.get("DOCKER_TLS_VERIFY"):
        raise EngineUnavailable(f"과정 엔드포인트는 `{url}` 형식의 엔진 주소로 전달할 수 없습니다.",
                                "unix 소켓이나 TLS 없는 tcp 주소만 지원합니다. "
                                f"{UPSTREAM_ENV}=unix:///var/run/docker.sock 처럼 지정하세요.")
    return Upstream(url)
