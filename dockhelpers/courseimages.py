"""The registry of images each chapter needs, and how to make each one with the course's own build helpers.

One row per image a notebook (or its exercises' helpers, the Swarm lab, the TODO app) builds from the
chapter's files under ``notebooks/chNN/``. Exercise answers (``dkc/ex-hello:v1``, ``dkc/helloworld:a``...)
are deliberately absent: preparing them would solve the exercises. Every course image starts from
``debian:trixie-slim`` (:data:`dockhelpers.naming.BASE_IMAGE`), which :func:`dockhelpers.baseimage.ensure_base_image`
provides.

``python -m dockhelpers prepare`` (:mod:`dockhelpers.prepare`) walks this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dockhelpers import naming

#: The chapters of the course.
CHAPTERS = (1, 2, 3, 4)
#: Where the chapters' build files live.
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@dataclass(frozen=True)
class CourseImage:
    """One image the course builds.

    Attributes:
        repo: Repository without the prefix (``"echo"`` -> ``dkc/echo``).
        tag: Tag.
        chapter: Chapter label the image carries (the chapter that first builds it).
        used_by: Chapters whose notebook uses the image.
        context: Build context, relative to ``notebooks/``.
        dockerfile: Dockerfile name inside the context (``-f``), when not ``Dockerfile``.
        buildargs: ``--build-arg`` values (a function, so that references follow ``DOCKHELPERS_PREFIX``).
        target: Stage of a multi-stage Dockerfile (``--target``).
        compose: Compose file (relative to ``notebooks/``) whose ``build`` makes the image; None for a plain build.
        project: Compose project name suffix (``naming.name(project)``).
        service: The compose service that builds the image.
        download_mb: Debian packages a cold build downloads, in MB (rough, see :data:`IMAGES`).
        disk_mb: What the image adds to the base image on disk, in MB.
    """

    repo: str
    tag: str = "latest"
    chapter: int = 1
    used_by: tuple[int, ...] = ()
    context: str = ""
    dockerfile: str | None = None
    buildargs: Callable[[], dict[str, str]] | None = field(default=None, compare=False)
    target: str | None = None
    compose: str | None = None
    project: str | None = None
    service: str | None = None
    download_mb: float = 0.0
    disk_mb: float = 0.0

    @property
    def ref(self) -> str:
        """The image reference under the current prefix (``dkc/echo:latest``)."""
        return naming.image(self.repo, self.tag)

    def command(self) -> str:
        """The CLI equivalent of making this image (for display)."""
        if self.compose:
            return (f"docker compose -p {naming.name(self.project or self.repo)} -f notebooks/{self.compose} "
                    f"build {self.service or ''}").strip()
        from dockhelpers.images import build_command
        from dockhelpers.shell import format_command

        return format_command(build_command(f"notebooks/{self.context}", self.ref, chapter=self.chapter,
                                            dockerfile=self.dockerfile, buildargs=self.args(), target=self.target))

    def args(self) -> dict[str, str] | None:
        """The build arguments, resolved now."""
        return self.buildargs() if self.buildargs else None

    def build(self, on_line: Callable[[str], None] | None = None, *, nocache: bool = False) -> None:
        """Make the image with the course's helpers (``images.build`` or ``compose ... build``).

        Args:
            on_line: Called with every build log line.
            nocache: Build without the layer cache (``--no-cache``; the benchmark's cold build).
        """
        if self.compose:
            from dockhelpers.compose import compose

            args = ["build", *(["--no-cache"] if nocache else []), *([self.service] if self.service else [])]
            compose(naming.name(self.project or self.repo), args, file=NOTEBOOKS / self.compose,
                    env={"DKC_PREFIX": naming.prefix()}, stream=False, on_line=on_line)
            return
        from dockhelpers import images

        images.build(NOTEBOOKS / self.context, self.ref, chapter=self.chapter, dockerfile=self.dockerfile,
                     buildargs=self.args(), target=self.target, nocache=nocache, quiet=True, on_line=on_line)


def _todo_nginx_arg() -> dict[str, str]:
    return {"NGINX_IMAGE": naming.image("todo-nginx", "v1")}


def _blob_args() -> dict[str, str]:
    return {"STAMP": "1"}


def _echo_v2_args() -> dict[str, str]:
    return {"APP_VERSION": "2.0", "GREETING": "안녕하세요 도커!!"}


#: Every image the notebooks build, in build order (an image built from another comes after it).
#: download_mb / disk_mb: measured here with benchmarks/prepare_bundle.py (each Dockerfile built once with
#: --no-cache; apt's "Need to get"; image size minus the 79 MB base). jobs-agent's download is estimated and
#: bookworm's is debootstrap's (apt does not report it). echo:v2 shares echo's python3 layer (same RUN step),
#: so it adds nothing; the other sums still overstate a little where Dockerfiles repeat a step.
IMAGES: tuple[CourseImage, ...] = (
    CourseImage("helloworld", chapter=1, used_by=(1,), context="ch01/helloworld"),
    CourseImage("bookworm", chapter=1, used_by=(1,), context="ch01/bookworm", download_mb=40, disk_mb=106),
    CourseImage("echo", chapter=2, used_by=(2, 3, 4), context="ch02/echo", download_mb=6.4, disk_mb=35),
    CourseImage("echo", "v2", chapter=2, used_by=(2,), context="ch02/echo", dockerfile="Dockerfile.v2",
                buildargs=_echo_v2_args),
    CourseImage("today", chapter=2, used_by=(2,), context="ch02/entrypoint"),
    CourseImage("blob", chapter=2, used_by=(2,), context="ch02/pulldemo", buildargs=_blob_args, disk_mb=20),
    CourseImage("registry", chapter=2, used_by=(2,), context="ch02/registry", download_mb=5.7, disk_mb=24),
    CourseImage("echo-compose", chapter=2, used_by=(2,), compose="ch02/compose/compose.yaml",
                project="echo-compose", service="echo", download_mb=6.4, disk_mb=35),
    CourseImage("jobs-controller", chapter=2, used_by=(2,), compose="ch02/jobs/compose.yaml", project="jobs",
                service="controller", download_mb=2.0, disk_mb=8.5),
    CourseImage("jobs-agent", chapter=2, used_by=(2,), compose="ch02/jobs/compose.yaml", project="jobs",
                service="agent", download_mb=9, disk_mb=29),
    CourseImage("cron", chapter=3, used_by=(3,), context="ch03/cron", download_mb=5.6, disk_mb=16),
    CourseImage("hello", "build", chapter=3, used_by=(3,), context="ch03/portability", target="build",
                download_mb=57, disk_mb=197),
    CourseImage("hello", "dynamic", chapter=3, used_by=(3,), context="ch03/portability", target="dynamic"),
    CourseImage("hello", "static", chapter=3, used_by=(3,), context="ch03/portability", target="static",
                disk_mb=1),
    CourseImage("nginx-proxy", chapter=3, used_by=(3,), context="ch03/nginx", download_mb=3.2, disk_mb=10),
    CourseImage("mariadb", chapter=3, used_by=(3,), context="ch03/mariadb", download_mb=32, disk_mb=253),
    CourseImage("dind", chapter=3, used_by=(3, 4), context="ch03/lab/dind", download_mb=70, disk_mb=269),
    CourseImage("swarm-registry", chapter=3, used_by=(3, 4), context="ch03/lab/registry", download_mb=5.7,
                disk_mb=24),
    CourseImage("todo-nginx", "v1", chapter=4, used_by=(4,), context="ch04/nginx", download_mb=3.2, disk_mb=10),
    CourseImage("todo-db", "v1", chapter=4, used_by=(4,), context="ch04/db", download_mb=32, disk_mb=253),
    CourseImage("todo-api", "v1", chapter=4, used_by=(4,), context="ch04/api", download_mb=6.5, disk_mb=36),
    CourseImage("todo-web", "v1", chapter=4, used_by=(4,), context="ch04/web", download_mb=6.4, disk_mb=35),
    CourseImage("todo-web-nginx", "v1", chapter=4, used_by=(4,), context="ch04/web", dockerfile="Dockerfile.nginx",
                buildargs=_todo_nginx_arg),
)


def for_chapters(chapters: int | list[int] | tuple[int, ...] | None = None) -> list[CourseImage]:
    """The images the given chapters use (all chapters when None), in build order.

    Raises:
        CourseError: A chapter the course does not have.
    """
    if chapters is None:
        wanted = set(CHAPTERS)
    else:
        wanted = {int(c) for c in ([chapters] if isinstance(chapters, int) else chapters)}
    unknown = sorted(wanted - set(CHAPTERS))
    if unknown:
        from dockhelpers.errors import CourseError

        raise CourseError(f"{unknown[0]}장은 이 과정에 없습니다.", f"장 번호는 {CHAPTERS[0]}~{CHAPTERS[-1]} 중 하나입니다.")
    return [img for img in IMAGES if wanted & set(img.used_by)]
