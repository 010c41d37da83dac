"""The decoy suite: what the course did not create survives every stop, change, remove and prune sent
through the endpoint; a terminal-style ``docker run -d -p`` through it ends up labelled and on 127.0.0.1."""

from __future__ import annotations

import json
import uuid

import pytest

from dockhelpers import naming
from dockhelpers.endpoint import marker

pytestmark = pytest.mark.engine
BASE = naming.BASE_IMAGE


def _id() -> str:
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def course_image(course_endpoint, tmp_path_factory):
    """An image built through the endpoint (it carries the course labels and the image marker)."""
    folder = tmp_path_factory.mktemp("img")
    (folder / "Dockerfile").write_text(f"FROM {BASE}\nLABEL kr.dockercourse.test=decoy-source\n")
    ref = naming.image(f"decoysrc{_id()}")
    res = course_endpoint.cli("build", "-q", "-t", ref, str(folder))
    assert res.returncode == 0, res.stderr
    yield ref
    course_endpoint.cli("rmi", "-f", ref)


@pytest.fixture(scope="module")
def decoys(course_endpoint, course_image):
    """Four running containers made directly on the engine, bypassing the endpoint."""
    ep = course_endpoint
    made = {
        "unlabelled": ["--name", f"decoy-{_id()}"],
        "from-course-image": ["--name", f"decoy-img-{_id()}", "--label", ep.decoy],
        "look-alike": ["--name", f"decoy-like-{_id()}", "--label", ep.decoy,
                       *naming.label_args(2), "--label", f"{marker.MARKER_LABEL}=not-the-secret"],
        "course-like-name": [*["--name", naming.name(f"echo{_id()}")], "--label", ep.decoy],
    }
    names = {}
    for kind, args in made.items():
        image = course_image if kind == "from-course-image" else BASE
        res = ep.direct("run", "-d", *args, image, "sleep", "infinity")
        assert res.returncode == 0, res.stderr
        names[kind] = args[args.index("--name") + 1]
    yield names
    ep.direct("rm", "-f", *names.values())


def _running(ep, name: str) -> bool:
    res = ep.direct("inspect", "-f", "{{.State.Running}}", name)
    return res.stdout.strip() == "true"


def test_decoy_from_course_image_inherits_course_labels_but_not_the_marker(course_endpoint, decoys):
    labels = json.loads(course_endpoint.direct("inspect", "-f", "{{json .Config.Labels}}",
                                               decoys["from-course-image"]).stdout)
    assert labels[naming.COURSE_LABEL] == "true"  # inherited from the image: a label alone proves nothing
    assert marker.IMAGE_MARKER_LABEL in labels and marker.MARKER_LABEL not in labels


@pytest.mark.parametrize("kind", ["unlabelled", "from-course-image", "look-alike", "course-like-name"])
@pytest.mark.parametrize("command", [
    ["stop", "-t", "1"], ["kill"], ["restart", "-t", "1"], ["rm", "-f"], ["update", "--memory", "64m"],
    ["rename"], ["pause"],
])
def test_decoy_refused(course_endpoint, decoys, kind, command):
    ep = course_endpoint
    name = decoys[kind]
    args = [*command, name] + ([f"{name}-renamed"] if command == ["rename"] else [])
    res = ep.cli(*args)
    if command == ["pause"]:  # not a guarded verb: passes through (and is undone)
        assert res.returncode == 0, res.stderr
        ep.cli("unpause", name)
        return
    assert res.returncode != 0
    assert "과정이 만들지 않은 컨테이너" in res.stderr and "the course did not create it" in res.stderr
    assert f"DOCKER_HOST={ep.engine} docker" in res.stderr  # the escape hatch
    assert _running(ep, name)


def test_prunes_leave_decoys(course_endpoint, decoys):
    ep = course_endpoint
    stopped = {}
    for kind in ("unlabelled", "look-alike"):  # stopped decoys: what a prune would remove
        name = f"decoy-stopped-{kind}-{_id()}"
        extra = ["--label", ep.decoy] + (naming.label_args() if kind == "look-alike" else [])
        assert ep.direct("create", "--name", name, *extra, BASE, "true").returncode == 0
        stopped[kind] = name
    vol = f"decoy-vol-{_id()}"
    net = f"decoy-net-{_id()}"
    ep.direct("volume", "create", "--label", ep.decoy, *naming.label_args(), vol)
    ep.direct("network", "create", "--label", ep.decoy, *naming.label_args(), net)
    mine = naming.name(f"pruned{_id()}")
    assert ep.cli("create", "--name", mine, BASE, "true").returncode == 0
    myvol = ep.cli("volume", "create").stdout.strip()
    try:
        for cmd in (["container", "prune", "-f"], ["volume", "prune", "-f"], ["network", "prune", "-f"],
                    ["system", "prune", "-f"], ["builder", "prune", "-f"]):
            res = ep.cli(*cmd)
            assert res.returncode == 0, res.stderr
        for name in stopped.values():
            assert ep.direct("inspect", name).returncode == 0, f"{name} was pruned"
        assert ep.direct("volume", "inspect", vol).returncode == 0
        assert ep.direct("network", "inspect", net).returncode == 0
        assert all(_running(ep, n) for n in decoys.values())
        # ...while the course's own stopped container and unused volume were pruned
        assert ep.direct("inspect", mine).returncode != 0
        assert ep.direct("volume", "inspect", myvol).returncode != 0
    finally:
        ep.direct("rm", "-f", *stopped.values())
        ep.direct("volume", "rm", "-f", vol)
        ep.direct("network", "rm", net)


def test_listings_hide_decoys(course_endpoint, decoys):
    ep = course_endpoint
    mine = naming.name(f"listed{_id()}")
    assert ep.cli("run", "-d", "--name", mine, BASE, "sleep", "infinity").returncode == 0
    try:
        names = ep.cli("ps", "-a", "--format", "{{.Names}}").stdout.split()
        assert mine in names
        assert not set(decoys.values()) & set(names)
        everything = ep.cli("ps", "-a", "--format", "{{.Names}}", DOCKHELPERS_ENDPOINT_SHOW_ALL="1").stdout.split()
        assert not set(decoys.values()) & set(everything)  # a client env does not change the endpoint
    finally:
        ep.cli("rm", "-f", mine)


def test_terminal_style_run_is_labelled_and_on_loopback(course_endpoint):
    """``docker run -d -p 9000:80 ...`` typed in a terminal: course labels, marker, no chapter, 127.0.0.1."""
    ep = course_endpoint
    name = naming.name(f"term{_id()}")
    host_port = naming.port(9000)
    res = ep.cli("run", "-d", "--name", name, "-p", f"{host_port}:80", BASE, "sleep", "infinity")
    assert res.returncode == 0, res.stderr
    try:
        info = json.loads(ep.direct("inspect", name).stdout)[0]
        labels = info["Config"]["Labels"]
        assert labels[naming.COURSE_LABEL] == "true"
        assert labels[naming.PREFIX_LABEL] == naming.prefix()
        assert labels[marker.MARKER_LABEL] == ep.marker()
        assert naming.CHAPTER_LABEL not in labels
        assert info["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(host_port)}]}
        ports = ep.cli("port", name).stdout
        assert f"127.0.0.1:{host_port}" in ports and "0.0.0.0" not in ports
        assert ep.cli("stop", "-t", "1", name).returncode == 0  # the course's own: allowed
    finally:
        assert ep.cli("rm", "-f", name).returncode == 0
