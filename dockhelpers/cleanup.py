"""Remove what the course created, and nothing else.

Only resources carrying the course label (``kr.dockercourse.managed=true``, optionally one chapter's
``kr.dockercourse.chapter``) are ever touched. The plan is shown first, with the CLI commands that do the
same thing by label filter. Never an unfiltered prune.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockhelpers import naming
from dockhelpers.engine import client
from dockhelpers.shell import show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

KINDS = ("service", "container", "volume", "network", "image")
_KIND_KO = {"service": "서비스", "container": "컨테이너", "volume": "볼륨", "network": "네트워크", "image": "이미지"}


@dataclass(frozen=True)
class Item:
    """One resource to remove."""

    kind: str
    name: str
    id: str


def _filters(chapter: int | str | None) -> dict[str, list[str]]:
    return {"label": naming.label_filters(chapter)}


def _labelled(attrs_labels: dict[str, str] | None, chapter: int | str | None) -> bool:
    """Second guard, on the object itself: it must carry every course label asked for."""
    labels = attrs_labels or {}
    return all(labels.get(k) == v for k, v in naming.selector(chapter).items())


def plan(chapter: int | str | None = None, *, images: bool = True) -> list[Item]:
    """List the course's resources (all chapters, or one) in removal order.

    Args:
        chapter: Only this chapter's resources.
        images: Include images (keep them to reuse the build cache in the next chapter or run).

    Returns:
        Services, containers, volumes, networks, then images (newest first).
    """
    c = client()
    flt = _filters(chapter)
    items: list[Item] = []
    if c.info().get("Swarm", {}).get("ControlAvailable"):
        for s in c.services.list(filters=flt):
            if _labelled(s.attrs.get("Spec", {}).get("Labels"), chapter):
                items.append(Item("service", s.name, s.id))
    for ct in c.containers.list(all=True, filters=flt, ignore_removed=True):  # one gone meanwhile is not an error
        if _labelled(ct.labels, chapter):
            items.append(Item("container", ct.name, ct.id))
    for v in c.volumes.list(filters=flt):
        if _labelled(v.attrs.get("Labels"), chapter):
            items.append(Item("volume", v.name, v.name))
    for n in c.networks.list(filters=flt):
        if _labelled(n.attrs.get("Labels"), chapter):
            items.append(Item("network", n.name, n.id))
    if not images:
        return items
    found = [i for i in c.images.list(all=False, filters=flt) if _labelled(i.labels, chapter)]
    found.sort(key=lambda i: i.attrs.get("Created", ""), reverse=True)
    for img in found:
        for t in img.tags or [img.id]:
            items.append(Item("image", t if t != img.id else f"<none> ({img.short_id})", img.id if t == img.id else t))
    return items


def plan_table(items: list[Item]) -> "pd.DataFrame":
    """The plan as a Korean table (종류, 이름)."""
    import pandas as pd

    return pd.DataFrame([{"종류": _KIND_KO[i.kind], "이름": i.name} for i in items], columns=["종류", "이름"])


def cli_equivalent(chapter: int | str | None = None, *, images: bool = True) -> list[str]:
    """The docker CLI commands that remove the same resources by label filter."""
    flt = " ".join(f"--filter label={f}" for f in naming.label_filters(chapter))
    commands = [
        f"docker container rm -f $(docker container ls -aq {flt})",
        f"docker volume rm $(docker volume ls -q {flt})",
        f"docker network rm $(docker network ls -q {flt})",
    ]
    return commands + ([f"docker image rm $(docker image ls -q {flt})"] if images else [])


def cleanup(chapter: int | str | None = None, *, images: bool = True, yes: bool = True,
            quiet: bool = False) -> list[Item]:
    """Show, then remove, every resource the course (or one chapter) created.

    CLI equivalent: ``docker container rm -f $(docker container ls -aq --filter label=kr.dockercourse.managed=true)``
    and the same for volumes, networks and images.

    Args:
        chapter: Only this chapter's resources; None for the whole course.
        images: Remove the images too (False keeps them as a build cache for later chapters).
        yes: Remove without asking (a terminal caller asks first and passes ``yes=True``).
        quiet: Print nothing.

    Returns:
        The items that were removed.
    """
    from docker.errors import APIError, NotFound

    items = plan(chapter, images=images)
    scope = f"{naming.chapter_id(chapter)}장" if chapter is not None else "과정 전체"
    if not quiet:
        if not items:
            print(f"정리할 리소스가 없습니다({scope}).")
            return []
        print(f"다음 {len(items)}개 리소스를 지웁니다({scope}, 과정 라벨이 붙은 것만):")
        for i in items:
            print(f"  - {_KIND_KO[i.kind]}: {i.name}")
        for cmd in cli_equivalent(chapter, images=images):
            show(cmd)
    if not yes:
        return []
    c = client()
    removed: list[Item] = []
    for item in items:
        try:
            if item.kind == "service":
                c.services.get(item.id).remove()
            elif item.kind == "container":
                c.containers.get(item.id).remove(force=True, v=False)
            elif item.kind == "volume":
                c.volumes.get(item.id).remove(force=True)
            elif item.kind == "network":
                c.networks.get(item.id).remove()
            else:
                c.images.remove(item.id, force=False, noprune=False)
            removed.append(item)
        except NotFound:
            removed.append(item)
        except APIError as exc:
            if not quiet:
                print(f"  ! {_KIND_KO[item.kind]} {item.name}: 지우지 못했습니다 ({exc.explanation})")
    if not quiet:
        print(f"{len(removed)}개를 지웠습니다.")
    return removed
