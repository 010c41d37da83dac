"""dockhelpers: the helper package of the Korean hands-on Docker course.

Importing it has no side effects and is fast: pandas, matplotlib, ipywidgets and the docker SDK are
imported inside the functions that need them. In a notebook, ``%load_ext dockhelpers`` adds the
``%docker`` line magic (runs and shows the real CLI command) and short Korean error messages.
"""

from __future__ import annotations

__version__ = "0.1.0"

from dockhelpers.errors import CourseError
from dockhelpers.naming import BASE_IMAGE, image, labels, name, port, publish
from dockhelpers.shell import docker, run

__all__ = ["BASE_IMAGE", "CourseError", "docker", "image", "labels", "name", "port", "publish", "run",
           "load_ipython_extension"]


def load_ipython_extension(ipython) -> None:  # pragma: no cover - exercised by the notebook tests
    """Register ``%docker`` and show :class:`CourseError` as a short Korean message, not a traceback."""
    from dockhelpers.ipython import register

    register(ipython)
