"""Faithful pass-through: the real docker CLI, compose and the SDK through the endpoint (engine tests)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import pytest

from dockhelpers import naming
from dockhelpers.endpoint import marker
from dockhelpers.endpoint.http import Reader, body_framing, parse_response, read_body

pytestmark = pytest.mark.engine
BASE = naming.BASE_IMAGE


def _id() -> str:
    return uuid.uuid4().hex[:6]


def _raw(ep, requests: list[bytes]) -> list[tuple[int, dict, bytes]]:
    """Send raw requests on ONE connection (keep-alive) and read each response."""
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(ep.socket))
    sock.settimeout(30)
    reader = Reader(sock)
    out = []
    try:
        for req in requests:
            sock.sendall(req)
            head = parse_response(reader.read_head())
            method = req.split(b" ", 1)[0].decode()
            body = read_body(reader, body_framing(head, False, method), 1 << 24)
            out.append((int(head.first[1]), {k.lower(): v for k, v in head.headers}, body))
    finally:
        sock.close()
    return out


def test_ping_head_versions_and_keepalive(course_endpoint):
    res = _raw(course_endpoint, [b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n",
                                 b"HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n",
                                 b"GET /v1.41/_ping HTTP/1.1\r\nHost: d\r\n\r\n",
                                 b"GET /v1.24/version HTTP/1.1\r\nHost: d\r\n\r\n",
                                 b"GET /version HTTP/1.1\r\nHost: d\r\n\r\n"])
    assert [r[0] for r in res] == [200] * 5
    assert res[0][2] == b"OK" and res[1][2] == b"" and res[1][1]["api-version"]
    assert json.loads(res[4][2])["ApiVersion"] == res[0][1]["api-version"]


def test_cli_negotiates_version(course_endpoint):
    out = course_endpoint.cli("version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}}").stdout.split()
    direct = course_endpoint.direct("version", "--format", "{{.Client.APIVersion}} {{.Server.APIVersion}}").stdout.split()
    assert out == direct and len(out) == 2


def test_run_rm_stdin_and_tty(course_endpoint):
    ep = course_endpoint
    res = ep.cli("run", "--rm", "-i", BASE, "sh", "-c", "cat; echo done", input="from-stdin\n")
    assert res.returncode == 0 and res.stdout == "from-stdin\ndone\n", res.stderr
    if shutil.which("script"):
        env = ep.client_env()
        res = subprocess.run(["script", "-qec", f"docker run --rm -it {BASE} sh -c 'tty; echo tty-ok'", "/dev/null"],
                             env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert "tty-ok" in res.stdout and "/dev/pts/" in res.stdout, res.stdout + res.stderr


def test_exec_it_and_attach(course_endpoint):
    ep = course_endpoint
    name = naming.name(f"ex{_id()}")
    assert ep.cli("run", "-d", "--name", name, BASE, "sleep", "infinity").returncode == 0
    try:
        res = ep.cli("exec", "-i", name, "sh", "-c", "read x; echo got-$x", input="abc\n")
        assert res.stdout.strip() == "got-abc", res.stderr
        res = subprocess.run(["script", "-qec", f"docker exec -it {name} sh -c 'tty; echo exec-ok'", "/dev/null"],
                             env=ep.client_env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert "exec-ok" in res.stdout and "/dev/pts/" in res.stdout
    finally:
        ep.cli("rm", "-f", name)
    att = naming.name(f"at{_id()}")
    assert ep.cli("create", "-i", "--name", att, BASE, "sh", "-c", "read x; echo attached-$x").returncode == 0
    try:
        res = ep.cli("start", "-ai", att, input="yes\n", timeout=60)
        assert res.stdout.strip() == "attached-yes", res.stderr
    finally:
        ep.cli("rm", "-f", att)


def test_cp_into_a_new_file_path(course_endpoint, tmp_path):
    """``docker cp FILE C:/dir/new-name``: the CLI's HEAD probe (404 with a Content-Length) then the PUT."""
    ep = course_endpoint
    name = naming.name(f"cp{_id()}")
    (tmp_path / "stack.yaml").write_text("hello cp\n")
    assert ep.cli("run", "-d", "--name", name, BASE, "sleep", "infinity").returncode == 0
    try:
        assert ep.cli("exec", name, "mkdir", "-p", "/stacks/t3").returncode == 0
        for _ in range(2):
            res = ep.cli("cp", str(tmp_path / "stack.yaml"), f"{name}:/stacks/t3/stack.yaml")
            assert res.returncode == 0, res.stderr
        assert ep.cli("exec", name, "cat", "/stacks/t3/stack.yaml").stdout == "hello cp\n"
        res = ep.cli("cp", f"{name}:/stacks/t3/stack.yaml", str(tmp_path / "back.yaml"))
        assert res.returncode == 0 and (tmp_path / "back.yaml").read_text() == "hello cp\n"
    finally:
        ep.cli("rm", "-f", name)


def test_logs_follow_streams_before_the_end(course_endpoint):
    ep = course_endpoint
    name = naming.name(f"lf{_id()}")
    assert ep.cli("run", "-d", "--name", name, BASE, "sh", "-c",
                  "echo line1; sleep 3; for i in 2 3 4 5; do echo line$i; done").returncode == 0
    try:
        proc = subprocess.Popen(["docker", "logs", "-f", name], env=ep.client_env(), stdout=subprocess.PIPE, text=True)
        started = time.monotonic()
        first = proc.stdout.readline()
        first_at = time.monotonic() - started
        rest = proc.stdout.read()
        total = time.monotonic() - started
        assert proc.wait(30) == 0
        assert first.strip() == "line1" and rest.split() == ["line2", "line3", "line4", "line5"]
        assert first_at < total - 1.5, (first_at, total)  # streamed, not buffered until the end 3 s later
    finally:
        ep.cli("rm", "-f", name)


def test_events_and_stats_streams_via_sdk(course_endpoint):
    client = course_endpoint.sdk()
    name = naming.name(f"ev{_id()}")
    events = client.events(decode=True, filters={"type": "container", "event": "create", "container": name})
    got = []
    reader = threading.Thread(target=lambda: got.append(next(iter(events))), daemon=True)
    reader.start()
    time.sleep(0.5)
    c = client.containers.run(BASE, ["sleep", "infinity"], name=name, detach=True)
    try:
        reader.join(20)
        assert got and got[0]["Actor"]["Attributes"]["name"] == name
        stream = c.stats(decode=True)
        samples = [next(stream), next(stream)]
        assert all("memory_stats" in s for s in samples)
        snap = course_endpoint.cli("stats", "--no-stream", "--format", "{{.Name}}", name)
        assert snap.stdout.strip() == name
    finally:
        events.close()
        c.remove(force=True)


def test_build_with_large_context_streams_progress(course_endpoint, tmp_path):
    ep = course_endpoint
    (tmp_path / "big.bin").write_bytes(os.urandom(20 * 1024 * 1024))
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nCOPY big.bin /big.bin\nRUN wc -c /big.bin\n")
    ref = naming.image(f"ctx{_id()}")
    client = ep.sdk()
    lines = list(client.api.build(path=str(tmp_path), tag=ref, decode=True, rm=True))
    try:
        text = "".join(line.get("stream", "") for line in lines)
        assert "20971520 /big.bin" in text
        assert any("aux" in line for line in lines)
        assert ep.cli("run", "--rm", ref, "stat", "-c", "%s", "/big.bin").stdout.strip() == "20971520"
    finally:
        ep.cli("rmi", "-f", ref)


def test_compose_up_down_labels_everything(course_endpoint, tmp_path):
    ep = course_endpoint
    project = naming.name(f"cp{_id()}")
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  app:\n    image: {BASE}\n    command: sleep infinity\n    ports: ['{naming.port(9002)}:80']\n"
        "    volumes: [data:/data]\n    networks: [net]\nvolumes:\n  data: {}\nnetworks:\n  net: {}\n")
    res = ep.cli("compose", "-p", project, "-f", str(tmp_path / "compose.yaml"), "up", "-d", timeout=120)
    assert res.returncode == 0, res.stderr
    try:
        ps = ep.cli("compose", "-p", project, "ps", "--format", "json").stdout
        assert "running" in ps
        flt = f"label=com.docker.compose.project={project}"
        cid = ep.direct("ps", "-q", "--filter", flt).stdout.split()
        assert len(cid) == 1
        info = json.loads(ep.direct("inspect", cid[0]).stdout)[0]
        assert marker.is_course(info["Config"]["Labels"])
        assert info["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
        for kind in ("volume", "network"):
            names = ep.direct(kind, "ls", "-q", "--filter", flt).stdout.split()
            assert names
            labels = json.loads(ep.direct(kind, "inspect", "-f", "{{json .Labels}}", names[0]).stdout)
            assert marker.is_course(labels)
    finally:
        res = ep.cli("compose", "-p", project, "-f", str(tmp_path / "compose.yaml"), "down", "-v", "-t", "1")
        assert res.returncode == 0, res.stderr
    assert not ep.direct("ps", "-aq", "--filter", f"label=com.docker.compose.project={project}").stdout.strip()
