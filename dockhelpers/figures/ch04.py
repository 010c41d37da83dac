"""Chapter 4 figures: the TODO app's architecture (before anything is deployed), the primary/replica
replication flow (4.2), and a rolling update over time (requests and running task versions, 4.6).

Each function returns a :class:`matplotlib.figure.Figure`; a notebook cell shows it as its last value.
The live architecture, drawn from the engine once the stacks run, is :func:`dockhelpers.todo.architecture_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from dockhelpers.figures._draw import arrow, box, canvas

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

_STACK = "#f4f5f7"
_SVC = "#deebf7"
_DB = "#fdd0a2"
_BLUE = "#0052cc"
_RED = "#cf222e"


def todo_architecture() -> "Figure":
    """The request path through the four stacks, drawn from the design (nothing needs to be deployed)."""
    fig, ax = canvas(11, 4.4, xlim=16, ylim=6.6)
    stacks = [(1.3, "스택 ingress", ["nginx\n(입구, :8001)"]),
              (4.6, "스택 frontend", ["nginx\n(정적 파일)", "web\n(HTML 렌더링)"]),
              (8.1, "스택 app", ["nginx\n(API 앞)", "api ×2\n(JSON)"]),
              (11.6, "스택 db", ["primary\n(쓰기)", "replica ×2\n(읽기)"])]
    centers = {}
    for x, title, services in stacks:
        box(ax, x, 0.5, 3.1, 4.7, "", color=_STACK)
        ax.text(x + 1.55, 4.9, title, ha="center", fontsize=9.5, fontweight="bold")
        for j, text in enumerate(services):
            y = 3.2 - j * 2.1
            box(ax, x + 0.3, y, 2.5, 1.3, text, color=_DB if "stack db" in title or "db" in title else _SVC, size=8.5)
            centers[(title, j)] = (x + 1.55, y + 0.65)
    box(ax, 0.0, 3.2, 1.1, 1.3, "브라우저\n127.0.0.1", color="#e5f5e0", size=7.5)
    arrow(ax, (1.1, 3.85), (1.6, 3.85), color=_BLUE)
    arrow(ax, (4.1, 3.85), (4.9, 3.85), "/", color=_BLUE, offset=(0, 0.12))
    arrow(ax, (6.15, 3.2), (6.15, 2.4), "/ (HTML)", color=_BLUE, offset=(0.75, -0.2))
    arrow(ax, (7.4, 1.75), (8.4, 3.6), "API 호출", color=_BLUE, offset=(-0.45, 0.1))
    arrow(ax, (4.1, 4.3), (8.4, 4.3), "/api/ (입구에서 API로 바로)", color="#777777", style="--",
          offset=(0.0, 0.55), rad=-0.25)
    arrow(ax, (9.65, 3.2), (9.65, 2.4), color=_BLUE)
    arrow(ax, (10.9, 1.75), (11.9, 3.85), "쓰기", color=_RED, offset=(-0.15, 0.2))
    arrow(ax, (10.9, 1.55), (11.9, 1.55), "읽기", color=_BLUE, offset=(0, 0.1))
    arrow(ax, (13.15, 3.2), (13.15, 2.4), "복제", color="#b35806", offset=(0.45, -0.2))
    ax.text(8.0, 0.05, "네 스택이 오버레이 네트워크 하나(dkc-todo)를 함께 쓰고, 서로 서비스 이름(DNS)으로 찾습니다",
            ha="center", fontsize=8.5, color="#444444")
    fig.suptitle("TODO 앱의 구성: 요청은 왼쪽에서 오른쪽으로", fontsize=11)
    return fig


def replication_flow(server_ids: Sequence[str] = ("1", "11", "12")) -> "Figure":
    """How a replica joins: snapshot with the binary-log position, ``CHANGE MASTER TO``, then the IO and SQL
    threads follow the primary's binary log.

    Args:
        server_ids: The primary's and the replicas' ``server-id`` values, in that order.

    Returns:
        The figure.
    """
    fig, ax = canvas(11, 4.6, xlim=16, ylim=7)
    primary_id, *replica_ids = list(server_ids) or ["1"]
    box(ax, 0.3, 0.4, 5.2, 5.8, f"primary (server-id {primary_id})", color=_DB, align="top", size=9.5)
    box(ax, 0.7, 3.6, 4.4, 1.3, "tododb.todo 테이블\nINSERT / UPDATE (API의 쓰기)", color="#ffffff", size=8)
    box(ax, 0.7, 1.0, 4.4, 1.6, "바이너리 로그 mysql-bin.000002\n위치 342, 343 ... 변경이 차례로 쌓임\n(SHOW BINLOG STATUS)",
        color="#fff5eb", size=8)
    arrow(ax, (2.9, 3.6), (2.9, 2.6), "기록", offset=(0.4, -0.15))
    for k, rid in enumerate(replica_ids[:2] or ["11"]):
        y = 3.6 - k * 3.2
        box(ax, 9.8, y - 0.1, 5.9, 3.0, f"replica (server-id {rid}, read-only)", color="#e5f5e0", align="top",
            size=9)
        box(ax, 10.0, y + 1.25, 2.6, 0.95, "IO 스레드\n-> 릴레이 로그", color="#ffffff", size=7.5)
        box(ax, 12.9, y + 1.25, 2.6, 0.95, "SQL 스레드\n-> 테이블에 적용", color="#ffffff", size=7.5)
        box(ax, 10.0, y + 0.1, 5.5, 0.85, "(1) 스냅숏(mariadb-dump --master-data=2)  (2) CHANGE MASTER TO 파일, 위치",
            color="#f7f7f7", size=7)
        arrow(ax, (12.6, y + 1.72), (12.9, y + 1.72))
        arrow(ax, (5.1, 1.8), (10.0, y + 1.72), "(3) START REPLICA: 그 위치부터 받아 감" if k == 1 else "",
              color=_BLUE, offset=(0.3, -0.75 if k == 1 else 0), rad=-0.1 if k == 0 else 0.1)
    arrow(ax, (5.1, 4.25), (10.0, 4.0), "처음 한 번: 스냅숏 + 위치", color="#b35806", style="--", offset=(0, 0.25))
    ax.text(8.0, 6.55, "server-id가 모두 달라야 프라이머리가 레플리카를 구별합니다", ha="center", fontsize=8.5,
            color="#444444")
    fig.suptitle("4.2 복제의 흐름: 프라이머리의 바이너리 로그를 레플리카가 따라 적용", fontsize=11)
    return fig


def rolling_timeline(samples: Sequence[tuple], tasks: Sequence[tuple] = (), *, old: str = "1",
                     new: str = "2") -> "Figure":
    """A rolling update over time: each request (which API version answered, or failed) and the running
    tasks per image tag.

    Args:
        samples: ``(seconds, path, status, api_version)`` per request (:attr:`todo.LoadResult.samples`).
        tasks: ``(seconds, {tag: running})`` snapshots (:attr:`todo.LoadResult.tasks`).
        old: The API version before the update (``"1"``).
        new: The API version after it (``"2"``).

    Returns:
        The figure.
    """
    from matplotlib.figure import Figure

    from dockhelpers.plots import use_korean_font

    use_korean_font()
    fig = Figure(figsize=(9.5, 4.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.1, 1])
    rows = {"v" + old: 2, "v" + new: 1, "실패": 0}
    colors = {"v" + old: "#6baed6", "v" + new: "#31a354", "실패": _RED}
    for label, y in rows.items():
        xs = []
        for t, _path, status, version in samples:
            failed = not (200 <= int(status or 0) < 300)
            if (label == "실패" and failed) or (not failed and version and "v" + version == label):
                xs.append(t)
        top.scatter(xs, [y] * len(xs), s=10, color=colors[label], label=f"{label} ({len(xs)}개)")
    top.set_yticks(list(rows.values()), list(rows.keys()))
    top.set_ylim(-0.6, 2.6)
    top.set_title("요청마다: 어느 API 버전이 답했나 (/api/todo), 실패한 요청", fontsize=9.5)
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    top.grid(axis="x", alpha=0.3)
    if tasks:
        times = [t for t, _ in tasks]
        for tag, color in (("v" + old, colors["v" + old]), ("v" + new, colors["v" + new])):
            bottom.step(times, [counts.get(tag, 0) for _, counts in tasks], where="post", color=color,
                        label=f"{tag} 태스크", linewidth=2)
        bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        bottom.yaxis.get_major_locator().set_params(integer=True)
    else:
        bottom.text(0.5, 0.5, "태스크 기록 없음", ha="center", va="center", transform=bottom.transAxes)
    bottom.set_ylabel("Running 태스크")
    bottom.set_xlabel("업데이트 시작부터 경과 시간(초)")
    bottom.set_title("docker service ps: 버전별 Running 태스크 수 (start-first: 새 태스크가 먼저 뜨고, 옛 태스크는 잠시 더 응답)", fontsize=9.5)
    bottom.grid(alpha=0.3)
    fig.suptitle("롤링 업데이트를 시간으로 보기", fontsize=11)
    return fig
