"""HTTP calls to the course's apps (:mod:`dockhelpers.web`), recorded and replayed like shell commands.

Recording (``DOCKHELPERS_RECORD=<folder>``): one JSON line per call in ``<folder>/<session>.web.jsonl``.
Replay: the recorded answer after its recorded delay (sped up); a call that is not in the recording gets
"no answer" (status 0) with a Korean note, as if the app were not running. CLI equivalent: ``curl -s -i URL``.
"""

from __future__ import annotations

import email.message
import io
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from pathlib import Path
from typing import Any, Callable

from dockhelpers.replay import recording as rec

#: Longest answer text kept in a recording.
TEXT_LIMIT = 64 * 1024
_KEPT_HEADERS = {"content-type", "location", "x-upstream", "server"}


def _session() -> str:
    from dockhelpers.shell import SESSION_ENV

    return re.sub(r"[^A-Za-z0-9_.-]", "_", os.environ.get(SESSION_ENV) or "terminal")[:80]


def replaying() -> bool:
    """Whether HTTP calls are answered from the recording."""
    return rec.active()


def record(method: str, url: str, body: Any, resp: Any, seconds: float) -> None:
    """Append one call when ``DOCKHELPERS_RECORD`` names a folder."""
    from dockhelpers.shell import RECORD_ENV

    folder = os.environ.get(RECORD_ENV)
    if not folder:
        return
    entry = {"t": round(time.time() - seconds, 3), "method": method, "url": url, "status": resp.status,
             "text": resp.text[:TEXT_LIMIT], "seconds": round(seconds, 3)}
    if body is not None:
        entry["body"] = body
    headers = {k: v for k, v in resp.headers.items() if k.lower() in _KEPT_HEADERS}
    if headers:
        entry["headers"] = headers
    if resp.error:
        entry["error"] = resp.error
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / f"{_session()}.web.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def answer(method: str, url: str, body: Any, make: Callable[..., Any]) -> Any:
    """The recorded answer to a call (``make(status, text, headers, error)`` builds the response)."""
    recorded = rec.recording(_session())
    entry = recorded.match("web", rec.web_key(method, url), body) if recorded else None
    if entry is None:
        return make(0, "", {}, rec.not_recorded(f"{method} {url}"))
    time.sleep(min(float(entry.get("seconds", 0)), 60) / rec.speed())
    return make(int(entry.get("status", 0)), entry.get("text", ""), dict(entry.get("headers") or {}),
                entry.get("error", ""))


class _LoopbackHandler(urllib.request.HTTPHandler):
    """``urllib.request.urlopen`` of the course's apps on 127.0.0.1: recorded, or answered in replay."""

    def http_open(self, req):  # noqa: D102 - urllib's handler protocol
        url, method = req.full_url, req.get_method()
        if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            return super().http_open(req)
        if replaying():
            resp = answer(method, url, None, _Plain)
            if resp.status == 0:
                raise urllib.error.URLError(resp.error or "no answer")
            return _response(url, resp.status, resp.text.encode("utf-8"), resp.headers)
        started = time.monotonic()
        try:
            raw = super().http_open(req)
        except urllib.error.URLError as exc:
            record(method, url, None, _Plain(0, "", {}, str(exc.reason)), time.monotonic() - started)
            raise
        data = raw.read()
        headers = dict(raw.headers)
        record(method, url, None, _Plain(raw.status, data.decode("utf-8", "replace"), headers),
               time.monotonic() - started)
        return _response(url, raw.status, data, headers)


class _Plain:
    def __init__(self, status: int, text: str, headers: dict, error: str = "") -> None:
        self.status, self.text, self.headers, self.error = status, text, headers, error


def _response(url: str, status: int, data: bytes, headers: dict[str, str]):
    message = email.message.Message()
    for key, value in headers.items():
        message[key] = value
    resp = urllib.response.addinfourl(io.BytesIO(data), message, url, status)
    resp.msg = "OK" if status < 400 else "Error"
    return resp


def install() -> None:
    """Send this process's ``urllib.request.urlopen`` calls to 127.0.0.1 through the recorder/replayer."""
    urllib.request.install_opener(urllib.request.build_opener(_LoopbackHandler))
