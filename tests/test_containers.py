"""Containers against the real engine: idempotent run, bad input leaves nothing half-made, exec, cp."""

import socket

import pytest

from dockhelpers import containers, errors, naming
from helpers import TEST_CHAPTER, cleaned, tname

pytestmark = pytest.mark.engine
IMG = naming.BASE_IMAGE


def ours(engine) -> set[str]:
    """Containers carrying the tests' own chapter label (other work may run on the same engine)."""
    return {c.id for c in engine.containers.list(all=True, filters={"label": naming.label_filters(TEST_CHAPTER)})}


@pytest.fixture(autouse=True)
def _clean():
    with cleaned():
        yield


def test_run_is_idempotent_and_labelled(engine, capsys):
    first = containers.run(IMG, tname("idem"), chapter=TEST_CHAPTER, command="sleep 60")
    second = containers.run(IMG, tname("idem"), chapter=TEST_CHAPTER, command="sleep 60")
    assert first["ID"] != second["ID"] and second["상태"] == "running"
    assert len(engine.containers.list(all=True, filters={"name": f"^/{tname('idem')}$"})) == 1
    assert engine.containers.get(tname("idem")).labels[naming.CHAPTER_LABEL] == "99"
    assert f"$ docker container run -d --name {tname('idem')}" in capsys.readouterr().out


def test_ports_bind_to_loopback(engine):
    row = containers.run(IMG, tname("port"), chapter=TEST_CHAPTER, command="sleep 60", ports={8080: None})
    assert row["포트"].startswith("127.0.0.1:") and row["포트"].endswith("->8080/tcp")


def test_port_in_use_raises_and_leaves_nothing(engine):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        before = ours(engine)
        with pytest.raises(errors.PortInUse) as info:
            containers.run(IMG, tname("busy"), chapter=TEST_CHAPTER, command="sleep 60", ports={8080: port})
        assert "포트" in info.value.message
        with pytest.raises(errors.PortInUse):
            containers.run(IMG, None, chapter=TEST_CHAPTER, command="sleep 60", ports={8080: port})
        assert ours(engine) == before == set()


def test_name_conflict_without_replace_keeps_the_existing_container(engine):
    row = containers.run(IMG, tname("conflict"), chapter=TEST_CHAPTER, command="sleep 60")
    with pytest.raises(errors.NameConflict):
        containers.run(IMG, tname("conflict"), chapter=TEST_CHAPTER, command="sleep 60", replace=False)
    assert engine.containers.get(tname("conflict")).short_id == row["ID"]


def test_missing_image(engine):
    with pytest.raises(errors.ImageNotFound):
        containers.run("dkc/does-not-exist:nope", tname("noimg"), chapter=TEST_CHAPTER)
    assert containers.status(tname("noimg")) is None


def test_lifecycle_exec_logs_and_cp(engine, tmp_path):
    name = tname("life")
    containers.run(IMG, name, chapter=TEST_CHAPTER, command=["sh", "-c", "echo started; sleep 60"])
    code, out = containers.exec_(name, "echo hi > /tmp/note && cat /tmp/note")
    assert (code, out) == (0, "hi\n")
    assert "started" in containers.logs(name)
    assert containers.stop(name)["상태"] == "exited"
    # cp works on a stopped container, both ways.
    src = tmp_path / "greeting.txt"
    src.write_text("안녕하세요\n", encoding="utf-8")
    containers.cp_in(name, src, "/tmp")
    copied = containers.cp_out(name, "/tmp/greeting.txt", tmp_path / "out")
    assert copied.read_text(encoding="utf-8") == "안녕하세요\n"
    assert containers.cp_out(name, "/tmp/note", tmp_path / "out").read_text() == "hi\n"
    assert containers.restart(name)["상태"] == "running"
    with pytest.raises(errors.CourseError):
        containers.rm(name)  # running: the engine refuses without -f
    assert containers.rm(name, force=True) is True
    assert containers.rm(name, force=True) is False
    assert containers.status(name) is None
    with pytest.raises(errors.NotFound):
        containers.stop(name)


def test_foreground_run_returns_output_and_failure_is_translated():
    row = containers.run(IMG, None, chapter=TEST_CHAPTER, command="echo 안녕", detach=False, remove=True)
    assert row["출력"] == "안녕\n"
    with pytest.raises(errors.CourseError):
        containers.run(IMG, None, chapter=TEST_CHAPTER, command="sh -c 'exit 3'", detach=False, remove=True)


def test_ls_shows_only_course_containers(engine):
    containers.run(IMG, tname("listed"), chapter=TEST_CHAPTER, command="sleep 60")
    table = containers.ls(TEST_CHAPTER)
    assert list(table["이름"]) == [tname("listed")]
