"""A live view of the Swarm lab: one column per node, one box per task, coloured by service.

It replaces the book's third-party visualizer. The data come from the manager through the same CLI a
learner would type (``docker node ls``, ``docker service ls``, ``docker service ps``); the pure functions
(:func:`parse_json_lines`, :func:`build_model`, :func:`render_html`) are tested without widgets.

Notebook use::

    view = swarmview.view()   # returns the widget (display it by leaving it last in the cell)
    view                      # ... later: view.stop()
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Callable

#: Colours for services, in order of first appearance (sorted by name for stability).
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
#: What the view runs on the manager, shown under the view.
COMMANDS = "docker node ls; docker service ls; docker service ps --filter desired-state=running SERVICE..."


@dataclass
class Task:
    """One task box."""

    service: str
    slot: str
    state: str
    desired: str = "Running"
    error: str = ""


@dataclass
class NodeColumn:
    """One node column."""

    hostname: str
    status: str
    availability: str = "Active"
    role: str = "worker"
    tasks: list[Task] = field(default_factory=list)


def parse_json_lines(text: str) -> list[dict]:
    """Parse ``--format '{{json .}}'`` output (one JSON object per line; blank lines ignored)."""
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def _service_of(task_name: str) -> tuple[str, str]:
    """``"web.3"`` -> ``("web", "3")``; a global task ``"agent.nodeid"`` -> ``("agent", "nodeid")``."""
    name = task_name.lstrip("\\_ ").strip()
    service, _, slot = name.rpartition(".")
    return (service or name), slot


def build_model(nodes: list[dict], tasks: list[dict]) -> list[NodeColumn]:
    """Columns for the view from ``docker node ls`` and ``docker service ps`` rows (as parsed JSON).

    Nodes are ordered managers first, then by hostname; a hostname listed twice (an old Down entry of a
    re-joined node) shows once, preferring the Ready entry. Tasks of unknown nodes (not yet scheduled)
    go to a last column named ``(대기)``.
    """
    columns: dict[str, NodeColumn] = {}
    for n in nodes:
        host = n.get("Hostname", "?")
        role = "manager" if n.get("ManagerStatus") else "worker"
        col = NodeColumn(host, n.get("Status", "?"), n.get("Availability", "?"), role)
        if host not in columns or col.status == "Ready":
            columns[host] = col
    for t in tasks:
        service, slot = _service_of(t.get("Name", ""))
        task = Task(service, slot, t.get("CurrentState", ""), t.get("DesiredState", ""), t.get("Error", ""))
        node = t.get("Node") or "(대기)"
        if node not in columns:
            columns[node] = NodeColumn(node, "-", "-", "-")
        columns[node].tasks.append(task)
    for col in columns.values():
        col.tasks.sort(key=lambda x: (x.service, x.slot.zfill(4)))
    order = {"manager": 0, "worker": 1}
    return sorted(columns.values(), key=lambda c: (order.get(c.role, 2), c.hostname))


def colors(model: list[NodeColumn]) -> dict[str, str]:
    """A stable colour per service name."""
    services = sorted({t.service for col in model for t in col.tasks})
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(services)}


def _state_word(state: str) -> str:
    return state.split(" ")[0] if state else "?"


def render_html(model: list[NodeColumn], note: str = "") -> str:
    """HTML of the view: a flex row of node columns, each with its task boxes (CSS class ``dkc-swarmview``)."""
    palette = colors(model)
    cols = []
    for col in model:
        pending = col.role not in ("manager", "worker")  # the column of tasks not yet on a node
        down = col.status != "Ready" and not pending
        head_bg = "#8c959f" if pending else "#cf222e" if down else ("#24292f" if col.role == "manager" else "#57606a")
        boxes = []
        for t in col.tasks:
            word = _state_word(t.state)
            running = word == "Running"
            style = (f"background:{palette[t.service]};color:#fff;border-radius:4px;padding:3px 6px;margin:3px 0;"
                     f"font-size:12px;{'' if running else 'opacity:0.55;border:2px dashed #333;'}")
            title = html.escape(f"{t.service}.{t.slot}: {t.state} {t.error}".strip())
            boxes.append(f'<div class="dkc-task" data-service="{html.escape(t.service)}" data-state="{html.escape(word)}"'
                         f' title="{title}" style="{style}"><b>{html.escape(t.service)}.{html.escape(t.slot)}</b>'
                         f"<br>{html.escape(word)}</div>")
        if not boxes:
            boxes.append('<div style="color:#888;font-size:12px;padding:4px">태스크 없음</div>')
        role = "매니저" if col.role == "manager" else ("워커" if col.role == "worker" else "")
        cols.append(
            f'<div class="dkc-node" data-node="{html.escape(col.hostname)}" data-status="{html.escape(col.status)}"'
            f' style="flex:1;min-width:120px;border:1px solid #d0d7de;border-radius:6px;margin:0 4px;'
            f'{"background:#fff0f0;" if down else ""}">'
            f'<div style="background:{head_bg};color:#fff;padding:4px 6px;border-radius:5px 5px 0 0;font-size:13px">'
            f"<b>{html.escape(col.hostname)}</b> {role}<br><span style='font-size:11px'>{html.escape(col.status)}"
            f" / {html.escape(col.availability)}</span></div>"
            f'<div style="padding:4px">{"".join(boxes)}</div></div>')
    legend = " ".join(f'<span style="background:{c};color:#fff;padding:1px 6px;border-radius:3px;font-size:12px">'
                      f"{html.escape(s)}</span>" for s, c in palette.items())
    body = "".join(cols) or '<div style="color:#888">노드 정보 없음</div>'
    return (f'<div class="dkc-swarmview-board"><div style="display:flex;align-items:flex-start">{body}</div>'
            f'<div style="margin-top:6px">{legend}</div>'
            f'<div style="font-size:11px;color:#57606a;margin-top:4px">{html.escape(note)}</div></div>')


def snapshot(manager_container: str | None = None) -> tuple[list[dict], list[dict]]:
    """Read nodes and running-desired tasks from the manager (quietly, through the shell layer)."""
    from dockhelpers import swarm
    from dockhelpers.shell import run

    container = manager_container or swarm.node_container(swarm.MANAGER)

    def q(*args: str) -> str:
        res = run(["docker", "exec", container, "docker", *args], echo=False, stream=False, check=False, timeout=20)
        if not res.ok:
            raise RuntimeError((res.stderr or res.stdout).strip()[:200] or "manager does not answer")
        return res.stdout

    nodes = parse_json_lines(q("node", "ls", "--format", "{{json .}}"))
    services = q("service", "ls", "--format", "{{.Name}}").split()
    tasks: list[dict] = []
    if services:
        tasks = parse_json_lines(q("service", "ps", *services, "--filter", "desired-state=running",
                                   "--format", "{{json .}}"))
    return nodes, tasks


def view(interval: float = 2.0, *, max_seconds: float = 1800,
         source: Callable[[], tuple[list[dict], list[dict]]] | None = None):
    """The live swarm view widget (refreshed every ``interval`` seconds by one background thread).

    Args:
        interval: Seconds between refreshes.
        max_seconds: The thread stops by itself after this long (press 시작 to resume).
        source: Returns ``(nodes, tasks)``; default :func:`snapshot` of the lab manager.

    Returns:
        A :class:`SwarmView` (an ``ipywidgets.VBox`` with CSS class ``dkc-swarmview``); it is not
        displayed here - leave it as the last expression of a cell.
    """
    from dockhelpers.widgets.swarm_view import SwarmView

    return SwarmView(interval=interval, max_seconds=max_seconds, source=source)


def __getattr__(name: str):
    """``swarmview.SwarmView`` is the widget class of :mod:`dockhelpers.widgets.swarm_view`, imported on first use
    (importing ipywidgets takes a moment; the pure functions above do not need it)."""
    if name == "SwarmView":
        from dockhelpers.widgets.swarm_view import SwarmView

        return SwarmView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
