#!/usr/bin/env python3
"""Start Chromium in a network namespace of its own, reaching JupyterLab through a Unix socket.

Why: Chromium watches the host's network interfaces and aborts its requests with ``ERR_NETWORK_CHANGED``
whenever one appears or goes away - and the notebooks create Docker networks (bridges, veth pairs) all the
time, so JupyterLab's page, theme or widget code would fail to load at random. In a namespace with only a
loopback interface nothing changes. JupyterLab listens on a Unix socket (a file: visible from any network
namespace); a small relay in the namespace serves it on ``127.0.0.1:$DKC_UI_PORT`` for the browser.

Used as Playwright's ``executable_path``; the arguments are Chromium's. Environment: ``DKC_UI_SOCK`` (the
Unix socket), ``DKC_UI_PORT``, ``DKC_UI_CHROMIUM`` (the real browser). ``--check`` only tests that a network
namespace can be made here (root or user namespaces) and exits 0/1. Standard library only.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import sys
import threading

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def new_netns() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # ip link set lo up
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(listener: socket.socket, sock_path: str, parent: int) -> None:
    """Serve until the browser (our parent) is gone."""
    listener.settimeout(1.0)
    while os.getppid() == parent:
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        client.settimeout(None)
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(sock_path)
        except OSError:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()
    os._exit(0)


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        try:
            new_netns()
        except OSError as exc:
            print(f"no network namespace: {exc}", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    sock_path, port, chromium = os.environ["DKC_UI_SOCK"], int(os.environ["DKC_UI_PORT"]), os.environ["DKC_UI_CHROMIUM"]
    new_netns()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    parent = os.getpid()
    if os.fork() == 0:
        # The relay must not hold Playwright's pipes to the browser (fds 3 and 4) open.
        for fd in (0, 1, 3, 4):
            try:
                os.close(fd)
            except OSError:
                pass
        relay(listener, sock_path, parent)
    listener.close()
    os.execv(chromium, [chromium, *sys.argv[1:]])


if __name__ == "__main__":
    main()
