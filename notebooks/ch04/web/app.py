"""TODO web of chapter 4: a kanban board rendered on the server, calling the API through nginx.

Configuration from the environment only:
    TODO_WEB_BIND       address to listen on (default ``0.0.0.0:8080``)
    TODO_API_URL        base URL of the API's nginx (default ``http://api``)
    TODO_DRAIN_SECONDS  seconds to keep answering after SIGTERM (default 6)

Routes: ``GET /`` the board, ``POST /todo`` add a task (form: title, content), ``POST /move`` move a task
(form: id, status), ``GET /health``. Static files (``/static/...``) are served by the web's nginx.
"""

from __future__ import annotations

import html
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

WEB_VERSION = "1"
API_URL = os.environ.get("TODO_API_URL", "http://api").rstrip("/")
HOSTNAME = socket.gethostname()
DRAINING = threading.Event()
COLUMNS = (("TODO", "할 일 (TODO)"), ("PROGRESS", "진행 중 (PROGRESS)"), ("DONE", "완료 (DONE)"))
NEXT = {"TODO": ("PROGRESS",), "PROGRESS": ("TODO", "DONE"), "DONE": ("PROGRESS",)}
ORDER = {"TODO": 0, "PROGRESS": 1, "DONE": 2}
LABEL = {"TODO": "할 일", "PROGRESS": "진행 중", "DONE": "완료"}


class ApiProblem(Exception):
    """The API answered with an error or could not be reached."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def call_api(method: str, path: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{API_URL}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read().decode("utf-8")).get("error", exc.reason)
        except (ValueError, AttributeError):
            message = str(exc.reason)
        # 4xx: the request was wrong (shown as is); 5xx: the API side failed.
        raise ApiProblem(exc.code if exc.code < 500 else 502, f"API 오류 {exc.code}: {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiProblem(502, f"API 서버({API_URL})에 연결할 수 없습니다: {reason}") from None


def render_card(todo: dict) -> str:
    buttons = "".join(
        f'<form method="post" action="/move" class="move">'
        f'<input type="hidden" name="id" value="{todo["id"]}">'
        f'<input type="hidden" name="status" value="{target}">'
        f'<button type="submit" data-target="{target}">{"→" if ORDER[target] > ORDER[todo["status"]] else "←"} '
        f'{LABEL[target]}</button></form>'
        for target in NEXT[todo["status"]])
    return (f'<li class="card" data-id="{todo["id"]}" data-status="{todo["status"]}">'
            f'<div class="title">{html.escape(todo["title"])}</div>'
            f'<div class="content">{html.escape(todo["content"])}</div>'
            f'<div class="meta">#{todo["id"]} · {html.escape(todo["updated"])}</div>'
            f'<div class="actions">{buttons}</div></li>')


def render_page(columns: dict[str, list] | None, error: str = "", notice: str = "") -> str:
    if columns is None:
        board = ""
    else:
        board = "".join(
            f'<section class="column" id="col-{key}"><h2>{title} <span class="count">{len(columns[key])}</span>'
            f'</h2><ul>{"".join(render_card(t) for t in columns[key])}</ul></section>'
            for key, title in COLUMNS)
    error_html = f'<div class="error" role="alert">⚠️ {html.escape(error)}</div>' if error else ""
    notice_html = f'<div class="notice">{html.escape(notice)}</div>' if notice else ""
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>TODO 칸반 보드</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/style.css"></head>
<body><header><h1>TODO 칸반 보드</h1>
<form method="post" action="/todo" class="add">
<input name="title" placeholder="할 일 제목" maxlength="200" required>
<input name="content" placeholder="내용 (선택)" maxlength="2000">
<button type="submit">추가</button></form></header>
{error_html}{notice_html}<main class="board">{board}</main>
<footer>web {html.escape(HOSTNAME)} v{WEB_VERSION} · API {html.escape(API_URL)}</footer>
</body></html>"""


def load_board() -> dict[str, list]:
    return {key: call_api("GET", f"/todo?status={key}") for key, _ in COLUMNS}  # type: ignore[misc]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"todoweb/{WEB_VERSION}"

    def log_message(self, fmt: str, *args) -> None:
        sys.stdout.write(f"{self.address_string()} {fmt % args}\n")

    def send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Todo-Web", f"{HOSTNAME} v{WEB_VERSION}")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if DRAINING.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def board(self, status: int = 200, error: str = "", notice: str = "") -> None:
        try:
            columns = load_board()
        except ApiProblem as exc:
            self.send(exc.status if exc.status >= 500 else 502,
                      render_page(None, f"할 일 목록을 불러오지 못했습니다. {exc.message}"))
            return
        self.send(status, render_page(columns, error, notice))

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 64 * 1024)).decode("utf-8", "replace")
        return {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path == "/health":
            self.send(200, "ok\n", "text/plain; charset=utf-8")
        elif url.path == "/":
            notice = parse_qs(url.query).get("notice", [""])[-1][:200]
            self.board(notice=notice)
        else:
            self.send(404, render_page(None, f"{url.path} 페이지가 없습니다."))

    do_HEAD = do_GET

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        fields = self.form()
        try:
            if path == "/todo":
                created = call_api("POST", "/todo", {"title": fields.get("title", ""),
                                                     "content": fields.get("content", "")})
                notice = f"#{created['id']} '{created['title']}'을(를) 추가했습니다."  # type: ignore[index]
            elif path == "/move":
                try:
                    todo_id = int(fields.get("id", ""))
                except ValueError:
                    raise ApiProblem(400, "id가 올바르지 않습니다.") from None
                moved = call_api("PUT", "/todo", {"id": todo_id, "status": fields.get("status", "")})
                notice = f"#{todo_id}을(를) {LABEL.get(moved['status'], '')}(으)로 옮겼습니다."  # type: ignore[index]
            else:
                self.send(404, render_page(None, f"{path} 페이지가 없습니다."))
                return
        except ApiProblem as exc:
            if exc.status < 500:
                self.board(status=exc.status, error=exc.message)
            else:
                self.send(exc.status, render_page(None, f"요청을 처리하지 못했습니다. {exc.message}"))
            return
        # Post/Redirect/Get: reloading the page does not submit the form again.
        self.send(303, "", headers={"Location": f"/?notice={quote(notice)}"})


def main() -> None:
    bind = os.environ.get("TODO_WEB_BIND", "0.0.0.0:8080")
    host, _, port = bind.rpartition(":")
    drain = float(os.environ.get("TODO_DRAIN_SECONDS", "6"))
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), Handler)
    server.daemon_threads = True

    def on_term(signum, frame) -> None:
        print(f"SIGTERM: draining for {drain:.0f} s", flush=True)
        DRAINING.set()
        threading.Thread(target=lambda: (time.sleep(drain), server.shutdown()), daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    print(f"todoweb v{WEB_VERSION} listening on {bind}; api={API_URL}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
