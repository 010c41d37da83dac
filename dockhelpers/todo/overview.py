"""A live overview of the deployed TODO app: its services as a table and as an architecture figure."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from dockhelpers import naming, swarm
from dockhelpers.shell import show as shell_show
from dockhelpers.todo.names import (CHAPTER, INGRESS_PORT, KOREAN_LABELS, STACK_FILES, korean, network, service,
                                    stack)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

#: Columns of :func:`services_frame` (Korean headers in :data:`~dockhelpers.todo.names.KOREAN_LABELS`).
SERVICE_COLUMNS = ["stack", "service", "replicas", "image", "endpoint_mode", "ports", "networks"]
_ENGLISH = {korean_label: key for key, korean_label in KOREAN_LABELS.items()}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def services_frame() -> "pd.DataFrame":
    """The chapter's services from the live engine: stack, service, replicas, image, endpoint mode, ports, networks."""
    import pandas as pd

    shell_show(f"docker exec {swarm.node_container(swarm.MANAGER)} docker service ls "
               f"--filter label={naming.CHAPTER_LABEL}={naming.chapter_id(CHAPTER)}")
    res = swarm.manager(["service", "ls", "--filter", f"label={naming.CHAPTER_LABEL}={naming.chapter_id(CHAPTER)}",
                         "--format", "{{json .}}"], echo=False, stream=False, check=False)
    services = _json_lines(res.stdout)
    if not services:
        return pd.DataFrame(columns=SERVICE_COLUMNS)
    ids = [s["ID"] for s in services]
    inspect = json.loads(swarm.manager(["service", "inspect", *ids], echo=False, stream=False).stdout)
    nets = {n["ID"]: n["Name"] for n in _json_lines(swarm.manager(["network", "ls", "--format", "{{json .}}"],
                                                                   echo=False, stream=False).stdout)}
    rows = []
    for s, spec in zip(services, inspect):
        labels = spec["Spec"].get("Labels", {})
        targets = [a.get("Target", "") for a in spec["Spec"]["TaskTemplate"].get("Networks", [])]
        rows.append({"stack": labels.get("com.docker.stack.namespace", ""), "service": s["Name"],
                     "replicas": s["Replicas"], "image": s["Image"].split("@")[0],
                     "endpoint_mode": spec["Spec"].get("EndpointSpec", {}).get("Mode", "vip"),
                     "ports": s.get("Ports", ""),
                     "networks": ", ".join(nets.get(t[:12], nets.get(t, t)) for t in targets) or "-"})
    order = {stack(k): i for i, (k, _) in enumerate(reversed(STACK_FILES))}
    df = pd.DataFrame(rows, columns=SERVICE_COLUMNS)
    df["_o"] = df["stack"].map(order).fillna(9)
    return df.sort_values(["_o", "service"]).drop(columns="_o").reset_index(drop=True)


def services_table() -> "pd.DataFrame":
    """:func:`services_frame` with Korean headers (스택, 서비스, 레플리카, ...), as the notebook shows it."""
    return korean(services_frame())


#: Request path between services (stack key, service) -> (stack key, service), with a Korean label.
EDGES = ((("ingress", "nginx"), ("frontend", "nginx"), "/"), (("ingress", "nginx"), ("app", "nginx"), "/api/"),
         (("frontend", "nginx"), ("frontend", "web"), "HTML"), (("frontend", "web"), ("app", "nginx"), "API 호출"),
         (("app", "nginx"), ("app", "api"), ""), (("app", "api"), ("db", "primary"), "쓰기"),
         (("app", "api"), ("db", "replica"), "읽기"), (("db", "primary"), ("db", "replica"), "복제"))


def architecture_figure(table: "pd.DataFrame | None" = None) -> "Figure":
    """Draw the four stacks, their services (live replica counts and images) and the request path."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from dockhelpers.plots import _figure

    table = services_frame() if table is None else table.rename(columns=_ENGLISH)
    live = {row["service"]: row for _, row in table.iterrows()}
    fig, axes = _figure(width=11, height=5.0)
    ax = axes[0]
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 5.0)
    ax.axis("off")
    columns = [("ingress", ["nginx"]), ("frontend", ["nginx", "web"]), ("app", ["nginx", "api"]),
               ("db", ["primary", "replica"])]
    centers: dict[tuple[str, str], tuple[float, float]] = {}
    for i, (key, names) in enumerate(columns):
        x0 = 0.9 + i * 2.6
        ax.add_patch(FancyBboxPatch((x0 - 0.1, 0.75), 2.3, 3.45, boxstyle="round,pad=0.05", fc="#f4f5f7",
                                    ec="#97a0af", lw=1))
        ax.text(x0 + 1.05, 4.05, f"스택 {stack(key)}", ha="center", fontsize=9, weight="bold")
        for j, name in enumerate(names):
            svc = service(key, name)
            row = live.get(svc)
            y = 2.75 - j * 1.45
            ok = row is not None and str(row["replicas"]).split(" ")[0].split("/")[0] == \
                str(row["replicas"]).split(" ")[0].split("/")[-1]
            color = "#e3fcef" if ok else "#ffebe6"
            ax.add_patch(FancyBboxPatch((x0, y), 2.1, 1.0, boxstyle="round,pad=0.04", fc=color, ec="#42526e"))
            image = (row["image"].rsplit("/", 1)[-1] if row is not None else "배포 안 됨")
            reps = row["replicas"] if row is not None else "0/0"
            ax.text(x0 + 1.05, y + 0.72, name, ha="center", fontsize=10, weight="bold")
            ax.text(x0 + 1.05, y + 0.45, image, ha="center", fontsize=8)
            ax.text(x0 + 1.05, y + 0.18, f"레플리카 {reps}", ha="center", fontsize=8)
            centers[(key, name)] = (x0 + 1.05, y + 0.5)
    ax.text(0.15, 3.5, "호스트\n127.0.0.1:\n" + str(swarm.manager_port(INGRESS_PORT)), ha="center", fontsize=8)
    ax.add_patch(FancyArrowPatch((0.45, 3.3), (0.9, 3.25), arrowstyle="-|>", mutation_scale=12, color="#0052cc"))
    for src, dst, label in EDGES:
        (x1, y1), (x2, y2) = centers[src], centers[dst]
        if src[0] == dst[0]:  # within one stack: vertical
            start, end = (x1, y1 - 0.5), (x2, y2 + 0.5)
        else:
            start, end = (x1 + 1.05, y1), (x2 - 1.05, y2)
        rad = -0.3 if label == "/api/" else 0.0  # /api/ arcs over the frontend stack
        if label == "/api/":
            start, end = (x1 + 0.6, y1 + 0.5), (x2 - 0.6, y2 + 0.5)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="#0052cc",
                                     connectionstyle=f"arc3,rad={rad}", lw=1.2))
        if label:
            lift = -rad * abs(end[0] - start[0]) / 2
            ax.text((start[0] + end[0]) / 2 + 0.12, (start[1] + end[1]) / 2 + 0.14 + lift, label, fontsize=8,
                    color="#0052cc", ha="center", backgroundcolor="white")
    ax.add_patch(FancyBboxPatch((0.8, 0.2), 10.0, 0.35, boxstyle="round,pad=0.02", fc="#deebff", ec="#0052cc"))
    ax.text(5.8, 0.3, f"오버레이 네트워크 {network()} (모든 스택이 함께 씀, 엔드포인트 모드: "
                      f"{swarm.network_modes()['ENDPOINT_MODE']})", ha="center", fontsize=9)
    ax.set_title("TODO 앱 구성 (실행 중인 엔진에서 읽은 서비스와 레플리카)", fontsize=11)
    return fig


def access_log(svc: str, tail: int = 5, *, contains: str = "") -> "pd.DataFrame":
    """The last JSON access-log lines of an nginx service (``docker service logs --raw --tail N SVC``).

    Args:
        svc: The nginx service (``dkc-todo-app_nginx``).
        tail: Lines to read per task.
        contains: Keep only requests whose ``uri`` contains this text.

    Returns:
        One row per request: time, method, uri, status, upstream, rt (seconds).
    """
    import pandas as pd

    shell_show(f"docker service logs --raw --tail {tail} {svc}")
    res = swarm.manager(["service", "logs", "--raw", "--tail", str(tail), svc], check=False, echo=False,
                        stream=False, timeout=60)
    rows = []
    for line in (res.stdout + "\n" + res.stderr).splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if contains in entry.get("uri", ""):
                rows.append({k: entry.get(k) for k in ("time", "method", "uri", "status", "upstream", "rt")})
    return pd.DataFrame(rows, columns=["time", "method", "uri", "status", "upstream", "rt"]).sort_values("time")
