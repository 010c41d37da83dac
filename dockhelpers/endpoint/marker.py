"""The creation marker: proof that the course endpoint itself created an object.

Labels alone prove nothing: an image passes its labels on to every container made from it, so a container
the learner starts from a course image directly on the engine carries ``kr.dockercourse.managed=true``
too. Only the endpoint sets :data:`MARKER_LABEL` (to a per-install secret kept in the state folder, and it
overwrites any value a client sends) on the containers, volumes and networks it creates. Images it builds
get a *different* key, :data:`IMAGE_MARKER_LABEL`, so a container inheriting an image's labels never
inherits the container marker. Images it pulls are remembered in ``images.json`` (pulls carry no labels).

The Swarm lab (``dockhelpers.swarm``) needs privileged Docker-in-Docker nodes; it proves it is the lab by
the :data:`LAB_LABEL` token, a second secret of the state folder that :func:`lab_token` gives the lab.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path

from dockhelpers.endpoint import settings

#: Set by the endpoint on every container, volume and network it creates.
MARKER_LABEL = "kr.dockercourse.endpoint"
#: Set by the endpoint on every image it builds (never inherited as :data:`MARKER_LABEL`).
IMAGE_MARKER_LABEL = "kr.dockercourse.endpoint.image"
#: Carried by the Swarm lab's node containers; its value must be :func:`lab_token`.
LAB_LABEL = "kr.dockercourse.swarmlab"
#: Every label key only the endpoint may set.
RESERVED = (MARKER_LABEL, IMAGE_MARKER_LABEL)

_lock = threading.Lock()


_cache: dict[Path, str] = {}


def _secret(name: str) -> str:
    path = settings.state_dir() / name
    if path in _cache:
        return _cache[path]
    with _lock:
        try:
            value = path.read_text().strip()
            if value:
                _cache[path] = value
                return value
        except FileNotFoundError:
            pass
        value = secrets.token_hex(8)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        _cache[path] = value
        return value


def marker_value() -> str:
    """This install's marker value (created on first use, ``<state>/marker``, mode 0600)."""
    return _secret("marker")


def lab_token() -> str:
    """The token the Swarm lab puts in :data:`LAB_LABEL` (``<state>/lab-token``, mode 0600)."""
    return _secret("lab-token")


def is_course(labels: dict[str, str] | None) -> bool:
    """Whether a container, volume or network with these labels was created through the endpoint."""
    return bool(labels) and labels.get(MARKER_LABEL) == marker_value()


def normalize_ref(ref: str) -> str:
    """``docker.io/library/debian`` -> ``debian:latest``; digests and explicit tags are kept."""
    for prefix in ("docker.io/", "index.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    if ref.startswith("library/") and ref.count("/") == 1:
        ref = ref[len("library/"):]
    last = ref.rsplit("/", 1)[-1]
    if "@" not in ref and ":" not in last:
        ref += ":latest"
    return ref


def is_course_image(image: dict, name: str | None = None) -> bool:
    """Whether an image (an inspect or list entry) was built or pulled through the endpoint.

    Args:
        image: ``docker image inspect`` output or a ``docker images`` entry.
        name: The reference the request used (``docker rmi NAME``); a pulled image counts only under the
            references it was pulled as, so pulling a new tag of the base image never makes the base image
            the course's.
    """
    labels = (image.get("Config") or {}).get("Labels") or image.get("Labels") or {}
    if labels.get(IMAGE_MARKER_LABEL) == marker_value():
        return True
    pulled = pulled_images()
    tags = [normalize_ref(r) for r in image.get("RepoTags") or []]
    bare = (name or "").removeprefix("sha256:")
    if name and not (len(bare) >= 12 and all(c in "0123456789abcdef" for c in bare)):
        tags = [normalize_ref(name)]
    elif name:  # removing by ID removes every tag: each must be one the course pulled
        return bool(tags) and all(pulled.get(ref) == image.get("Id") for ref in tags)
    return any(pulled.get(ref) == image.get("Id") for ref in tags)


def is_lab(labels: dict[str, str] | None) -> bool:
    """Whether a container create request comes from the course's own Swarm lab (token and project)."""
    if not labels or labels.get(LAB_LABEL) != lab_token():
        return False
    prefix = labels.get("kr.dockercourse.prefix", "")
    return labels.get("com.docker.compose.project") == f"{prefix}-swarm"


def _images_file() -> Path:
    return settings.state_dir() / "images.json"


def pulled_images() -> dict[str, str]:
    """References pulled through the endpoint and their image IDs (``<state>/images.json``)."""
    try:
        return dict(json.loads(_images_file().read_text()).get("pulled", {}))
    except (FileNotFoundError, ValueError, AttributeError):
        return {}


def remember_pull(ref: str, image_id: str) -> None:
    """Remember that ``ref`` (image ``image_id``) was pulled through the endpoint."""
    with _lock:
        refs = pulled_images()
        refs[normalize_ref(ref)] = image_id
        tmp = _images_file().with_suffix(".tmp")
        tmp.write_text(json.dumps({"pulled": refs}, indent=1, sort_keys=True))
        os.replace(tmp, _images_file())
