"""The course endpoint: a Docker Engine API proxy on a Unix socket (one thread per client connection).

Each request head is parsed and checked (malformed -> 400, nothing forwarded), the matching rule of
:mod:`dockhelpers.endpoint.rules` runs, then the request goes to the engine on this client's own upstream
connection (kept alive with it) and the response comes back streamed. A 101 response (attach, ``exec -it``,
``run -it``, BuildKit's session) turns the pair of connections into a raw byte pump in both directions.
"""

from __future__ import annotations

import json
import os
import select
import socket
import socketserver
import threading
from http import HTTPStatus
from pathlib import Path

from dockhelpers.endpoint import rules, settings
from dockhelpers.endpoint.http import (Head, HttpError, PeerClosed, Reader, body_framing, copy_body, copy_until_eof,
                                       join_target, parse_request, parse_response, read_body)
from dockhelpers.endpoint.record import Entry, Recorder, agent

#: Request headers meant for the endpoint only (not forwarded).
OWN_HEADERS = (settings.CHAPTER_HEADER, settings.SESSION_HEADER, rules.SHOW_ALL_HEADER)
HIJACK_SUFFIXES = ("/attach", "/start", "/session", "/grpc")
#: Answers up to this size are read whole and sent with their head in one write.
SMALL_BODY = 64 * 1024


def engine_unreachable(url: str) -> str:
    """Message for a request the engine could not take (its English half is what ``errors.translate`` knows)."""
    return (f"과정 엔드포인트가 도커 엔진({url})에 연결할 수 없습니다. 엔진이 멈췄거나 다시 시작되는 중입니다. / "
            f"Cannot connect to the Docker daemon at {url}. Is the docker daemon running?")


def answer_bytes(status: int, body: object, close: bool = False) -> bytes:
    """A complete JSON response in the engine's format."""
    data = json.dumps(body, ensure_ascii=False).encode()
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    head = Head(("HTTP/1.1", str(status), reason),
                [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                 ("Server", "dockercourse-endpoint")])
    if close:
        head.set("Connection", "close")
    return head.to_bytes() + data


class Connection:
    """One client connection and its upstream connection to the engine."""

    def __init__(self, client: socket.socket, upstream: settings.Upstream, recorder: Recorder | None,
                 chapter: str | None = None) -> None:
        self.client = client
        self.chapter = chapter
        self.creader = Reader(client)
        self.upstream = upstream
        self.recorder = recorder
        self.up: socket.socket | None = None
        self.ureader: Reader | None = None

    def run(self) -> None:
        try:
            while self.exchange():
                pass
        except HttpError as exc:
            self._send_quietly(answer_bytes(exc.status, {"message": f"bad request: {exc}"}, close=True))
        except (PeerClosed, OSError):
            pass
        finally:
            for sock in (self.client, self.up):
                if sock is not None:
                    try:
                        sock.close()
                    except OSError:
                        pass

    def _send_quietly(self, data: bytes) -> None:
        try:
            self.client.sendall(data)
        except OSError:
            pass

    def _upstream(self) -> None:
        """Reuse the upstream connection unless the engine closed it; else open a new one."""
        if self.up is not None:
            readable, _, _ = select.select([self.up], [], [], 0)
            if not readable and not self.ureader.buf:  # type: ignore[union-attr]
                return
            self.up.close()
        self.up = None
        self.up = self.upstream.connect()
        self.ureader = Reader(self.up)

    def _local(self, x: rules.Exchange, status: int, body: object, entry: Entry | None) -> bool:
        """Answer without the engine; keep the connection only when the request body is consumed."""
        framing = body_framing(x.head, request=True)
        keep = x.body_read or framing == ("length", 0)
        if not keep:  # read (and drop) a small unread body, so the client can finish sending it
            try:
                read_body(self.creader, framing, rules.BODY_LIMIT)
                keep = True
            except HttpError:
                pass
        self.client.sendall(answer_bytes(status, body, close=not keep))
        if entry:
            entry.status(status, "application/json")
            entry.chunk(json.dumps(body, ensure_ascii=False).encode())
            self._record(x, entry)
        return keep

    def _record(self, x: rules.Exchange, entry: Entry) -> None:
        if self.recorder:
            self.recorder.write(x.session, entry)

    def exchange(self) -> bool:
        """Forward one request and its response; True when the connection stays open for the next."""
        raw = self.creader.read_head()
        if raw is None:
            return False
        head = parse_request(raw)  # HttpError -> 400 in run(), nothing forwarded
        if self.chapter and not head.get(settings.CHAPTER_HEADER):
            head.set(settings.CHAPTER_HEADER, self.chapter)  # a chapter's socket: its chapter, unless told
        if self.chapter and not head.get(settings.SESSION_HEADER):
            head.set(settings.SESSION_HEADER, f"ch{self.chapter}")  # and its recording: <dir>/chNN.jsonl
        x = rules.Exchange(head, self.creader, self.upstream)
        entry = Entry(x.method, x.path, x.query) if self.recorder else None
        if entry:
            entry.data["agent"] = agent(head.get("user-agent"))
        try:
            rules.apply(x)
        except rules.Refused as exc:
            return self._local(x, exc.status, {"message": str(exc)}, entry)
        except rules.LocalAnswer as ans:
            return self._local(x, ans.status, ans.body, entry)
        except HttpError:
            raise
        except OSError:  # a rule could not ask the engine
            return self._local(x, 503, {"message": engine_unreachable(self.upstream.url)}, entry)
        except Exception as exc:  # a rule's own failure: say so, forward nothing
            return self._local(x, 500, {"message": f"과정 엔드포인트 내부 오류 / endpoint internal error: {exc!r}"},
                               entry)
        for name in OWN_HEADERS:
            head.remove(name)
        try:
            self._upstream()
        except OSError:
            return self._local(x, 503, {"message": engine_unreachable(self.upstream.url)}, entry)
        up, ureader = self.up, self.ureader
        assert up is not None and ureader is not None
        head.first = (head.first[0], join_target(x.version, x.path, x.query), head.first[2])
        early = False
        if x.body_read:
            data = json.dumps(x.body).encode()
            head.remove("Transfer-Encoding")
            head.set("Content-Length", str(len(data)))
            head.set("Content-Type", "application/json")
            up.sendall(head.to_bytes() + data)
            if entry:
                entry.request_body(x.body)
        elif body_framing(head, request=True) == ("length", 0):
            up.sendall(head.to_bytes())
        else:
            up.sendall(head.to_bytes())
            framing = body_framing(head, request=True)
            counter = _Counter(keep="json" in (head.get("content-type") or ""))
            try:
                copy_body(self.creader, up, framing, tap=counter if entry else None)
            except (BrokenPipeError, ConnectionResetError):
                early = True  # the engine answered (an error) before it read the whole body: pass that on
            if entry and counter.size:
                entry.request_size(counter.size)
                if counter.kept is not None:
                    try:
                        entry.request_body(json.loads(b"".join(counter.kept)))
                    except ValueError:
                        pass
        raw = ureader.read_head()
        if raw is None:  # the engine closed: it restarted or stopped
            self.up = None
            return self._local(x, 503, {"message": engine_unreachable(self.upstream.url)}, entry)
        resp = parse_response(raw)
        status = int(resp.first[1])
        framing = body_framing(resp, request=False, method=x.method)
        if entry:
            entry.status(status, resp.get("content-type"), resp.headers)
        if status == 101 or (framing[0] == "close" and x.path.endswith(HIJACK_SUFFIXES)):
            self.client.sendall(resp.to_bytes())
            if entry:
                entry.mark("hijack")
                self.recorder.begin(x.session, entry)  # type: ignore[union-attr]
            self._pump(entry)
            if entry:
                self._record(x, entry)
            return False
        if x.response_filter and status == 200:
            body = read_body(ureader, framing, rules.LISTING_LIMIT)
            data = json.dumps(x.response_filter(json.loads(body) if body else [])).encode()
            resp.remove("Transfer-Encoding")
            resp.set("Content-Length", str(len(data)))
            self.client.sendall(resp.to_bytes() + data)
            if entry:
                entry.chunk(data)
        elif framing[0] == "length" and framing[1] <= SMALL_BODY:
            # one write for a small answer: one wake-up of the client instead of two
            body = read_body(ureader, framing, SMALL_BODY)
            self.client.sendall(resp.to_bytes() + body)
            if entry:
                entry.chunk(body)
        else:
            self.client.sendall(resp.to_bytes())
            after = x.after
            if entry:
                self.recorder.begin(x.session, entry)  # type: ignore[union-attr]
            try:
                copy_body(ureader, self.client, framing, tap=entry.chunk if entry else None,
                          before_end=(lambda: after(status)) if after else None)
            except OSError:
                if entry:  # the client hung up on a stream (a widget stopped, `docker stats` ended): keep it
                    entry.mark("cut")
                    self._record(x, entry)
                raise
            x.after = None
        if x.after:
            x.after(status)
        if entry:
            self._record(x, entry)
        closing = early or "close" in head.tokens("connection") or "close" in resp.tokens("connection")
        return framing[0] != "close" and not closing and head.first[2] == "HTTP/1.1"

    def _pump(self, entry: Entry | None) -> None:
        """Copy raw bytes both ways until the engine's side ends (hijacked or upgraded connection)."""
        assert self.up is not None and self.ureader is not None
        up, client = self.up, self.client

        def inbound() -> None:
            _copy_until_eof(self.creader, up, (lambda d: entry.chunk(d, "in")) if entry else None)

        thread = threading.Thread(target=inbound, daemon=True)
        thread.start()
        _copy_until_eof(self.ureader, client, entry.chunk if entry else None)
        thread.join(timeout=2)


class _Counter:
    """Counts a streamed request body; keeps a small JSON one for the recording."""

    def __init__(self, keep: bool = False) -> None:
        self.size = 0
        self.kept: list[bytes] | None = [] if keep else None

    def __call__(self, data: bytes) -> None:
        self.size += len(data)
        if self.kept is not None:
            if self.size > SMALL_BODY:
                self.kept = None
            else:
                self.kept.append(bytes(data))


def _copy_until_eof(reader: Reader, out: socket.socket, tap) -> None:
    """One direction of a hijacked connection: copy until EOF, then half-close ``out``."""
    try:
        copy_until_eof(reader, out, tap)
    except OSError:
        pass
    try:
        out.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: Endpoint = self.server  # type: ignore[assignment]
        settings.tune(self.request)
        if server.replay is not None:
            from dockhelpers.endpoint.replay import ReplayConnection

            ReplayConnection(self.request, server.replay, server.chapter).run()
            return
        Connection(self.request, server.upstream, server.recorder, server.chapter).run()


class Endpoint(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The endpoint's listening socket (mode 0600); ``serve_forever()`` runs it, ``shutdown()`` stops it.

    Args:
        path: Socket path (replaced if a stale socket file is there).
        upstream: The engine to forward to.
        record_dir: Folder for JSON-lines recordings, or None.
        chapter: Chapter label for what is created through this socket when a request names none.
        recorder: A recorder shared with the other sockets of the same endpoint (else one for ``record_dir``).
        replay: A folder of recordings: answer from them and forward nothing (Binder, no engine).
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, path: str | Path, upstream: settings.Upstream, record_dir: str | Path | None = None,
                 chapter: str | None = None, recorder: Recorder | None = None,
                 replay: str | Path | None = None) -> None:
        self.upstream = upstream
        self.replay = Path(replay) if replay is not None else None
        self.chapter = chapter
        self.recorder = recorder or (Recorder(record_dir) if record_dir else None)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        old = os.umask(0o177)
        try:
            super().__init__(str(path), _Handler)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        self.path = path

    def server_close(self) -> None:
        super().server_close()
        try:
            self.path.unlink()
        except OSError:
            pass
