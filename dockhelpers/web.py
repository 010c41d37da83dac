"""One HTTP client for the course: plain ``urllib``, no redirects followed, never raises.

The course reads its own services from the host (the echo app, the TODO board, the registry mirror);
every such request goes through :func:`request`, whose answer says ``status == 0`` when nothing answered
(connection refused, timeout). CLI equivalent: ``curl -s -i [-X METHOD] URL`` (without ``-L``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    """An HTTP answer (``status`` 0 means no answer: connection error or timeout)."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # answer 303 to the caller, like `curl` without -L
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(method: str, url: str, *, json_body: object = None, form: dict | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10) -> Response:
    """One HTTP request (``curl -X METHOD URL``); never raises: no answer is ``status 0``.

    Args:
        method: ``GET``, ``POST``, ``PUT``, ``HEAD``, ...
        url: Full URL (``http://127.0.0.1:9000/``).
        json_body: Sent as JSON (``Content-Type: application/json``).
        form: Sent as an HTML form (``application/x-www-form-urlencoded``).
        headers: Further request headers.
        timeout: Seconds for connecting and for each read.
    """
    data = None
    sent = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    from dockhelpers.replay import web as replay_web

    body = json_body if json_body is not None else form
    if replay_web.replaying():
        return replay_web.answer(method, url, body, Response)
    started = time.monotonic()
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            result = Response(resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        result = Response(exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers or {}))
    except (urllib.error.URLError, OSError) as exc:
        result = Response(0, "", {}, str(getattr(exc, "reason", exc)))
    replay_web.record(method, url, body, result, time.monotonic() - started)
    return result


def get(url: str, *, timeout: float = 10, headers: dict[str, str] | None = None) -> Response:
    """``GET url`` (``curl -s URL``); see :func:`request`."""
    return request("GET", url, headers=headers, timeout=timeout)


def local_url(port: int, path: str = "/") -> str:
    """``http://127.0.0.1:PORT/PATH`` (the course publishes ports on 127.0.0.1 only)."""
    return f"http://127.0.0.1:{port}{path}"


def wait_ok(url: str, timeout: float, *, interval: float = 0.3, request_timeout: float = 2) -> Response | None:
    """``GET url`` until it answers 2xx (a new container needs a moment); the answer, or None after ``timeout``."""
    from dockhelpers.poll import poll_or_none

    def answered() -> Response | None:
        resp = get(url, timeout=request_timeout)
        return resp if resp.ok else None

    return poll_or_none(answered, timeout, interval=interval)
