"""Point this process (a notebook kernel) at the course endpoint, starting it when needed.

A notebook's first cell calls :func:`dockhelpers.engine.preflight` with its chapter; that calls :func:`use`,
which sets ``DOCKER_HOST`` to the chapter's own socket of the endpoint. From then on the SDK client, the
``docker`` CLI in ``%docker`` cells, compose and every helper reach the engine through the endpoint, and what
they create carries the chapter's label. CLI equivalent: ``export DOCKER_HOST=unix://<state>/ch02.sock``.
"""

from __future__ import annotations

import os

from dockhelpers.endpoint import daemon, settings

#: ``DOCKHELPERS_ENDPOINT=off`` talks to the engine directly (for experts; nothing is labelled or guarded).
SWITCH_ENV = "DOCKHELPERS_ENDPOINT"


def disabled() -> bool:
    """Whether the learner switched the endpoint off (``DOCKHELPERS_ENDPOINT=off``)."""
    return os.environ.get(SWITCH_ENV, "").strip().lower() in ("off", "0", "false", "no")


def _engine_answers() -> bool:
    """Whether the engine the endpoint would forward to accepts a connection (no engine on Binder)."""
    try:
        sock = settings.upstream().connect(timeout=3)
    except (OSError, Exception):
        return False
    sock.close()
    return True


def use(chapter: int | str | None = None) -> str | None:
    """Send this process's engine calls through the endpoint (``export DOCKER_HOST=unix://...``).

    Args:
        chapter: The notebook's chapter: what its cells create gets that chapter's label.

    Returns:
        The ``DOCKER_HOST`` now in effect, or None when the endpoint is switched off or no engine answers
        (then nothing changes and the preflight explains the missing engine).
    """
    if chapter is not None:
        from dockhelpers.shell import SESSION_ENV

        os.environ[SESSION_ENV] = f"ch{int(chapter):02d}"  # non-docker commands record into the same session
    from dockhelpers.replay import session as replay_session
    from dockhelpers.replay import web as replay_web
    from dockhelpers.shell import RECORD_ENV

    if chapter is not None and (os.environ.get(RECORD_ENV) or replay_session.wanted(chapter, _engine_answers)):
        replay_web.install()  # urllib calls to the course's apps are recorded or replayed too
    if chapter is not None and replay_session.wanted(chapter, _engine_answers):
        return replay_session.start(chapter)
    if disabled() or not _engine_answers():
        return None
    host = settings.docker_host(chapter)
    if os.environ.get("DOCKER_HOST") != host or not daemon.ping():
        daemon.start()
        os.environ["DOCKER_HOST"] = host
        from dockhelpers import engine

        engine.reset_client()
    return host
