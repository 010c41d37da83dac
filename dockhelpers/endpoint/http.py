"""Minimal HTTP/1.1 framing for the endpoint: heads parsed, bodies streamed (never buffered unless capped).

Only what the Docker Engine API uses: a request or status line and headers, and bodies framed by
``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the connection. Chunked bodies are passed
through byte for byte; the scanner only finds where they end.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qsl, urlencode

#: Largest request or response head accepted.
HEAD_LIMIT = 64 * 1024
#: Receive size; also the largest unit of memory one direction of a connection holds.
RECV_SIZE = 256 * 1024
_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_VERSION = re.compile(r"^(/v[0-9]+(?:\.[0-9]+)?)(/.*)?$")

Tap = Callable[[bytes], None]


class HttpError(Exception):
    """Malformed HTTP from a peer (the client gets ``status`` and the request is not forwarded)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class PeerClosed(Exception):
    """The peer closed the connection in the middle of a message."""


class Reader:
    """A socket with a receive buffer (bytes read ahead stay here for the next message)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def fill(self) -> bool:
        """Receive more bytes into the buffer; False at the end of the stream."""
        data = self.sock.recv(RECV_SIZE)
        if not data:
            return False
        self.buf += data
        return True

    def read_head(self) -> bytes | None:
        """The next head up to and including the blank line; None when the peer closed before a byte.

        Raises:
            HttpError: The head is larger than :data:`HEAD_LIMIT`.
            PeerClosed: The peer closed in the middle of the head.
        """
        start = 0
        while True:
            end = self.buf.find(b"\r\n\r\n", max(0, start - 3))
            if end + 4 > HEAD_LIMIT:
                raise HttpError("request head too large", 431)
            if end >= 0:
                head = bytes(self.buf[:end + 4])
                del self.buf[:end + 4]
                return head
            if len(self.buf) > HEAD_LIMIT:
                raise HttpError("request head too large", 431)
            start = len(self.buf)
            if not self.fill():
                if self.buf:
                    raise PeerClosed("connection closed inside a head")
                return None

    def take(self) -> bytes:
        """Everything buffered now, or the next received bytes (b"" at the end of the stream)."""
        if self.buf:
            data = bytes(self.buf)
            self.buf.clear()
            return data
        return self.sock.recv(RECV_SIZE)


@dataclass
class Head:
    """A request or response head: the first line split in three, and the headers in order."""

    first: tuple[str, str, str]
    headers: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return default

    def set(self, name: str, value: str) -> None:
        self.remove(name)
        self.headers.append((name, value))

    def remove(self, name: str) -> None:
        name = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name]

    def tokens(self, name: str) -> set[str]:
        """Comma-separated values of a header, lower-cased (``Connection: keep-alive, Upgrade``)."""
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return {t.strip().lower() for v in values for t in v.split(",") if t.strip()}

    def to_bytes(self) -> bytes:
        lines = [" ".join(self.first)] + [f"{k}: {v}" for k, v in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _parse_headers(lines: list[bytes]) -> list[tuple[str, str]]:
    headers = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep or not _TOKEN.match(name):
            raise HttpError(f"malformed header line {line[:60]!r}")
        headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return headers


def parse_request(raw: bytes) -> Head:
    """Parse a request head; raises :class:`HttpError` (400) on anything malformed."""
    lines = raw[:-4].split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not _TOKEN.match(parts[0]) or not parts[1].startswith(b"/") \
            or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise HttpError(f"malformed request line {lines[0][:80]!r}")
    head = Head(tuple(p.decode("latin-1") for p in parts), _parse_headers(lines[1:]))  # type: ignore[arg-type]
    body_framing(head, request=True)
    return head


def parse_response(raw: bytes) -> Head:
    """Parse a status line and headers; raises :class:`HttpError` (502) when malformed."""
    lines = raw[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"malformed status line {lines[0][:80]!r}", 502)
    first = (parts[0].decode(), parts[1].decode(), (parts[2] if len(parts) > 2 else b"").decode("latin-1"))
    try:
        return Head(first, _parse_headers(lines[1:]))
    except HttpError as exc:
        raise HttpError(str(exc), 502) from None


def body_framing(head: Head, request: bool, method: str = "GET") -> tuple[str, int]:
    """How a message's body is delimited: ``("length", n)``, ``("chunked", 0)`` or ``("close", 0)``.

    Raises:
        HttpError: Conflicting or invalid framing headers.
    """
    te = head.tokens("transfer-encoding")
    lengths = [v for k, v in head.headers if k.lower() == "content-length"]
    if not request:
        status = int(head.first[1])
        if method == "HEAD" or status < 200 or status in (204, 304):
            return ("length", 0)  # whatever Content-Length says (HEAD answers carry the GET's length)
    if te:
        if te != {"chunked"} or lengths:
            raise HttpError("unsupported Transfer-Encoding")
        return ("chunked", 0)
    if lengths:
        if len(set(lengths)) != 1 or not lengths[0].isdigit():
            raise HttpError("invalid Content-Length")
        return ("length", int(lengths[0]))
    if request:
        return ("length", 0)
    return ("close", 0)


def copy_body(reader: Reader, out: socket.socket, framing: tuple[str, int], tap: Tap | None = None,
              before_end: Callable[[], None] | None = None) -> None:
    """Stream one body from ``reader`` to ``out`` unchanged; ``tap`` sees the payload bytes.

    ``before_end`` runs when a chunked body's last chunk has arrived but before it is passed on, so the
    client cannot go on before it has run (for length- or close-delimited bodies: after the body).

    Raises:
        PeerClosed: The sender closed before the body ended (not for close-delimited bodies).
        HttpError: Broken chunk framing.
    """
    kind, length = framing
    if kind == "length":
        _copy_length(reader, out, length, tap)
        if before_end:
            before_end()
        return
    if kind == "chunked":
        _copy_chunked(reader, out, tap, before_end)
        return
    copy_until_eof(reader, out, tap)


def copy_until_eof(reader: Reader, out: socket.socket, tap: Tap | None = None) -> None:
    """Copy everything ``reader`` yields until its peer closes (a close-framed body, or a hijacked stream)."""
    while True:
        data = reader.take()
        if not data:
            return
        out.sendall(data)
        if tap:
            tap(data)


def _copy_length(reader: Reader, out: socket.socket, length: int, tap: Tap | None) -> None:
    while length > 0:
        if not reader.buf and not reader.fill():
            raise PeerClosed(f"{length} bytes of the body missing")
        n = min(length, len(reader.buf))
        view = memoryview(reader.buf)[:n]
        out.sendall(view)
        if tap:
            tap(bytes(view))
        view.release()
        del reader.buf[:n]
        length -= n


def _copy_chunked(reader: Reader, out: socket.socket, tap: Tap | None,
                  before_end: Callable[[], None] | None = None) -> None:
    need = 0  # bytes of chunk data (plus its CRLF) still to pass before the next size line
    trailer = False
    while True:
        buf = reader.buf
        pos = 0
        done = False
        last_at = -1  # where the last chunk's size line starts, once it is in the buffer
        while True:
            if need:
                take = min(need, len(buf) - pos)
                if tap and need > 2:
                    data_end = pos + max(0, min(take, need - 2))
                    if data_end > pos:
                        tap(bytes(buf[pos:data_end]))
                pos += take
                need -= take
                if need:
                    break
            if trailer:
                if buf.startswith(b"\r\n", pos):
                    pos += 2
                    done = True
                    break
                end = buf.find(b"\r\n\r\n", pos)
                if end < 0:
                    break
                pos = end + 4
                done = True
                break
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                if len(buf) - pos > 1024:
                    raise HttpError("chunk size line too long")
                break
            line_at = pos
            size_text = bytes(buf[pos:eol]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpError(f"invalid chunk size {size_text[:20]!r}") from None
            pos = eol + 2
            if size == 0:
                trailer = True
                last_at = line_at
            else:
                need = size + 2
        if done and before_end:
            if last_at < 0:  # the last chunk's line went out in an earlier round; nothing to hold back
                last_at = 0
            view = memoryview(buf)[:last_at]
            out.sendall(view)
            view.release()
            before_end()
            view = memoryview(buf)[last_at:pos]
            out.sendall(view)
            view.release()
            del buf[:pos]
            return
        if pos:
            view = memoryview(buf)[:pos]
            out.sendall(view)
            view.release()
            del buf[:pos]
        if done:
            return
        if not reader.fill():
            raise PeerClosed("connection closed inside a chunked body")


class _Sink:
    """A socket stand-in that keeps what is sent (for reading a small body whole)."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def sendall(self, data) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise HttpError(f"body larger than {self.limit} bytes", 413)
        self.parts.append(bytes(data))


def read_body(reader: Reader, framing: tuple[str, int], limit: int) -> bytes:
    """Read a whole body (payload only, chunk framing removed), refusing more than ``limit`` bytes.

    Raises:
        HttpError: 413 when the body is larger than ``limit``.
    """
    kind, length = framing
    if kind == "length" and length > limit:
        raise HttpError(f"body larger than {limit} bytes", 413)
    sink = _Sink(limit * 2 + 1024)
    payload: list[bytes] = []
    copy_body(reader, sink, framing, tap=payload.append)  # type: ignore[arg-type]
    body = b"".join(payload)
    if len(body) > limit:
        raise HttpError(f"body larger than {limit} bytes", 413)
    return body


def split_target(target: str) -> tuple[str, str, dict[str, str]]:
    """Split ``/v1.41/containers/json?all=1`` into version prefix, path and query (last value wins)."""
    path, _, query = target.partition("?")
    match = _VERSION.match(path)
    version = ""
    if match:
        version, path = match.group(1), match.group(2) or "/"
    return version, path, dict(parse_qsl(query, keep_blank_values=True))


def join_target(version: str, path: str, query: dict[str, str]) -> str:
    """Inverse of :func:`split_target`."""
    return f"{version}{path}" + (f"?{urlencode(query)}" if query else "")


def simple_request(sock: socket.socket, method: str, target: str, body: bytes | None = None,
                   limit: int = 16 * 1024 * 1024) -> tuple[int, bytes]:
    """One request on a fresh connection that is closed afterwards (used by rules to inspect objects)."""
    head = Head((method, target, "HTTP/1.1"), [("Host", "docker"), ("Connection", "close")])
    if body is not None:
        head.set("Content-Type", "application/json")
        head.set("Content-Length", str(len(body)))
    try:
        sock.sendall(head.to_bytes() + (body or b""))
        reader = Reader(sock)
        raw = reader.read_head()
        if raw is None:
            raise PeerClosed("no response")
        resp = parse_response(raw)
        return int(resp.first[1]), read_body(reader, body_framing(resp, False, method), limit)
    finally:
        sock.close()
