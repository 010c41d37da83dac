"""The one HTTP client, against a real HTTP server on 127.0.0.1 (the standard library's, in a thread)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dockhelpers import web


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def _answer(self, status: int, body: str, headers: dict | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if self.path == "/redirect":
            self._answer(303, "", {"Location": "/elsewhere"})
        elif self.path == "/missing":
            self._answer(404, '{"error": "없음"}')
        else:
            self._answer(200, f"안녕 {self.path} {self.headers.get('X-Test', '')}".strip(), {"X-Reply": "yes"})

    do_HEAD = do_GET

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self._answer(201, json.dumps({"type": self.headers.get("Content-Type"), "body": body}))


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_get_returns_status_text_and_headers(server):
    resp = web.get(web.local_url(server, "/hello"), headers={"X-Test": "ok"})
    assert resp.ok and resp.status == 200 and resp.text == "안녕 /hello ok"
    assert resp.headers["X-Reply"] == "yes" and resp.error == ""


def test_error_statuses_and_redirects_are_answers_not_exceptions(server):
    missing = web.get(web.local_url(server, "/missing"))
    assert missing.status == 404 and not missing.ok and missing.json() == {"error": "없음"}
    moved = web.get(web.local_url(server, "/redirect"))  # not followed, like curl without -L
    assert moved.status == 303 and moved.headers["Location"] == "/elsewhere"


def test_json_and_form_bodies(server):
    sent = web.request("POST", web.local_url(server, "/"), json_body={"title": "할 일"}).json()
    assert sent["type"] == "application/json" and json.loads(sent["body"]) == {"title": "할 일"}
    form = web.request("POST", web.local_url(server, "/"), form={"id": 3, "status": "DONE"}).json()
    assert form["type"] == "application/x-www-form-urlencoded" and form["body"] == "id=3&status=DONE"


def test_head_request(server):
    assert web.request("HEAD", web.local_url(server, "/")).ok


def test_no_answer_is_status_zero_with_the_reason():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    resp = web.get(web.local_url(port), timeout=2)
    assert resp.status == 0 and not resp.ok and resp.error


def test_wait_ok_returns_the_answer_or_none(server):
    assert web.wait_ok(web.local_url(server, "/x"), 2).text == "안녕 /x"
    assert web.wait_ok(web.local_url(server, "/missing"), 0.3, interval=0.05) is None
