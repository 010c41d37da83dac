"""The Swarm lab's live view as a widget; the data and the HTML come from :mod:`dockhelpers.swarmview`."""

from __future__ import annotations

import html
import threading
import time
from typing import Callable

import ipywidgets as w

from dockhelpers.swarmview import COMMANDS, build_model, render_html, snapshot

__all__ = ["SwarmView"]


class SwarmView(w.VBox):
    """The live swarm view: node columns with their task boxes, refreshed by one background thread.

    CLI equivalents (run on the manager): ``docker node ls``, ``docker service ls``,
    ``docker service ps --filter desired-state=running SERVICE...``.

    Args:
        interval: Seconds between refreshes.
        max_seconds: The thread stops by itself after this long (press 시작 to resume).
        source: Returns ``(nodes, tasks)``; default :func:`dockhelpers.swarmview.snapshot` of the lab manager.
    """

    def __init__(self, interval: float = 2.0, max_seconds: float = 1800,
                 source: Callable[[], tuple[list[dict], list[dict]]] | None = None) -> None:
        self.board = w.HTML(value='<div style="color:#888">스웜 상태를 읽는 중...</div>')
        self.status = w.HTML(value="")
        self.toggle = w.Button(description="정지", icon="pause", layout=w.Layout(width="90px"))
        self.refresh_button = w.Button(description="새로고침", icon="refresh", layout=w.Layout(width="110px"))
        command = w.HTML(value=f'<code style="font-size:11px">$ {html.escape(COMMANDS)}</code>')
        title = w.HTML(value="<b>스웜 뷰</b> - 노드별 태스크(색: 서비스)")
        super().__init__([title, w.HBox([self.toggle, self.refresh_button, self.status]), self.board, command])
        self.add_class("dkc-swarmview")
        self.interval = interval
        self.max_seconds = max_seconds
        self._source = source or snapshot
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.updates = 0
        self.toggle.on_click(lambda _b: self.stop() if self.running else self.start())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def refresh(self) -> None:
        """Read the swarm once and redraw."""
        try:
            nodes, tasks = self._source()
            model = build_model(nodes, tasks)
            ready = sum(1 for c in model if c.status == "Ready")
            self.board.value = render_html(model, f"노드 {ready}/{len([c for c in model if c.status != '-'])} Ready,"
                                                  f" 태스크 {len(tasks)}개 · {time.strftime('%H:%M:%S')} 갱신")
            self.updates += 1
        except Exception as exc:  # keep the view alive; say what happened
            self.status.value = f'<span style="color:#cf222e">매니저에 연결할 수 없습니다: {html.escape(str(exc)[:120])}</span>'
            return
        self.status.value = f'<span style="color:#57606a">{self.interval:g}초마다 갱신 중</span>' if self.running else \
            '<span style="color:#57606a">정지됨</span>'

    def _loop(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            self.refresh()
            self._stop.wait(self.interval)
        self.toggle.description, self.toggle.icon = "시작", "play"
        self.status.value = '<span style="color:#57606a">정지됨</span>'

    def start(self) -> None:
        """Start (or resume) the background refresh."""
        if self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dkc-swarmview", daemon=True)
        self.toggle.description, self.toggle.icon = "정지", "pause"
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop the background refresh (the last picture stays)."""
        self._stop.set()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def close(self) -> None:
        self.stop(wait=False)
        super().close()
