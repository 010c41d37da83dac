"""Chapter 4 exercises: every check rejects wrong states, and every reference solution passes.

Runs on the test session's shared lab with the TODO app deployed (``todo_app`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

from dockhelpers import naming, swarm, todo
from dockhelpers.exercises import ch04
from helpers import EXERCISE4_LAB, environment

#: Checks are called directly (not through ``ch04.check``, which turns a crash into a failed answer),
#: so a check that crashes cannot pass for one that correctly says "not yet".
check = ch04.exercises.grade

PREFIX = EXERCISE4_LAB[naming.PREFIX_ENV]


@pytest.fixture
def app(todo_app):
    """The TODO app deployed once on the shared lab (tests/conftest.py)."""
    return todo_app


def test_module_contract():
    assert ch04.check == ch04.exercises.run_check
    assert ch04.solve == ch04.exercises.solve
    assert ch04.show_solution == ch04.exercises.show_solution
    assert len(ch04.exercises.items) >= 7
    for ex in ch04.exercises.items.values():
        assert ex.solver and ex.reset and ch04.exercises.solution_source(ex.number)
        assert any("가" <= ch <= "힣" for ch in ex.title)


def test_checks_answer_without_a_lab():
    """Before anything is deployed a check answers (not ok, in Korean) instead of raising."""
    with environment({naming.PREFIX_ENV: f"{PREFIX}none"}):
        for n in (1, 4, 5):
            res = check(n)
            assert not res and res.found


@pytest.mark.engine
@pytest.mark.slow
def test_ex4_scale_api(app):
    ch04.exercises.items[4].reset()
    res = check(4)
    assert not res and "레플리카 2개" in res.found
    # too many is wrong too
    swarm.manager(["service", "scale", "--detach", f"{todo.service('app', 'api')}=4"])
    todo.wait_service(todo.service("app", "api"), 4, timeout=120)
    res = check(4)
    assert not res and "4개" in res.found
    ch04.solve(4)
    todo.wait_for(lambda: len(todo.task_containers(todo.service("app", "api"))) == 3, timeout=60)
    res = check(4)
    assert res, str(res)
    ch04.exercises.items[4].reset()
    assert not check(4)


@pytest.mark.engine
@pytest.mark.slow
def test_ex2_board_to_done(app):
    ch04.exercises.items[2].reset()
    res = check(2)
    assert not res and "없습니다" in res.found
    todo_id = todo.web_add(ch04.EX2_TITLE)
    assert todo.web_move(todo_id, "PROGRESS") == 303
    # A failed check is falsy, so wait for the observation (in a list), not for the result itself.
    seen = todo.wait_for(lambda: (lambda r: [r] if "PROGRESS" in r.found else None)(check(2)), timeout=10)
    assert seen is not None, str(check(2))
    assert not seen[0]
    ch04.solve(2)
    res = todo.wait_for(lambda: (lambda r: r if r.ok else None)(check(2)), timeout=15)
    assert res, str(check(2))
    ch04.exercises.items[2].reset()
    assert todo.wait_for(lambda: not check(2).ok, timeout=10)


@pytest.mark.engine
@pytest.mark.slow
def test_ex3_nginx_by_environment(app):
    ch04.exercises.items[3].reset()
    res = check(3)
    assert not res and "NGINX_WORKER_PROCESSES" in res.found
    # half done: one variable only
    todo.update_env(todo.service("app", "nginx"), {"NGINX_WORKER_PROCESSES": "2"})
    res = check(3)
    assert not res and "BACKEND_MAX_FAILS" in res.found
    ch04.solve(3)
    res = check(3)
    assert res, str(res)
    ch04.exercises.items[3].reset()
    assert not check(3)


STACKS = todo.HERE / "stacks"


def _stack_config(path) -> "subprocess.CompletedProcess[str]":
    """``docker stack config -c FILE``: the CLI's own stack loader (the legacy v3 schema), no swarm needed."""
    import os
    import re
    import subprocess

    names = set(re.findall(r"\$\{(\w+)", path.read_text(encoding="utf-8")))
    env = {**os.environ, **{n: "x" for n in names}}
    return subprocess.run(["docker", "stack", "config", "-c", str(path)], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.mark.engine
def test_stack_files_carry_no_version_key_and_the_stack_loader_accepts_them():
    files = sorted(STACKS.glob("todo-*.yml"))
    assert len(files) == 4
    for path in files:
        assert not [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("version:")], path
        done = _stack_config(path)
        assert done.returncode == 0, (path, done.stderr)


@pytest.mark.engine
def test_stack_deploy_rejects_a_compose_spec_only_key():
    """The notebook's example: a top-level ``name:`` is Compose Specification, not the v3 format stacks read."""
    done = _stack_config(STACKS / "rejected" / "compose-only.yml")
    assert done.returncode != 0 and "Additional property name is not allowed" in done.stderr, done.stderr


@pytest.mark.engine
@pytest.mark.slow
def test_mariadb_replication_statements_as_the_notebook_says(app):
    """4.2's claim, checked on the live primary: MariaDB 11.8 answers SHOW BINLOG STATUS (its own name since
    10.5.2), the old SHOW MASTER STATUS and MySQL's SHOW BINARY LOG STATUS; it rejects MySQL 8's
    CHANGE REPLICATION SOURCE TO, which is why the replica's init script uses CHANGE MASTER TO."""
    table = todo.statement_support().set_index("statement")
    assert table["server"].iloc[0].startswith("11.8"), table["server"].iloc[0]
    for sql in ("SHOW BINLOG STATUS", "SHOW MASTER STATUS", "SHOW BINARY LOG STATUS"):
        assert table.loc[sql, "accepted"] and "mysql-bin." in table.loc[sql, "answer"], table.loc[sql].to_dict()
    rejected = table.loc["CHANGE REPLICATION SOURCE TO SOURCE_CONNECT_RETRY = 5"]
    assert not rejected["accepted"] and "1064" in rejected["answer"], rejected.to_dict()
    script = (todo.HERE / "db" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "CHANGE MASTER TO" in script and "SHOW BINLOG STATUS" in script
    assert "CHANGE REPLICATION SOURCE" not in script and "START SLAVE" not in script


@pytest.mark.engine
@pytest.mark.slow
def test_ex1_rollback(app):
    import shutil

    svc = todo.service("app", "api")
    ch04.exercises.items[1].reset()  # v1 set again by --image: an update, not a rollback
    res = check(1)
    assert not res and "UpdateStatus completed" in res.found, res.found
    context = todo.make_api_v2("2")
    try:
        v2 = todo.build_push_api(context, "v2")
    finally:
        shutil.rmtree(context, ignore_errors=True)
    todo.rolling_update(svc, v2)
    res = check(1)
    assert not res and "v2" in res.found
    ch04.solve(1)
    res = check(1)
    assert res, str(res)
    ch04.exercises.items[1].reset()
    assert not check(1)
    assert todo.wait_for(lambda: ch04._versions(6) == {"1"}, timeout=30)


@pytest.mark.engine
@pytest.mark.slow
def test_ex5_upstream_from_the_logs(app):
    ch04.exercises.items[5].reset()
    res = check(5)
    assert not res  # either no such request yet (a fresh app) or no answer recorded
    todo.curl("/api/health?ex=4-5")
    assert todo.wait_for(lambda: ch04._upstreams_for(ch04.EX5_QUERY), timeout=20, interval=1)
    res = check(5)
    assert not res and "아직 답을 적지 않았습니다" in res.found
    ch04.answer(5, "10.255.255.254:8080")
    res = check(5)
    assert not res and "upstream에 없습니다" in res.found
    ch04.solve(5)
    res = check(5)
    assert res, str(res)
    ch04.exercises.items[5].reset()


@pytest.mark.parametrize("number", [6, 7])
def test_questions_grade_the_recorded_answer(number):
    ch04.exercises.items[number].reset()
    assert "고르지 않았습니다" in check(number).found
    ch04.answer(number, "c")
    assert not check(number)
    ch04.solve(number)
    assert check(number)
    ch04.exercises.items[number].reset()


def test_post_question_says_the_zero_failures_are_not_guaranteed():
    q = ch04.QUESTIONS[6]
    assert "POST" in q.options[q.letters().index(q.answer)] and "보장" in q.why


def test_chapter_4_text_keeps_the_issue_12_corrections():
    import json

    from conftest import ROOT

    nb = json.loads((ROOT / "notebooks" / "04_swarm_todo_app.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    import inspect

    # the hints name cells that exist (there is no todo.deploy() cell in the notebook)
    assert "todo.deploy()" not in text and "todo.deploy()" not in inspect.getsource(ch04)
    assert "클라이언트는 실패를 보지 않습니다" not in text and "보장이 아닙니다" in text
    assert "이 교재를 만든 환경" not in text and 'facts.say("ipvs")' in text
    assert "SHOW BINLOG STATUS" in text and "todo.statement_support()" in text
    assert "ch04.solve(" not in text
