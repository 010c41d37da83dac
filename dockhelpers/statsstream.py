"""The one place that opens a raw ``GET /containers/{id}/stats`` stream (an adapter over docker-py).

Why this module exists: the live sampler keeps one stream per container open in a background thread and
must be able to close that stream from *another* thread (the notebook's 정지 button, ``stop()``). The SDK's
public ``APIClient.stats(stream=True)`` returns only a generator; the HTTP response under it is hidden, and
a generator blocked in a socket read cannot be closed from another thread (``generator.close()`` raises
"generator already executing"). So this adapter uses three private docker-py methods - ``_url``, ``_get``
(with ``stream=True``) and ``_stream_helper`` - to keep the response object, whose ``close()`` shuts the
socket and ends the blocked read at once. Nothing else in the course touches docker-py's private API; if a
docker-py release changes these methods, only this file changes (tested in ``tests/test_stats.py``).

One-off readings use the public API: :func:`one_shot` is ``APIClient.stats(stream=False, one_shot=True)``.

CLI equivalent: ``docker container stats NAME`` (a stream) and ``docker container stats --no-stream NAME``.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator


class StatsStream:
    """An open stats stream of one container: iterate for raw samples, :meth:`close` from any thread.

    Args:
        api: A docker-py ``APIClient`` (``engine.client().api``).
        container_id: The container's ID or name.

    Raises:
        docker.errors.APIError: From the constructor when the engine refuses the request (unknown container).
    """

    def __init__(self, api: Any, container_id: str) -> None:
        self._api = api
        # Private docker-py API (see the module docstring): the response must stay reachable for close().
        self._response = api._get(api._url("/containers/{0}/stats", container_id),
                                  params={"stream": True}, stream=True)
        api._raise_for_status(self._response)
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Raw samples as dicts, about one a second, until the stream ends or is closed."""
        return iter(self._api._stream_helper(self._response, decode=True))

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed.is_set()

    def close(self) -> None:
        """Close the connection; a thread blocked reading this stream returns (safe from any thread, twice)."""
        self._closed.set()
        try:
            self._response.close()
        except Exception:  # pragma: no cover - closing a socket that is already going away
            pass


def one_shot(api: Any, container_id: str) -> dict[str, Any]:
    """One raw sample at once, without waiting for the engine's next cycle (public API, engine API >= 1.41).

    The sample's ``precpu_stats`` is empty (no CPU figure on its own): take two and compare them
    (``stats.snapshot`` does). CLI equivalent: none (``docker container stats --no-stream`` waits a cycle).
    """
    return api.stats(container_id, stream=False, one_shot=True)
