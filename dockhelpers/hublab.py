"""The image of a student's lab on the classroom hub: the course lab image plus ``jupyterhub-singleuser``.

CLI equivalent::

    python -m dockhelpers.labimage                     # dkc/lab:HASH (classroom/lab/Dockerfile)
    pip download -r classroom/requirements-lab.txt --only-binary=:all: --python-version 3.13 -d build/hub-lab/wheels
    docker image build --build-arg LAB_IMAGE=dkc/lab:HASH -t dkc/hub-lab:HASH build/hub-lab

The tag joins the lab image's content hash and a hash of this layer's inputs, so a second call with nothing
changed does nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from typing import Callable

from dockhelpers import naming
from dockhelpers.errors import CourseError

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "classroom" / "hub-lab" / "Dockerfile"
REQUIREMENTS = ROOT / "classroom" / "requirements-lab.txt"
CONTEXT = ROOT / "build" / "hub-lab"
REPO = "hub-lab"


def ensure_hub_lab_image(*, out: Callable[[str], None] = print) -> str:
    """Make sure the hub's lab image exists for the current inputs (building the lab image first if needed).

    Returns:
        The image reference (``dkc/hub-lab:LABHASH-LAYERHASH``).

    Raises:
        CourseError: The lab image, the wheel download or the build failed.
    """
    from dockhelpers import labimage

    base = labimage.ensure_lab_image(out=out)
    layer = hashlib.sha256(SOURCE.read_bytes() + REQUIREMENTS.read_bytes()).hexdigest()[:8]
    ref = naming.image(REPO, f"{base.rsplit(':', 1)[1]}-{layer}")
    if labimage.image_exists(ref):
        return ref
    CONTEXT.mkdir(parents=True, exist_ok=True)
    shutil.copy(SOURCE, CONTEXT / "Dockerfile")
    shutil.copy(REQUIREMENTS, CONTEXT / "requirements-lab.txt")
    labimage.download_wheels(CONTEXT / "requirements-lab.txt", CONTEXT / "wheels", out=out)
    out(f"docker image build --build-arg LAB_IMAGE={base} -t {ref} {CONTEXT}")
    from dockhelpers.engine import client

    started = time.monotonic()
    log: list[str] = []
    for chunk in client().api.build(path=str(CONTEXT), tag=ref, rm=True, forcerm=True, decode=True, timeout=1800,
                                    buildargs={"LAB_IMAGE": base, "COURSE_PREFIX": naming.prefix()},
                                    labels={**naming.labels(), naming.CLASSROOM_LABEL + ".image": "lab"}):
        if "error" in chunk or "errorDetail" in chunk:
            raise CourseError("교실 허브용 실습 이미지 빌드가 실패했습니다.", "아래 빌드 기록의 끝을 확인하세요.",
                              detail="".join(log[-10:]) + str(chunk.get("error", "")))
        if chunk.get("stream"):
            log.append(chunk["stream"])
    out(f"{ref}: {time.monotonic() - started:.0f}초 만에 만들었습니다.")
    _remove_older(ref)
    return ref


def _remove_older(keep: str) -> None:
    """Remove this prefix's other hub lab images (``docker image rm``; one a container still uses stays)."""
    import docker

    c = client_()
    repo = keep.rsplit(":", 1)[0]
    for img in c.images.list(name=repo):
        if keep not in img.tags:
            try:
                c.images.remove(img.id, noprune=False)
            except docker.errors.APIError:  # in use by a lab container
                pass
    # An older lab image that an older hub lab image was built on lost its tag when the lab image was rebuilt
    # (a parent cannot be removed): with that child gone, remove it too.
    from dockhelpers.labimage import HASH_LABEL

    for img in c.images.list(filters={"dangling": True, "label": [HASH_LABEL, f"{naming.PREFIX_LABEL}={naming.prefix()}"]}):
        try:
            c.images.remove(img.id, noprune=False)
        except docker.errors.APIError:
            pass


def client_():
    from dockhelpers.engine import client

    return client()
