"""Drive the TODO app over HTTP from the host, as a browser or ``curl`` would, through the ingress."""

from __future__ import annotations

import html
import time
import re
import urllib.parse
from typing import Callable, TypeVar

from dockhelpers import web
from dockhelpers.errors import CourseError
from dockhelpers.poll import poll, poll_or_none
from dockhelpers.shell import run
from dockhelpers.shell import show as shell_show
from dockhelpers.todo.names import STATUSES, base_url
from dockhelpers.web import Response

T = TypeVar("T")

__all__ = ["Response", "api_find", "api_list", "curl", "http", "wait_for", "wait_http", "web_add", "web_board",
           "web_move"]


def http(method: str, path: str, *, json_body: object = None, form: dict | None = None,
         timeout: float = 10) -> Response:
    """One HTTP request to the ingress (``curl -X METHOD http://127.0.0.1:18001PATH``); never raises."""
    return web.request(method, base_url() + path, json_body=json_body, form=form, timeout=timeout)


_CARD = re.compile(r'<li class="card" data-id="(\d+)" data-status="(\w+)"><div class="title">(.*?)</div>')


def web_board() -> dict[str, list[dict]]:
    """The board as the web page shows it: ``{"TODO": [{"id", "title"}], ...}`` (``GET /``)."""
    page = http("GET", "/")
    if page.status != 200:
        raise CourseError(f"웹 페이지가 {page.status or '응답 없음'}으로 답했습니다.", "서비스 상태를 확인하세요.",
                          detail=page.error or page.text[:300])
    board: dict[str, list[dict]] = {s: [] for s in STATUSES}
    for todo_id, status, title in _CARD.findall(page.text):
        board[status].append({"id": int(todo_id), "title": html.unescape(title)})
    return board


def web_add(title: str, content: str = "") -> int:
    """Add a task with the page's form (``POST /todo``, form fields) and return its id."""
    shell_show(f"curl -X POST -d title={title} {base_url()}/todo")
    resp = http("POST", "/todo", form={"title": title, "content": content})
    if resp.status != 303:
        raise CourseError(f"할 일을 추가하지 못했습니다 (HTTP {resp.status}).", "웹과 API 서비스를 확인하세요.",
                          detail=resp.error or resp.text[:300])
    notice = urllib.parse.unquote(resp.headers.get("Location", ""))
    match = re.search(r"#(\d+)", notice)
    if not match:
        raise CourseError("추가한 할 일의 번호를 읽지 못했습니다.", detail=notice)
    return int(match.group(1))


def web_move(todo_id: int, status: str) -> int:
    """Move a task with the page's buttons (``POST /move``); returns the HTTP status (303 on success)."""
    shell_show(f"curl -X POST -d id={todo_id} -d status={status} {base_url()}/move")
    return http("POST", "/move", form={"id": todo_id, "status": status}).status


def api_list(status: str | None = None) -> list[dict]:
    """``GET /api/todo[?status=...]`` through the ingress (the API reads from a replica)."""
    resp = http("GET", "/api/todo" + (f"?status={status}" if status else ""))
    if resp.status != 200:
        raise CourseError(f"API가 {resp.status or '응답 없음'}으로 답했습니다.", detail=resp.error or resp.text[:300])
    return resp.json()


def api_find(todo_id: int) -> dict | None:
    """The task with ``todo_id`` as the API lists it, or None."""
    return next((t for t in api_list() if t["id"] == todo_id), None)


def wait_for(predicate: Callable[[], T], timeout: float = 10, interval: float = 0.3) -> T | None:
    """Poll until ``predicate()`` is truthy (replicas apply writes a moment later); returns its value or None."""
    return poll_or_none(predicate, timeout, interval=interval)


def wait_http(predicate_path: str = "/", timeout: float = 60) -> float:
    """Wait until ``GET path`` answers 200 (after a deploy or a drill); returns seconds waited.

    Raises:
        PollTimeout: No 200 within ``timeout`` (the last answer is in the detail).
    """

    started = time.monotonic()
    last: list[Response] = []

    def answered() -> bool:
        last[:] = [http("GET", predicate_path)]
        return last[0].status == 200

    poll(answered, timeout, f"{predicate_path}가 200으로 답하기", interval=0.5,
         hint="`todo.services_table()`로 서비스의 레플리카를 확인하세요.",
         detail=lambda: f"HTTP {last[0].status} {last[0].error or last[0].text[:200]}" if last else "")
    return time.monotonic() - started


def curl(path: str, *, method: str = "GET", data: str | None = None) -> Response:
    """Show and run ``curl -s -i [-X METHOD] [-d DATA] http://127.0.0.1:18001PATH`` with the host's curl."""
    args = ["curl", "-s", "-i", "--max-time", "10"]
    if method != "GET":
        args += ["-X", method]
    if data is not None:
        args += ["-H", "Content-Type: application/json", "-d", data]
    args.append(base_url() + path)
    res = run(args, check=False)
    head, _, body = res.stdout.partition("\r\n\r\n")
    status = int(head.split(" ")[1]) if head.startswith("HTTP/") else 0
    return Response(status, body)
