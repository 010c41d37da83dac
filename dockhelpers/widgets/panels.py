"""The container panel and the image table: lists from the resource modules, with buttons for their commands."""

from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as W

from dockhelpers.widgets.common import command_html, make_button, message_html, run_captured, table_html

__all__ = ["ContainerPanel", "ImageTable"]


class ContainerPanel(W.VBox):
    """The course's containers in a table, with buttons for the lifecycle commands.

    Only containers carrying the course label (of one chapter when ``chapter`` is given) are listed, so
    the panel cannot touch anything the course did not create.

    CLI equivalents: ``docker container ls -a --filter label=...``, ``start``, ``stop``, ``restart``,
    ``rm [-f]``, ``logs --tail N``.

    Args:
        chapter: Only this chapter's containers (all of the course's when None).
        tail: Lines shown by 로그 보기.
    """

    def __init__(self, chapter: int | str | None = None, tail: int = 30) -> None:
        self.chapter = chapter
        self.tail = tail
        self.table = W.HTML()
        self.select = W.Dropdown(description="컨테이너", options=[], layout=W.Layout(width="320px"))
        self.force = W.Checkbox(value=False, description="강제 삭제(-f)", indent=False,
                                layout=W.Layout(width="auto"))
        self.buttons = {
            "refresh": make_button("새로 고침", "refresh", tooltip="docker container ls -a"),
            "start": make_button("시작", "play", tooltip="docker container start"),
            "stop": make_button("정지", "stop", tooltip="docker container stop"),
            "restart": make_button("재시작", "repeat", tooltip="docker container restart"),
            "rm": make_button("삭제", "trash", "danger", tooltip="docker container rm"),
            "logs": make_button("로그 보기", "file-text", tooltip="docker container logs"),
        }
        self.command = W.HTML()
        self.message = W.HTML()
        self.output = W.HTML()
        for key, button in self.buttons.items():
            button.on_click(lambda _b, key=key: self.act(key))
            button.add_class(f"dkc-btn-{key}")  # stable selectors for the browser tests (tests/ui)
        super().__init__([
            W.HTML("<b>컨테이너 패널</b> (과정이 만든 컨테이너만 표시합니다)"),
            self.table,
            W.HBox([self.select, self.force]),
            W.HBox(list(self.buttons.values())),
            self.command, self.message, self.output,
        ])
        self.add_class("dkc-panel")
        self.refresh()

    @property
    def names(self) -> list[str]:
        """Names currently listed."""
        return list(self.select.options)

    def refresh(self, commands: list[str] | None = None) -> None:
        """Reload the list (``docker container ls -a --filter label=...``)."""
        from dockhelpers import containers

        df, lines, error = run_captured(containers.ls, self.chapter)
        commands = [*(commands or []), *lines]
        self.command.value = command_html(commands)
        if error:
            self.message.value = message_html(str(error), ok=False)
            return
        self.table.value = table_html(df, "과정이 만든 컨테이너가 없습니다.")
        current = self.select.value
        names = list(df["이름"]) if df is not None else []
        self.select.options = names
        self.select.value = current if current in names else (names[0] if names else None)

    def act(self, action: str) -> None:
        """Run one button's action on the selected container and show its command and result."""
        from dockhelpers import containers

        if action == "refresh":
            self.message.value = ""
            self.refresh()
            return
        name = self.select.value
        if not name or name not in self.names:
            self.message.value = message_html("먼저 컨테이너를 고르세요.", ok=False)
            return
        calls: dict[str, tuple[Callable[..., Any], dict[str, Any], str]] = {
            "start": (containers.start, {}, "시작했습니다"),
            "stop": (containers.stop, {}, "정지했습니다"),
            "restart": (containers.restart, {}, "재시작했습니다"),
            "rm": (containers.rm, {"force": self.force.value}, "삭제했습니다"),
            "logs": (containers.logs, {"tail": self.tail}, "로그를 가져왔습니다"),
        }
        fn, kwargs, done = calls[action]
        result, lines, error = run_captured(fn, name, **kwargs)
        if error:
            self.message.value = message_html(f"{error.message}\n해결 방법: {error.hint}", ok=False)
        else:
            self.message.value = message_html(f"`{name}` 컨테이너를 {done}.")
        self.output.value = (
            f"<pre style='max-height:240px;overflow:auto;font-size:12px'>{html.escape(result or '(출력 없음)')}</pre>"
            if action == "logs" and not error else ""
        )
        if action == "logs":
            self.command.value = command_html(lines)
        else:
            self.refresh(lines)


class ImageTable(W.VBox):
    """The engine's images as a table, with a size chart.

    CLI equivalent: ``docker image ls [--filter label=...]``.

    Args:
        chapter: Only this chapter's images.
        course_only: Only images built by the course (the checkbox 모든 이미지 shows all of them).
        chart: Show a bar chart of the sizes under the table.
    """

    def __init__(self, chapter: int | str | None = None, course_only: bool = True, chart: bool = True) -> None:
        self.chapter = chapter
        self.chart = chart
        self.table = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(max_width="760px"))
        self.show_all = W.Checkbox(value=not course_only, description="모든 이미지", indent=False,
                                   layout=W.Layout(width="auto"))
        self.refresh_button = make_button("새로 고침", "refresh", tooltip="docker image ls")
        self.command = W.HTML()
        self.message = W.HTML()
        self.frame = None
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.show_all.observe(lambda _c: self.refresh(), names="value")
        super().__init__([W.HTML("<b>이미지 목록</b>"), W.HBox([self.refresh_button, self.show_all]),
                          self.command, self.message, self.table, self.image])
        self.add_class("dkc-images")
        self.refresh()

    def refresh(self) -> None:
        """Reload the table and the chart."""
        from dockhelpers import images, plots

        chapter = None if self.show_all.value else self.chapter
        df, lines, error = run_captured(images.ls, chapter, course_only=not self.show_all.value)
        self.command.value = command_html(lines)
        if error:
            self.message.value = message_html(str(error), ok=False)
            return
        self.message.value = ""
        self.frame = df
        self.table.value = table_html(df, "이미지가 없습니다. 먼저 `docker image build`로 이미지를 만드세요.")
        named = df[df["저장소(REPOSITORY)"] != "<none>"] if df is not None else None
        if self.chart and named is not None and len(named):
            self.image.value = plots.png(plots.image_sizes_figure(named))
            self.image.layout.display = None
        else:
            self.image.layout.display = "none"
