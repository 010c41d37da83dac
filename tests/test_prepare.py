"""``python -m dockhelpers prepare``: the chapter -> images registry, idempotence, and the offline bundle.

The engine tests work under their own name prefix (``naming.separate``), so they build, remove and load
only images of that prefix; the base image ``debian:trixie-slim`` is never removed.
"""

from __future__ import annotations

import io
import re
import tarfile

import pytest

from dockhelpers import courseimages, naming, prepare
from dockhelpers.__main__ import main
from dockhelpers.errors import CourseError

from conftest import ROOT

HANGUL = re.compile(r"[가-힣]")


def _own_prefix(monkeypatch) -> str:
    for key, value in naming.separate("pp", 10).items():
        monkeypatch.setenv(key, value)
    return naming.prefix()


@pytest.fixture()
def own_prefix(monkeypatch, engine):
    """Run under a prefix of this test's own; remove that prefix's images afterwards (never the base image)."""
    prefix = _own_prefix(monkeypatch)
    yield prefix
    for img in engine.images.list(filters={"label": [f"{naming.PREFIX_LABEL}={prefix}"]}):
        for tag in img.tags:
            if tag.startswith(f"{prefix}/"):
                engine.images.remove(tag)


def _remove(engine, ref: str) -> None:
    from docker.errors import ImageNotFound

    assert ref.startswith(f"{naming.prefix()}/") and ref != naming.BASE_IMAGE
    try:
        engine.images.remove(ref)
    except ImageNotFound:
        pass


# ------------------------------------------------------------------------------------------ registry
def test_registry_covers_every_dockerfile_the_notebooks_build():
    """Every Dockerfile under notebooks/chNN has a registry row (or is only used through another file)."""
    covered = set()
    for img in courseimages.IMAGES:
        if img.compose:
            text = (ROOT / "notebooks" / img.compose).read_text()
            assert f"/{img.repo}:{img.tag}" in text, img
            covered.add(img.compose)
        else:
            file = ROOT / "notebooks" / img.context / (img.dockerfile or "Dockerfile")
            assert file.is_file(), file
            covered.add(str(file.relative_to(ROOT / "notebooks")))
    dockerfiles = {str(p.relative_to(ROOT / "notebooks")) for p in (ROOT / "notebooks").glob("ch0*/**/Dockerfile*")
                   if "_work" not in p.parts}
    # The jobs controller/agent Dockerfiles are built by their compose file.
    built_by_compose = {"ch02/jobs/agent/Dockerfile", "ch02/jobs/controller/Dockerfile"}
    assert dockerfiles - covered - built_by_compose == set()


def test_registry_holds_no_exercise_answers_and_follows_the_prefix(monkeypatch):
    refs = [img.ref for img in courseimages.IMAGES]
    assert len(refs) == len(set(refs))
    assert not [r for r in refs if "/ex-" in r or re.search(r"helloworld:[abc]$", r)]
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s07")
    assert courseimages.for_chapters(1)[0].ref == "dkc-s07/helloworld:latest"
    assert {img.repo for img in courseimages.for_chapters(4)} >= {"dind", "swarm-registry", "todo-api", "echo"}
    jobs = next(img for img in courseimages.for_chapters(2) if img.repo == "jobs-controller")
    assert jobs.command() == "docker compose -p dkc-s07-jobs -f notebooks/ch02/jobs/compose.yaml build controller"
    echo = next(img for img in courseimages.for_chapters(2) if img.tag == "v2")
    assert "-t dkc-s07/echo:v2 -f Dockerfile.v2 --build-arg APP_VERSION=2.0" in echo.command()


def test_an_unknown_chapter_is_a_korean_error():
    with pytest.raises(CourseError, match="9장은 이 과정에 없습니다"):
        courseimages.for_chapters(9)


def test_estimate_counts_only_missing_images():
    rows = courseimages.for_chapters(1)
    assert prepare.estimate([(img, True) for img in rows]) == (0.0, 0.0)
    download, disk = prepare.estimate([(rows[0], True), (rows[1], False)])
    assert (download, disk) == (rows[1].download_mb, rows[1].disk_mb) and disk > 0
    assert prepare.apt_download_mb("Need to get 7,123 kB of archives.") == pytest.approx(7.123)
    assert prepare.apt_download_mb("Get:1 http://deb.debian.org ...") == 0
    assert prepare.bar(2, 5, width=10) == "[####------] 2/5" and prepare.bar(0, 0, width=4) == "[####] 0/0"


# ------------------------------------------------------------------------------------------ engine
@pytest.mark.engine
def test_prepare_builds_what_is_missing_and_a_second_run_does_nothing(own_prefix, engine, capsys):
    rows = courseimages.for_chapters(1)
    _remove(engine, rows[0].ref)
    lines: list[str] = []
    first = prepare.prepare(1, out=lines.append)
    actions = {s.ref: s.action for s in first.steps}
    assert actions[rows[0].ref] == "built", lines
    assert set(actions) == {naming.BASE_IMAGE, *(img.ref for img in rows)}
    assert any(line.startswith("예상: 내려받기") for line in lines), lines
    assert lines.index(next(line for line in lines if line.startswith("예상"))) < \
        lines.index(next(line for line in lines if "만드는 중" in line))  # the estimate comes first
    assert any(line.startswith("[") and "] 1/" in line and "완료" in line for line in lines), lines
    ids = {}
    for img in rows:
        image = engine.images.get(img.ref)
        ids[img.ref] = image.id
        assert image.labels[naming.COURSE_LABEL] == "true"
        assert image.labels[naming.CHAPTER_LABEL] == "01" and image.labels[naming.PREFIX_LABEL] == own_prefix

    lines.clear()
    second = prepare.prepare(1, out=lines.append)
    assert second.nothing_done and second.changed == [], second
    assert [s.action for s in second.steps] == ["present"] * (len(rows) + 1)
    assert "할 일이 없습니다" in lines[-1]
    assert not [line for line in lines if "만드는 중" in line or line.startswith("예상")]
    assert {img.ref: engine.images.get(img.ref).id for img in rows} == ids
    capsys.readouterr()
    assert main(["prepare", "--chapter", "1"]) == 0  # the terminal command says so too
    assert "할 일이 없습니다" in capsys.readouterr().out


@pytest.mark.engine
def test_compose_and_target_rows_build_labelled_images(own_prefix, engine):
    """The two other ways a row is made (``compose ... build SERVICE``, ``--target``) label the image too."""
    rows = [img for img in courseimages.IMAGES if img.repo == "jobs-controller" or img.ref.endswith("hello:static")]
    assert len(rows) == 2
    for img in rows:
        _remove(engine, img.ref)
        img.build()
        labels = engine.images.get(img.ref).labels
        assert labels[naming.COURSE_LABEL] == "true" and labels[naming.PREFIX_LABEL] == own_prefix
        assert labels[naming.CHAPTER_LABEL] == f"{img.chapter:02d}"
    assert engine.images.get(rows[1].ref).attrs["Config"]["Entrypoint"] == ["/hello"]


@pytest.mark.engine
def test_save_remove_load_restores_the_same_images(own_prefix, engine, tmp_path):
    rows = courseimages.for_chapters(1)
    prepare.prepare(1, out=lambda line: None)
    ids = {img.ref: engine.images.get(img.ref).id for img in rows}
    bundle = tmp_path / "class.tar"
    manifest = prepare.save(bundle, 1, out=lambda line: None)
    assert [e["ref"] for e in manifest["images"]] == [naming.BASE_IMAGE, *ids]
    assert prepare.read_manifest(bundle)["images"] == manifest["images"]
    assert not list(tmp_path.glob("*.part"))
    with tarfile.open(bundle) as tar:  # a plain `docker image save` tarball plus the manifest
        assert {"manifest.json", prepare.MANIFEST} <= set(tar.getnames())

    for ref in ids:
        _remove(engine, ref)
    assert not [ref for ref in ids if prepare._image_id(ref)]
    lines: list[str] = []
    loaded = prepare.load(bundle, out=lines.append)
    assert {s.ref: s.action for s in loaded.steps} == {naming.BASE_IMAGE: "present", **{r: "loaded" for r in ids}}
    assert {ref: engine.images.get(ref).id for ref in ids} == ids

    lines.clear()
    again = prepare.load(bundle, out=lines.append)
    assert again.nothing_done and "이미 모두 있습니다" in lines[0]


@pytest.mark.engine
def test_bad_paths_and_bad_bundles_get_a_korean_course_error(own_prefix, tmp_path, capsys):
    cases = []
    with pytest.raises(CourseError) as exc:
        prepare.save(tmp_path / "no" / "such" / "dir.tar", 1, out=lambda line: None)
    cases.append(exc.value)
    with pytest.raises(CourseError) as exc:
        prepare.save(tmp_path, 1, out=lambda line: None)  # a folder, not a file
    cases.append(exc.value)
    with pytest.raises(CourseError) as exc:
        prepare.load(tmp_path / "missing.tar")
    cases.append(exc.value)
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is not a tarball" * 100)
    with pytest.raises(CourseError, match="tar 형식이 아니거나") as exc:
        prepare.load(garbage)
    cases.append(exc.value)
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:  # a tarball, but not a course bundle
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"[]"))
    with pytest.raises(CourseError, match="과정 묶음이 아닙니다") as exc:
        prepare.load(foreign)
    cases.append(exc.value)
    for error in cases:
        assert HANGUL.search(error.message) and HANGUL.search(error.hint), error

    assert main(["prepare", "--load", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("오류:") and "Traceback" not in err


@pytest.fixture()
def fresh_engine(own_prefix, engine, tmp_path):
    """A brand-new Docker engine (the course's dind image, chapter 3's capability set) reachable through a unix
    socket in ``tmp_path``; yields its ``DOCKER_HOST``. Container and its storage volume are removed afterwards."""
    from dockhelpers import images
    from dockhelpers.poll import poll
    from dockhelpers.shell import docker

    ref = naming.image("dind")
    if not prepare._image_id(ref):
        images.build(ROOT / "notebooks" / "ch03" / "lab" / "dind", ref, chapter=3, quiet=True)
    name, sock_dir = naming.name("fresh-engine"), tmp_path / "sock"
    sock_dir.mkdir()
    volume = naming.name("fresh-engine-data")
    # The CLI, not the SDK: `systempaths=unconfined` is a CLI option (it clears MaskedPaths/ReadonlyPaths).
    docker(["volume", "create", *naming.label_args(3), volume], stream=False)
    docker(["container", "run", "-d", "--name", name, *naming.label_args(3), "--cap-add", "ALL",
            "--cap-drop", "SYS_RESOURCE", "--security-opt", "seccomp=unconfined", "--security-opt",
            "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
            "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "-v", f"{volume}:/var/lib/docker", "-v", f"{sock_dir}:/dind",
            ref, "--host=unix:///dind/docker.sock"], stream=False)
    ct = engine.containers.get(name)
    try:
        host = f"unix://{sock_dir / 'docker.sock'}"
        poll(lambda: (sock_dir / "docker.sock").exists() and ct.exec_run(["docker", "info"]).exit_code == 0,
             60, "새 엔진 시작")
        yield host
    finally:
        docker(["container", "rm", "-f", "-v", name], check=False, stream=False)
        docker(["volume", "rm", "-f", volume], check=False, stream=False)


@pytest.mark.engine
@pytest.mark.slow
def test_a_bundle_loads_into_a_fresh_engine(own_prefix, engine, fresh_engine, tmp_path, monkeypatch):
    from dockhelpers.engine import client, reset_client

    prepare.prepare(1, out=lambda line: None)
    bundle = tmp_path / "room.tar"
    manifest = prepare.save(bundle, 1, out=lambda line: None)
    ids = {e["ref"]: e["id"] for e in manifest["images"]}
    monkeypatch.setenv("DOCKER_HOST", fresh_engine)
    reset_client()
    try:
        inner = client()
        assert inner.images.list() == []  # really fresh: not even the base image
        lines: list[str] = []
        loaded = prepare.load(bundle, out=lines.append)
        assert sorted(loaded.changed) == sorted(ids), lines
        assert {ref: inner.images.get(ref).id for ref in ids} == ids
        again = prepare.load(bundle, out=lines.append)
        assert again.nothing_done and "이미 모두 있습니다" in lines[-1]
        assert prepare.prepare(1, out=lines.append).nothing_done  # the loaded images count as prepared
    finally:
        monkeypatch.delenv("DOCKER_HOST")
        reset_client()
