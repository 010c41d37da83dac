"""One place for every name, label and host port the course uses.

A classroom sharing one host sets ``DOCKHELPERS_PREFIX`` (e.g. ``dkc-s07``) and ``DOCKHELPERS_PORT_OFFSET``
(e.g. ``700``) per student; nothing else in the course spells a name or a port.
"""

from __future__ import annotations

import os

#: Label carried by everything the course creates; cleanup removes only what has it.
COURSE_LABEL = "kr.dockercourse.managed"
#: Label naming the chapter ("01".."04") that created a resource.
CHAPTER_LABEL = "kr.dockercourse.chapter"
#: Label naming the name prefix (one per student on a shared classroom host).
PREFIX_LABEL = "kr.dockercourse.prefix"
DEFAULT_PREFIX = "dkc"
#: Environment variable overriding the name prefix (one per student on a shared classroom host).
PREFIX_ENV = "DOCKHELPERS_PREFIX"
#: Environment variable shifting every host port the course publishes.
PORT_OFFSET_ENV = "DOCKHELPERS_PORT_OFFSET"
#: The prefix a replaying kernel had before it switched to its recording's (names computed at import use it).
PREFIX_BEFORE_ENV = "DOCKHELPERS_REPLAY_PREFIX_BEFORE"
#: Label naming the classroom hub (its prefix) that created a resource; ``classroom down`` removes exactly these.
CLASSROOM_LABEL = "kr.dockercourse.classroom"
#: Label naming the student a classroom resource belongs to.
STUDENT_LABEL = "kr.dockercourse.student"
#: The classroom hub's ports (before the offset): public proxy, hub API, proxy API, registry, seeder, dashboard.
HUB_PORTS = {"public": 8600, "api": 8601, "proxy_api": 8602, "registry": 8603, "seed": 8604, "dashboard": 8605}
#: The course's only upstream image.
BASE_IMAGE = "debian:trixie-slim"


def prefix() -> str:
    """Name prefix of every course resource (``dkc`` unless ``DOCKHELPERS_PREFIX`` is set)."""
    return os.environ.get(PREFIX_ENV, DEFAULT_PREFIX)


def chapter_id(chapter: int | str) -> str:
    """Normalise a chapter number to the two-digit form used in labels (``2`` -> ``"02"``)."""
    return f"{int(chapter):02d}"


def labels(chapter: int | str | None = None) -> dict[str, str]:
    """Labels for a resource the course creates.

    Args:
        chapter: Chapter that creates it; omitted for course-wide resources.

    Returns:
        ``{"kr.dockercourse.managed": "true", "kr.dockercourse.prefix": "dkc", "kr.dockercourse.chapter": "02"}``.
    """
    result = {COURSE_LABEL: "true", PREFIX_LABEL: prefix()}
    if chapter is not None:
        result[CHAPTER_LABEL] = chapter_id(chapter)
    return result


def label_args(chapter: int | str | None = None) -> list[str]:
    """The same labels as CLI arguments: ``["--label", "k=v", ...]``."""
    args: list[str] = []
    for key, value in labels(chapter).items():
        args += ["--label", f"{key}={value}"]
    return args


def selector(chapter: int | str | None = None) -> dict[str, str]:
    """The labels that select the course's resources (of one chapter, and of one student's prefix).

    With the default prefix every course resource is selected; with ``DOCKHELPERS_PREFIX`` set (a shared
    classroom host) only that student's, so one student's cleanup never touches another's resources.
    """
    result = labels(chapter)
    if prefix() == DEFAULT_PREFIX:
        del result[PREFIX_LABEL]
    return result


def label_filters(chapter: int | str | None = None) -> list[str]:
    """Label filters selecting the course's resources (``docker ... ls --filter label=...``)."""
    return [f"{key}={value}" for key, value in selector(chapter).items()]


def name(what: str) -> str:
    """Container/volume/network/compose-project name: ``name("echo")`` -> ``"dkc-echo"``."""
    return f"{prefix()}-{what}"


def short(full: str) -> str:
    """The part of a course name after the prefix: ``short("dkc-ex-echo")`` -> ``"ex-echo"``.

    In a replay the kernel's prefix switched to the recording's after some names were computed with the one
    it started with (``dkc-s07-ex-echo``); that prefix is taken off too.
    """
    heads = sorted({f"{p}-" for p in (prefix(), os.environ.get(PREFIX_BEFORE_ENV)) if p}, key=len, reverse=True)
    return next((full[len(h):] for h in heads if full.startswith(h)), full)


def image(repo: str, tag: str = "latest") -> str:
    """Image reference for an image the course builds: ``image("echo")`` -> ``"dkc/echo:latest"``."""
    return f"{prefix()}/{repo}:{tag}"


def port_offset() -> int:
    """The shift added to every host port (``DOCKHELPERS_PORT_OFFSET``, default 0)."""
    return int(os.environ.get(PORT_OFFSET_ENV, "0"))


def port(number: int) -> int:
    """Host port for a lesson's port number, shifted by ``DOCKHELPERS_PORT_OFFSET`` (default 0)."""
    return number + port_offset()


def separate(suffix: str, offset: int) -> dict[str, str]:
    """Environment for a separate set of course resources beside the current one (a test's own lab).

    ``separate("t3", 300)`` with the default settings gives ``{"DOCKHELPERS_PREFIX": "dkc-t3",
    "DOCKHELPERS_PORT_OFFSET": "300"}``; under ``DOCKHELPERS_PREFIX=dkc-s07`` and offset 700 it gives
    ``dkc-s07-t3`` and 1000, so two people sharing an engine never share a lab.
    """
    return {PREFIX_ENV: f"{prefix()}-{suffix}", PORT_OFFSET_ENV: str(port_offset() + offset)}


def publish(host_port: int, container_port: int | str) -> str:
    """A ``-p`` value that binds to 127.0.0.1 only: ``publish(9000, 8080)`` -> ``"127.0.0.1:9000:8080"``."""
    return f"127.0.0.1:{port(host_port)}:{container_port}"


def classroom_labels(student: str | None = None) -> dict[str, str]:
    """Labels of a classroom hub resource (:mod:`dockhelpers.classroom`): the course's, the hub's, the student's."""
    result = {**labels(), CLASSROOM_LABEL: prefix()}
    if student:
        result[STUDENT_LABEL] = student
    return result


def hub_port(role: str) -> int:
    """A classroom hub port (``hub_port("public")`` -> 8600 plus the offset); see :data:`HUB_PORTS`."""
    return port(HUB_PORTS[role])
