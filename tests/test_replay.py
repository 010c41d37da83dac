"""Replay without an engine: normalisation and matching, and the real docker CLI against a replaying endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from dockhelpers.endpoint.server import Endpoint
from dockhelpers.endpoint.settings import Upstream
from dockhelpers import naming
from dockhelpers.replay import recording as rec

pytestmark = pytest.mark.replay
ID = "3f4e1a9c2b7d" + "0" * 52


def test_normalise_ids_times_and_paths():
    a = rec.normalise(f"/containers/{ID}/json since=1765072800.25 /tmp/dkc-ch02-ab12cd/x 2026-12-07T02:03:04.5Z")
    b = rec.normalise("/containers/9a8b7c6d5e4f" + "1" * 52 + "/json since=1765079999 /tmp/dkc-ch02-zz99/x "
                      "2025-01-01T00:00:00Z")
    assert a == b == "/containers/<id>/json since=<time> /tmp/<tmp>/x <time>"
    # The chapter folders match wherever the notebooks run from: the checkout, a learner's work/, a test's copy.
    assert rec.normalise(f"{rec.ROOT}/notebooks/ch03/_work") == "<nb>/ch03/_work"
    assert rec.normalise("-v /home/learner/work/ch03/_work/bind:/data") == "-v <nb>/ch03/_work/bind:/data"
    assert rec.normalise(f"{rec.ROOT}/build/x") == "<root>/build/x"
    assert rec.normalise("rp-echo 9700:8080") == "rp-echo 9700:8080"  # names and ports are not varied


def test_api_key_ignores_version_prefix_and_build_labels():
    from dockhelpers.endpoint.http import split_target

    _, p1, q1 = split_target("/v1.41/containers/json?all=1")
    _, p2, q2 = split_target("/v1.49/containers/json?all=1")
    assert rec.api_key("GET", p1, q1) == rec.api_key("GET", p2, q2)
    assert rec.api_key("POST", "/build", {"t": "x", "labels": "{}"}) == rec.api_key("POST", "/build", {"t": "x"})
    assert rec.api_key("GET", "/containers/json", {"all": "1"}) != rec.api_key("GET", "/containers/json", {})


def test_body_key_ignores_what_the_rules_add():
    sent = {"Image": "debian", "Cmd": ["true"], "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "",
                                                                                            "HostPort": "9"}]}}}
    recorded = {"Image": "debian", "Cmd": ["true"], "Labels": {"kr.dockercourse": "true"},
                "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9"}]}}}
    assert rec.body_key(sent) == rec.body_key(recorded)
    assert rec.body_key({**sent, "Cmd": ["false"]}) != rec.body_key(recorded)
    assert rec.body_key({"Env": ["B=2", "A=1"]}) == rec.body_key({"Env": ["A=1", "B=2"]})


def _write(folder: Path, session: str, entries: list[dict], **header) -> Path:
    path = rec.session_path(session, folder)
    lines = [json.dumps({"recording": 1, "engine": "20.10.24", **header})] + [json.dumps(e) for e in entries]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_matching_in_order_then_repeats_the_last(tmp_path):
    path = _write(tmp_path, "ch09", [
        {"kind": "api", "method": "GET", "path": "/containers/json", "status": 200, "response": [1]},
        {"kind": "api", "method": "GET", "path": "/containers/json", "status": 200, "response": [2]},
        {"kind": "api", "method": "POST", "path": "/containers/create", "query": {"name": "a"},
         "body": {"Image": "x", "Cmd": ["uname"]}, "status": 201, "response": {"Id": ID}},
        {"kind": "api", "method": "POST", "path": "/containers/create", "query": {"name": "a"},
         "body": {"Image": "x", "Cmd": ["true"]}, "status": 201, "response": {"Id": "b" * 64}},
        {"kind": "shell", "argv": ["curl", "-s", "http://127.0.0.1:9700/"], "returncode": 0, "out": [[0, "out", "hi"]]},
    ])
    r = rec.Recording.load(path)
    key = rec.api_key("GET", "/containers/json", {})
    assert [r.match("api", key)["response"] for _ in range(3)] == [[1], [2], [2]]
    create = rec.api_key("POST", "/containers/create", {"name": "a"})
    assert r.match("api", create, {"Image": "x", "Cmd": ["true"]})["response"]["Id"] == "b" * 64
    assert r.match("api", create, {"Image": "x", "Cmd": ["uname"]})["response"]["Id"] == ID
    assert r.match("api", create, {"Image": "x", "Cmd": ["ls"]}) is None
    assert r.match("api", rec.api_key("DELETE", "/containers/a", {})) is None
    assert r.match("shell", rec.shell_key(["curl", "-s", "http://127.0.0.1:9700/"]))["out"][0][2] == "hi"


def test_not_recorded_message_is_short_korean():
    msg = rec.not_recorded("POST /containers/create")
    assert "녹화에 없는" in msg and "make lab" in msg and len(msg) < 250


@pytest.fixture
def replaying(tmp_path, monkeypatch):
    """An endpoint answering from recordings in ``tmp_path`` on its own socket; yields (folder, env)."""
    sock = tmp_path / "rp.sock"
    server = Endpoint(sock, Upstream("unix:///nonexistent"), chapter="09", replay=tmp_path)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    monkeypatch.setenv(rec.SPEED_ENV, "20")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update({"DOCKER_HOST": f"unix://{sock}", "DOCKER_CONFIG": str(tmp_path / "cfg"),
                rec.SPEED_ENV: "20"})
    yield tmp_path, env
    server.shutdown()
    server.server_close()


def test_cli_gets_recorded_answer_and_korean_error(replaying):
    folder, env = replaying
    listing = [{"Id": ID, "Names": ["/rp-echo"], "Image": "rp/echo:latest", "ImageID": "sha256:" + "c" * 64,
                "Command": "python3 app.py", "Created": 1765072800, "Ports": [], "Labels": {},
                "State": "running", "Status": "Up 2 seconds", "HostConfig": {"NetworkMode": "default"},
                "NetworkSettings": {"Networks": {}}, "Mounts": []}]
    _write(folder, "ch09", [{"kind": "api", "method": "GET", "path": "/containers/json", "status": 200,
                             "content_type": "application/json", "response": listing}])
    ls = subprocess.run(["docker", "container", "ls"], env=env, capture_output=True, text=True, timeout=30)
    assert ls.returncode == 0, ls.stderr
    assert "rp-echo" in ls.stdout and ID[:12] in ls.stdout
    rm = subprocess.run(["docker", "container", "rm", "-f", "nothing-like-this"], env=env, capture_output=True,
                        text=True, timeout=30)
    assert rm.returncode != 0
    assert "Error response from daemon: 녹화에 없는 요청" in rm.stderr
    assert "Traceback" not in rm.stderr


def test_stream_plays_chunks_with_timing(replaying):
    folder, env = replaying
    chunks = [[0.0, "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002a\n"],
              [2.0, "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002b\n"]]
    _write(folder, "ch09", [{"kind": "api", "method": "GET", "path": f"/containers/{ID}/logs",
                             "query": {"follow": "1", "stderr": "1", "stdout": "1", "tail": "all"}, "status": 200,
                             "content_type": "application/vnd.docker.multiplexed-stream", "chunks": chunks},
                            {"kind": "api", "method": "GET", "path": "/containers/web/json", "status": 200,
                             "response": {"Id": ID, "Config": {"Tty": False}}}])
    started = time.monotonic()
    logs = subprocess.run(["docker", "logs", "-f", "web"], env=env, capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - started
    assert logs.returncode == 0, logs.stderr
    assert logs.stdout == "a\nb\n"
    assert 0.08 <= elapsed < 5  # 2 s recorded, played 20x faster


def test_hijacked_run_output(replaying):
    """``docker run`` without -d: attach (hijacked), start, wait: the recorded output and exit code."""
    folder, env = replaying
    _write(folder, "ch09", [
        {"kind": "api", "method": "POST", "path": "/containers/create", "status": 201,
         "response": {"Id": ID, "Warnings": []}},
        {"kind": "api", "method": "POST", "path": f"/containers/{ID}/attach",
         "query": {"stderr": "1", "stdout": "1", "stream": "1"}, "status": 101, "hijack": True,
         "content_type": "application/vnd.docker.raw-stream",
         "chunks": [[0.1, "\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003hi\n"]]},
        {"kind": "api", "method": "POST", "path": f"/containers/{ID}/wait", "query": {"condition": "next-exit"},
         "status": 200, "response": {"StatusCode": 3, "Error": None}, "seconds": 0.2},
        {"kind": "api", "method": "POST", "path": f"/containers/{ID}/start", "status": 204, "seconds": 0.01},
    ])
    run = subprocess.run(["docker", "run", "debian:trixie-slim", "sh", "-c", "echo hi; exit 3"], env=env,
                         capture_output=True, text=True, timeout=30)
    assert run.stdout == "hi\n", run.stderr
    assert run.returncode == 3


@pytest.fixture
def replay_session(tmp_path, monkeypatch):
    """This process in replay mode with recordings in ``tmp_path`` (session ``ch09``)."""
    monkeypatch.setenv(rec.MODE_ENV, "replay")
    monkeypatch.setenv(rec.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(rec.SPEED_ENV, "20")
    monkeypatch.setenv("DOCKHELPERS_SESSION", "ch09")
    rec._LOADED.clear()
    yield tmp_path
    rec._LOADED.clear()


def test_shell_command_replays_and_unrecorded_gets_korean_note(replay_session, capsys):
    from dockhelpers import shell
    from dockhelpers.errors import CourseError

    _write(replay_session, "ch09", [{"kind": "shell", "argv": ["curl", "-s", "http://127.0.0.1:9700/"],
                                     "returncode": 0, "seconds": 0.5, "out": [[0.2, "out", "Hello Docker!!"]]}])
    res = shell.run("curl -s http://127.0.0.1:9700/")
    assert res.ok and res.stdout == "Hello Docker!!\n"
    assert "$ curl -s http://127.0.0.1:9700/\nHello Docker!!\n" in capsys.readouterr().out
    missing = shell.run("ls /nowhere", check=False)
    assert missing.returncode == 127 and "녹화에 없는" in capsys.readouterr().out
    with pytest.raises(CourseError, match="녹화에 없는"):
        shell.run("ls /nowhere")


def test_web_calls_replay(replay_session):
    import urllib.error
    import urllib.request

    from dockhelpers import web
    from dockhelpers.replay import web as replay_web

    _write(replay_session, "ch09", [
        {"kind": "web", "method": "GET", "url": "http://127.0.0.1:9700/", "status": 0, "text": "",
         "error": "refused", "seconds": 0.01},
        {"kind": "web", "method": "GET", "url": "http://127.0.0.1:9700/", "status": 200, "text": "hi",
         "seconds": 0.01},
        {"kind": "web", "method": "GET", "url": "http://127.0.0.1:9700/x", "status": 200, "text": "x"}])
    assert web.get("http://127.0.0.1:9700/").status == 0
    assert web.get("http://127.0.0.1:9700/").text == "hi"
    missing = web.get("http://127.0.0.1:9700/nothing")
    assert missing.status == 0 and "녹화에 없는" in missing.error
    replay_web.install()
    try:
        assert urllib.request.urlopen("http://127.0.0.1:9700/x", timeout=3).read() == b"x"
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen("http://127.0.0.1:9700/nothing", timeout=3)
    finally:
        urllib.request.install_opener(None)


def test_bind_mount_files_recorded_and_restored(tmp_path):
    from dockhelpers.replay import binds

    first, second = tmp_path / "dkc-a", tmp_path / "dkc-b"
    first.mkdir()
    second.mkdir()
    (first / "from-container.txt").write_text("Sun Dec  7 02:00:00 UTC 2026\n")
    args = ["docker", "container", "run", "--rm", "-v", f"{first}:/data", "--mount",
            f"type=volume,source=v,target=/v", "debian", "sh"]
    assert binds.sources(args) == [first]
    files = binds.snapshot(args, time.time() - 5)
    assert files == {"0/from-container.txt": "Sun Dec  7 02:00:00 UTC 2026\n"}
    binds.restore([a.replace(str(first), str(second)) for a in args], files)
    assert (second / "from-container.txt").read_text() == "Sun Dec  7 02:00:00 UTC 2026\n"
    binds.restore(args, {"0/../escape.txt": "x"})
    assert not (tmp_path / "escape.txt").exists()


def test_exact_ids_are_preferred(tmp_path):
    """Two exec starts differ only by the exec ID: each gets its own output, whatever the order."""
    a, b = "a" * 64, "b" * 64
    path = _write(tmp_path, "ch09", [
        {"kind": "api", "method": "POST", "path": f"/exec/{a}/start", "status": 200, "chunks": [[0, "A"]]},
        {"kind": "api", "method": "POST", "path": f"/exec/{b}/start", "status": 200, "chunks": [[0, "B"]]}])
    r = rec.Recording.load(path)

    def start(exec_id: str) -> str:
        p = f"/exec/{exec_id}/start"
        return r.match("api", rec.api_key("POST", p, {}), exact=rec.api_key("POST", p, {}, ids=False))["chunks"][0][1]

    assert [start(b), start(a)] == ["B", "A"]
    assert start("c" * 64) in ("A", "B")  # an ID this run made up: the normalised key still answers


def test_cut_stats_stream_keeps_cycling_and_events_hold(replaying):
    """A monitor's stats stream goes on with the recorded samples; an events stream stays open, silent."""
    import docker

    folder, env = replaying
    samples = [[i * 1.0, json.dumps({"read": f"s{i}", "cpu_stats": {}, "memory_stats": {}}) + "\n"] for i in range(2)]
    _write(folder, "ch09", [
        {"kind": "api", "method": "GET", "path": f"/containers/{ID}/stats", "query": {"stream": "True"}, "status": 200,
         "content_type": "application/json", "chunks": samples, "cut": True},
        {"kind": "api", "method": "GET", "path": "/events", "status": 200, "content_type": "application/json",
         "chunks": [[0.0, json.dumps({"status": "start", "id": ID}) + "\n"]], "cut": True}])
    client = docker.DockerClient(base_url=env["DOCKER_HOST"], version="1.41", timeout=10)
    stream = client.api.stats(ID, stream=True, decode=True)
    reads = [next(stream)["read"] for _ in range(4)]
    stream.close()
    assert reads == ["s0", "s1", "s0", "s1"]
    events = client.events(decode=True)
    assert next(events)["status"] == "start"
    events.close()
    client.close()


def test_builds_replay_as_cli_output():
    from dockhelpers.shell import cli_level

    assert cli_level(["docker", "image", "build", "-q", "-t", "x", "."])
    assert cli_level(["docker", "compose", "-p", "p", "-f", "compose.yaml", "--progress", "plain", "build"])
    assert cli_level(["docker", "compose", "-p", "p", "up", "-d", "--build"])
    assert not cli_level(["docker", "container", "run", "--rm", "rp/hello:build"])
    assert cli_level(["docker", "compose", "-p", "lab", "up", "-d"])
    assert not cli_level(["docker", "compose", "version", "--short"])
    assert not cli_level(["curl", "build"])


def test_cli_and_sdk_requests_are_matched_apart(tmp_path):
    """A widget's SDK polls and a cell's CLI inspects of the same container keep their own recorded order."""
    from dockhelpers.endpoint.record import agent

    assert agent("Docker-Client/28.2.2 (linux)") == "cli"
    assert agent("docker-sdk-python/7.1.0") == "sdk"
    assert agent("compose/2.36.2 docker-client/28.2.2") == "compose"
    path = _write(tmp_path, "ch09", [
        {"kind": "api", "agent": "sdk", "method": "GET", "path": "/containers/c/json", "status": 200, "response": "s1"},
        {"kind": "api", "agent": "cli", "method": "GET", "path": "/containers/c/json", "status": 200, "response": "c1"},
        {"kind": "api", "agent": "sdk", "method": "GET", "path": "/containers/c/json", "status": 200, "response": "s2"},
        {"kind": "api", "agent": "cli", "method": "GET", "path": "/containers/c/json", "status": 200, "response": "c2"}])
    r = rec.Recording.load(path)
    key, exact = rec.api_key("GET", "/containers/c/json", {}), rec.api_key("GET", "/containers/c/json", {}, ids=False)
    got = [r.match("api", key, exact=exact, agent=a)["response"] for a in ("cli", "cli", "sdk", "sdk")]
    assert got == ["c1", "c2", "s1", "s2"]


def test_recorded_prefix_matches_the_default_one():
    """A name computed before the replay switched to the recording's prefix (``dkc/registry``) still matches."""
    rec.add_prefix("rp")
    assert rec.normalise("/build?t=dkc/registry:latest") == rec.normalise("/build?t=rp/registry:latest")
    assert rec.normalise("/containers/dkc-ex-junk-1/json") == rec.normalise("/containers/rp-ex-junk-1/json")
    assert rec.normalise("{\"name\": [\"dkc-ex-echo\"]}") == rec.normalise("{\"name\": [\"ex-echo\"]}")
    assert rec.normalise("/containers/sharp-rp-x/json") != rec.normalise("/containers/sharp-dkc-x/json")


def test_prefix_the_kernel_started_with_matches(monkeypatch):
    """A kernel started under another prefix (a classroom student's, a test worker's) computed some names with
    it before the replay switched to the recording's prefix; they match the recorded ones."""
    monkeypatch.setenv(naming.PREFIX_BEFORE_ENV, "dkc-s07")
    assert rec.normalise("/build?t=dkc-s07/registry:latest") == rec.normalise("/build?t=dkc/registry:latest")
    assert rec.normalise("/containers/dkc-s07-registry/json") == rec.normalise("/containers/dkc-registry/json")


def test_streams_still_open_are_written_when_the_endpoint_stops(tmp_path, monkeypatch):
    """A widget's events stream that never ended is recorded (``cut``) when the endpoint stops, and only once."""
    from dockhelpers.endpoint import record

    monkeypatch.setenv("DOCKHELPERS_ENDPOINT_STATE", str(tmp_path / "state"))
    recorder = record.Recorder(tmp_path / "rec")
    entry = record.Entry("GET", "/events", {"filters": "{}"})
    entry.status(200, "application/json", [("Api-Version", "1.41"), ("Server", "Docker")])
    recorder.begin("ch09", entry)
    entry.chunk(b'{"status":"start"}\n')
    recorder.flush_open()
    recorder.write("ch09", entry)  # the connection's own write after the flush: ignored
    lines = [json.loads(x) for x in (tmp_path / "rec" / "ch09.jsonl").read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["cut"] is True and lines[0]["headers"] == {"api-version": "1.41"}
    assert lines[0]["chunks"][0][1] == '{"status":"start"}\n' and "written" not in lines[0]
