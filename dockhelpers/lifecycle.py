"""The container lifecycle as a pure model and an SVG picture (no widgets, no engine).

The model maps what the engine says (``docker container inspect``'s ``State.Status`` and the actions of
``docker events``) to a node of the diagram (:func:`lifecycle_node`) and the transition taken
(:func:`lifecycle_edge`); :func:`lifecycle_svg` draws the diagram with them lit. The live view that feeds
it from a real container is :class:`dockhelpers.widgets.LifecycleDiagram`.
"""

from __future__ import annotations

from dockhelpers.states import LifecycleState

__all__ = ["LIFECYCLE_EDGES", "LIFECYCLE_EVENTS", "LIFECYCLE_STATES", "LifecycleState", "lifecycle_edge",
           "lifecycle_node", "lifecycle_svg"]

#: Lifecycle states drawn by the diagram (keys: :class:`LifecycleState` values), with their Korean labels.
LIFECYCLE_STATES = {
    "created": "생성됨",
    "running": "실행 중",
    "paused": "일시정지",
    "exited": "정지",
    "removed": "파기",
}

#: Transitions (from, to) -> the CLI command that causes them.
LIFECYCLE_EDGES: dict[tuple[str, str], str] = {
    ("created", "running"): "start",
    ("running", "paused"): "pause",
    ("paused", "running"): "unpause",
    ("running", "exited"): "stop / kill",
    ("exited", "running"): "start / restart",
    ("running", "running"): "restart",
    ("created", "removed"): "rm",
    ("exited", "removed"): "rm",
    ("running", "removed"): "rm -f",
}

#: Engine state (``docker container inspect``'s ``State.Status``) -> node of the diagram.
_STATE_NODES = {
    "created": "created", "running": "running", "restarting": "running", "paused": "paused",
    "exited": "exited", "dead": "exited", "removing": "removed",
}

#: Container event (``docker events``' action) -> node, for when the engine state is not known.
_EVENT_NODES = {
    "create": "created", "start": "running", "restart": "running", "unpause": "running", "pause": "paused",
    "die": "exited", "stop": "exited", "oom": "exited", "destroy": "removed",
}

#: Events that can change the lifecycle state (others, e.g. exec_start or attach, are ignored).
LIFECYCLE_EVENTS = frozenset({*_EVENT_NODES, "kill"})


def lifecycle_node(state: str | None, last_event: str | None = None) -> LifecycleState:
    """The diagram node to highlight for an engine state and the last container event.

    Args:
        state: ``State.Status`` from ``docker container inspect`` (created, running, paused, restarting,
            removing, exited, dead), or None when the container does not exist (not created yet, or
            removed).
        last_event: Action of the last container event seen (create, start, die, stop, destroy, ...).

    Returns:
        A :class:`LifecycleState` (a key of :data:`LIFECYCLE_STATES`). A container that does not exist is 파기 whatever
        the event (events can arrive after the removal they precede, e.g. a late ``stop``), and
        ``destroy`` wins over a stale state (the inspect may have raced the removal). An unknown state
        string falls back to the event's node.
    """
    event = (last_event or "").split(":", 1)[0].strip()
    if event == "destroy" or state is None:
        return LifecycleState.REMOVED
    return LifecycleState(_STATE_NODES.get(state) or _EVENT_NODES.get(event, "exited"))


def lifecycle_edge(previous: str | None, node: str, last_event: str | None = None) -> tuple[str, str] | None:
    """The transition to highlight when the diagram moves from ``previous`` to ``node``.

    ``restart`` on a running container is the self-loop on 실행 중; any other move is the edge between
    the two nodes if the diagram has one (None otherwise, e.g. the first state shown).
    """
    event = (last_event or "").split(":", 1)[0].strip()
    if event == "restart" and node == LifecycleState.RUNNING:
        return (LifecycleState.RUNNING.value, LifecycleState.RUNNING.value)
    if previous is None or previous == node:
        return None
    return (previous, node) if (previous, node) in LIFECYCLE_EDGES else None


_NODE_POS = {"created": (110, 70), "running": (350, 70), "paused": (590, 70), "exited": (350, 220),
             "removed": (110, 220)}
_NODE_W, _NODE_H = 150, 46


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from a node's centre towards (tx, ty) leaves the node's box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((_NODE_W / 2 + 4) / abs(dx) if dx else float("inf"),
                (_NODE_H / 2 + 4) / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def lifecycle_svg(node: str | None, edge: tuple[str, str] | None = None) -> str:
    """The lifecycle diagram as an SVG string, with ``node`` and ``edge`` highlighted.

    Each state is a ``<g class="dkc-node" data-state="...">``; the highlighted one also has the class
    ``dkc-node-active`` (and the highlighted transition ``dkc-edge-active``).
    """
    active, normal = "#2b7bba", "#9aa4ad"
    hot = "#e8590c"
    parts = [
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 700 285' width='700' height='285' "
        "style='max-width:100%;font-family:var(--jp-ui-font-family,sans-serif)' role='img' "
        "aria-label='컨테이너 생명주기'>",
        "<defs>",
        f"<marker id='dkc-arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{normal}'/></marker>",
        f"<marker id='dkc-arrow-hot' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
        f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{hot}'/></marker>",
        "</defs>",
    ]
    # Entry: docker create / docker run.
    cx, cy = _NODE_POS["created"]
    parts.append(f"<line x1='{cx}' y1='8' x2='{cx}' y2='{cy - _NODE_H / 2 - 3}' stroke='{normal}' "
                 "stroke-width='1.5' marker-end='url(#dkc-arrow)'/>")
    parts.append(f"<text x='{cx + 8}' y='20' font-size='12' fill='#333'>create (run = create + start)</text>")
    pairs = {frozenset(k) for k in LIFECYCLE_EDGES if k[0] != k[1] and (k[1], k[0]) in LIFECYCLE_EDGES}
    for (src, dst), label in LIFECYCLE_EDGES.items():
        is_hot = edge == (src, dst)
        color, width = (hot, 3) if is_hot else (normal, 1.5)
        marker = "dkc-arrow-hot" if is_hot else "dkc-arrow"
        css = "dkc-edge dkc-edge-active" if is_hot else "dkc-edge"
        data = f"data-edge='{src}-{dst}'"
        if src == dst:  # restart: a loop above the node
            x, y = _NODE_POS[src]
            top = y - _NODE_H / 2
            parts.append(f"<path class='{css}' {data} d='M{x - 30},{top} C{x - 30},{top - 40} {x + 30},"
                         f"{top - 40} {x + 30},{top - 3}' fill='none' stroke='{color}' stroke-width='{width}' "
                         f"marker-end='url(#{marker})'/>")
            parts.append(f"<text x='{x + 36}' y='{top - 22}' font-size='12' fill='{color}'>{label}</text>")
            continue
        (x1, y1), (x2, y2) = _NODE_POS[src], _NODE_POS[dst]
        ox = oy = 0.0
        if frozenset((src, dst)) in pairs:  # two directions: draw them side by side
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            ox, oy = -(y2 - y1) / length * 8, (x2 - x1) / length * 8
        sx, sy = _clip(x1 + ox, y1 + oy, x2 + ox, y2 + oy)
        ex, ey = _clip(x2 + ox, y2 + oy, x1 + ox, y1 + oy)
        parts.append(f"<line class='{css}' {data} x1='{sx:.1f}' y1='{sy:.1f}' x2='{ex:.1f}' y2='{ey:.1f}' "
                     f"stroke='{color}' stroke-width='{width}' marker-end='url(#{marker})'/>")
        if ox or oy:  # the label goes on the outer side of its own line of the pair
            px, py = ox / 8, oy / 8
        else:  # a single line: the label goes beside it, above or to the left
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
            px, py = -(y2 - y1) / length, (x2 - x1) / length
            if py > 0 or (py == 0 and px > 0):
                px, py = -px, -py
        mx, my = (sx + ex) / 2 + px * 10, (sy + ey) / 2 + py * 10
        anchor = "middle" if abs(px) < 0.5 else ("start" if px > 0 else "end")
        parts.append(f"<text x='{mx:.1f}' y='{my + 4:.1f}' font-size='12' text-anchor='{anchor}' "
                     f"fill='{color}'>{label}</text>")
    for key, korean in LIFECYCLE_STATES.items():
        x, y = _NODE_POS[key]
        on = key == node
        css = "dkc-node dkc-node-active" if on else "dkc-node"
        fill, stroke, text = (active, active, "#fff") if on else ("#f3f5f7", normal, "#333")
        parts.append(f"<g class='{css}' data-state='{key}'>"
                     f"<rect x='{x - _NODE_W / 2}' y='{y - _NODE_H / 2}' width='{_NODE_W}' height='{_NODE_H}' "
                     f"rx='10' fill='{fill}' stroke='{stroke}' stroke-width='{3 if on else 1.5}'/>"
                     f"<text x='{x}' y='{y - 3}' text-anchor='middle' font-size='14' font-weight='bold' "
                     f"fill='{text}'>{korean}</text>"
                     f"<text x='{x}' y='{y + 14}' text-anchor='middle' font-size='11' fill='{text}'>{key}</text>"
                     "</g>")
    parts.append("</svg>")
    return "".join(parts)
