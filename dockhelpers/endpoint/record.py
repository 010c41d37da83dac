"""Recording mode: every exchange through the endpoint as one JSON line (for review and Binder replay).

One file per session: ``<dir>/<session>.jsonl``, where the session is the ``X-Dockercourse-Session``
request header (a notebook run) or ``terminal``. Each line holds the method, path, query, the parts of a
JSON body that matter, the status, and the response: a small body whole, a stream as chunks with their
time offsets in seconds. Registry credentials (``X-Registry-Auth``, ``X-Registry-Config``, ``/auth``
bodies, ``authconfig`` query values) are never written, and the install's marker and lab token are
written as ``<marker>`` and ``<lab-token>``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

#: Stream chunks kept per exchange; more are counted, not written.
MAX_CHUNKS = 2000
#: Payload bytes kept per exchange (body or chunks together).
MAX_BYTES = 1024 * 1024
SECRET_KEYS = {"password", "auth", "identitytoken", "registrytoken", "authconfig", "x-registry-auth",
               "x-registry-config"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
#: Response headers a replay needs (API version negotiation, the builder, image digests); the rest are dropped.
KEPT_HEADERS = ("api-version", "docker-experimental", "ostype", "builder-version", "docker-content-digest",
                "content-type", "x-docker-container-path-stat")


def scrub(value: Any) -> Any:
    """A copy of a JSON value with every credential field replaced by ``"<redacted>"``."""
    if isinstance(value, dict):
        return {k: ("<redacted>" if k.lower() in SECRET_KEYS else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _text(data: bytes) -> Any:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": __import__("base64").b64encode(data).decode()}


def agent(user_agent: str | None) -> str:
    """Which kind of client sent a request: ``cli``, ``sdk``, ``compose``, ``buildx`` or the agent's first word.

    A replay matches requests of each kind separately, so a widget polling with the SDK in a background thread
    does not take the answers recorded for the CLI commands of a cell (or the other way round).
    """
    ua = (user_agent or "").lower()
    for needle, name in (("compose", "compose"), ("buildx", "buildx"), ("docker-client", "cli"),
                         ("docker-sdk-python", "sdk")):
        if needle in ua:
            return name
    return ua.split("/", 1)[0].split(" ", 1)[0] or "-"


class Entry:
    """One exchange being recorded."""

    def __init__(self, method: str, path: str, query: dict[str, str]) -> None:
        self.started = time.monotonic()
        self.data: dict[str, Any] = {"t": round(time.time(), 3), "method": method, "path": path,
                                     "query": scrub(dict(query))}
        self.chunks: list[list[Any]] = []
        self.size = 0
        self.dropped = 0

    def request_body(self, body: Any) -> None:
        self.data["body"] = scrub(body)

    def request_size(self, size: int) -> None:
        self.data["body_bytes"] = size

    def status(self, status: int, content_type: str | None, headers: list[tuple[str, str]] | None = None) -> None:
        self.data["status"] = status
        if content_type:
            self.data["content_type"] = content_type
        kept = {k.lower(): v for k, v in headers or [] if k.lower() in KEPT_HEADERS and k.lower() != "content-type"}
        if kept:
            self.data["headers"] = kept

    def mark(self, flag: str) -> None:
        """Note how the exchange ended: ``hijack`` (raw stream both ways) or ``cut`` (the client hung up)."""
        self.data[flag] = True

    def chunk(self, data: bytes, direction: str = "out") -> None:
        """A piece of the response (``out``) or, on a hijacked connection, of the client's input (``in``)."""
        if len(self.chunks) >= MAX_CHUNKS or self.size + len(data) > MAX_BYTES:
            self.dropped += len(data)
            return
        self.size += len(data)
        entry = [round(time.monotonic() - self.started, 4), _text(data)]
        if direction != "out":
            entry.append(direction)
        self.chunks.append(entry)

    def finish(self) -> dict[str, Any]:
        data = self.data
        parsed = False
        streamed = data.get("cut") or data.get("hijack")  # a stream keeps its chunks and their timing
        if data.get("content_type", "").startswith("application/json") and not self.dropped and not streamed:
            joined = "".join(c[1] for c in self.chunks if isinstance(c[1], str) and len(c) == 2)
            try:
                data["response"] = scrub(json.loads(joined or "null"))
                parsed = True
            except ValueError:
                pass
        if not parsed:
            data["chunks"] = self.chunks
        if self.dropped:
            data["dropped_bytes"] = self.dropped
        data["seconds"] = round(time.monotonic() - self.started, 4)
        return data


class Recorder:
    """Writes finished entries to ``<folder>/<session>.jsonl`` (thread-safe)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._open: dict[int, tuple[str | None, Entry]] = {}

    def begin(self, session: str | None, entry: Entry) -> None:
        """Note a stream in progress: written by :meth:`flush_open` if the endpoint stops before it ends."""
        with self._lock:
            self._open[id(entry)] = (session, entry)

    def flush_open(self) -> None:
        """Write every stream still in progress, marked ``cut`` (the endpoint is stopping)."""
        with self._lock:
            pending = list(self._open.values())
        for session, entry in pending:
            entry.mark("cut")
            self.write(session, entry)

    def path(self, session: str | None) -> Path:
        name = _SAFE_NAME.sub("_", session or "terminal")[:80] or "terminal"
        return self.folder / f"{name}.jsonl"

    def write(self, session: str | None, entry: Entry) -> None:
        from dockhelpers.endpoint import marker

        with self._lock:
            if self._open.pop(id(entry), None) is None and entry.data.get("written"):
                return  # flushed at shutdown already
        entry.data["written"] = True
        data = {k: v for k, v in entry.finish().items() if k != "written"}
        line = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        # This install's secrets stay here: a recording may be published (Binder replay).
        line = line.replace(marker.marker_value(), "<marker>").replace(marker.lab_token(), "<lab-token>")
        with self._lock, open(self.path(session), "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
