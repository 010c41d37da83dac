"""Chapter 2 figures: port forwarding (``-p``), the multi-service Compose project, and the SSH key flow
between the job controller and the agent (2.6).

Each function returns a :class:`matplotlib.figure.Figure`; a notebook cell shows it as its last value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockhelpers.figures._draw import arrow, box, canvas

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def port_forwarding(host_port: int | None, container_port: int = 8080, *, host_ip: str = "127.0.0.1",
                    container: str = "dkc-echo") -> "Figure":
    """Who can reach a container's port: without ``-p``, with ``-p 127.0.0.1:H:C``, with ``-p H:C``.

    Args:
        host_port: The published host port, or None to draw the case without ``-p``.
        container_port: The port the app listens on inside the container.
        host_ip: The address the host port is bound to (``127.0.0.1`` or ``0.0.0.0``).
        container: The container's name.

    Returns:
        The figure.
    """
    fig, ax = canvas(9.5, 3.6, xlim=10, ylim=6)
    box(ax, 2.6, 0.3, 7.2, 5.2, "호스트 (도커 엔진이 도는 컴퓨터)", color="#f7f7f7", align="top", size=9)
    box(ax, 6.0, 0.8, 3.5, 3.3, f"컨테이너 {container}", color="#deebf7", align="top", size=9)
    box(ax, 6.6, 1.3, 2.4, 0.9, f"앱: :{container_port}에서 대기", color="#c6dbef", size=8.5)
    box(ax, 2.9, 3.9, 2.4, 0.9, "curl / 브라우저\n(이 컴퓨터)", color="#e5f5e0", size=8.5)
    box(ax, 0.1, 0.9, 2.1, 0.9, "다른 컴퓨터", color="#fee6ce", size=8.5)
    if host_port is None:
        title = f"-p 없음: 컨테이너의 {container_port} 포트는 컨테이너 네트워크 안에만 있습니다"
        arrow(ax, (4.1, 3.9), (6.0, 2.7), "127.0.0.1:? 연결 거부", color="#cf222e", style="--", offset=(-0.4, 0.1))
        arrow(ax, (2.2, 1.35), (6.6, 1.6), "연결 불가", color="#cf222e", style="--", offset=(0, -0.45))
    else:
        title = f"-p {host_ip}:{host_port}:{container_port}: 호스트 포트 {host_port} -> 컨테이너 포트 {container_port}"
        box(ax, 3.0, 1.7, 2.2, 0.9, f"호스트 포트\n{host_ip}:{host_port}", color="#fdd0a2", size=8.5)
        arrow(ax, (4.1, 3.9), (4.1, 2.6), f"http://127.0.0.1:{host_port}/", offset=(1.15, -0.1))
        arrow(ax, (5.2, 2.15), (6.6, 1.75), "포워딩", offset=(0, 0.1))
        reachable = host_ip in ("0.0.0.0", "", "::")
        arrow(ax, (2.2, 1.35), (3.0, 1.95), "접속됨" if reachable else "거부 (127.0.0.1에만 열림)",
              color="#333333" if reachable else "#cf222e", style="-" if reachable else "--", offset=(-0.3, -0.75))
    ax.set_title(title, fontsize=10)
    return fig


def compose_project(project: str, services: dict[str, str], *, published: str = "",
                    volume: str = "") -> "Figure":
    """A Compose project: its services on the project network, a published port and a named volume.

    Args:
        project: The project name (``-p``).
        services: Service name -> one-line description, in drawing order.
        published: ``"127.0.0.1:9010->echo:8080"``-style text for the published port (drawn on the first service).
        volume: ``"volume -> service:/path"``-style text for the named volume (drawn on the last service).

    Returns:
        The figure.
    """
    n = max(len(services), 1)
    fig, ax = canvas(9.5, 3.4, xlim=10, ylim=6)
    box(ax, 0.2, 0.3, 9.6, 5.0, f"프로젝트 {project}: 네트워크 {project}_default (서비스 이름이 곧 DNS 이름)",
        color="#f7f7f7", align="top", size=9)
    width = 8.8 / n
    centers = []
    for i, (name, text) in enumerate(services.items()):
        x = 0.6 + i * width
        box(ax, x, 1.8, width - 0.6, 2.2, f"서비스 {name}\n컨테이너 {project}-{name}-1\n\n{text}", color="#deebf7",
            size=8)
        centers.append(x + (width - 0.6) / 2)
    for left, right in zip(centers, centers[1:]):
        arrow(ax, (right - width / 2 + 0.3, 2.9), (left + width / 2 - 0.3, 2.9), "", rad=0.0)
    if published:
        ax.text(centers[0], 4.35, f"ports: {published}", ha="center", fontsize=8.5, color="#b35806")
    if volume:
        box(ax, centers[-1] - 1.4, 0.5, 2.8, 0.8, f"볼륨 {volume}", color="#fdd0a2", size=8)
    ax.set_title("compose.yaml 하나 = 서비스 여러 개 + 네트워크 + 볼륨", fontsize=10)
    return fig


def ssh_key_flow() -> "Figure":
    """The 2.6 lab: (1) key pair made in the controller, (2) the public key to the agent by environment variable,
    (3) the controller runs a job on the agent over SSH (the private key never leaves the controller)."""
    fig, ax = canvas(10, 4.4, xlim=10, ylim=7)
    box(ax, 0.2, 0.4, 3.6, 5.6, "controller 컨테이너", color="#deebf7", align="top", size=9.5)
    box(ax, 6.2, 0.4, 3.6, 5.6, "agent 컨테이너 (sshd)", color="#e5f5e0", align="top", size=9.5)
    box(ax, 0.5, 3.7, 3.0, 1.1, "(1) exec: ssh-keygen\n비밀 키 id_ed25519 (밖으로 안 나감)", color="#fdd0a2", size=8)
    box(ax, 0.5, 2.3, 3.0, 0.9, "공개 키 id_ed25519.pub", color="#fff5eb", size=8)
    box(ax, 0.5, 0.7, 3.0, 1.0, "볼륨 controller-home\n(키, known_hosts, 작업 기록)", color="#f2f0f7", size=8)
    box(ax, 4.0, 5.8, 2.0, 1.0, "agent.env\nAGENT_SSH_PUBKEY=…", color="#ffffcc", size=8)
    box(ax, 6.5, 3.7, 3.0, 1.1, "authorized_keys\n(시작할 때 환경 변수에서 씀)", color="#c7e9c0", size=8)
    box(ax, 6.5, 0.7, 3.0, 1.0, "작업 실행: hostname, df ...", color="#ffffff", size=8)
    arrow(ax, (2.0, 3.7), (2.0, 3.2))
    arrow(ax, (3.5, 2.75), (4.3, 5.8), "(2) 공개 키만 복사", offset=(1.2, -0.6), rad=-0.2)
    arrow(ax, (6.0, 6.3), (8.0, 4.8), "env_file -> 환경 변수", offset=(1.6, 0.55), rad=-0.2)
    arrow(ax, (3.5, 1.5), (6.5, 1.2), "(3) ssh agent\n(서비스 이름으로 접속,\n비밀 키로 인증)", offset=(0, 0.3))
    ax.set_title("2.6 컨트롤러와 에이전트: SSH 키가 오가는 길", fontsize=10.5)
    return fig


def prune_before_after(before, after) -> "Figure":
    """``docker system df`` sizes per type before and after the label-filtered prunes (2.4).

    Args:
        before: DataFrame with columns 종류 and 크기(MB), read before the prunes.
        after: The same, read after.

    Returns:
        The figure.
    """
    from dockhelpers.plots import use_korean_font
    from matplotlib.figure import Figure

    use_korean_font()
    fig = Figure(figsize=(8, 3), layout="constrained")
    ax = fig.subplots()
    x = list(range(len(before)))
    ax.bar([i - 0.2 for i in x], before["크기(MB)"], width=0.4, label="prune 전")
    ax.bar([i + 0.2 for i in x], after["크기(MB)"], width=0.4, label="prune 후")
    ax.set_xticks(x, list(before["종류"]))
    ax.set_ylabel("크기(MB)")
    ax.set_title("docker system df: 라벨 필터 prune 전과 후 (엔진 전체)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return fig
