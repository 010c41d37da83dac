"""Get a room ready before class: build every image the chosen chapters need, and carry them offline.

CLI equivalents::

    python -m dockhelpers prepare [--chapter N]           # docker image pull/build ... for each missing image
    python -m dockhelpers prepare --save FILE [--chapter N]  # the same, then docker image save -o FILE ...
    python -m dockhelpers prepare --load FILE              # docker image load -i FILE

A second ``prepare`` finds everything present and does nothing. A bundle is the tarball ``docker image
save`` writes, with one extra member, :data:`MANIFEST` (what the bundle holds: references and image IDs),
so that ``docker image load -i FILE`` also reads it and :func:`load` can tell what an engine already has.
Both directions stream through the SDK in chunks: the tarball is never held in memory.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from dockhelpers import courseimages, naming
from dockhelpers.courseimages import CourseImage
from dockhelpers.errors import CourseError

#: Name of the bundle's own manifest inside the tarball.
MANIFEST = "dockercourse-bundle.json"
BUNDLE_FORMAT = 1
CHUNK = 2 * 1024 * 1024
#: Rough cost of the base image when it is missing (compressed download, unpacked size), in MB.
BASE_DOWNLOAD_MB, BASE_DISK_MB = 30.0, 79.0

Out = Callable[[str], None]


@dataclass
class Step:
    """What happened to one image: ``present``, ``built``, ``pulled``, ``bootstrapped`` or ``loaded``."""

    ref: str
    action: str
    seconds: float = 0.0


@dataclass
class Report:
    """The outcome of :func:`prepare` or :func:`load`."""

    steps: list[Step] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """References that were made or loaded (not already present)."""
        return [s.ref for s in self.steps if s.action != "present"]

    @property
    def nothing_done(self) -> bool:
        """True when every image was already there."""
        return not self.changed


def _say(out: Out | None) -> Out:
    return out if out else (lambda text: print(text, flush=True))


def _client():
    from dockhelpers.engine import client

    return client()


def _image_id(ref: str) -> str | None:
    from dockhelpers import inspection

    info = inspection.image(ref)
    return info["Id"] if info else None


def _chapters_text(chapter: int | None) -> str:
    return f"{chapter}장" if chapter is not None else "전체(1~4장)"


def plan(chapter: int | None = None) -> list[tuple[CourseImage, bool]]:
    """The images ``chapter`` needs (every chapter when None), each with whether the engine has it."""
    return [(img, _image_id(img.ref) is not None) for img in courseimages.for_chapters(chapter)]


def estimate(steps: list[tuple[CourseImage, bool]]) -> tuple[float, float]:
    """Rough download and disk cost, in MB, of making the missing images (measured figures per image).

    The disk figure counts what each image adds to the base image (whose layers every image shares).
    """
    missing = [img for img, present in steps if not present]
    return float(sum(img.download_mb for img in missing)), float(sum(img.disk_mb for img in missing))


_NEED = re.compile(r"Need to get ([\d.,]+) ([kMG]?B)")
_UNITS = {"B": 1e-6, "kB": 1e-3, "MB": 1.0, "GB": 1e3}


def apt_download_mb(line: str) -> float:
    """MB that apt says it will fetch in one build log line (``Need to get 7,123 kB of archives.``), else 0."""
    match = _NEED.search(line)
    if not match:
        return 0.0
    return float(match.group(1).replace(",", "")) * _UNITS[match.group(2)]


def bar(done: int, total: int, width: int = 20) -> str:
    """A text progress bar for terminals and notebooks alike: ``[########------------] 2/5``."""
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total}"


def _free_disk_gb() -> float | None:
    from dockhelpers.engine import _free_disk_gb as free

    try:
        root = _client().info().get("DockerRootDir", "/")
    except Exception:  # the estimate is advice; a failing info call must not stop the preparation
        root = "/"
    return free(root)


def prepare(chapter: int | None = None, *, base_only: bool = False, out: Out | None = None) -> Report:
    """Make every image ``chapter`` needs (all chapters when None); a second run does nothing and says so.

    CLI equivalent: ``docker image pull debian:trixie-slim`` then ``docker image build -t dkc/... --label ...``
    (or ``docker compose -p ... build``) for each missing image.

    The base image comes first and through the CLI only (:mod:`dockhelpers.baseimage`), so that set-up
    can run it before the SDK is installed (``base_only``, what ``make prepare`` runs).

    Args:
        chapter: One chapter (1-4), or None for the whole course.
        base_only: Only make sure ``debian:trixie-slim`` is there.
        out: Where progress lines go (default: print).

    Returns:
        A :class:`Report` of what was done to each image (the base image first).

    Raises:
        CourseError: An unknown chapter, no engine, too little disk, or a failing build (in Korean).
    """
    from dockhelpers.baseimage import ensure_base_image, has_image

    say = _say(out)
    report = Report()
    started = time.monotonic()
    if base_only or not has_image(naming.BASE_IMAGE):
        if not base_only:
            say(f"베이스 이미지 {naming.BASE_IMAGE}가 없어 먼저 준비합니다"
                f"(예상: 내려받기 약 {BASE_DOWNLOAD_MB:.0f} MB, 디스크 약 {BASE_DISK_MB:.0f} MB).")
        report.steps.append(Step(naming.BASE_IMAGE, ensure_base_image(naming.BASE_IMAGE), time.monotonic() - started))
        if base_only:
            return report
    steps = plan(chapter)
    missing = [img for img, present in steps if not present]
    say(f"준비할 이미지({_chapters_text(chapter)}): {len(steps)}개와 베이스 이미지. 이미 있음 "
        f"{len(steps) - len(missing)}개, 만들 것 {len(missing)}개")
    if not report.steps:  # present: still let baseimage prefer Docker Hub's official image when Hub answers
        report.steps.append(Step(naming.BASE_IMAGE, ensure_base_image(naming.BASE_IMAGE)))
    if not missing:
        report.steps += [Step(img.ref, "present") for img, _ in steps]
        if report.nothing_done:
            say(f"필요한 이미지 {len(steps) + 1}개가 모두 이미 있습니다. 할 일이 없습니다.")
        return report
    download, disk = estimate(steps)
    free = _free_disk_gb()
    say(f"예상: 내려받기 약 {download:.0f} MB(빌드 중 설치하는 Debian 패키지), 디스크 약 {disk:.0f} MB"
        + (f" / 엔진 디스크 여유 {free:.1f} GB" if free is not None else ""))
    if free is not None and disk / 1000 > free:
        raise CourseError(f"디스크 여유({free:.1f} GB)가 예상 사용량(약 {disk:.0f} MB)보다 적습니다.",
                          "쓰지 않는 이미지를 정리(`python -m dockhelpers cleanup`)하거나 디스크를 비운 뒤 다시 실행하세요.")
    for number, img in enumerate(missing, start=1):
        say(f"[{number}/{len(missing)}] {img.ref}: 만드는 중...")
        t0 = time.monotonic()
        fetched: list[float] = []
        img.build(on_line=lambda line: fetched.append(apt_download_mb(line)))
        seconds = time.monotonic() - t0
        if _image_id(img.ref) is None:
            raise CourseError(f"{img.ref}를 만들었지만 엔진에 보이지 않습니다.", f"직접 실행해 보세요: {img.command()}")
        got = sum(fetched)
        say(f"{bar(number, len(missing))} {img.ref}: 완료 ({seconds:.1f}초"
            + (f", 내려받은 패키지 {got:.1f} MB)" if got else ")"))
        report.steps.append(Step(img.ref, "built", seconds))
    report.steps += [Step(img.ref, "present") for img, present in steps if present]
    say(f"준비 끝: {len(missing)}개를 새로 만들었습니다({time.monotonic() - started:.1f}초). "
        "다시 실행하면 아무것도 하지 않습니다.")
    return report


# --------------------------------------------------------------------------------------------- bundles
def _writable_target(path: Path) -> None:
    if path.is_dir():
        raise CourseError(f"묶음 파일 자리에 폴더가 있습니다: {path}", "폴더 안의 파일 이름을 주세요(예: dockercourse.tar).")
    if not path.parent.is_dir():
        raise CourseError(f"묶음을 쓸 폴더가 없습니다: {path.parent}", "있는 폴더 안의 파일 이름을 주세요(예: /media/usb/dockercourse.tar).")
    if not os.access(path.parent, os.W_OK):
        raise CourseError(f"이 폴더에 쓸 권한이 없습니다: {path.parent}", "쓸 수 있는 폴더(예: 내 홈 폴더)를 고르세요.")


def _image_get(refs: list[str]) -> Iterator[bytes]:
    """``GET /images/get?names=...`` streamed in chunks (``docker image save REF...``).

    docker-py's ``get_image`` takes one name; this is the same call with several, so that layers shared by
    the course images are written once.
    """
    api = _client().api
    res = api._get(api._url("/images/get"), params={"names": refs}, stream=True)
    api._raise_for_status(res)
    return api._stream_raw_result(res, CHUNK, False)


def save(path: str | os.PathLike[str], chapter: int | None = None, *, out: Out | None = None) -> dict[str, Any]:
    """Write the base image and the images ``chapter`` needs into one offline bundle.

    CLI equivalent: ``docker image save -o FILE debian:trixie-slim dkc/...`` (plus the bundle's manifest).

    Args:
        path: The bundle file to write (replaced when it exists).
        chapter: One chapter (1-4), or None for the whole course.
        out: Where progress lines go (default: print).

    Returns:
        The bundle's manifest.

    Raises:
        CourseError: The path cannot be written, or an image is missing (run :func:`prepare` first).
    """
    say = _say(out)
    target = Path(path).expanduser()
    _writable_target(target)
    refs = [naming.BASE_IMAGE, *(img.ref for img in courseimages.for_chapters(chapter))]
    entries = []
    for ref in refs:
        info = _client().api.inspect_image(ref) if _image_id(ref) else None
        if info is None:
            raise CourseError(f"묶음에 넣을 이미지가 엔진에 없습니다: {ref}",
                              f"먼저 `python -m dockhelpers prepare{f' --chapter {chapter}' if chapter else ''}`로 준비하세요.")
        labels = (info.get("Config") or {}).get("Labels") or {}
        entries.append({"ref": ref, "id": info["Id"], "size": info.get("Size", 0),
                        "chapter": labels.get(naming.CHAPTER_LABEL)})
    manifest = {"format": BUNDLE_FORMAT, "course": "dockercourse", "prefix": naming.prefix(),
                "chapters": [chapter] if chapter else list(courseimages.CHAPTERS),
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "images": entries}
    say(f"$ docker image save -o {target} {' '.join(refs)}")
    part = target.with_name(target.name + ".part")
    written, shown = 0, 0
    try:
        with open(part, "wb") as fh:
            for chunk in _image_get(refs):
                fh.write(chunk)
                written += len(chunk)
                if written - shown >= 50 * 1024 * 1024:
                    shown = written
                    say(f"  저장 중... {written / 1e6:.0f} MB")
        with tarfile.open(part, "a") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            member = tarfile.TarInfo(MANIFEST)
            member.size, member.mtime, member.mode = len(data), int(time.time()), 0o644
            tar.addfile(member, io.BytesIO(data))
        os.replace(part, target)
    except OSError as exc:
        raise CourseError(f"묶음 파일을 쓰지 못했습니다: {target}", "디스크 여유와 쓰기 권한을 확인하세요.",
                          detail=str(exc)) from exc
    finally:
        part.unlink(missing_ok=True)
    say(f"묶음을 저장했습니다: {target} ({target.stat().st_size / 1e6:.0f} MB, 이미지 {len(entries)}개)")
    return manifest


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a bundle written by :func:`save`.

    Raises:
        CourseError: No such file, not a tarball, or a tarball that is not a course bundle.
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise CourseError(f"묶음 파일이 없습니다: {source}", "경로를 확인하세요(USB라면 연결되어 있는지도).")
    try:
        with tarfile.open(source, "r:") as tar:
            try:
                member = tar.getmember(MANIFEST)
            except KeyError:
                raise CourseError(f"과정 묶음이 아닙니다: {source}",
                                  "`python -m dockhelpers prepare --save 파일`로 만든 묶음을 쓰세요.",
                                  detail=f"{MANIFEST} 없음") from None
            manifest = json.loads(tar.extractfile(member).read().decode())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CourseError(f"묶음 파일을 읽을 수 없습니다(tar 형식이 아니거나 손상됨): {source}",
                          "묶음을 다시 복사하거나 `prepare --save`로 새로 만드세요.", detail=str(exc)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CourseError(f"묶음의 목록 파일이 손상되었습니다: {source}", "묶음을 다시 만드세요.",
                          detail=str(exc)) from exc
    if manifest.get("format") != BUNDLE_FORMAT or not isinstance(manifest.get("images"), list):
        raise CourseError(f"이 과정 버전이 읽을 수 없는 묶음입니다: {source}", "같은 과정 버전으로 묶음을 다시 만드세요.")
    return manifest


def _file_chunks(source: Path, say: Out) -> Iterator[bytes]:
    size, sent, shown = source.stat().st_size, 0, 0
    with open(source, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sent += len(chunk)
            if sent - shown >= 50 * 1024 * 1024:
                shown = sent
                say(f"  불러오는 중... {sent / 1e6:.0f} / {size / 1e6:.0f} MB")
            yield chunk


def load(path: str | os.PathLike[str], *, out: Out | None = None) -> Report:
    """Load a bundle into the engine; says so and does nothing when the engine has every image already.

    CLI equivalent: ``docker image load -i FILE``.

    Raises:
        CourseError: A bad path or bundle, or an engine that refuses the tarball.
    """
    say = _say(out)
    source = Path(path).expanduser()
    manifest = read_manifest(source)
    images = manifest["images"]
    have = {e["ref"] for e in images if _image_id(e["ref"]) == e["id"]}
    if len(have) == len(images):
        say(f"이 엔진에 묶음의 이미지 {len(images)}개가 이미 모두 있습니다. 불러올 것이 없습니다.")
        return Report([Step(e["ref"], "present") for e in images])
    say(f"$ docker image load -i {source}")
    say(f"묶음 {source.name}: {source.stat().st_size / 1e6:.0f} MB, 이미지 {len(images)}개 중 없는 것 "
        f"{len(images) - len(have)}개")
    from dockhelpers.images import raise_stream_errors

    t0 = time.monotonic()
    try:
        for message in _client().api.load_image(_file_chunks(source, say)):
            raise_stream_errors(message, "이미지 불러오기")
            text = (message.get("stream") or "").strip()
            if text:
                say(f"  {text}")
    except CourseError:
        raise
    except Exception as exc:
        from dockhelpers.errors import translate

        raise translate(exc, "이미지 불러오기") from exc
    seconds = time.monotonic() - t0
    wrong = [e["ref"] for e in images if _image_id(e["ref"]) != e["id"]]
    if wrong:
        raise CourseError(f"불러온 뒤에도 묶음과 다른 이미지가 있습니다: {', '.join(wrong)}", "묶음을 다시 만드세요.")
    say(f"불러오기 끝: {len(images) - len(have)}개를 불러왔습니다({seconds:.1f}초).")
    return Report([Step(e["ref"], "present" if e["ref"] in have else "loaded", seconds) for e in images])
