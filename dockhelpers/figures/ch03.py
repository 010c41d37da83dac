"""Chapter 3 figures: where persistent data lives (bind mount, named volume, ``--volumes-from``) and how
requests reach a Swarm service from outside (routing mesh with VIP, or DNS round robin with host-mode ports).

Each function returns a :class:`matplotlib.figure.Figure`; a notebook cell shows it as its last value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockhelpers.figures._draw import arrow, box, canvas

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

_HOST = "#f7f7f7"
_CONTAINER = "#deebf7"
_DATA = "#fdd0a2"
_NODE = "#f2f0f7"
_TASK = "#c7e9c0"
_RED = "#cf222e"


def storage_kinds() -> "Figure":
    """Three panels: a bind mount (a host folder), a named volume (Docker's own storage) and a data-volume
    container whose volumes other containers take over with ``--volumes-from``."""
    fig, ax = canvas(11, 4.2, xlim=15, ylim=6.4)
    titles = ["바인드 마운트\n-v /호스트/경로:/out", "이름 있는 볼륨\n-v 볼륨이름:/notes (--mount)",
              "데이터 볼륨 컨테이너\n--volumes-from 데이터컨테이너"]
    for i, title in enumerate(titles):
        x = 0.2 + i * 5
        box(ax, x, 0.2, 4.6, 5.2, "", color=_HOST)
        ax.text(x + 2.3, 5.85, title, ha="center", va="center", fontsize=9.5)
    # 1. bind mount: a host folder the learner chose
    box(ax, 0.5, 3.5, 2.2, 1.5, "도구 컨테이너\n(--rm, 곧 사라짐)\n/out", color=_CONTAINER, size=8)
    box(ax, 0.5, 0.6, 4.0, 1.3, "호스트 폴더 ch03/_work/bind\nbadge.svg (내가 고른 경로)", color=_DATA, size=8)
    arrow(ax, (1.6, 3.5), (1.6, 1.9), "같은 폴더", offset=(0.75, 0))
    ax.text(3.6, 3.0, "호스트의 경로\n구조에 기댐", ha="center", fontsize=8, color="#555555")
    # 2. named volume: Docker decides where the data lives
    box(ax, 5.4, 3.5, 1.9, 1.5, "컨테이너 A\n쓰기", color=_CONTAINER, size=8)
    box(ax, 7.6, 3.5, 1.9, 1.5, "컨테이너 B\nreadonly 읽기", color=_CONTAINER, size=8)
    box(ax, 5.5, 0.6, 4.0, 1.3, "볼륨 dkc-notes\n(도커가 관리: /var/lib/docker/volumes/...)", color=_DATA, size=8)
    arrow(ax, (6.35, 3.5), (6.8, 1.9))
    arrow(ax, (8.55, 3.5), (8.2, 1.9), style="--")
    # 3. data-volume container: the volume is reached through a container's name
    box(ax, 10.4, 2.3, 2.0, 1.2, "dkc-mysql-data\n(created, 실행 안 함)", color="#e5e5e5", size=7.5)
    box(ax, 10.4, 4.0, 2.0, 1.1, "DB 컨테이너\n--volumes-from", color=_CONTAINER, size=7.5)
    box(ax, 12.6, 4.0, 2.0, 1.1, "백업 컨테이너\n--volumes-from + -v", color=_CONTAINER, size=7.5)
    box(ax, 10.5, 0.5, 4.0, 1.2, "볼륨 dkc-mysql-data\n/var/lib/mysql", color=_DATA, size=8)
    arrow(ax, (11.4, 2.3), (11.6, 1.7), "볼륨을 들고 있음", offset=(1.5, -0.15))
    arrow(ax, (11.4, 4.0), (11.4, 3.5), "물려받음", offset=(0.55, -0.1))
    arrow(ax, (13.6, 4.0), (12.4, 3.1), "물려받음", offset=(0.9, 0.05))
    fig.suptitle("퍼시스턴스 데이터는 어디에 있나: 컨테이너가 지워져도 남는 세 가지 방법", fontsize=11)
    return fig


def swarm_publishing(ipvs: bool | None = None) -> "Figure":
    """Two panels: the routing mesh (every node listens, IPVS forwards to a VIP's tasks) and the fallback
    (``endpoint_mode: dnsrr`` + ``mode: host`` ports: only the node that runs the task listens).

    Args:
        ipvs: What the learner's kernel supports (True: the mesh is used, False: the fallback, None: unknown);
            the panel in use is marked.

    Returns:
        The figure.
    """
    fig, ax = canvas(11, 4.6, xlim=16, ylim=7.2)
    panels = [(0.2, "라우팅 메시 (ingress 네트워크 + VIP, IPVS 필요)", ipvs is True),
              (8.2, "host 모드 포트 + DNS 라운드 로빈 (dnsrr)", ipvs is False)]
    for x0, title, used in panels:
        box(ax, x0, 0.2, 7.6, 6.0, "", color=_HOST, edge=_RED if used else "#555555")
        ax.text(x0 + 3.8, 6.65, title + ("  ← 이 컴퓨터" if used else ""), ha="center", fontsize=9.5,
                color=_RED if used else "#222222", fontweight="bold" if used else "normal")
        for j, node in enumerate(["manager", "worker01", "worker02"]):
            nx = x0 + 0.3 + j * 2.45
            box(ax, nx, 0.5, 2.25, 3.3, node, color=_NODE, align="top", size=8)
    # left: every node opens :8000; IPVS picks a task anywhere
    for j in range(3):
        nx = 0.5 + j * 2.45
        box(ax, nx + 0.15, 2.5, 1.95, 0.6, ":8000 (IPVS)", color="#fee6ce", size=7.5)
        if j > 0:
            box(ax, nx + 0.15, 0.8, 1.95, 0.9, "api 태스크", color=_TASK, size=7.5)
    box(ax, 2.0, 4.6, 4.0, 0.9, "클라이언트: 아무 노드의 :8000", color="#e5f5e0", size=8)
    for j in range(3):
        arrow(ax, (4.0, 4.6), (1.6 + j * 2.45, 3.1), style="-" if j == 0 else "--")
    arrow(ax, (1.6, 2.5), (3.9, 1.7), "전달", offset=(-0.6, 0.0), color="#0052cc")
    ax.text(4.0, 5.8, "어느 노드로 들어와도 됨, 이름 api = VIP 하나", ha="center", fontsize=7.5, color="#555555")
    # right: only the node running the published task listens; the name resolves to every task IP
    box(ax, 8.65, 2.5, 1.95, 0.6, ":8000 (host)", color="#fee6ce", size=7.5)
    box(ax, 8.65, 1.3, 1.95, 0.9, "nginx 태스크", color=_TASK, size=7.5)
    for j in (1, 2):
        box(ax, 8.65 + j * 2.45, 0.8, 1.95, 0.9, "api 태스크", color=_TASK, size=7.5)
        ax.text(9.6 + j * 2.45, 2.75, "포트 없음", ha="center", fontsize=7.5, color=_RED)
    box(ax, 10.0, 4.6, 4.0, 0.9, "클라이언트: nginx가 있는 노드의 :8000", color="#e5f5e0", size=8)
    arrow(ax, (11.0, 4.6), (9.6, 3.1))
    arrow(ax, (13.0, 4.6), (12.1, 3.1), "연결 거부", color=_RED, style="--", offset=(1.0, -0.1))
    arrow(ax, (10.6, 1.75), (11.1, 1.25), color="#0052cc")
    arrow(ax, (10.6, 1.5), (13.55, 1.1), color="#0052cc", rad=0.25)
    ax.text(12.0, 5.8, "nginx가 DNS로 api = 태스크 IP 목록을 받아 나눔", ha="center", fontsize=7.5, color="#555555")
    fig.suptitle("스웜 서비스에 바깥에서 닿는 두 가지 길", fontsize=11)
    return fig
