"""Faults: malformed HTTP, the endpoint or the engine going away mid-stream, 20 clients at once, memory."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import uuid

import pytest

from dockhelpers import naming
from dockhelpers.endpoint import settings
from dockhelpers.endpoint.server import Endpoint
from dockhelpers.errors import EngineUnavailable, translate

pytestmark = pytest.mark.engine
BASE = naming.BASE_IMAGE


def _id() -> str:
    return uuid.uuid4().hex[:6]


def _send(path, data: bytes) -> bytes:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(path))
    sock.settimeout(10)
    sock.sendall(data)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except socket.timeout:
        pass
    sock.close()
    return out


@pytest.mark.parametrize("tail", [
    b"Content-Length: abc\r\n\r\n{}",
    b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"Bad Header Line\r\n\r\n{}",
])
def test_malformed_http_gets_400_and_nothing_is_forwarded(course_endpoint, tail):
    name = naming.name(f"mal{_id()}")
    body = f'{{"Image": "{BASE}", "Cmd": ["true"]}}'.encode()
    tail = tail.replace(b"{}", body)
    out = _send(course_endpoint.socket, f"POST /v1.41/containers/create?name={name} HTTP/1.1\r\nHost: d\r\n"
                .encode() + b"Content-Type: application/json\r\n" + tail)
    assert out.startswith(b"HTTP/1.1 400 "), out[:200]
    assert b'"message"' in out
    assert course_endpoint.direct("inspect", name).returncode != 0, "the malformed request reached the engine"
    assert course_endpoint.cli("version").returncode == 0  # the endpoint is still serving


def test_refused_request_with_a_body_keeps_the_connection(course_endpoint):
    """A refusal (``swarm init`` has a JSON body) drains the body: the client never sees a broken pipe."""
    body = b'{"ListenAddr": "0.0.0.0:2377", "ForceNewCluster": false}'
    req = (b"POST /v1.41/swarm/init HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    out = _send(course_endpoint.socket, req + b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 403 ") and out.count(b"HTTP/1.1 ") == 2 and out.endswith(b"OK")


def test_endpoint_restart_mid_stream(course_endpoint):
    """The kernel's SDK stream breaks with a translatable error; the next call reconnects."""
    ep = course_endpoint
    name = naming.name(f"rs{_id()}")
    client = ep.sdk()
    c = client.containers.run(BASE, ["sh", "-c", "while true; do echo tick; sleep 0.1; done"], name=name, detach=True)
    try:
        stream = c.logs(stream=True, follow=True)
        assert next(stream).strip() == b"tick"
        ep.restart()
        started = time.monotonic()
        try:  # the SDK ends a cut stream quietly (StopIteration) or raises; either way promptly
            for _ in range(10_000):
                next(stream)
            pytest.fail("the stream went on through a restarted endpoint")
        except StopIteration:
            pass
        except Exception as exc:
            assert isinstance(translate(exc), EngineUnavailable), repr(exc)
        assert time.monotonic() - started < 10
        c.reload()  # the same client, a new connection through the restarted endpoint
        assert c.status == "running"
    finally:
        ep.sdk().api.remove_container(name, force=True)


def test_cli_stream_cut_by_restart_is_a_korean_error(course_endpoint):
    """``docker logs -f`` in a terminal when the endpoint restarts: exits non-zero; the kernel translates it."""
    ep = course_endpoint
    name = naming.name(f"cut{_id()}")
    assert ep.cli("run", "-d", "--name", name, BASE, "sh", "-c", "while true; do echo tick; sleep 0.1; done").returncode == 0
    try:
        proc = subprocess.Popen(["docker", "logs", "-f", name], env=ep.client_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "tick"
        ep.restart()
        _, err = proc.communicate(timeout=15)
        assert proc.returncode != 0
        assert isinstance(translate(err), EngineUnavailable), err
        assert ep.cli("logs", "--tail", "1", name).stdout.strip() == "tick"  # the next call reconnects
    finally:
        ep.direct("rm", "-f", name)


def test_engine_gone_and_back(course_endpoint, tmp_path):
    """The engine side goes away mid-stream, then is unreachable, then returns: clean errors, then work again.

    The "engine" here is a second endpoint in front of the real engine, stopped and started by the test.
    """
    ep = course_endpoint
    fake_engine = tmp_path / "engine.sock"

    class Engine(Endpoint):
        """Keeps its connections so that the test can cut them as a dying engine would."""

        def process_request(self, request, client_address):
            self.conns = [*getattr(self, "conns", []), request]
            super().process_request(request, client_address)

        def die(self) -> None:
            self.shutdown()
            self.server_close()
            for conn in getattr(self, "conns", []):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def start_engine() -> Engine:
        srv = Engine(fake_engine, settings.Upstream(ep.engine))
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return srv

    engine = start_engine()
    front = Endpoint(tmp_path / "front.sock", settings.Upstream(f"unix://{fake_engine}"))
    threading.Thread(target=front.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    env = {**ep.client_env(), "DOCKER_HOST": f"unix://{front.path}"}
    name = naming.name(f"eg{_id()}")
    try:
        assert subprocess.run(["docker", "run", "-d", "--name", name, BASE, "sh", "-c",
                               "while true; do echo tick; sleep 0.1; done"], env=env, capture_output=True).returncode == 0
        proc = subprocess.Popen(["docker", "logs", "-f", name], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "tick"
        engine.die()
        proc.wait(15)  # the stream ends (an error, not a hang)
        assert proc.returncode != 0
        down = subprocess.run(["docker", "ps"], env=env, capture_output=True, text=True, timeout=30)
        assert down.returncode != 0
        assert isinstance(translate(down.stderr), EngineUnavailable), down.stderr
        assert "과정 엔드포인트가 도커 엔진" in down.stderr
        guarded = subprocess.run(["docker", "rm", "-f", name], env=env, capture_output=True, text=True, timeout=30)
        assert guarded.returncode != 0 and isinstance(translate(guarded.stderr), EngineUnavailable), guarded.stderr
        engine = start_engine()
        up = subprocess.run(["docker", "ps", "--format", "{{.Names}}"], env=env, capture_output=True, text=True,
                            timeout=30)
        assert up.returncode == 0 and name in up.stdout.split()
    finally:
        ep.direct("rm", "-f", name)
        engine.shutdown()
        engine.server_close()
        front.shutdown()
        front.server_close()


@pytest.mark.slow
def test_twenty_concurrent_clients(course_endpoint, tmp_path):
    """10 stats streams and 10 builds at the same time, all through the endpoint."""
    ep = course_endpoint
    client = ep.sdk(timeout=120)
    names = [naming.name(f"cc{_id()}") for _ in range(10)]
    containers = [client.containers.run(BASE, ["sleep", "infinity"], name=n, detach=True) for n in names]
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nARG N\nRUN echo $N > /n\n")
    refs = [naming.image(f"cc{_id()}") for _ in range(10)]
    results: dict[str, object] = {}

    def stats(c) -> None:
        try:
            stream = ep.sdk(timeout=120).api.stats(c.id, decode=True)
            results[c.name] = sum(1 for _, s in zip(range(3), stream) if "cpu_stats" in s)
        except Exception as exc:  # pragma: no cover - reported by the assert below
            results[c.name] = exc

    def build(ref: str, i: int) -> None:
        try:
            out = subprocess.run(["docker", "build", "-q", "--build-arg", f"N={i}", "-t", ref, str(tmp_path)],
                                 env=ep.client_env(), capture_output=True, text=True, timeout=300)
            results[ref] = out.returncode if out.returncode else 3
        except Exception as exc:  # pragma: no cover
            results[ref] = exc

    threads = [threading.Thread(target=stats, args=(c,)) for c in containers]
    threads += [threading.Thread(target=build, args=(r, i)) for i, r in enumerate(refs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert results == {**{n: 3 for n in names}, **{r: 3 for r in refs}}
    finally:
        for c in containers:
            c.remove(force=True)
        ep.cli("rmi", "-f", *refs)


@pytest.mark.slow
def test_memory_bounded_streaming_200mb_of_logs(course_endpoint):
    ep = course_endpoint
    name = naming.name(f"mem{_id()}")
    script = "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c 200000000"
    # The engine here rotates logs at 10 MB; this container keeps all of its 200 MB.
    res = ep.cli("run", "--name", name, "--log-opt", "max-size=1g", "--log-opt", "max-file=1", BASE, "sh", "-c",
                 script, timeout=300)
    assert res.returncode == 0, res.stderr
    try:
        before = ep.rss_kb()
        started = time.monotonic()
        proc = subprocess.run(f"docker logs {name} | wc -c", shell=True, env=ep.client_env(), capture_output=True,
                              text=True, timeout=600)
        seconds = time.monotonic() - started
        after = ep.rss_kb()
        assert int(proc.stdout.strip()) == 200_000_000
        print(f"200 MB of logs in {seconds:.1f} s; endpoint RSS {before} kB -> {after} kB")
        assert after - before < 40_000, (before, after)
    finally:
        ep.direct("rm", "-f", name)


def test_memory_bounded_100mb_build_context(course_endpoint, tmp_path):
    """A 100 MB build context is streamed to the engine, not held: the endpoint's RSS barely moves."""
    import os

    ep = course_endpoint
    (tmp_path / "big.bin").write_bytes(os.urandom(100 * 1024 * 1024))
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nLABEL context=big\n")
    ref = naming.image(f"bigctx{_id()}")
    before = ep.rss_kb()
    res = ep.cli("build", "-q", "-t", ref, str(tmp_path), timeout=600)
    after = ep.rss_kb()
    try:
        assert res.returncode == 0, res.stderr
        print(f"100 MB context; endpoint RSS {before} kB -> {after} kB")
        assert after - before < 40_000, (before, after)
    finally:
        ep.cli("rmi", "-f", ref)
