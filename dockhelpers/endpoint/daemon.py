"""Run the endpoint in the foreground, or start, stop and check it in the background.

CLI: ``python -m dockhelpers endpoint start|stop|status|run [--record DIR]``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from dockhelpers.endpoint import settings
from dockhelpers.endpoint.http import simple_request
from dockhelpers.errors import EngineUnavailable


def ping(path: str | os.PathLike | None = None, timeout: float = 5) -> bool:
    """Whether an endpoint answers ``GET /_ping`` on ``path`` (default: the course socket) with 200 OK."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path or settings.socket_path()))
        status, body = simple_request(sock, "GET", "/_ping")
        return status == 200 and body.strip() == b"OK"
    except (OSError, Exception):
        return False


def mode(path: str | os.PathLike | None = None, timeout: float = 5) -> str | None:
    """``live`` or ``replay`` for the endpoint answering on ``path`` (default: the course socket), else None."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path or settings.socket_path()))
        sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            more = sock.recv(4096)
            if not more:
                break
            data += more
    except OSError:
        return None
    finally:
        sock.close()
    if not data.startswith(b"HTTP/1.") or b" 200 " not in data.split(b"\r\n", 1)[0]:
        return None
    return "replay" if b"x-dockercourse-mode: replay" in data.lower() else "live"


def run(record_dir: str | None = None, replay_dir: str | None = None) -> int:
    """Serve in the foreground until SIGTERM/SIGINT (``python -m dockhelpers endpoint run``).

    Args:
        record_dir: Record every exchange there (JSON lines per session).
        replay_dir: Answer from the recordings there instead of forwarding (no engine needed).
    """
    from dockhelpers.endpoint.server import Endpoint

    upstream = settings.Upstream("unix:///nonexistent") if replay_dir else settings.upstream()
    server = Endpoint(settings.socket_path(), upstream, record_dir, replay=replay_dir)
    chapters = [Endpoint(settings.chapter_socket_path(ch), server.upstream, chapter=ch, recorder=server.recorder,
                         replay=replay_dir) for ch in settings.CHAPTERS]
    for extra in chapters:
        threading.Thread(target=extra.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    pidfile = settings.pid_file()
    pidfile.write_text(f"{os.getpid()}\n")
    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        stop.set()
        for each in (server, *chapters):
            threading.Thread(target=each.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"endpoint: {settings.docker_host()} -> {f'replay of {replay_dir}' if replay_dir else server.upstream.url}"
          + (f" (recording to {record_dir})" if record_dir else ""), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        if server.recorder:
            server.recorder.flush_open()  # streams still open (a widget's events): recorded as far as they got
        for each in (server, *chapters):
            each.server_close()
        try:
            if pidfile.read_text().strip() == str(os.getpid()):
                pidfile.unlink()
        except OSError:
            pass
    return 0


def _pid() -> int | None:
    try:
        pid = int(settings.pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        try:
            cmd = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True).stdout
        except OSError:
            cmd = ""
    return pid if "dockhelpers" in cmd and "endpoint" in cmd else None


def start(record_dir: str | None = None, timeout: float = 15, replay_dir: str | None = None) -> str:
    """Start the endpoint in the background unless it already answers (``endpoint start``).

    An endpoint already answering in the other mode (live or replay) is stopped and started again.

    Returns:
        The ``DOCKER_HOST`` value that goes through it.

    Raises:
        EngineUnavailable: It did not answer within ``timeout`` (the log file is named).
    """
    running = mode()
    if running == ("replay" if replay_dir else "live"):
        return settings.docker_host()
    if running:
        stop()
    if not replay_dir:
        settings.upstream()  # fail early, in Korean, on an engine address it cannot forward to
    args = [sys.executable, "-m", "dockhelpers", "endpoint", "run"]
    if record_dir:
        args += ["--record", str(record_dir)]
    if replay_dir:
        args += ["--replay", str(replay_dir)]
    log = open(settings.log_file(), "ab")
    subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                     close_fds=True)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if ping():
            return settings.docker_host()
        time.sleep(0.1)
    raise EngineUnavailable("과정 엔드포인트가 시작되지 않았습니다.",
                            f"로그를 확인하세요: {settings.log_file()}")


def stop(timeout: float = 10) -> bool:
    """Stop the background endpoint (``endpoint stop``); False when none was running."""
    pid = _pid()
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + timeout
    while time.monotonic() < end and _pid() == pid and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.1)
    if _pid() == pid:
        os.kill(pid, signal.SIGKILL)
        settings.pid_file().unlink(missing_ok=True)
    return True


def status() -> tuple[bool, str]:
    """Whether the endpoint answers, and its ``DOCKER_HOST=unix://...`` line (``endpoint status``)."""
    return ping(), f"DOCKER_HOST={settings.docker_host()}"
