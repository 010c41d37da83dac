"""The live lifecycle diagram: one real container followed through the engine's event stream.

The model and the picture are pure (:mod:`dockhelpers.lifecycle`); this view only feeds them with what
:mod:`dockhelpers.inspection` reads from the engine.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any

import ipywidgets as W

from dockhelpers import inspection
from dockhelpers.lifecycle import (LIFECYCLE_EVENTS, LIFECYCLE_STATES, LifecycleState, lifecycle_edge,
                                   lifecycle_node, lifecycle_svg)
from dockhelpers.widgets.common import command_html, message_html

__all__ = ["LifecycleDiagram"]


class LifecycleDiagram(W.VBox):
    """The container lifecycle (생성됨, 실행 중, 일시정지, 정지, 파기) with one real container's state lit.

    One background thread reads the engine's event stream for that container
    (``docker events --filter type=container --filter container=NAME``); after each lifecycle event
    it asks the engine for the container's state, and the diagram moves to it, lighting the transition
    that was taken. A container that does not exist (not created yet, or removed) is shown as 파기; when
    it is created later under the same name, the diagram follows it. :meth:`stop` (or :meth:`close`)
    closes the event stream and ends the thread.

    CLI equivalents: ``docker events --filter container=NAME`` and ``docker container inspect
    --format '{{.State.Status}}' NAME``.

    Args:
        name: Container name (or ID) to follow.
        autostart: Start following at once.
        keep: Events listed under the diagram.
    """

    def __init__(self, name: str, autostart: bool = True, keep: int = 6) -> None:
        self.name = name
        self.keep = keep
        self.state: LifecycleState = LifecycleState.REMOVED
        self.edge: tuple[str, str] | None = None
        self.engine_state: str | None = None
        self.last_event: str | None = None
        self.events: list[str] = []
        self.svg = W.HTML()
        self.caption = W.HTML()
        self.event_log = W.HTML()
        self.command = W.HTML(command_html([
            f"$ docker events --filter type=container --filter container={name}",
            f"$ docker container inspect --format '{{{{.State.Status}}}}' {name}",
        ]))
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stream: Any = None
        self._lock = threading.Lock()
        super().__init__([W.HTML(f"<b>컨테이너 생명주기</b>: <code>{html.escape(name)}</code>"),
                          self.svg, self.caption, self.command, self.event_log])
        self.add_class("dkc-lifecycle")
        self._show(inspection.container_state(name), None)
        if autostart:
            self.start()

    @property
    def running(self) -> bool:
        """Whether the event thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open the event stream and follow the container."""
        if self.running:
            return
        self._stop.clear()
        # Open the stream first, then read the state: no event can fall between the two.
        self._stream = inspection.container_events(self.name)
        self._show(inspection.container_state(self.name), None)
        self._thread = threading.Thread(target=self._follow, daemon=True, name=f"dockhelpers-lifecycle-{self.name}")
        self._thread.start()

    def stop(self) -> None:
        """Close the event stream and end the thread."""
        if not hasattr(self, "_stop"):
            return
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception:  # pragma: no cover - closing a dying socket
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def close(self) -> None:
        """Stop following and remove the widget from the page."""
        self.stop()
        super().close()

    def _show(self, engine_state: str | None, event: str | None) -> None:
        with self._lock:
            node = lifecycle_node(engine_state, event)
            edge = lifecycle_edge(self.state, node, event)
            if edge is not None or node != self.state:
                self.edge = edge
            self.state, self.engine_state = node, engine_state
            if event:
                self.last_event = event
            self.svg.value = lifecycle_svg(self.state, self.edge)
            where = engine_state or "없음 (아직 만들지 않았거나 삭제됨)"
            self.caption.value = (f"<div>현재 상태: <b>{LIFECYCLE_STATES[node]} ({node})</b> · 엔진이 알려 준 "
                                  f"상태: <code>{html.escape(where)}</code>"
                                  + (f" · 마지막 이벤트: <code>{html.escape(event)}</code>" if event else "")
                                  + "</div>")

    def _follow(self) -> None:
        stream = self._stream
        try:
            for ev in stream:
                if self._stop.is_set():
                    break
                action = (ev.get("Action") or ev.get("status") or "").split(":", 1)[0].strip()
                if action not in LIFECYCLE_EVENTS:
                    continue
                when = time.strftime("%H:%M:%S", time.localtime(ev.get("time") or time.time()))
                self.events = [*self.events, f"{when} {action}"][-self.keep:]
                self.event_log.value = ("<div style='font-size:12px;color:#555'>받은 이벤트: "
                                  + html.escape(" → ".join(self.events)) + "</div>")
                state = None if action == "destroy" else inspection.container_state(self.name)
                self._show(state, action)
            else:
                if not self._stop.is_set():  # the engine ended the stream (e.g. it was restarted)
                    self.event_log.value = message_html("엔진이 이벤트 스트림을 닫았습니다. 셀을 다시 실행하세요.",
                                                        ok=False)
        except Exception as exc:  # stream closed by stop(), or the engine went away
            if not self._stop.is_set():
                self.caption.value = message_html(f"이벤트 스트림이 끊겼습니다: {exc}", ok=False)
