"""What several chapters' exercise checks share: the engine client, a container by name, its published
ports, and plain HTTP probes of a published port.

Checks read the engine's state; these are the few reads every chapter repeats.
"""

from __future__ import annotations

from typing import Any

from dockhelpers import web


def client() -> Any:
    """The course's Docker SDK client (``docker`` CLI: the current ``DOCKER_HOST``/context)."""
    from dockhelpers.engine import client as engine_client

    return engine_client()


def container(name: str) -> Any | None:
    """The SDK container ``name``, or None when there is none (``docker container inspect NAME``)."""
    from docker.errors import NotFound

    try:
        return client().containers.get(name)
    except NotFound:
        return None


def host_ports(ct: Any, container_port: str = "8080/tcp") -> list[str]:
    """``HOST_IP:HOST_PORT`` for each binding of ``container_port`` (``docker container port NAME PORT``)."""
    binds = (ct.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(container_port) or []
    return [f"{b.get('HostIp')}:{b.get('HostPort')}" for b in binds]


def http_get(port: int, path: str = "/", timeout: float = 3.0) -> str | None:
    """The body of ``GET http://127.0.0.1:PORT/PATH`` (``curl -s``), or None when nothing answers with 2xx."""
    resp = web.get(web.local_url(port, path), timeout=timeout)
    return resp.text if resp.ok else None


def wait_http(port: int, path: str = "/", seconds: float = 15.0) -> str | None:
    """Poll ``http://127.0.0.1:PORT/PATH`` until it answers (a new container needs a moment)."""
    resp = web.wait_ok(web.local_url(port, path), seconds)
    return resp.text if resp else None
