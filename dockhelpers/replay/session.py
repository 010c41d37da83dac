"""A notebook kernel in replay mode: the endpoint answers from the recording, and a banner says so.

:func:`dockhelpers.endpoint.kernel.use` (called by every notebook's preflight) switches here when
``DOCKHELPERS_MODE=replay`` is set, or when no engine answers and the chapter has a recording (Binder).
The kernel then uses the recording's name prefix and port offset, so the notebook's requests are the ones
that were recorded. CLI equivalent: ``DOCKHELPERS_MODE=replay make lab`` (without an engine).
"""

from __future__ import annotations

import os
from typing import Callable

from dockhelpers import naming
from dockhelpers.replay import recording as rec


def wanted(chapter: int | str, engine_answers: Callable[[], bool]) -> bool:
    """Whether this chapter replays: ``DOCKHELPERS_MODE=replay``, or no engine and a recording exists."""
    if rec.active():
        return True
    if os.environ.get(rec.MODE_ENV, "").strip().lower() == "live":
        return False
    if rec.session_path(f"ch{int(chapter):02d}").is_file() and not engine_answers():
        os.environ[rec.MODE_ENV] = "replay"
        return True
    return False


#: How a replayed notebook's banner begins (what a test or a reader looks for).
BANNER = "녹화된 실행을 재생하고 있습니다"


def banner(header: dict | None) -> str:
    """The Korean notice at the top of a replayed notebook."""
    if not header:
        return ("⏯️ 재생 모드입니다. 하지만 이 장의 녹화가 없어 도커 명령은 실행되지 않습니다. "
                "직접 실습하려면 자신의 컴퓨터에서 `make lab`을 실행하세요.")
    when = str(header.get("recorded_at", "?"))[:16].replace("T", " ")
    return (f"⏯️ {BANNER}. 이 컴퓨터에는 도커 엔진이 없습니다.\n"
            f"   아래 출력은 {when} (UTC)에 도커 엔진 {header.get('engine', '?')} ({header.get('os', '?')}), "
            f"CLI {header.get('cli', '?')}에서 이 노트북을 실제로 실행한 결과를 {rec.speed():g}배 빠르게 보여 줍니다.\n"
            "   녹화에 없는 명령을 실행하면 짧은 안내만 나옵니다. "
            "직접 실습하려면 자신의 컴퓨터에서 `make lab`을 실행하세요.")


def start(chapter: int | str) -> str:
    """Start the endpoint in replay mode, point this kernel at it and print the banner.

    Returns:
        The ``DOCKER_HOST`` now in effect.
    """
    from dockhelpers.endpoint import daemon, settings

    os.environ[rec.MODE_ENV] = "replay"
    recorded = rec.recording(f"ch{int(chapter):02d}")
    header = recorded.header if recorded else None
    if header:  # the notebook's names and ports become the recorded ones
        # Names computed at import time keep the prefix the kernel started with: the endpoint treats it as one.
        os.environ[naming.PREFIX_BEFORE_ENV] = naming.prefix()
        os.environ[naming.PREFIX_ENV] = str(header.get("prefix", naming.DEFAULT_PREFIX))
        os.environ[naming.PORT_OFFSET_ENV] = str(header.get("port_offset", 0))
    daemon.start(replay_dir=str(rec.folder()))
    host = settings.docker_host(chapter)
    os.environ["DOCKER_HOST"] = host
    from dockhelpers import engine

    engine.reset_client()
    print(banner(header), flush=True)
    return host
