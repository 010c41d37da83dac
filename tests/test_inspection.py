"""inspection: the one way to inspect a container and ask whether an image exists (real engine)."""

from __future__ import annotations

import pytest

from dockhelpers import containers, images, inspection, naming
from helpers import TEST_CHAPTER, cleaned, tname

pytestmark = pytest.mark.engine


def test_container_inspect_state_env_and_missing(engine):
    with cleaned():
        name = tname("inspect")
        assert inspection.container(name) is None and inspection.container_state(name) is None
        containers.run(naming.BASE_IMAGE, name, chapter=TEST_CHAPTER, command="sleep 60", env={"GREETING": "안녕"},
                       quiet=True)
        info = inspection.container(name)
        assert info["Name"] == f"/{name}" and info["Config"]["Labels"][naming.CHAPTER_LABEL] == "99"
        assert inspection.container_state(name) == "running" == containers.status(name)
        assert inspection.container_env(info)["GREETING"] == "안녕"
        engine.containers.get(name).stop(timeout=1)
        assert inspection.container_state(name) == "exited"
    assert inspection.container_state(name) is None


def test_image_exists(engine):
    assert inspection.image_exists(naming.BASE_IMAGE) and images.exists(naming.BASE_IMAGE)
    assert inspection.image(naming.BASE_IMAGE)["Id"] == engine.images.get(naming.BASE_IMAGE).id
    missing = naming.image("t-no-such-image", "v0")
    assert not inspection.image_exists(missing) and not images.exists(missing)


def test_events_of_one_container(engine):
    with cleaned():
        name = tname("events")
        stream = inspection.container_events(name)
        try:
            containers.run(naming.BASE_IMAGE, name, chapter=TEST_CHAPTER, command="true", quiet=True)
            actions = []
            for event in stream:
                actions.append(event.get("Action"))
                if "start" in actions:
                    break
            assert actions[:2] == ["create", "start"] or "create" in actions
        finally:
            stream.close()


def test_split_reference_uses_docker_py_parser():
    assert images.split_reference("127.0.0.1:5000/dkc/echo") == ("127.0.0.1:5000/dkc/echo", "latest")
    assert images.split_reference("127.0.0.1:5000/dkc/echo:v2") == ("127.0.0.1:5000/dkc/echo", "v2")
    assert images.split_reference("debian:trixie-slim") == ("debian", "trixie-slim")
    digest = "sha256:" + "0" * 64
    assert images.split_reference(f"dkc/echo@{digest}") == ("dkc/echo", digest)
