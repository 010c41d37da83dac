"""Recording mode: one JSON line per exchange, per session, with stream chunks and no credentials."""

from __future__ import annotations

import json
import uuid

import pytest

from dockhelpers import naming
from dockhelpers.endpoint import marker

pytestmark = pytest.mark.engine
BASE = naming.BASE_IMAGE


def _lines(ep, session: str) -> list[dict]:
    path = ep.record_dir / f"{session}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_session_recording(course_endpoint):
    ep = course_endpoint
    session = f"ch02-{uuid.uuid4().hex[:6]}"
    client = ep.sdk()
    client.api.headers["X-Dockercourse-Session"] = session
    name = naming.name(f"rec{uuid.uuid4().hex[:6]}")
    out = client.containers.run(BASE, ["sh", "-c", "echo one; sleep 0.3; echo two"], name=name, remove=True)
    assert out == b"one\ntwo\n"
    entries = _lines(ep, session)
    create = next(e for e in entries if e["path"] == "/containers/create")
    assert create["method"] == "POST" and create["status"] == 201 and create["query"] == {"name": name}
    assert create["body"]["Image"] == BASE and "Id" in create["response"]
    start = next(e for e in entries if e["path"].endswith("/start"))
    assert start["status"] == 204
    logs = [e for e in entries if e["path"].endswith("/logs")]
    assert logs and logs[0]["status"] == 200
    waits = [e for e in entries if e["path"].endswith("/wait")]
    assert waits and waits[0]["response"]["StatusCode"] == 0
    assert create["body"]["Labels"][marker.MARKER_LABEL] == "<marker>"
    assert ep.marker() not in (ep.record_dir / f"{session}.jsonl").read_text()
    terminal = ep.record_dir / "terminal.jsonl"
    assert not terminal.exists() or name not in terminal.read_text()


def test_plain_json_bodies_are_recorded(course_endpoint):
    """A JSON body no rule rewrites (``docker exec``'s) is recorded too: a replay needs the command."""
    ep = course_endpoint
    session = f"exec-{uuid.uuid4().hex[:6]}"
    client = ep.sdk()
    client.api.headers["X-Dockercourse-Session"] = session
    c = client.containers.run(BASE, ["sleep", "infinity"], detach=True, name=naming.name(f"rx{uuid.uuid4().hex[:6]}"))
    try:
        assert c.exec_run(["echo", "recorded"]).output == b"recorded\n"
    finally:
        c.remove(force=True)
    exec_create = next(e for e in _lines(ep, session) if e["path"].endswith("/exec") and e["method"] == "POST")
    assert exec_create["body"]["Cmd"] == ["echo", "recorded"]


def test_stream_chunks_have_time_offsets(course_endpoint):
    ep = course_endpoint
    session = f"stream-{uuid.uuid4().hex[:6]}"
    client = ep.sdk()
    client.api.headers["X-Dockercourse-Session"] = session
    c = client.containers.run(BASE, ["sh", "-c", "echo a; sleep 0.5; echo b"], detach=True,
                              name=naming.name(f"rs{uuid.uuid4().hex[:6]}"))
    try:
        assert b"".join(c.logs(stream=True, follow=True)) == b"a\nb\n"
    finally:
        c.remove(force=True)
    logs = [e for e in _lines(ep, session) if e["path"].endswith("/logs")][0]
    offsets = [chunk[0] for chunk in logs["chunks"]]
    assert len(offsets) >= 2 and offsets[-1] - offsets[0] >= 0.3
    assert "a\n" in "".join(chunk[1] for chunk in logs["chunks"])


def test_credentials_never_written(course_endpoint):
    ep = course_endpoint
    session = f"auth-{uuid.uuid4().hex[:6]}"
    client = ep.sdk()
    client.api.headers["X-Dockercourse-Session"] = session
    secret = "pw-" + uuid.uuid4().hex
    try:
        client.login(username="learner", password=secret, registry="http://127.0.0.1:5099", reauth=True)
    except Exception:
        pass  # the answer does not matter; the recording does
    try:  # a pull with credentials: X-Registry-Auth header
        client.api.pull("127.0.0.1:5099/library/nonexistent", tag="x",
                        auth_config={"username": "learner", "password": secret})
    except Exception:
        pass
    text = (ep.record_dir / f"{session}.jsonl").read_text()
    assert "/auth" in text and "<redacted>" in text
    assert secret not in text
    assert "X-Registry-Auth" not in text and "x-registry-auth" not in text


def test_cli_config_sends_chapter_and_session(course_endpoint, monkeypatch):
    """A kernel's CLI calls (``client.environ``): chapter label on what they create, their own recording file."""
    import subprocess

    from dockhelpers.endpoint import client

    ep = course_endpoint
    session = f"cli-{uuid.uuid4().hex[:6]}"
    env = {**ep.client_env(), **client.environ(chapter=2, session=session), "DOCKER_HOST": ep.host}
    vol = naming.name(f"cfg{uuid.uuid4().hex[:6]}")
    res = subprocess.run(["docker", "volume", "create", vol], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    try:
        labels = json.loads(ep.direct("volume", "inspect", "-f", "{{json .Labels}}", vol).stdout)
        assert labels[naming.CHAPTER_LABEL] == "02"
        assert any(e["path"] == "/volumes/create" for e in _lines(ep, session))
        plugins = subprocess.run(["docker", "compose", "version"], env=env, capture_output=True, text=True)
        assert plugins.returncode == 0, plugins.stderr  # the learner's CLI plugins still work
    finally:
        ep.cli("volume", "rm", vol)


def test_stream_the_client_cut_is_recorded(course_endpoint):
    """A stats stream a widget stops is still recorded (marked ``cut``), and ``/_ping`` keeps its API version."""
    import time

    ep = course_endpoint
    session = f"cut-{uuid.uuid4().hex[:6]}"
    client = ep.sdk()
    client.api.headers["X-Dockercourse-Session"] = session
    c = client.containers.run(BASE, ["sleep", "infinity"], detach=True, name=naming.name(f"rc{uuid.uuid4().hex[:6]}"))
    try:
        stream = client.api.stats(c.id, stream=True, decode=True)
        samples = [next(stream), next(stream)]
        stream.close()
        assert samples[1]["id"] == c.id
        path = ep.record_dir / f"{session}.jsonl"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and '"cut":true' not in path.read_text():
            time.sleep(0.3)
        client.ping()
    finally:
        c.remove(force=True)
    stats = [e for e in _lines(ep, session) if e["path"].endswith("/stats")]
    assert stats and stats[0].get("cut") is True and len(stats[0]["chunks"]) >= 2
    ping = [e for e in _lines(ep, session) if e["path"] == "/_ping"]
    assert ping and ping[-1]["headers"]["api-version"]
