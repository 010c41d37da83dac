"""TODO API of chapter 4: JSON over HTTP, writes to the MariaDB primary, reads from the replicas.

Configuration comes only from environment variables (12-factor style, like the book's Go API):

    TODO_BIND          address to listen on, ``host:port`` (default ``0.0.0.0:8080``)
    TODO_PRIMARY_URL   ``mysql://user:password@host:port/database`` of the primary (writes);
                       the book's name ``TODO_MASTER_URL`` is accepted too
    TODO_REPLICA_URL   the same for the replicas (reads), or the book's ``TODO_SLAVE_URL``; a host name
                       with several addresses (Swarm's DNS round robin) is tried address by address
    TODO_DRAIN_SECONDS seconds to keep answering after SIGTERM (default 6) so that proxies that still
                       hold this task's address finish their requests during a rolling update

Endpoints:
    GET  /todo?status=TODO|PROGRESS|DONE   list (all tasks without ``status``)
    POST /todo   {"title": "...", "content": "..."}             -> 201 and the new task
    PUT  /todo   {"id": 1, "status": "DONE", "title"?, "content"?} -> 200 and the updated task
    GET  /health (or /hc, the book's path)                       -> 200 {"status": "ok", "version": ...}
Invalid input is answered with 400 and ``{"error": "..."}`` (Korean), a database that cannot be reached
with 503; the server never answers 500 for bad input.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

API_VERSION = "1"
STATUSES = ("TODO", "PROGRESS", "DONE")
MAX_BODY = 64 * 1024
HOSTNAME = socket.gethostname()
DRAINING = threading.Event()


class ApiError(Exception):
    """An error answered as JSON: ``{"error": message}`` with an HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_dsn(url: str) -> dict:
    """``mysql://user:password@host:port/db`` -> PyMySQL connect arguments."""
    parts = urlsplit(url)
    if parts.scheme not in ("mysql", "mariadb") or not parts.hostname:
        raise SystemExit(f"invalid database URL: {url!r} (expected mysql://user:password@host:port/db)")
    return {"host": parts.hostname, "port": parts.port or 3306, "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""), "database": parts.path.lstrip("/") or None}


# The book's variable names (TODO_MASTER_URL, TODO_SLAVE_URL) are accepted too.
PRIMARY = parse_dsn(os.environ.get("TODO_PRIMARY_URL") or os.environ.get("TODO_MASTER_URL")
                    or "mysql://todo:todo@primary:3306/tododb")
REPLICA = parse_dsn(os.environ.get("TODO_REPLICA_URL") or os.environ.get("TODO_SLAVE_URL")
                    or "mysql://todo:todo@replica:3306/tododb")


def connect(dsn: dict, *, spread: bool) -> pymysql.connections.Connection:
    """Connect to one server of ``dsn``; with ``spread`` try every address of the host in random order."""
    try:
        addresses = sorted({info[4][0] for info in socket.getaddrinfo(dsn["host"], dsn["port"],
                                                                      proto=socket.IPPROTO_TCP)})
    except socket.gaierror:
        addresses = []
    if spread:
        random.shuffle(addresses)
    else:
        addresses = addresses[:1]
    last = "주소를 찾을 수 없음"
    for address in addresses:
        try:
            return pymysql.connect(**{**dsn, "host": address}, charset="utf8mb4", autocommit=True,
                                   connect_timeout=2, read_timeout=5, write_timeout=5,
                                   cursorclass=pymysql.cursors.DictCursor)
        except pymysql.err.OperationalError as exc:
            last = str(exc)
    role = "레플리카" if spread else "프라이머리"
    raise ApiError(503, f"데이터베이스({role} {dsn['host']})에 연결할 수 없습니다: {last}")


def row_json(row: dict) -> dict:
    return {"id": row["id"], "title": row["title"], "content": row["content"], "status": row["status"],
            "created": row["created"].isoformat(sep=" "), "updated": row["updated"].isoformat(sep=" ")}


def query(dsn: dict, sql: str, args: tuple = (), *, spread: bool = False) -> list[dict]:
    try:
        conn = connect(dsn, spread=spread)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                rows = list(cur.fetchall())
                lastrowid = cur.lastrowid
        finally:
            conn.close()
    except pymysql.err.MySQLError as exc:
        raise ApiError(503, f"데이터베이스 오류: {exc}") from exc
    if not rows and lastrowid:
        return [{"lastrowid": lastrowid}]
    return rows


def check_status(value: object) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        raise ApiError(400, "status는 TODO, PROGRESS, DONE 중 하나여야 합니다.")
    return value


def check_text(body: dict, key: str, *, required: bool, limit: int) -> str | None:
    if key not in body:
        if required:
            raise ApiError(400, f"{key} 항목이 필요합니다.")
        return None
    value = body[key]
    if not isinstance(value, str):
        raise ApiError(400, f"{key}는 문자열이어야 합니다.")
    value = value.strip()
    if required and not value:
        raise ApiError(400, f"{key}가 비어 있습니다.")
    if len(value) > limit:
        raise ApiError(400, f"{key}는 {limit}자 이하여야 합니다.")
    return value


def list_todos(params: dict) -> list[dict]:
    status = params.get("status", [""])[-1]
    if status:
        check_status(status)
        rows = query(REPLICA, "SELECT * FROM todo WHERE status = %s ORDER BY id", (status,), spread=True)
    else:
        rows = query(REPLICA, "SELECT * FROM todo ORDER BY id", spread=True)
    return [row_json(r) for r in rows]


def get_primary(todo_id: int) -> dict | None:
    rows = query(PRIMARY, "SELECT * FROM todo WHERE id = %s", (todo_id,))
    return row_json(rows[0]) if rows and "id" in rows[0] else None


def create_todo(body: dict) -> dict:
    title = check_text(body, "title", required=True, limit=200)
    content = check_text(body, "content", required=False, limit=2000) or ""
    status = check_status(body["status"]) if "status" in body else "TODO"
    result = query(PRIMARY, "INSERT INTO todo (title, content, status) VALUES (%s, %s, %s)",
                   (title, content, status))
    created = get_primary(result[0]["lastrowid"])
    assert created is not None
    return created


def update_todo(body: dict) -> dict:
    todo_id = body.get("id")
    if isinstance(todo_id, bool) or not isinstance(todo_id, int) or todo_id <= 0:
        raise ApiError(400, "id는 양의 정수여야 합니다.")
    fields: dict[str, str] = {}
    for key, limit in (("title", 200), ("content", 2000)):
        value = check_text(body, key, required=False, limit=limit)
        if value is not None:
            if key == "title" and not value:
                raise ApiError(400, "title이 비어 있습니다.")
            fields[key] = value
    if "status" in body:
        fields["status"] = check_status(body["status"])
    if not fields:
        raise ApiError(400, "바꿀 항목(status, title, content)이 하나 이상 필요합니다.")
    if get_primary(todo_id) is None:
        raise ApiError(404, f"id {todo_id}인 할 일이 없습니다.")
    assignments = ", ".join(f"{key} = %s" for key in fields)
    query(PRIMARY, f"UPDATE todo SET {assignments} WHERE id = %s", (*fields.values(), todo_id))
    updated = get_primary(todo_id)
    assert updated is not None
    return updated


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"todoapi/{API_VERSION}"

    def log_message(self, fmt: str, *args) -> None:  # one short line per request on stdout
        sys.stdout.write(f"{self.address_string()} {fmt % args}\n")

    def reply(self, status: int, payload: object) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Todo-Api", f"{HOSTNAME} v{API_VERSION}")
        if DRAINING.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_json(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ApiError(400, "Content-Length 헤더가 올바르지 않습니다.") from None
        if length > MAX_BODY:
            raise ApiError(413, f"요청 본문이 너무 큽니다 (최대 {MAX_BODY} 바이트).")
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "요청 본문이 올바른 JSON이 아닙니다.") from None
        if not isinstance(body, dict):
            raise ApiError(400, "요청 본문은 JSON 객체여야 합니다.")
        return body

    def dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            if url.path in ("/health", "/hc"):  # /hc: the book's health-check path, kept as an alias
                if self.command not in ("GET", "HEAD"):
                    raise ApiError(405, "GET만 허용됩니다.")
                self.reply(200, {"status": "draining" if DRAINING.is_set() else "ok",
                                 "version": API_VERSION, "host": HOSTNAME})
            elif url.path == "/todo":
                if self.command in ("GET", "HEAD"):
                    self.reply(200, list_todos(parse_qs(url.query)))
                elif self.command == "POST":
                    self.reply(201, create_todo(self.read_json()))
                elif self.command == "PUT":
                    self.reply(200, update_todo(self.read_json()))
                else:
                    raise ApiError(405, "GET, POST, PUT만 허용됩니다.")
            else:
                raise ApiError(404, f"{url.path} 경로가 없습니다. /todo 또는 /health를 사용하세요.")
        except ApiError as exc:
            self.reply(exc.status, {"error": exc.message})
        except Exception as exc:  # noqa: BLE001 - last resort, still JSON
            self.reply(500, {"error": f"서버 내부 오류: {exc.__class__.__name__}"})

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = dispatch


def main() -> None:
    bind = os.environ.get("TODO_BIND", "0.0.0.0:8080")
    host, _, port = bind.rpartition(":")
    drain = float(os.environ.get("TODO_DRAIN_SECONDS", "6"))
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), Handler)
    server.daemon_threads = True

    def on_term(signum, frame) -> None:
        # Swarm has already taken this task out of DNS; keep serving the proxies that still know us.
        print(f"SIGTERM: draining for {drain:.0f} s", flush=True)
        DRAINING.set()
        threading.Thread(target=lambda: (time.sleep(drain), server.shutdown()), daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    print(f"todoapi v{API_VERSION} listening on {bind}; primary={PRIMARY['host']} replica={REPLICA['host']}",
          flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
