"""Headless Chromium for every browser test (JupyterLab, the hub, the web book), shielded from Docker's networks.

Chromium aborts its requests with ``ERR_NETWORK_CHANGED`` whenever a network interface appears or goes away,
and Docker adds and removes bridges and veth pairs all the time - under ``pytest -n 2`` the other worker's
tests too. So where the machine allows it, the browser runs in a network namespace of its own
(``netns_chromium.py``) and reaches the server under test through a Unix socket: the server's own (JupyterLab
listens on one) or a :class:`UnixRelay` to its TCP port. Elsewhere it runs as it is.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

from ui.jlab import CHROMIUM, CHROMIUM_ARGS
from ui.netns_chromium import pump

LAUNCHER = pathlib.Path(__file__).resolve().parent / "netns_chromium.py"


@functools.lru_cache(maxsize=1)
def netns_available() -> bool:
    """Whether Chromium can get a network namespace of its own (root or user namespaces).

    ``DOCKHELPERS_UI_NETNS=0`` turns it off: Chromium then shares the host's network and may fail a request with
    ERR_NETWORK_CHANGED while Docker creates networks.
    """
    if os.environ.get("DOCKHELPERS_UI_NETNS", "1") == "0":
        return False
    return subprocess.run([sys.executable, str(LAUNCHER), "--check"], capture_output=True).returncode == 0


def require_chromium() -> None:
    """The browser tests FAIL (not skip) without Chromium: ``make test`` installs it."""
    import pytest

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} 이(가) 없습니다 / Chromium is missing: run `bash scripts/system-packages.sh` "
                    "(apt-get install chromium fonts-nanum) or `make test`, which installs it.", pytrace=False)


class UnixRelay:
    """A Unix socket that relays each connection to ``127.0.0.1:port``: the browser's namespace reaches it as a
    file."""

    def __init__(self, port: int, path: pathlib.Path):
        self.port, self.path = port, path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(64)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
        self.sock.close()


@contextlib.contextmanager
def chromium(port: int, *, sock: pathlib.Path | None = None, relay_dir: pathlib.Path | None = None) -> Iterator:
    """A Playwright ``Browser`` whose ``http://127.0.0.1:<port>/`` is the server under test.

    Args:
        port: the port the pages are opened on (the server's TCP port, or any free port when ``sock`` is given).
        sock: the server's Unix socket, when it listens on one (JupyterLab under ``tests/ui``).
        relay_dir: a folder for a :class:`UnixRelay` to the TCP ``port`` (the hub, the web book); needed when
            ``sock`` is not given and a namespace is available.
    """
    from playwright.sync_api import sync_playwright

    require_chromium()
    relay = None
    executable, env = CHROMIUM, None
    if netns_available():
        if sock is None:
            relay = UnixRelay(port, relay_dir / f"relay-{port}.sock")
            sock = relay.path
        executable = LAUNCHER
        env = {**os.environ, "DKC_UI_SOCK": str(sock), "DKC_UI_PORT": str(port), "DKC_UI_CHROMIUM": str(CHROMIUM)}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True,
                                         env=env)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if relay is not None:
            relay.close()
