"""The course lab image (``classroom/lab/Dockerfile``): build it once, tagged by a content hash of its inputs.

One image serves the devcontainer (a Codespace), the classroom hub's student containers and the Binder-like
check: Debian 13 (``debian:trixie-slim``), Debian's python3 and Docker engine (the Swarm lab's node recipe),
the Korean font, the course's ``requirements.txt``, the course itself and the unprivileged user ``learner``.

The tag is ``<prefix>/lab:<hash>``, the hash covering every file the build copies plus the base image's ID,
so a second :func:`ensure_lab_image` finds the image and does nothing. Python packages are downloaded on the
host with the host's own pip settings (a build cannot see them) into ``classroom/lab/wheels/`` for the
image's Python version, and installed with ``--no-index`` inside the build, which also works offline.

CLI equivalent::

    pip download -r requirements.txt --only-binary=:all: --python-version 3.13 --platform manylinux_2_17_x86_64 \\
        -d classroom/lab/wheels
    docker image build -f classroom/lab/Dockerfile -t dkc/lab:HASH --label kr.dockercourse.managed=true .
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from dockhelpers import naming
from dockhelpers.errors import CourseError

#: The repository root (the build context).
ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = "classroom/lab/Dockerfile"
#: Repository of the image under the prefix (``dkc/lab``).
REPO = "lab"
#: Label carrying the content hash (so old lab images can be told apart from other course images).
HASH_LABEL = "kr.dockercourse.labimage"
#: Label of the build stage the classic builder keeps as an untagged image (the Python packages).
STAGE_LABEL = "kr.dockercourse.labimage.stage"
#: What the build copies (relative to the context), besides the files matched here.
INPUTS = (".dockerignore", "requirements.txt", "pyproject.toml", "classroom/lab", "scripts", "dockhelpers",
          "notebooks")
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", "_work"}
#: The image's Python (Debian 13's python3) and the wheel platforms it accepts.
PYTHON_VERSION = "3.13"
PLATFORMS = ("manylinux_2_39_x86_64", "manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64", "linux_x86_64")


#: The Swarm lab's capability set (notebooks/ch03/lab/compose.capabilities.yaml): the inner engine's rights where
#: ``--privileged`` is refused (a sandbox whose bounding set lacks CAP_SYS_RESOURCE).
CAPABILITY_ARGS = ("--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined",
                   "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
                   "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw")


def privileged_allowed() -> bool:
    """True when the engine runs ``--privileged`` containers (``docker run --rm --privileged BASE true``)."""
    out = subprocess.run(["docker", "container", "run", "--rm", "--privileged", *naming.label_args(),
                          naming.BASE_IMAGE, "true"], capture_output=True, text=True, timeout=120)
    return out.returncode == 0


def engine_run_args() -> list[str]:
    """``docker run`` arguments that let the lab container run its own engine: ``--privileged`` where the
    engine allows it, else the Swarm lab's capability set (:data:`CAPABILITY_ARGS`)."""
    return ["--privileged"] if privileged_allowed() else list(CAPABILITY_ARGS)


#: Where the wheels for the build are kept (committed empty, its contents ignored by git; not hashed).
WHEELS = "classroom/lab/wheels"


def wheel_dir(root: Path = ROOT) -> Path:
    """Where the wheels for the build are kept (``classroom/lab/wheels``)."""
    return root / WHEELS


def _inputs(root: Path) -> list[Path]:
    files: list[Path] = []
    for rel in INPUTS:
        path = root / rel
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() and not _SKIP_PARTS & set(p.relative_to(root).parts)
                      and not p.relative_to(root).as_posix().startswith(WHEELS + "/")]
    return sorted(files)


def content_hash(root: Path = ROOT, base_id: str | None = None) -> str:
    """A short hash of every input of the build (paths, contents, executable bits) and the base image's ID."""
    digest = hashlib.sha256()
    for path in _inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(b"x" if os.access(path, os.X_OK) else b"-")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update((base_id or "").encode())
    return digest.hexdigest()[:12]


def _base_id() -> str:
    out = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", naming.BASE_IMAGE],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise CourseError(f"베이스 이미지 {naming.BASE_IMAGE}이(가) 없습니다.", "`make prepare`를 먼저 실행하세요.")
    return out.stdout.strip()


def lab_ref(root: Path = ROOT) -> str:
    """The lab image's reference for the current inputs (``dkc/lab:0123abcd4567``)."""
    return naming.image(REPO, content_hash(root, _base_id()))


def _pip(args: list[str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=timeout)


def download_wheels(requirements: Path, dest: Path, python: str = PYTHON_VERSION,
                    out: Callable[[str], None] = print) -> list[str]:
    """Download what ``requirements`` needs for the image's Python into ``dest``, with the host's pip settings.

    Wheels for CPython ``python`` on x86-64 Linux. A requirement that has no such wheel (only a source
    distribution) is downloaded as its sdist together with its build backend, so that pip builds it inside
    the image, still with ``--no-index``. A stamp file keeps a second call from asking the index again.

    CLI equivalent: ``pip download -r REQ --only-binary=:all: --python-version 3.13 --platform ... -d DEST``.

    Returns:
        The requirement names fetched as source distributions.

    Raises:
        CourseError: pip could not get a requirement.
    """
    dest.mkdir(parents=True, exist_ok=True)
    stamp = dest / ".requirements.sha256"
    want = hashlib.sha256(requirements.read_bytes() + python.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == want:
        return []
    target = ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
    for platform in PLATFORMS:
        target += ["--platform", platform]
    lines = [ln.strip() for ln in requirements.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    sdists: list[str] = []
    while True:
        req = dest / ".requirements-binary.txt"
        req.write_text("\n".join(ln for ln in lines if _name(ln) not in sdists) + "\n")
        out(f"pip download -r {requirements.name} --only-binary=:all: --python-version {python} -d {dest}")
        res = _pip(["download", "-q", "-r", str(req), *target, "-d", str(dest)])
        if res.returncode == 0:
            break
        missing = re.search(r"No matching distribution found for ([A-Za-z0-9_.\-]+)", res.stderr)
        if not missing or _name(missing.group(1)) in sdists:
            raise CourseError("랩 이미지에 넣을 파이썬 패키지를 내려받지 못했습니다.",
                              "pip 설정(`pip config list`)과 네트워크를 확인하세요.", detail=res.stderr[-2000:])
        sdists.append(_name(missing.group(1)))
    for line in lines:
        if _name(line) in sdists:
            _download_sdist(line.split(";")[0].strip(), dest, out)
    stamp.write_text(want + "\n")
    return sdists


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _download_sdist(requirement: str, dest: Path, out: Callable[[str], None]) -> None:
    """The sdist of ``requirement`` and the wheels of its build backend (read from its pyproject.toml)."""
    import tarfile
    import tomllib

    out(f"pip download --no-deps --no-binary=:all: {requirement} -d {dest}")
    res = _pip(["download", "-q", "--no-deps", "--no-binary=:all:", requirement,
                "-d", str(dest)])
    if res.returncode != 0:
        raise CourseError(f"{requirement}의 소스 배포본을 내려받지 못했습니다.", "pip 설정을 확인하세요.",
                          detail=res.stderr[-2000:])
    name = _name(requirement).replace("-", "_")
    sdist = max(dest.glob(f"{name}-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    with tarfile.open(sdist) as tar:
        member = next((m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml")),
                      None)
        data = tar.extractfile(member).read() if member else b""  # type: ignore[union-attr]
    backend = tomllib.loads(data.decode()).get("build-system", {}).get("requires", ["setuptools", "wheel"])
    res = _pip(["download", "-q", "--only-binary=:all:", *backend, "-d", str(dest)])
    if res.returncode != 0:
        raise CourseError(f"{requirement}을(를) 빌드할 도구를 내려받지 못했습니다.", "pip 설정을 확인하세요.",
                          detail=res.stderr[-2000:])


def _image_id(ref: str) -> str:
    out = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", ref], capture_output=True, text=True,
                         timeout=30)
    return out.stdout.strip() if out.returncode == 0 else ""


def image_exists(ref: str) -> bool:
    """``docker image inspect REF`` succeeds."""
    return subprocess.run(["docker", "image", "inspect", ref], capture_output=True, timeout=30).returncode == 0


def ensure_lab_image(root: Path = ROOT, *, out: Callable[[str], None] = print,
                     on_line: Callable[[str], None] | None = None, nocache: bool = False) -> str:
    """Make sure the lab image for the current inputs exists; build it when it does not.

    CLI equivalent: ``docker image build -f classroom/lab/Dockerfile -t dkc/lab:HASH .`` (after
    :func:`download_wheels`). Older ``<prefix>/lab`` images are removed after a build when no container uses them.

    Args:
        root: The repository root (the build context).
        out: Where progress lines go.
        on_line: Called with every build log line.
        nocache: Build even when the image exists, without the layer cache (``--no-cache``; a cold build).

    Returns:
        The image reference (``dkc/lab:HASH``).

    Raises:
        CourseError: The base image is missing, a download failed, or the build failed.
    """
    base = _base_id()
    digest = content_hash(root, base)
    ref = naming.image(REPO, digest)
    if image_exists(ref) and not nocache:
        out(f"{ref}: 이미 있습니다(입력이 그대로입니다).")
        return ref
    download_wheels(root / "requirements.txt", wheel_dir(root), out=out)
    started = time.monotonic()
    labels = {**naming.labels(), HASH_LABEL: digest}
    out(f"docker image build -f {DOCKERFILE} -t {ref} --build-arg BASE_IMAGE={naming.BASE_IMAGE} {root}")
    from dockhelpers.engine import client

    log: list[str] = []
    previous = _image_id(ref)
    stream = client().api.build(path=str(root), dockerfile=DOCKERFILE, tag=ref, rm=True, forcerm=True, decode=True,
                                nocache=nocache, labels=labels, timeout=1800,
                                buildargs={"BASE_IMAGE": naming.BASE_IMAGE, "COURSE_PREFIX": naming.prefix()})
    for chunk in stream:
        if "error" in chunk or "errorDetail" in chunk:
            raise CourseError("랩 이미지 빌드의 한 단계가 실패했습니다.", "아래 빌드 기록의 끝을 확인하세요.",
                              detail="".join(log[-10:]) + str(chunk.get("error", "")))
        text = chunk.get("stream")
        if text:
            log.append(text)
            if on_line:
                on_line(text.rstrip("\n"))
    out(f"{ref}: {time.monotonic() - started:.0f}초 만에 만들었습니다.")
    if previous and previous != _image_id(ref):
        subprocess.run(["docker", "image", "rm", previous], capture_output=True, timeout=60)
    _remove_older(ref)
    remove_stale_stages()
    return ref


def _remove_older(keep: str) -> None:
    """Remove this prefix's other lab images (``docker image rm``; one in use stays)."""
    repo = keep.rsplit(":", 1)[0]
    out = subprocess.run(["docker", "image", "ls", "--filter", f"label={HASH_LABEL}", "--format",
                          "{{.Repository}}:{{.Tag}}", repo], capture_output=True, text=True, timeout=30)
    for ref in out.stdout.split():
        if ref != keep:
            subprocess.run(["docker", "image", "rm", ref], capture_output=True, timeout=60)


def remove_stale_stages(keep: int = 1) -> list[str]:
    """Remove this prefix's untagged build-stage images but the newest ``keep`` (the next build's cache).

    CLI equivalent: ``docker image ls --filter dangling=true --filter label=kr.dockercourse.labimage.stage``
    then ``docker image rm ID`` for the older ones.

    Returns:
        The image IDs removed.
    """
    out = subprocess.run(["docker", "image", "ls", "--no-trunc", "--filter", "dangling=true", "--filter",
                          f"label={STAGE_LABEL}", "--filter", f"label={naming.PREFIX_LABEL}={naming.prefix()}",
                          "--format", "{{.CreatedAt}}\t{{.ID}}"], capture_output=True, text=True, timeout=30)
    rows = sorted((line.split("\t") for line in out.stdout.splitlines() if "\t" in line), reverse=True)
    removed = []
    for _, image_id in rows[keep:]:
        if subprocess.run(["docker", "image", "rm", image_id], capture_output=True, timeout=60).returncode == 0:
            removed.append(image_id)
    return removed


def main(argv: list[str] | None = None) -> int:
    """``python -m dockhelpers.labimage [--no-cache]``: build (or find) the lab image and print its reference."""
    args = sys.argv[1:] if argv is None else argv
    ref = ensure_lab_image(out=lambda line: print(line, file=sys.stderr),
                           on_line=lambda line: print(line, file=sys.stderr), nocache="--no-cache" in args)
    print(ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
