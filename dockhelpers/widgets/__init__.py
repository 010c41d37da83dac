"""Interactive views for the notebooks: container panel, image table, live stats monitor, lifecycle, swarm.

Views only: every action calls a helper of :mod:`dockhelpers.containers` / :mod:`dockhelpers.images` /
:mod:`dockhelpers.stats`, and the view shows the equivalent ``docker ...`` command above its result, so
the learner sees what each click does. Each class *is* a widget (an ``ipywidgets.VBox``); the notebook
shows it as the last expression of a cell (the views never call ``display`` themselves).

The live :class:`StatsMonitor` updates its widgets from one background thread that ends on
:meth:`StatsMonitor.stop`, on :meth:`close`, or by itself after ``max_seconds``.

The :class:`LifecycleDiagram` follows one container through the engine's event stream (one thread,
closed by :meth:`LifecycleDiagram.stop`); its logic (:func:`lifecycle_node`, :func:`lifecycle_edge`,
:func:`lifecycle_svg`) is pure and tested without widgets.

Convenience constructors: :func:`container_panel`, :func:`image_table`, :func:`stats_monitor` (names or
a chapter number), :func:`lifecycle_diagram`.

CSS classes for the browser tests and for styling: ``dkc-panel`` (buttons ``dkc-btn-<action>``),
``dkc-images``, ``dkc-stats`` (its visible sample counter ``dkc-stats-count``, buttons ``dkc-btn-start``,
``dkc-btn-pause``, ``dkc-btn-resume``, ``dkc-btn-stop``), ``dkc-lifecycle`` (nodes ``dkc-node`` with
``data-state``, the current one ``dkc-node-active``).

One module per view, all re-exported here: :mod:`~dockhelpers.widgets.panels` (:class:`ContainerPanel`,
:class:`ImageTable`), :mod:`~dockhelpers.widgets.monitor` (:class:`StatsMonitor`),
:mod:`~dockhelpers.widgets.lifecycle_view` (:class:`LifecycleDiagram`, over the pure
:mod:`dockhelpers.lifecycle`), :mod:`~dockhelpers.widgets.swarm_view` (:class:`SwarmView`, over the pure
:mod:`dockhelpers.swarmview`), and the shared HTML helpers in :mod:`~dockhelpers.widgets.common`. Views
read and act only through the resource modules (``containers``, ``images``, ``stats``, ``inspection``,
``swarm``), never through the docker SDK.

Importing this package imports ipywidgets; ``import dockhelpers`` alone does not.
"""

from __future__ import annotations

from typing import Any, Sequence

from dockhelpers.errors import CourseError
from dockhelpers.lifecycle import (LIFECYCLE_EDGES, LIFECYCLE_EVENTS, LIFECYCLE_STATES, LifecycleState,
                                   lifecycle_edge, lifecycle_node, lifecycle_svg)
from dockhelpers.widgets.common import command_html, make_button, message_html, run_captured, table_html
from dockhelpers.widgets.lifecycle_view import LifecycleDiagram
from dockhelpers.widgets.monitor import StatsMonitor
from dockhelpers.widgets.panels import ContainerPanel, ImageTable
from dockhelpers.widgets.progress_view import ProgressTable, progress_html
from dockhelpers.widgets.swarm_view import SwarmView

__all__ = [
    "LIFECYCLE_EDGES", "LIFECYCLE_EVENTS", "LIFECYCLE_STATES", "ContainerPanel", "ImageTable", "LifecycleDiagram",
    "LifecycleState", "ProgressTable", "StatsMonitor", "SwarmView", "command_html", "container_panel", "image_table", "make_button",
    "lifecycle_diagram", "lifecycle_edge", "lifecycle_node", "lifecycle_svg", "message_html", "progress_html", "run_captured",
    "running_course_containers", "stats_monitor", "table_html",
]


def container_panel(chapter: int | str | None = None) -> ContainerPanel:
    """A :class:`ContainerPanel` of one chapter's containers (all of the course's when None)."""
    return ContainerPanel(chapter=chapter)


def image_table(chapter: int | str | None = None) -> ImageTable:
    """An :class:`ImageTable` of one chapter's images (all of the course's when None)."""
    return ImageTable(chapter=chapter)


def lifecycle_diagram(name: str) -> LifecycleDiagram:
    """A :class:`LifecycleDiagram` following the container ``name`` (it may not exist yet)."""
    return LifecycleDiagram(name)


def running_course_containers(chapter: int | str) -> list[str]:
    """Names of the running containers labelled with this chapter (``docker container ls --filter ...``)."""
    from dockhelpers import containers

    table = containers.ls(chapter, all=False, show_command=False)
    return sorted(table["이름"])


def stats_monitor(names_or_chapter: Sequence[Any] | int | str, interval: float = 1.0, **kw: Any) -> StatsMonitor:
    """A :class:`StatsMonitor` of some containers, or of all running containers of a chapter.

    Args:
        names_or_chapter: A list of names/IDs, one name, or a chapter number (an ``int``): then every
            running container carrying that chapter's course label.
        interval: Seconds between table refreshes.
        **kw: Passed to :class:`StatsMonitor` (``chart``, ``chart_every``, ``max_seconds``, ...).

    Raises:
        CourseError: The chapter has no running container.
    """
    if isinstance(names_or_chapter, int) and not isinstance(names_or_chapter, bool):
        names = running_course_containers(names_or_chapter)
        if not names:
            raise CourseError(f"{names_or_chapter}장에서 실행 중인 컨테이너가 없습니다.",
                              "먼저 컨테이너를 실행하세요 (`docker container ls --filter "
                              f"label=kr.dockercourse.chapter={int(names_or_chapter):02d}`로 확인합니다).")
    elif isinstance(names_or_chapter, str):
        names = [names_or_chapter]
    else:
        names = list(names_or_chapter)
    return StatsMonitor(names, interval=interval, **kw)
