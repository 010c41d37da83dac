"""HTTP calls to the course's apps (:mod:`dockhelpers.web`), recorded and replayed like shell commands.

Recording (``DOCKHELPERS_RECORD=<folder>``): one JSON line per call in ``<folder>/<session>.web.jsonl``.
Replay: the recorded answer after its recorded delay (sped up); a call that is not in the recording gets
"no answer" (status 0) with a Korean note, as if the app were not running. CLI equivalent: ``curl -s -i URL``.
"""

from __future__ import annotations

import json
import os
import re
import time
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
