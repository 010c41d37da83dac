"""Images against the real engine: build log, labels, bad input, pull progress, tag and push."""

import contextlib
import pathlib
import socket

import pytest

from dockhelpers import containers, errors, images, naming
from conftest import ROOT
from helpers import TEST_CHAPTER, cleaned, containers_with_command, tname

pytestmark = pytest.mark.engine
FIX = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _clean():
    with cleaned():
        yield


def test_build_streams_log_and_labels_image(engine, capsys):
    ref = naming.image("t-tiny", "v1")
    image_id = images.build(FIX / "tiny", ref, chapter=TEST_CHAPTER, buildargs={"GREETING": "안녕"})
    out = capsys.readouterr().out
    assert out.startswith(f"$ docker image build -t {ref} --build-arg 'GREETING=안녕' --label {naming.COURSE_LABEL}=true")
    assert "Step 4/5" in out or "RUN echo" in out
    img = engine.images.get(ref)
    assert img.id == image_id and img.labels[naming.CHAPTER_LABEL] == "99"
    assert engine.containers.run(ref, remove=True).decode() == "안녕\n"
    # Same Dockerfile, same inputs: the cache gives the same image ID (chapter 1's idempotency demo).
    assert images.build(FIX / "tiny", ref, chapter=TEST_CHAPTER, buildargs={"GREETING": "안녕"}, quiet=True) == image_id


def test_failing_run_step_raises_build_failed_and_leaves_no_container(engine):
    with pytest.raises(errors.BuildFailed) as info:
        images.build(FIX / "failing", naming.image("t-failing"), chapter=TEST_CHAPTER, quiet=True)
    assert "non-zero code" in info.value.detail and "this step fails on purpose" in info.value.detail
    assert containers_with_command(engine, "this step fails on purpose") == []
    assert not images.exists(naming.image("t-failing"))


def test_missing_dockerfile(tmp_path):
    with pytest.raises(errors.DockerfileMissing):
        images.build(tmp_path, naming.image("t-none"), chapter=TEST_CHAPTER)
    with pytest.raises(errors.DockerfileMissing):
        images.build(FIX / "tiny", naming.image("t-none"), dockerfile="Nope.Dockerfile", chapter=TEST_CHAPTER)


@pytest.mark.parametrize("ref", ["DKC/Echo", "dkc echo", "", "dkc/echo:bad tag", "-dkc"])
def test_invalid_reference_is_refused_before_the_engine(ref):
    with pytest.raises(errors.InvalidReference):
        images.validate_reference(ref)


def test_invalid_reference_from_the_engine_is_translated(engine):
    with pytest.raises(errors.InvalidReference):
        containers.run("UPPER/case", tname("bad"), chapter=TEST_CHAPTER)
    assert containers.status(tname("bad")) is None


def test_pull_real_image_folds_layer_progress(engine, capsys):
    image_id = images.pull(naming.BASE_IMAGE)
    assert image_id == engine.images.get(naming.BASE_IMAGE).id
    assert capsys.readouterr().out.startswith("$ docker image pull debian:trixie-slim")
    # A real pull with layer events: push a fresh image to a throwaway local registry (the course's mirror
    # is read-only), forget it, pull it back.
    with scratch_registry() as MIRROR:
        _pull_back(engine, MIRROR)


def _pull_back(engine, MIRROR: str) -> None:
    local = naming.image("t-tiny", "pull")
    images.build(FIX / "tiny", local, chapter=TEST_CHAPTER, quiet=True, nocache=True)
    remote = f"{MIRROR}/dkc-test/tiny:pull"
    images.tag(local, remote)
    images.push(remote, quiet=True)
    images.rm(remote)
    images.rm(local)
    raw = list(engine.api.pull(remote.rsplit(":", 1)[0], tag="pull", stream=True, decode=True))
    images.rm(remote)
    layers = images.layer_progress(raw)
    assert any(s["status"] == "Pull complete" and s["total"] > 0 for s in layers.values())
    assert layers and all(s["status"] in ("Already exists", "Pull complete") for s in layers.values())


@contextlib.contextmanager
def scratch_registry():
    """Debian's docker-registry on 127.0.0.1 with a temporary storage, for push/pull round trips."""
    import shutil
    import socket
    import subprocess
    import tempfile
    import time
    import urllib.request

    if not shutil.which("docker-registry"):
        pytest.skip("docker-registry is not installed (an engine the project did not set up)")
    port = naming.port(5097)
    with tempfile.TemporaryDirectory(prefix="dkc-registry-") as tmp:
        config = pathlib.Path(tmp) / "config.yml"
        config.write_text(f"version: 0.1\nlog: {{level: warn}}\nstorage:\n  filesystem: {{rootdirectory: {tmp}/data}}\n"
                          f"http:\n  addr: 127.0.0.1:{port}\n")
        proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(60):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2):
                        break
                except OSError:
                    time.sleep(0.25)
            yield f"127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_layer_progress_is_summed_per_layer():
    events = [
        {"status": "Pulling from library/debian", "id": "trixie-slim"},
        {"status": "Pulling fs layer", "id": "a", "progressDetail": {}},
        {"status": "Downloading", "id": "a", "progressDetail": {"current": 10, "total": 100}},
        {"status": "Downloading", "id": "b", "progressDetail": {"current": 5, "total": 50}},
        {"status": "Downloading", "id": "a", "progressDetail": {"current": 60, "total": 100}},
        {"status": "Pull complete", "id": "b", "progressDetail": {}},
    ]
    layers = images.layer_progress(events)
    assert layers == {"a": {"status": "Downloading", "current": 60, "total": 100},
                      "b": {"status": "Pull complete", "current": 50, "total": 50}}


def test_pull_of_missing_image_raises_from_the_stream():
    with pytest.raises((errors.ImageNotFound, errors.RegistryUnreachable)):
        images.pull("127.0.0.1:5099/library/dkc-does-not-exist:nope", progress=False)


def test_push_to_unreachable_registry_raises():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ref = f"127.0.0.1:{port}/dkc/t-tiny:v1"
    images.build(FIX / "tiny", naming.image("t-tiny", "v1"), chapter=TEST_CHAPTER, quiet=True)
    images.tag(naming.image("t-tiny", "v1"), ref)
    with pytest.raises(errors.CourseError):
        images.push(ref, quiet=True)
    images.rm(ref)


def test_ls_lists_course_images(engine):
    images.build(FIX / "tiny", naming.image("t-tiny", "v1"), chapter=TEST_CHAPTER, quiet=True)
    table = images.ls(TEST_CHAPTER)
    assert list(table["저장소(REPOSITORY)"]) == [naming.image("t-tiny").split(":")[0]]
    assert list(table["태그(TAG)"]) == ["v1"]
