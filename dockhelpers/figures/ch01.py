"""Chapter 1 figures: host-OS vs container virtualisation, and an image's layers with the tags on its ID.

Each function returns a :class:`matplotlib.figure.Figure`; a notebook cell shows it as its last value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

from dockhelpers.figures._draw import arrow, box, canvas

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

_VM_STACK = [(["하드웨어"], "#d9d9d9"), (["호스트 OS"], "#c6dbef"), (["하이퍼바이저 (VirtualBox 등)"], "#fdd0a2"),
             (["게스트 OS"] * 3, "#fdae6b"), (["라이브러리"] * 3, "#e5f5e0"), (["앱 A", "앱 B", "앱 C"], "#a1d99b")]
_CONTAINER_STACK = [(["하드웨어"], "#d9d9d9"), (["호스트 OS (커널 공유)"], "#c6dbef"),
                    (["도커 엔진 (dockerd)"], "#9ecae1"), (["라이브러리"] * 3, "#e5f5e0"),
                    (["앱 A", "앱 B", "앱 C"], "#a1d99b")]


def virtualization_stacks() -> "Figure":
    """Two stacks side by side: host-OS virtualisation (guest OS per VM) and containers (one shared kernel)."""
    from matplotlib.figure import Figure

    from dockhelpers.plots import use_korean_font

    use_korean_font()
    fig = Figure(figsize=(9, 3.6))
    for ax, title, layers in zip(fig.subplots(1, 2), ("호스트 OS형 가상화", "컨테이너형 가상화 (도커)"),
                                 (_VM_STACK, _CONTAINER_STACK)):
        ax.set_xlim(0, 3)
        ax.set_ylim(0, len(_VM_STACK))
        ax.axis("off")
        ax.set_title(title, fontsize=11)
        for row, (labels, colour) in enumerate(layers):
            width = 3 / len(labels)
            for i, label in enumerate(labels):
                box(ax, i * width + 0.04, row + 0.08, width - 0.08, 0.84, label, color=colour, size=8)
    fig.suptitle("게스트 OS 층이 있는가 없는가", fontsize=12)
    fig.subplots_adjust(top=0.82)
    return fig


def _short(created_by: str, width: int = 46) -> str:
    text = created_by.replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").strip()
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _size(n: int) -> str:
    if n <= 0:
        return "0 B"
    for unit, div in (("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


def _merge_labels(rows: list[Mapping]) -> list[Mapping]:
    """Fold consecutive ``LABEL`` history rows (one per ``--label``) into one row."""
    merged: list[dict] = []
    for row in rows:
        text = str(row.get("CreatedBy", ""))
        if "LABEL" in text and merged and "LABEL" in str(merged[-1].get("CreatedBy", "")):
            merged[-1]["CreatedBy"] = f"LABEL ... (--label {merged[-1].setdefault('_n', 1) + 1}개)"
            merged[-1]["_n"] += 1
            merged[-1]["Id"] = row.get("Id")
            continue
        merged.append(dict(row))
    return merged


def layers_and_tags(history: Iterable[Mapping], tags: Mapping[str, str], *, base: str = "debian:trixie-slim",
                    title: str = "이미지 = 레이어를 쌓은 것, 태그 = 이미지 ID를 가리키는 이름표") -> "Figure":
    """An image's layers bottom-up (``docker image history``), its ID on top, and each tag pointing at an ID.

    Args:
        history: ``client.images.get(ref).history()`` (newest first, as the engine returns it).
        tags: Tag -> image ID (``sha256:...``); tags of other IDs are drawn pointing at a second ID box.
        base: The base image's name, written beside its layers.
        title: The figure's title.

    Returns:
        The figure.
    """
    rows = _merge_labels(list(history)[::-1])  # oldest (FROM) first, drawn at the bottom
    top_id = (list(history)[0].get("Id") or "") if rows else ""
    ids = list(dict.fromkeys([top_id, *tags.values()]))
    height = max(4.0, 0.55 * len(rows) + 2.2)
    fig, ax = canvas(10, height, xlim=10, ylim=len(rows) + 3)
    ax.set_title(title, fontsize=11)
    tagged_base = [i for i, r in enumerate(rows) if base in (r.get("Tags") or [])]
    base_rows = tagged_base[-1] + 1 if tagged_base else 0
    for i, row in enumerate(rows):
        empty = int(row.get("Size") or 0) == 0
        color = "#eeeeee" if i < base_rows else ("#ffffff" if empty else "#c7e9c0")
        text = "(베이스 이미지의 레이어)" if i < base_rows and not row.get("CreatedBy") else _short(str(row.get("CreatedBy", "")))
        box(ax, 0.2, i + 0.55, 5.6, 0.8, f"{text}   ({_size(int(row.get('Size') or 0))})",
            color=color, style="--" if empty else "-", size=8)
    if base_rows:
        ax.text(6.0, base_rows / 2 + 0.55, f"FROM {base} (베이스 이미지)", ha="left", va="center", fontsize=8, color="#666")
    ax.text(6.0, len(rows) - 0.1, "점선: 크기 0인 메타데이터 층\n(CMD, LABEL)", ha="left", va="center", fontsize=7.5,
            color="#666")
    # Image ID boxes above the stack, tags to the right pointing at them.
    id_y = len(rows) + 1.0
    id_x = {image_id: 0.2 + 3.0 * n for n, image_id in enumerate(ids)}
    for image_id, x in id_x.items():
        short = image_id.split(":")[-1][:12] if image_id else "?"
        same = image_id == top_id
        box(ax, x, id_y, 2.7, 0.9, f"이미지 ID\n{short}", color="#fdd0a2" if same else "#fee6ce", size=8.5)
        if same:
            arrow(ax, (x + 1.35, id_y), (x + 1.35, len(rows) + 0.4), "맨 위 레이어 = 이 이미지", size=7.5,
                  offset=(1.3, -0.15))
    for n, (tag, image_id) in enumerate(tags.items()):
        y = len(rows) + 2.2 - n * 0.75
        box(ax, 7.0, y - 0.3, 2.8, 0.6, tag, color="#dadaeb", size=8)
        x = id_x.get(image_id, 0.2)
        arrow(ax, (7.0, y), (x + 2.7, id_y + 0.45), rad=0.1)
    return fig


def course_endpoint() -> "Figure":
    """The course endpoint between the learner's clients and the engine, with what it adds and the bypass."""
    fig, ax = canvas(9.5, 4.6, xlim=10, ylim=6.2)
    clients = (("노트북 셀\n%docker ...", 0.2), ("JupyterLab 터미널\ndocker ...", 2.6), ("도우미·위젯·채점\n(docker SDK)", 5.0))
    for text, x in clients:
        box(ax, x, 4.9, 2.2, 1.0, text, color="#deebf7", size=8.5)
        arrow(ax, (x + 1.1, 4.9), (x + 1.1 + (3.6 - x - 1.1) * 0.25, 3.9))
    box(ax, 0.2, 2.5, 7.0, 1.35,
        "과정 엔드포인트 (DOCKER_HOST=unix://…/dockercourse/docker.sock)\n"
        "만드는 것에 과정 라벨 · 포트는 127.0.0.1에만 · prune과 목록은 과정 것만\n"
        "과정이 만들지 않은 것은 멈추거나 지우지 않음 · 세션 기록(선택)",
        color="#fff2cc", size=8.5, weight="normal")
    arrow(ax, (3.7, 2.5), (3.7, 1.5), "그대로 전달 (스트림, exec -it, 빌드)", offset=(1.9, 0.05))
    box(ax, 0.2, 0.3, 7.0, 1.15, "도커 엔진 (Docker Desktop, Docker Engine, docker.io ...)", color="#e2f0d9", size=9)
    box(ax, 7.7, 2.2, 2.2, 2.9, "전문가용 우회\n\nDOCKER_HOST=\nunix:///var/run/\ndocker.sock\ndocker ...\n\n"
        "(라벨·보호 없음)", color="#f2f2f2", size=7.5, style="--")
    arrow(ax, (8.8, 2.2), (6.9, 1.45), style="--", color="#777777")
    return fig
