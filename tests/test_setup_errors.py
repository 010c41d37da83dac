"""Korean messages for the set-up's failure modes: engine down, socket permission, disk full, proxy."""

from __future__ import annotations

import os

from dockhelpers import errors
from dockhelpers.engine import ensure_loopback_no_proxy


def test_socket_permission_denied_says_to_join_the_docker_group():
    cli = ("permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
           "Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version\": dial unix /var/run/docker.sock: connect: "
           "permission denied")
    sdk = ("Error while fetching server API version: ('Connection aborted.', "
           "PermissionError(13, 'Permission denied'))")
    for text in (cli, sdk):
        err = errors.translate(text)
        assert isinstance(err, errors.SocketPermission) and isinstance(err, errors.EngineUnavailable), text
        assert "usermod -aG docker" in err.hint


def test_engine_down_disk_full_and_proxy():
    gone = errors.translate("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))")
    assert type(gone) is errors.EngineUnavailable and "엔진" in gone.message
    full = errors.translate("write /var/lib/docker/tmp/GetImageBlob1: no space left on device")
    assert isinstance(full, errors.NoSpace) and "cleanup" in full.hint
    proxy = errors.translate("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: "
                             "dial tcp 10.0.0.1:3128: connect: connection refused")
    assert isinstance(proxy, errors.ProxyProblem) and "NO_PROXY" in proxy.hint


def test_loopback_is_never_sent_to_a_proxy(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "corp.lan")
    monkeypatch.delenv("no_proxy", raising=False)
    ensure_loopback_no_proxy()
    ensure_loopback_no_proxy()
    assert os.environ["NO_PROXY"] == "corp.lan,127.0.0.1,localhost"
    assert os.environ["no_proxy"] == "127.0.0.1,localhost"
    import urllib.request

    assert urllib.request.proxy_bypass("127.0.0.1") and urllib.request.proxy_bypass("localhost")
