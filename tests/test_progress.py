"""Learner progress: the store, attempts counted by every check, hints that read the real engine's state,
and the progress table widget.

Every test writes to its own progress file (``DOCKHELPERS_PROGRESS``); the engine tests use the chapter
modules' own names (under this session's ``DOCKHELPERS_PREFIX``) and remove what they create.
"""

from __future__ import annotations

import io
import re

import pytest

from dockhelpers import naming, progress
from dockhelpers.__main__ import main
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed


@pytest.fixture()
def store(tmp_path, monkeypatch):
    path = tmp_path / "state" / "progress.jsonl"
    monkeypatch.setenv(progress.STORE_ENV, str(path))
    monkeypatch.setenv(progress.LEARNER_ENV, "kim")
    return path


def _toy(state: dict) -> ExerciseSet:
    ex = ExerciseSet(chapter=9)

    @ex.check(1, "토글되는 연습")
    def check_1() -> CheckResult:
        if state["ok"]:
            return passed("참", "참")
        return failed("참", "거짓", "값을 참으로 바꾸세요.", "지금 엔진에는 아무것도 없습니다.")

    @ex.solution(1)
    def solution_1() -> None:
        state["ok"] = True

    return ex


# ------------------------------------------------------------------------------------------- store
def test_store_location_follows_env_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv(progress.STORE_ENV, str(tmp_path / "x.jsonl"))
    assert progress.store_path() == tmp_path / "x.jsonl"
    monkeypatch.delenv(progress.STORE_ENV)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert progress.store_path() == tmp_path / "xdg" / "dockercourse" / "progress.jsonl"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert progress.store_path() == tmp_path / "home" / ".local" / "state" / "dockercourse" / "progress.jsonl"
    monkeypatch.setenv(progress.LEARNER_ENV, "lee")
    assert progress.learner() == "lee"
    monkeypatch.delenv(progress.LEARNER_ENV)
    monkeypatch.setenv("JUPYTERHUB_USER", "student07")  # on a hub every lab runs as jovyan
    assert progress.learner() == "student07"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert progress.learner()  # the OS user


def test_records_count_attempts_per_learner_and_exercise(store, monkeypatch):
    first = progress.record(2, 1, False, "2-1. t")
    second = progress.record(2, 1, True, "2-1. t")
    other = progress.record(2, 3, False)
    assert (first.attempt, second.attempt, other.attempt) == (1, 2, 1)
    assert first.learner == "kim" and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", first.time)
    monkeypatch.setenv(progress.LEARNER_ENV, "park")
    assert progress.record(2, 1, False).attempt == 1  # another learner counts from 1
    assert [r.exercise for r in progress.history(2, "kim")] == [1, 1, 3]
    assert len(progress.history(who="*")) == 4 and progress.history(1, "*") == []
    store.open("a").write('{"half a line\n')  # a crash mid-write: skipped, not fatal
    assert len(progress.history(who="*")) == 4
    assert oct(store.stat().st_mode & 0o777) == "0o600"


def test_every_run_check_is_recorded_but_grade_is_not(store):
    state = {"ok": False}
    ex = _toy(state)
    one, two = ex.run_check(1), ex.run_check(1)
    assert (one.ok, one.attempt, two.attempt) == (False, 1, 2)
    assert one.state_hint == "지금 엔진에는 아무것도 없습니다."
    assert "show_solution" not in str(one) and "ch09.show_solution(1)" in str(two)  # offered after 2 failures
    assert "엔진을 살펴보니: 지금 엔진에는" in str(two) and "dkc-state-hint" in two._repr_html_()
    ex.grade(1)
    state["ok"] = True
    three = ex.run_check(1)
    assert three.ok and three.attempt == 3 and "엔진을 살펴보니" not in str(three)
    assert [(r.ok, r.attempt) for r in progress.history(9)] == [(False, 1), (False, 2), (True, 3)]
    assert progress.history(9)[0].title == "9-1. 토글되는 연습"


def test_a_store_that_cannot_be_written_does_not_stop_the_check(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(progress.STORE_ENV, str(blocker / "progress.jsonl"))  # under a file: cannot exist
    result = _toy({"ok": True}).run_check(1)
    assert result.ok and result.attempt == 0


def test_solution_button_shows_the_code_only_on_click(store):
    state = {"ok": False}
    box = _toy(state).solution_button(1)
    button, shown = box.children
    assert shown.value == "" and not state["ok"]
    button.click()
    assert "state[&quot;ok&quot;] = True" in shown.value and not state["ok"]  # shown, never run


def test_csv_export(store, capsys):
    progress.record(1, 1, False, "1-1. 첫 이미지")
    progress.record(1, 1, True, "1-1. 첫 이미지")
    buf = io.StringIO()
    assert progress.write_csv(buf) == 2
    lines = buf.getvalue().splitlines()
    assert lines[0] == "learner,chapter,exercise,ok,attempt,time,title"
    assert lines[2].startswith("kim,1,1,True,2,") and lines[2].endswith(",1-1. 첫 이미지")
    assert main(["progress", "--csv", "--chapter", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == lines[1:]
    assert main(["progress", "--file", str(store)]) == 0
    assert "kim\t1-1\t통과\t2" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------- widget
def test_progress_table_renders_a_row_per_exercise(store):
    from dockhelpers.exercises import ch01, progress_table

    view = progress_table(chapter=1)
    rows = re.findall(r"<tr class='dkc-progress-row' data-state='(\w+)'>", view.table.value)
    assert rows == ["todo"] * len(ch01.exercises.items) and "아직 검사한 문제가 없습니다" in view.table.value
    progress.record(1, 1, False, "")
    progress.record(1, 1, True, "")
    progress.record(1, 3, False, "")
    view.refresh_button.click()
    html = view.table.value
    rows = re.findall(r"data-state='(\w+)'><td>1-(\d)</td>", html)
    assert rows[:3] == [("passed", "1"), ("todo", "2"), ("failed", "3")]
    assert "2번째에 통과" in html and "6문제 중 1문제 통과" in html and "학습자 <code>kim</code>" in html
    assert "dkc-progress" in view._dom_classes
    assert len(re.findall("dkc-progress-row", ch01.progress_table().table.value)) == 6


# ------------------------------------------------------------------------------------------- engine
def _rm(engine, *names):
    from docker.errors import NotFound

    for name in names:
        try:
            engine.containers.get(name).remove(force=True)
        except NotFound:
            pass


@pytest.mark.engine
def test_chapter1_hint_follows_the_container_through_its_states(store, engine):
    from dockhelpers.exercises import ch01

    name = ch01.BOOKWORM_CONTAINER
    near = f"{name}-x"
    _rm(engine, name, near)
    try:
        engine.containers.create(naming.BASE_IMAGE, ["true"], name=near, labels=naming.labels(1))
        first = ch01.check(3)
        assert not first.ok and first.attempt == 1
        assert f"비슷한 이름의 `{near}`(created)" in first.state_hint and f"--name {name}" in first.state_hint
        _rm(engine, near)

        engine.containers.create(naming.BASE_IMAGE, ["true"], name=name, labels=naming.labels(1))
        created = ch01.check(3)
        assert "한 번도 시작하지 않았습니다(created)" in created.state_hint and created.attempt == 2

        _rm(engine, name)
        ct = engine.containers.run(naming.BASE_IMAGE, ["sh", "-c", "echo 잘 가요; exit 3"], name=name, detach=True,
                                   labels=naming.labels(1))
        ct.wait(timeout=30)
        exited = ch01.check(3)
        assert "그 이름의 컨테이너는 있지만 실행 중이 아닙니다(exited, 종료 코드 3)" in exited.state_hint
        assert "마지막 로그: `잘 가요`" in exited.state_hint
        assert "ch01.show_solution(3)" in str(exited)  # the third failure offers the solution

        _rm(engine, name)
        engine.containers.run(naming.BASE_IMAGE, ["true"], name=name, labels=naming.labels(1))
        done = ch01.check(3)
        assert "종료 코드 0" in done.state_hint and "sleep infinity" in done.state_hint

        _rm(engine, name)
        engine.containers.run(naming.BASE_IMAGE, ["sleep", "infinity"], name=name, detach=True, init=True,
                              labels=naming.labels(1))
        wrong_image = ch01.check(3)  # running Debian 13, not the bookworm image
        assert f"이미지가 `{naming.BASE_IMAGE}`입니다" in wrong_image.state_hint
        assert [r.attempt for r in progress.history(1) if r.exercise == 3] == [1, 2, 3, 4, 5]
    finally:
        _rm(engine, name, near)


@pytest.mark.engine
def test_chapter1_image_hint_names_the_tag_that_exists(store, engine):
    from dockhelpers.exercises import ch01

    repo = ch01.HELLO_IMAGE.rpartition(":")[0]
    stray = f"{repo}:latest"
    if engine.images.list(name=ch01.HELLO_IMAGE):  # this session's own exercise image, from an earlier run
        engine.images.remove(ch01.HELLO_IMAGE, force=True)
    try:
        engine.images.get(naming.BASE_IMAGE).tag(stray)
        result = ch01.check(1)
        assert not result.ok and f"`{repo}` 저장소에는 " in result.state_hint
        assert "`latest`" in result.state_hint and f"docker image tag {stray} {ch01.HELLO_IMAGE}" in result.state_hint
    finally:
        engine.images.remove(stray)  # removes the tag only: the base image stays
    assert engine.images.get(naming.BASE_IMAGE)
    gone = ch01.check(1).state_hint
    assert gone and stray not in gone


@pytest.mark.engine
def test_chapter2_hint_names_the_container_that_holds_the_port(store, engine):
    from dockhelpers.exercises import ch02

    port = naming.port(ch02.EX1_PORT)
    holder = naming.name("ex-portholder")
    _rm(engine, ch02.EX1_CONTAINER, holder)
    try:
        engine.containers.run(naming.BASE_IMAGE, ["sleep", "infinity"], name=holder, detach=True, init=True,
                              ports={"8080/tcp": ("127.0.0.1", port)}, labels=naming.labels(2))
        engine.containers.run(naming.BASE_IMAGE, ["sleep", "infinity"], name=ch02.EX1_CONTAINER, detach=True,
                              init=True, labels=naming.labels(2))
        held = ch02.check(1)
        assert f"127.0.0.1:{port} 포트는 다른 컨테이너 `{holder}`가 쓰고 있습니다" in held.state_hint
        _rm(engine, holder)
        free = ch02.check(1)  # the same check, the engine changed: the hint follows
        assert "8080번 포트를 공개하지 않았습니다" in free.state_hint and holder not in free.state_hint
        engine.containers.get(ch02.EX1_CONTAINER).stop(timeout=1)
        stopped = ch02.check(1)
        assert "실행 중이 아닙니다(exited, 종료 코드 " in stopped.state_hint
        assert [r.attempt for r in progress.history(2)] == [1, 2, 3]
    finally:
        _rm(engine, ch02.EX1_CONTAINER, holder)
