"""Cleanup removes only what the course labelled: decoys the course did not create always survive."""

import pytest

from dockhelpers import cleanup, naming
from conftest import ROOT
from helpers import TEST_CHAPTER, cleaned, tname

pytestmark = pytest.mark.engine
IMG = naming.BASE_IMAGE
OTHER = {naming.COURSE_LABEL: "true", naming.CHAPTER_LABEL: "98"}
LOOKALIKE = {naming.COURSE_LABEL: "false", naming.CHAPTER_LABEL: "99"}


@pytest.fixture
def decoys(engine, tmp_path):
    """Resources cleanup must not touch: unlabelled (even with the course's name prefix), a look-alike label,
    and another chapter's."""
    made = {"containers": [], "volumes": [], "networks": [], "images": []}
    for suffix, labels in (("plain", {}), ("lookalike", LOOKALIKE), ("other", OTHER)):
        nm = f"{tname('decoy')}-{suffix}"
        made["containers"].append(engine.containers.run(IMG, "sleep 300", name=nm, labels=labels, detach=True))
        made["volumes"].append(engine.volumes.create(nm, labels=labels))
        made["networks"].append(engine.networks.create(nm, labels=labels))
        (tmp_path / suffix).mkdir()
        (tmp_path / suffix / "Dockerfile").write_text(f"FROM {IMG}\nRUN echo {suffix} > /decoy\n")
        img, _ = engine.images.build(path=str(tmp_path / suffix), tag=f"dkc-decoy/{suffix}:v1", labels=labels,
                                     rm=True, forcerm=True)
        made["images"].append(img)
    yield made
    for ct in made["containers"]:
        ct.remove(force=True)
    for v in made["volumes"]:
        v.remove(force=True)
    for n in made["networks"]:
        n.remove()
    for img in made["images"]:
        engine.images.remove(img.id, force=True)


def make_course_resources(engine):
    nm = tname("victim")
    labels = naming.labels(TEST_CHAPTER)
    engine.volumes.create(nm, labels=labels)
    engine.networks.create(nm, labels=labels)
    engine.containers.run(IMG, "sleep 300", name=nm, labels=labels, detach=True, volumes=[f"{nm}:/data"],
                          network=nm)
    engine.containers.create(IMG, "true", name=f"{nm}-stopped", labels=labels)
    return nm


def test_cleanup_removes_only_labelled(engine, decoys, capsys):
    with cleaned():
        nm = make_course_resources(engine)
        items = cleanup.plan(TEST_CHAPTER)
        kinds = {(i.kind, i.name) for i in items}
        assert {("container", nm), ("container", f"{nm}-stopped"), ("volume", nm), ("network", nm)} <= kinds
        assert not any("decoy" in i.name for i in items)
        removed = cleanup.cleanup(TEST_CHAPTER)
        out = capsys.readouterr().out
        assert "과정 라벨이 붙은 것만" in out and f"컨테이너: {nm}" in out
        assert f"docker container rm -f $(docker container ls -aq --filter label={naming.COURSE_LABEL}=true" in out
        assert len(removed) == len(items)
        assert cleanup.plan(TEST_CHAPTER) == []
        # Every decoy is still there.
        for ct in decoys["containers"]:
            ct.reload()
            assert ct.status == "running"
        for v in decoys["volumes"]:
            engine.volumes.get(v.name)
        for n in decoys["networks"]:
            engine.networks.get(n.id)
        for img in decoys["images"]:
            engine.images.get(img.id)
        engine.images.get(IMG)


def test_plan_orders_containers_before_their_volumes_and_networks(engine):
    with cleaned():
        make_course_resources(engine)
        kinds = [i.kind for i in cleanup.plan(TEST_CHAPTER)]
        assert kinds == sorted(kinds, key=cleanup.KINDS.index)


def test_nothing_to_clean_says_so(capsys):
    with cleaned():
        assert cleanup.cleanup(TEST_CHAPTER) == []
        assert "정리할 리소스가 없습니다" in capsys.readouterr().out


def test_keeping_images(engine):
    with cleaned():
        make_course_resources(engine)
        engine.images.build(path=str(ROOT / "tests" / "fixtures" / "tiny"), tag=naming.image("t-keep"),
                            labels=naming.labels(TEST_CHAPTER), rm=True, forcerm=True)
        cleanup.cleanup(TEST_CHAPTER, images=False)
        assert [i.kind for i in cleanup.plan(TEST_CHAPTER)] == ["image"]
        engine.images.get(naming.image("t-keep"))


def test_classroom_prefix_isolates_students(engine, monkeypatch):
    """On a shared host, student s07's cleanup leaves student s08's labelled resources alone."""
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s08")
    other = engine.containers.run(IMG, "sleep 300", name="dkc-s08-t-neighbour", labels=naming.labels(TEST_CHAPTER),
                                  detach=True)
    try:
        monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s07")
        mine = engine.containers.run(IMG, "sleep 300", name="dkc-s07-t-mine", labels=naming.labels(TEST_CHAPTER),
                                     detach=True)
        names = [i.name for i in cleanup.cleanup(TEST_CHAPTER, quiet=True)]
        assert names == ["dkc-s07-t-mine"]
        other.reload()
        assert other.status == "running"
        with pytest.raises(Exception):
            mine.reload()
    finally:
        other.remove(force=True)
