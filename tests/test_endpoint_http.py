"""Unit tests of the endpoint's HTTP framing (no engine): heads, chunked streaming, caps."""

from __future__ import annotations

import socket
import threading

import pytest

from dockhelpers.endpoint.http import (HttpError, PeerClosed, Reader, body_framing, copy_body, join_target,
                                       parse_request, parse_response, read_body, split_target)


def _pair(payload: bytes) -> Reader:
    a, b = socket.socketpair()
    threading.Thread(target=lambda: (a.sendall(payload), a.close()), daemon=True).start()
    return Reader(b)


class _Out:
    def __init__(self) -> None:
        self.data = bytearray()

    def sendall(self, data) -> None:
        self.data += data


def test_request_head_parsed_and_rebuilt():
    raw = b"POST /v1.41/containers/create?name=x HTTP/1.1\r\nHost: docker\r\nContent-Length: 2\r\n\r\n"
    head = parse_request(raw)
    assert head.first == ("POST", "/v1.41/containers/create?name=x", "HTTP/1.1")
    assert head.get("content-length") == "2"
    assert body_framing(head, request=True) == ("length", 2)
    assert head.to_bytes() == raw


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET /_ping HTTP/2.0\r\n\r\n",
    b"GET _ping HTTP/1.1\r\n\r\n",
    b"GET /_ping HTTP/1.1\r\nno colon here\r\n\r\n",
    b"POST /build HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST /build HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    b"POST /build HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"POST /build HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
])
def test_malformed_requests_are_400(raw):
    with pytest.raises(HttpError) as exc:
        parse_request(raw)
    assert exc.value.status == 400


def test_oversized_head_is_refused():
    reader = _pair(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
    with pytest.raises(HttpError) as exc:
        reader.read_head()
    assert exc.value.status == 431


def test_response_framing():
    assert body_framing(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), False) == ("chunked", 0)
    assert body_framing(parse_response(b"HTTP/1.1 204 No Content\r\n\r\n"), False) == ("length", 0)
    assert body_framing(parse_response(b"HTTP/1.1 200 OK\r\n\r\n"), False, "HEAD") == ("length", 0)
    # a HEAD answer carries the length of the GET's body, but no body
    assert body_framing(parse_response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 77\r\n\r\n"), False, "HEAD") \
        == ("length", 0)
    assert body_framing(parse_response(b"HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\n"), False) == ("length", 0)
    assert body_framing(parse_response(b"HTTP/1.1 200 OK\r\n\r\n"), False) == ("close", 0)


def test_chunked_body_passes_through_unchanged_and_stops_at_its_end():
    body = b"5\r\nhello\r\n1a;ext=1\r\n" + b"x" * 26 + b"\r\n0\r\n\r\n"
    reader = _pair(body + b"NEXT")
    out, seen = _Out(), []
    copy_body(reader, out, ("chunked", 0), tap=seen.append)
    assert bytes(out.data) == body
    assert b"".join(seen) == b"hello" + b"x" * 26
    assert bytes(reader.buf) == b"NEXT" or reader.take() == b"NEXT"


def test_before_end_runs_before_the_last_chunk_goes_out():
    body = b"3\r\nabc\r\n0\r\n\r\n"
    out = _Out()
    seen_at_hook = []
    copy_body(_pair(body), out, ("chunked", 0), before_end=lambda: seen_at_hook.append(bytes(out.data)))
    assert seen_at_hook == [b"3\r\nabc\r\n"] and bytes(out.data) == body


def test_chunked_trailers_and_truncation():
    body = b"3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n"
    out = _Out()
    copy_body(_pair(body), out, ("chunked", 0))
    assert bytes(out.data) == body
    with pytest.raises(PeerClosed):
        copy_body(_pair(b"10\r\nonly-part"), _Out(), ("chunked", 0))
    with pytest.raises(HttpError):
        copy_body(_pair(b"zz\r\nabc\r\n0\r\n\r\n"), _Out(), ("chunked", 0))


def test_many_small_chunks_stream_in_order():
    chunks = [f"line {i}\n".encode() for i in range(20_000)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    out, seen = _Out(), []
    copy_body(_pair(body), out, ("chunked", 0), tap=seen.append)
    assert bytes(out.data) == body and b"".join(seen) == b"".join(chunks)


def test_length_body_and_cap():
    assert read_body(_pair(b"{}"), ("length", 2), 10) == b"{}"
    with pytest.raises(HttpError) as exc:
        read_body(_pair(b"x" * 100), ("length", 100), 10)
    assert exc.value.status == 413
    with pytest.raises(HttpError):
        read_body(_pair(b"64\r\n" + b"x" * 100 + b"\r\n0\r\n\r\n"), ("chunked", 0), 10)
    with pytest.raises(PeerClosed):
        read_body(_pair(b"abc"), ("length", 10), 100)


def test_version_prefix_split_and_join():
    assert split_target("/v1.41/containers/json?all=1") == ("/v1.41", "/containers/json", {"all": "1"})
    assert split_target("/containers/json") == ("", "/containers/json", {})
    assert split_target("/v1.47/_ping") == ("/v1.47", "/_ping", {})
    assert join_target("/v1.41", "/images/json", {"filters": '{"a":1}'}).startswith("/v1.41/images/json?filters=")
