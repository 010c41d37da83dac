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


def _secret(name: str) -> str:
    path = settings.state_dir() / name
    with _lock:
        try:
            value = path.read_text().strip()
            if value:
                return value
        except FileNotFoundError:
            pass
        value = secrets.token_hex(8)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
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


def is_course_image(image: dict) -> bool:
    """Whether an image (an inspect or list entry) was built or pulled through the endpoint."""
    labels = (image.get("Config") or {}).get("Labels") or image.get("Labels") or {}
    return labels.get(IMAGE_MARKER_LABEL) == marker_value() or image.get("Id") in pulled_images()


def is_lab(labels: dict[str, str] | None) -> bool:
    """Whether a container create request comes from the course's own Swarm lab (token and project)."""
    if not labels or labels.get(LAB_LABEL) != lab_token():
        return False
    prefix = labels.get("kr.dockercourse.prefix", "")
    return labels.get("com.docker.compose.project") == f"{prefix}-swarm"


def _images_file() -> Path:
    return settings.state_dir() / "images.json"


def pulled_images() -> set[str]:
    """Image IDs pulled through the endpoint (``<state>/images.json``)."""
    try:
        return set(json.loads(_images_file().read_text()).get("pulled", []))
    except (FileNotFoundError, ValueError):
        return set()


def remember_pull(image_id: str) -> None:
    """Add an image ID to the course's pulled images."""
    with _lock:
        ids = pulled_images() | {image_id}
        tmp = _images_file().with_suffix(".tmp")
        tmp.write_text(json.dumps({"pulled": sorted(ids)}, indent=1))
        os.replace(tmp, _images_file())
