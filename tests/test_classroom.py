"""The classroom hub's pure parts (no engine): the roster, names and labels, the dashboard's cells."""

from __future__ import annotations

import os

import pytest

from dockhelpers import classroom, hubdash, naming
from dockhelpers.errors import CourseError
from dockhelpers.roster import read_roster


def test_roster(tmp_path):
    f = tmp_path / "roster.txt"
    f.write_text("# 2반\nKim teacher\n\ns01  # 첫째\ns02\n", encoding="utf-8")
    roster = read_roster(f)
    assert roster.teachers == ["kim"] and roster.students == ["s01", "s02"]
    assert roster.everyone == ["kim", "s01", "s02"]


@pytest.mark.parametrize("text", ["kim teacher\ns01\ns01\n", "s01\n", "kim teacher\n1abc\n", "kim teacher\ns01 admin\n",
                                  "kim teacher\ns 01 x\n",
                                  "kim teacher\ns-01\n", "kim teacher\ns_01\n"])
def test_roster_refuses(tmp_path, text):
    f = tmp_path / "roster.txt"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CourseError):
        read_roster(f)


def test_missing_roster(tmp_path):
    with pytest.raises(CourseError, match="명단 파일이 없습니다"):
        read_roster(tmp_path / "none.txt")


def test_names_and_labels(monkeypatch):
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-c1")
    monkeypatch.setenv(naming.PORT_OFFSET_ENV, "100")
    assert classroom.lab_name("s01") == "dkc-c1-lab-s01"
    assert set(classroom.lab_volumes("s01")) == {"dkc-c1-lab-s01-home", "dkc-c1-lab-s01-docker"}
    assert classroom.network_name() == "dkc-c1-hub"
    assert naming.hub_port("public") == 8700
    assert naming.classroom_labels("s01") == {naming.COURSE_LABEL: "true", naming.PREFIX_LABEL: "dkc-c1",
                                              naming.CLASSROOM_LABEL: "dkc-c1", naming.STUDENT_LABEL: "s01"}


def test_dashboard_cells():
    text = "\n".join([
        '{"learner": "s01", "chapter": 1, "exercise": 1, "ok": false, "attempt": 1, "time": "t1"}',
        "half a line",
        '{"learner": "s01", "chapter": 1, "exercise": 1, "ok": true, "attempt": 2, "time": "t2"}',
        '{"learner": "s01", "chapter": 2, "exercise": 3, "ok": false, "attempt": 1, "time": "t3"}',
    ])
    cells = hubdash.cells(hubdash.parse(text))
    assert cells == {"1-1": {"ok": True, "attempts": 2, "last": "t2"}, "2-3": {"ok": False, "attempts": 1, "last": "t3"}}
    keys = [c["key"] for c in hubdash.columns()]
    assert keys[0] == "1-1" and "4-7" in keys and len(keys) == len(set(keys))


def test_hub_skips_the_course_endpoint(monkeypatch):
    """A teacher's terminal inside `make lab` has DOCKER_HOST at the course endpoint; the hub uses the engine."""
    from dockhelpers import hubnet
    from dockhelpers.endpoint import settings

    monkeypatch.setenv("DOCKER_HOST", settings.docker_host())
    monkeypatch.setenv(settings.UPSTREAM_ENV, "unix:///var/run/docker.sock")
    hubnet.real_engine()
    assert os.environ["DOCKER_HOST"] == "unix:///var/run/docker.sock"
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/other.sock")  # any other engine is left as it is
    hubnet.real_engine()
    assert os.environ["DOCKER_HOST"] == "unix:///run/other.sock"
