"""The endpoint in replay mode: it answers from a recording instead of forwarding to an engine (Binder).

Each request is matched against the recording of its session (the chapter socket's ``chNN``, or the
``X-Dockercourse-Session`` header) with :mod:`dockhelpers.replay.recording`. The answer is what the engine
said, with its timing sped up by ``DOCKHELPERS_REPLAY_SPEED``: a JSON answer after the recorded delay, a
stream (logs -f, events, stats, pull and build progress) chunk by chunk, a hijacked connection (attach,
``docker run`` without ``-d``, exec) as raw output. A stream the client hung up on during the recording
stays open after its last chunk until the client hangs up again. A request that is not in the recording
gets a short Korean message in the engine's error format (the CLI prints ``Error response from daemon: ...``).
CLI equivalent: ``DOCKHELPERS_MODE=replay python -m dockhelpers endpoint run --replay notebooks/recordings``.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

from dockhelpers.endpoint import settings
from dockhelpers.endpoint.record import agent
from dockhelpers.endpoint.http import (Head, HttpError, PeerClosed, Reader, body_framing, copy_body, parse_request,
                                       read_body, split_target)
from dockhelpers.replay import recording as rec

#: Header on every replayed answer (``daemon.mode()`` reads it from ``/_ping``).
MODE_HEADER = "X-Dockercourse-Mode"
#: Longest pause before one recorded answer, in recorded seconds (a long ``wait`` still ends soon).
MAX_DELAY = 60.0
JSON_LIMIT = 1024 * 1024
NOT_RECORDED_STATUS = 501


class _Null:
    def sendall(self, data) -> None:  # a body nobody needs (a build context): read and dropped
        pass


def _payload(chunk: list[Any]) -> bytes:
    data = chunk[1]
    if isinstance(data, dict):
        return base64.b64decode(data.get("base64", ""))
    return str(data).encode("utf-8")


def _head(status: int, reason: str, headers: dict[str, str]) -> Head:
    head = Head(("HTTP/1.1", str(status), reason), [("Server", "dockercourse-endpoint (replay)"),
                                                     (MODE_HEADER, "replay")])
    for key, value in headers.items():
        head.set(key, value)
    return head


class ReplayConnection:
    """One client connection answered from recordings."""

    def __init__(self, client: socket.socket, where: Path, chapter: str | None = None) -> None:
        self.client = client
        self.creader = Reader(client)
        self.where = where
        self.chapter = chapter
        self.ping_headers: dict[str, str] = {}

    def run(self) -> None:
        try:
            while self.exchange():
                pass
        except HttpError as exc:
            self._answer(exc.status, {"message": f"bad request: {exc}"}, keep=False)
        except (PeerClosed, OSError):
            pass
        finally:
            try:
                self.client.close()
            except OSError:
                pass

    def _answer(self, status: int, body: Any, keep: bool = True, headers: dict[str, str] | None = None,
                head_only: bool = False) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        head = _head(status, "OK" if status < 400 else "Error",
                     {"Content-Type": "application/json", **(headers or {}), "Content-Length": str(len(data))})
        if not keep:
            head.set("Connection", "close")
        try:
            self.client.sendall(head.to_bytes() + (b"" if head_only else data))
        except OSError:
            pass

    def _body(self, head: Head) -> Any:
        """The request's JSON body (None when it has none or is not JSON); any other body is read and dropped."""
        framing = body_framing(head, request=True)
        if framing == ("length", 0):
            return None
        if "json" in (head.get("content-type") or "") and not (framing[0] == "length" and framing[1] > JSON_LIMIT):
            raw = read_body(self.creader, framing, JSON_LIMIT)
            try:
                return json.loads(raw) if raw.strip() else None
            except ValueError:
                return None
        copy_body(self.creader, _Null(), framing)  # type: ignore[arg-type]
        return None

    def _cycle(self, chunks: list[list[Any]], factor: float) -> None:
        """Go on sending a stats stream's recorded samples, in a loop, until the client hangs up."""
        samples = [c for c in chunks if len(c) == 2 and _payload(c)]
        if not samples:
            self._hold()
            return
        span = float(samples[-1][0]) - float(samples[0][0])
        step = max(0.2, span / max(1, len(samples) - 1))
        while True:
            for chunk in samples:
                time.sleep(step)  # after the recorded part, at the recorded pace (a live monitor)
                data = _payload(chunk)
                self.client.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")  # OSError when it hung up

    def exchange(self) -> bool:
        raw = self.creader.read_head()
        if raw is None:
            return False
        head = parse_request(raw)
        method = head.first[0]
        _, path, query = split_target(head.first[1])
        session = head.get(settings.SESSION_HEADER) or (f"ch{self.chapter}" if self.chapter else None)
        body = self._body(head)
        recorded = rec.recording(session, self.where)
        self.ping_headers = dict(recorded.header.get("ping_headers") or {}) if recorded else {}
        if path == "/_ping":
            return self._ping(method, recorded)
        entry = recorded.match("api", rec.api_key(method, path, query), body,
                               exact=rec.api_key(method, path, query, ids=False),
                               agent=agent(head.get("user-agent"))) if recorded else None
        if entry is None:  # the endpoint's log says what was asked (for whoever re-records)
            print(f"not recorded ({session}): {method} {path} {query} {(rec.body_key(body) or '')[:2000]}",
                  flush=True)
            self._answer(NOT_RECORDED_STATUS, {"message": rec.not_recorded(f"{method} {path}")})
            return True
        return self._play(entry, method)

    def _ping(self, method: str, recorded: rec.Recording | None) -> bool:
        headers = {"Api-Version": "1.41", "Ostype": "linux", "Docker-Experimental": "false"}
        if recorded:
            headers.update(recorded.header.get("ping_headers") or {})
        data = b"OK"
        head = _head(200, "OK", {**headers, "Content-Type": "text/plain; charset=utf-8",
                                 "Content-Length": str(len(data))})
        self.client.sendall(head.to_bytes() + (b"" if method == "HEAD" else data))
        return True

    def _play(self, entry: dict[str, Any], method: str) -> bool:
        status = int(entry.get("status", 200))
        headers = {**self.ping_headers, **(entry.get("headers") or {})}
        if entry.get("content_type"):
            headers["Content-Type"] = entry["content_type"]
        factor = rec.speed()
        if entry.get("hijack"):
            return self._hijack(entry, status, headers, factor)
        chunks = entry.get("chunks") or []
        head_only = method == "HEAD" or status in (204, 304) or status < 200
        if "response" in entry or head_only:
            time.sleep(min(float(entry.get("seconds", 0)), MAX_DELAY) / factor)
            if "response" in entry:
                self._answer(status, entry["response"], headers=headers, head_only=head_only)
            else:
                head = _head(status, "OK", {**headers, "Content-Length": "0"})
                if status == 204:
                    head.remove("Content-Type")
                self.client.sendall(head.to_bytes())
            return True
        start = time.monotonic()
        streamed = entry.get("cut") or len(chunks) > 1
        if not streamed:
            data = b"".join(_payload(c) for c in chunks)
            time.sleep(min(float(entry.get("seconds", 0)), MAX_DELAY) / factor)
            head = _head(status, "OK", {**headers, "Content-Length": str(len(data))})
            self.client.sendall(head.to_bytes() + data)
            return True
        head = _head(status, "OK", {**headers, "Transfer-Encoding": "chunked"})
        self.client.sendall(head.to_bytes())
        for chunk in chunks:
            if len(chunk) > 2:
                continue  # the client's own input on a hijacked connection
            self._wait(start, float(chunk[0]), factor)
            data = _payload(chunk)
            if data:
                self.client.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        if entry.get("cut"):
            if entry.get("path", "").endswith("/stats") and str(entry.get("query", {}).get("stream", "1")).lower() not in ("0", "false"):
                self._cycle(chunks, factor)  # a monitor stays live: its samples come round again
            else:
                self._hold()
            return False
        self.client.sendall(b"0\r\n\r\n")
        return True

    @staticmethod
    def _wait(start: float, offset: float, factor: float) -> None:
        delay = start + min(offset, MAX_DELAY * 10) / factor - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _hold(self) -> None:
        """Keep a stream open (as the engine did) until the client hangs up."""
        try:
            while self.creader.take():
                pass
        except OSError:
            pass

    def _hijack(self, entry: dict[str, Any], status: int, headers: dict[str, str], factor: float) -> bool:
        if status == 101:
            head = _head(101, "UPGRADED", {**headers, "Connection": "Upgrade", "Upgrade": "tcp"})
        else:
            head = _head(status, "OK", headers)
        self.client.sendall(head.to_bytes())
        threading.Thread(target=self._hold, daemon=True).start()  # the client's input: read and dropped
        start = time.monotonic()
        for chunk in entry.get("chunks") or []:
            if len(chunk) > 2:
                continue
            self._wait(start, float(chunk[0]), factor)
            self.client.sendall(_payload(chunk))
        try:
            self.client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        time.sleep(0.05)
        return False
