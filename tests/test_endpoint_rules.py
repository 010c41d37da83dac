"""Each rule of the endpoint's table: a unit test of the rewrite and a test against the real engine."""

from __future__ import annotations

import json
import socket
import threading
import uuid

import pytest

from dockhelpers import naming
from dockhelpers.endpoint import marker, rules, settings
from dockhelpers.endpoint.http import Head, simple_request

BASE = naming.BASE_IMAGE


def _id() -> str:
    return uuid.uuid4().hex[:6]


def _exchange(method: str, target: str, body=None, headers=()) -> rules.Exchange:
    x = rules.Exchange(Head((method, target, "HTTP/1.1"), list(headers)), None, settings.Upstream("unix:///nonexistent"))
    if body is not None:
        x.body, x.body_read = body, True
    return x


# ------------------------------------------------------------------------------------------ unit tests
@pytest.mark.parametrize("method,path,rule", [
    ("POST", "/containers/create", "create_container"),
    ("POST", "/containers/abc/stop", "guard_container"),
    ("POST", "/containers/abc/update", "guard_container"),
    ("DELETE", "/containers/abc", "guard_container"),
    ("POST", "/containers/abc/start", None),
    ("POST", "/containers/prune", "prune"),
    ("DELETE", "/images/dkc/echo:latest", "guard_image"),
    ("POST", "/build", "build"),
    ("POST", "/build/prune", "prune_build_cache"),
    ("POST", "/swarm/init", "refuse_swarm"),
    ("POST", "/swarm/update", None),
    ("GET", "/containers/json", "list_marked"),
    ("GET", "/containers/abc/json", None),
    ("GET", "/_ping", None),
])
def test_table_matches(method, path, rule):
    found = rules.find(method, path)
    assert (found[0].__name__ if found else None) == rule


def test_create_binds_wildcard_ports_to_loopback_and_labels(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    body = {"Image": BASE, "Labels": {marker.MARKER_LABEL: "forged", "mine": "1"},
            "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "9000"}],
                                            "81/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9001"}],
                                            "82/tcp": [{"HostIp": "::", "HostPort": ""}],
                                            "83/tcp": [{"HostIp": "10.1.2.3", "HostPort": "9003"}]}}}
    x = _exchange("POST", "/v1.41/containers/create", body, [("X-Dockercourse-Chapter", "02")])
    rules.apply(x)
    pb = x.body["HostConfig"]["PortBindings"]
    assert [b[0]["HostIp"] for b in pb.values()] == ["127.0.0.1", "127.0.0.1", "127.0.0.1", "10.1.2.3"]
    labels = x.body["Labels"]
    assert labels[marker.MARKER_LABEL] == marker.marker_value() != "forged"
    assert labels["mine"] == "1" and labels[naming.CHAPTER_LABEL] == "02" and labels[naming.COURSE_LABEL] == "true"


@pytest.mark.parametrize("host,flag", [
    ({"Privileged": True}, "--privileged"), ({"CapAdd": ["ALL"]}, "--cap-add ALL"),
    ({"PidMode": "host"}, "--pid host"), ({"NetworkMode": "host"}, "--network host"),
    ({"IpcMode": "host"}, "--ipc host"), ({"Binds": ["/:/host"]}, "-v /"),
    ({"Binds": ["/var/run/docker.sock:/s:ro"]}, "-v /var/run/docker.sock"),
    ({"Mounts": [{"Type": "bind", "Source": "/run/docker.sock", "Target": "/s"}]}, "-v /run/docker.sock"),
])
def test_dangerous_settings_refused(monkeypatch, tmp_path, host, flag):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/containers/create", {"Image": BASE, "HostConfig": host})
    with pytest.raises(rules.Refused) as exc:
        rules.apply(x)
    assert flag in str(exc.value) and "DOCKER_HOST=" in str(exc.value)


def test_harmless_settings_pass(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/containers/create", {"Image": BASE, "HostConfig": {
        "CapAdd": ["NET_ADMIN"], "Binds": ["/tmp/x:/x", "vol:/data"], "NetworkMode": "bridge"}})
    rules.apply(x)


def test_lab_exception_needs_token_and_project(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    lab = {naming.PREFIX_LABEL: "dkc", "com.docker.compose.project": "dkc-swarm", marker.LAB_LABEL: marker.lab_token()}
    assert marker.is_lab(lab)
    assert not marker.is_lab({**lab, marker.LAB_LABEL: "guess"})
    assert not marker.is_lab({**lab, "com.docker.compose.project": "mine"})
    assert not marker.is_lab({k: v for k, v in lab.items() if k != marker.LAB_LABEL})


def test_prune_and_listing_filters(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/v1.41/containers/prune?filters=%7B%22until%22%3A%5B%2224h%22%5D%7D")
    rules.apply(x)
    assert json.loads(x.query["filters"]) == {"until": {"24h": True},
                                              "label": {f"{marker.MARKER_LABEL}={marker.marker_value()}": True}}
    x = _exchange("POST", "/images/prune")
    rules.apply(x)
    assert json.loads(x.query["filters"])["label"] == {f"{marker.IMAGE_MARKER_LABEL}={marker.marker_value()}": True}
    x = _exchange("GET", "/containers/json", headers=[("X-Dockercourse-Show-All", "1")])
    rules.apply(x)
    assert "filters" not in x.query
    monkeypatch.setenv(settings.SHOW_ALL_ENV, "1")
    x = _exchange("GET", "/volumes")
    rules.apply(x)
    assert "filters" not in x.query


def test_build_labels_carry_the_image_marker_not_the_container_marker(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/build?t=x&labels=%7B%22a%22%3A%22b%22%7D")
    rules.apply(x)
    labels = json.loads(x.query["labels"])
    assert labels["a"] == "b" and labels[marker.IMAGE_MARKER_LABEL] == marker.marker_value()
    assert marker.MARKER_LABEL not in labels


def test_service_create_labels_service_and_tasks(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/services/create", {"Name": "s", "TaskTemplate": {"ContainerSpec": {"Image": BASE}}})
    rules.apply(x)
    assert marker.is_course(x.body["Labels"]) and marker.is_course(x.body["TaskTemplate"]["ContainerSpec"]["Labels"])


def test_chapter_from_the_endpoint_setting_and_header(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STATE_ENV, str(tmp_path))
    x = _exchange("POST", "/volumes/create", {"Name": "v"})
    rules.apply(x)
    assert naming.CHAPTER_LABEL not in x.body["Labels"]  # a terminal: no chapter
    monkeypatch.setenv(settings.CHAPTER_ENV, "03")
    x = _exchange("POST", "/volumes/create", {"Name": "v"})
    rules.apply(x)
    assert x.body["Labels"][naming.CHAPTER_LABEL] == "03"
    x = _exchange("POST", "/volumes/create", {"Name": "v"}, [("X-Dockercourse-Chapter", "04")])
    rules.apply(x)
    assert x.body["Labels"][naming.CHAPTER_LABEL] == "04"


def test_normalize_ref():
    assert marker.normalize_ref("docker.io/library/debian") == "debian:latest"
    assert marker.normalize_ref("127.0.0.1:5099/library/debian:trixie-slim") == "127.0.0.1:5099/library/debian:trixie-slim"
    assert marker.normalize_ref("localhost:5000/app") == "localhost:5000/app:latest"


# --------------------------------------------------------------------------------------- engine tests
@pytest.mark.engine
def test_engine_container_chapter_header_and_forged_marker(course_endpoint):
    name = naming.name(f"ch{_id()}")
    client = course_endpoint.sdk()
    client.api.headers["X-Dockercourse-Chapter"] = "02"
    c = client.containers.create(BASE, "true", name=name, labels={marker.MARKER_LABEL: "forged"},
                                 ports={"80/tcp": ("0.0.0.0", naming.port(9001))})
    try:
        info = course_endpoint.sdk().api.inspect_container(c.id)
        assert info["Config"]["Labels"][naming.CHAPTER_LABEL] == "02"
        assert info["Config"]["Labels"][marker.MARKER_LABEL] == course_endpoint.marker()
        assert info["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
    finally:
        c.remove(force=True)


@pytest.mark.engine
def test_engine_publish_all_goes_to_loopback(course_endpoint):
    ep = course_endpoint
    name = naming.name(f"pa{_id()}")
    assert ep.cli("run", "-d", "--name", name, "--expose", "8080", "-P", BASE, "sleep", "infinity").returncode == 0
    try:
        out = ep.cli("port", name).stdout
        assert out.startswith("8080/tcp -> 127.0.0.1:") and "0.0.0.0" not in out
    finally:
        ep.cli("rm", "-f", name)


@pytest.mark.engine
def test_engine_volume_and_network_labelled(course_endpoint):
    ep = course_endpoint
    vol, net = naming.name(f"v{_id()}"), naming.name(f"n{_id()}")
    assert ep.cli("volume", "create", vol).returncode == 0
    assert ep.cli("network", "create", net).returncode == 0
    try:
        for kind, name in (("volume", vol), ("network", net)):
            labels = json.loads(ep.direct(kind, "inspect", "-f", "{{json .Labels}}", name).stdout)
            assert marker.is_course(labels) and labels[naming.COURSE_LABEL] == "true"
        assert vol in ep.cli("volume", "ls", "-q").stdout.split()
        nets = ep.cli("network", "ls", "--format", "{{.Name}}").stdout.split()
        assert net in nets and "bridge" in nets
    finally:
        assert ep.cli("volume", "rm", vol).returncode == 0
        assert ep.cli("network", "rm", net).returncode == 0


@pytest.mark.engine
def test_engine_build_labels_and_image_listing(course_endpoint, tmp_path):
    ep = course_endpoint
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nRUN echo built > /built\n")
    ref = naming.image(f"built{_id()}")
    res = ep.cli("build", "-t", ref, str(tmp_path))
    assert res.returncode == 0, res.stderr
    decoy = f"dkc-decoy/img{_id()}:latest"
    direct = ep.direct("build", "-q", "-t", decoy, "--label", f"{marker.IMAGE_MARKER_LABEL}=guess",
                       *naming.label_args(), str(tmp_path))
    assert direct.returncode == 0, direct.stderr
    try:
        labels = json.loads(ep.direct("image", "inspect", "-f", "{{json .Config.Labels}}", ref).stdout)
        assert labels[marker.IMAGE_MARKER_LABEL] == ep.marker() and labels[naming.COURSE_LABEL] == "true"
        listed = ep.cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        assert ref in listed and BASE in listed and decoy not in listed
        refused = ep.cli("rmi", decoy)
        assert refused.returncode != 0 and "과정이 만들지 않은 이미지" in refused.stderr
        assert ep.cli("rmi", BASE).returncode != 0  # the base image is shown, never removed
    finally:
        ep.direct("rmi", "-f", decoy)
        assert ep.cli("rmi", ref).returncode == 0


@pytest.mark.engine
def test_engine_commit_does_not_pass_the_container_marker_on(course_endpoint):
    ep = course_endpoint
    name = naming.name(f"cm{_id()}")
    ref = naming.image(f"committed{_id()}")
    assert ep.cli("run", "--name", name, BASE, "touch", "/made").returncode == 0
    try:
        res = ep.cli("commit", name, ref)
        assert res.returncode == 0, res.stderr
        labels = json.loads(ep.direct("image", "inspect", "-f", "{{json .Config.Labels}}", ref).stdout)
        assert labels[marker.MARKER_LABEL] == "" and labels[marker.IMAGE_MARKER_LABEL] == ep.marker()
        decoy = f"decoy-cm-{_id()}"
        assert ep.direct("run", "-d", "--name", decoy, "--label", "kr.dockercourse.test-decoy=1", ref,
                         "sleep", "infinity").returncode == 0
        refused = ep.cli("rm", "-f", decoy)
        assert refused.returncode != 0 and "과정이 만들지 않은" in refused.stderr
        assert ep.direct("rm", "-f", decoy).returncode == 0
        assert ep.cli("run", "--rm", ref, "ls", "/made").returncode == 0  # the commit kept the container's config
    finally:
        ep.cli("rm", "-f", name)
        ep.cli("rmi", "-f", ref)


@pytest.mark.engine
def test_engine_pull_remembered_by_reference(course_endpoint):
    """A pull through the endpoint (from the local mirror registry) makes that reference the course's."""
    ep = course_endpoint
    mirror = "127.0.0.1:5099/library/debian:trixie-slim"
    if ep.direct("image", "inspect", mirror).returncode == 0:
        pytest.skip(f"{mirror} is already on the engine (someone else's)")
    res = ep.cli("pull", "-q", mirror, timeout=300)
    if res.returncode != 0:
        pytest.skip(f"the local mirror registry does not answer: {res.stderr}")
    try:
        assert marker.normalize_ref(mirror) in marker.pulled_images()
        assert mirror in ep.cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        assert ep.cli("rmi", BASE).returncode != 0  # same image ID, but not pulled under this name
    finally:
        assert ep.cli("rmi", mirror).returncode == 0


@pytest.mark.engine
def test_engine_swarm_and_host_powers_refused(course_endpoint):
    ep = course_endpoint
    for args in (["swarm", "init"], ["swarm", "leave", "--force"], ["swarm", "join", "--token", "x", "127.0.0.1:2377"]):
        res = ep.cli(*args)
        assert res.returncode != 0 and "스웜" in res.stderr, (args, res.stderr)
    for flags in (["--privileged"], ["--cap-add", "ALL"], ["--pid", "host"], ["--network", "host"],
                  ["-v", "/:/host"], ["-v", "/var/run/docker.sock:/var/run/docker.sock"]):
        name = naming.name(f"bad{_id()}")
        res = ep.cli("run", "--rm", "--name", name, *flags, BASE, "true")
        assert res.returncode != 0 and "호스트 전체에 닿는 설정" in res.stderr, (flags, res.stderr)
        assert ep.direct("inspect", name).returncode != 0


@pytest.mark.engine
def test_engine_lab_exception(course_endpoint):
    """The Swarm lab's node (its project and token) may be privileged; the same without the token may not."""
    client = course_endpoint.sdk()
    prefix = naming.prefix()
    labels = {naming.PREFIX_LABEL: prefix, "com.docker.compose.project": f"{prefix}-swarm",
              marker.LAB_LABEL: marker.lab_token()}
    name = naming.name(f"labnode{_id()}")
    c = client.containers.create(BASE, "true", name=name, labels=labels, cap_add=["ALL"], cap_drop=["SYS_RESOURCE"])
    c.remove(force=True)
    import docker

    with pytest.raises(docker.errors.APIError) as exc:
        client.containers.create(BASE, "true", name=name, cap_add=["ALL"],
                                 labels={**labels, marker.LAB_LABEL: "guessed"})
    assert exc.value.status_code == 403


@pytest.mark.engine
def test_engine_build_cache_prune_answered_locally(course_endpoint):
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(course_endpoint.socket))
    status, body = simple_request(sock, "POST", "/v1.41/build/prune?all=1")
    assert status == 200 and json.loads(body) == {"CachesDeleted": [], "SpaceReclaimed": 0}


@pytest.mark.engine
def test_engine_show_all_setting(course_endpoint, monkeypatch):
    """``DOCKHELPERS_ENDPOINT_SHOW_ALL=1`` on the endpoint: listings show everything (in-process endpoint)."""
    from dockhelpers.endpoint.server import Endpoint

    ep = course_endpoint
    name = f"ep-other-{_id()}"
    assert ep.direct("create", "--name", name, "--label", "kr.dockercourse.test-decoy=1", BASE, "true").returncode == 0
    server = Endpoint(ep.folder / "showall.sock", settings.Upstream(ep.engine))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        import subprocess

        def names() -> list[str]:
            return subprocess.run(["docker", "ps", "-a", "--format", "{{.Names}}"], capture_output=True, text=True,
                                  env={**ep.client_env(), "DOCKER_HOST": f"unix://{server.path}"}).stdout.split()

        assert name not in names()
        monkeypatch.setenv(settings.SHOW_ALL_ENV, "1")
        assert name in names()
    finally:
        server.shutdown()
        server.server_close()
        ep.direct("rm", "-f", name)


@pytest.mark.engine
def test_engine_chapter_socket_labels_what_the_cli_creates(course_endpoint):
    """A notebook's kernel uses its chapter's socket: the plain CLI (which cannot send headers) gets the label."""
    name = naming.name(f"chsock{_id()}")
    chapter_host = f"unix://{settings.chapter_socket_path(3)}"
    assert str(course_endpoint.folder) in chapter_host
    res = course_endpoint.cli("container", "create", "--name", name, BASE, "true", DOCKER_HOST=chapter_host)
    assert res.returncode == 0, res.stderr
    labels = course_endpoint.direct("container", "inspect", "--format", "{{json .Config.Labels}}", name)
    found = json.loads(labels.stdout)
    assert found[naming.CHAPTER_LABEL] == "03" and marker.MARKER_LABEL in found
    course_endpoint.cli("container", "rm", name)
    # A chapter's socket also names the recording session: one file per notebook (chapter).
    recorded = (course_endpoint.record_dir / "ch03.jsonl").read_text()
    assert f'"name": "{name}"' in recorded or name in recorded
