"""Chapter 3 exercises: every check rejects the wrong states, and every reference solution passes.

Runs under its own name prefix and port offset (``helpers.EXERCISE3_LAB``: ``<prefix>-t3x``, +310) so
that it never touches what a notebook run (or another chapter's lab) is using at the same time.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import ROOT
from dockhelpers import images, naming, swarm
from dockhelpers.exercises import ch03
from helpers import EXERCISE3_LAB, environment

#: Checks are called directly (not through ``ch03.check``, which turns a crash into a failed answer),
#: so a check that crashes cannot pass for one that correctly says "not yet".
check = ch03.exercises.grade

PREFIX = EXERCISE3_LAB[naming.PREFIX_ENV]


@pytest.fixture(scope="module", autouse=True)
def isolated():
    with environment(EXERCISE3_LAB):
        # Chapter 2's echo image, under this test's prefix (built here: never rely on another test's cache).
        images.build(ROOT / "notebooks" / "ch02" / "echo", naming.image("echo"), chapter=2, quiet=True)
        try:
            yield
        finally:
            for n in (1, 2, 4, 6, 7):
                ch03.exercises.items[n].reset()
            subprocess.run(["docker", "image", "rm", naming.image("echo")], capture_output=True)


def _run(args):
    subprocess.run(["docker", *args], check=True, capture_output=True)


def test_module_contract():
    assert ch03.check == ch03.exercises.run_check
    assert len(ch03.exercises.items) >= 7
    for ex in ch03.exercises.items.values():
        assert ex.solver and ex.reset and ch03.exercises.solution_source(ex.number)


@pytest.mark.engine
def test_ex1_rejects_wrong_states_and_accepts_solution():
    ch03.exercises.items[1].reset()
    res = check(1)
    assert not res and "없습니다" in res.found
    # wrong message, right port
    _run(["container", "run", "-d", "--name", ch03.ex1_container(), *naming.label_args(3), "-e", "ECHO_PORT=9000",
          "-e", "ECHO_MESSAGE=wrong", "-p", naming.publish(ch03.EX1_HOST_PORT, 9000), naming.image("echo")])
    res = check(1)
    assert not res and "wrong" in res.found
    ch03.exercises.items[1].reset()
    # right variables but the port is not published
    _run(["container", "run", "-d", "--name", ch03.ex1_container(), *naming.label_args(3), "-e", "ECHO_PORT=9000",
          "-e", f"ECHO_MESSAGE={ch03.EX1_MESSAGE}", naming.image("echo")])
    res = check(1)
    assert not res and "공개" in res.found
    ch03.exercises.items[1].reset()
    # everything right but the course labels
    _run(["container", "run", "-d", "--name", ch03.ex1_container(), "-e", "ECHO_PORT=9000",
          "-e", f"ECHO_MESSAGE={ch03.EX1_MESSAGE}", "-p", naming.publish(ch03.EX1_HOST_PORT, 9000), naming.image("echo")])
    res = check(1)
    assert not res and "라벨" in res.found
    ch03.solve(1)
    res = check(1)
    assert res, str(res)
    _run(["container", "stop", "-t", "1", ch03.ex1_container()])
    assert not check(1)


@pytest.mark.engine
def test_ex2_rejects_wrong_states_and_accepts_solution():
    ch03.exercises.items[2].reset()
    assert not check(2)
    store = ch03.ex2_store()
    # a data container whose volume is empty
    _run(["container", "create", "--name", store, *naming.label_args(3), "-v", f"{store}:/data",
          naming.BASE_IMAGE, "true"])
    res = check(2)
    assert not res and "없습니다" in res.found
    # wrong content
    _run(["container", "run", "--rm", "--volumes-from", store, naming.BASE_IMAGE, "sh", "-c", "echo nope > /data/note.txt"])
    res = check(2)
    assert not res and "nope" in res.found
    ch03.solve(2)
    assert check(2), str(check(2))


@pytest.mark.engine
@pytest.mark.slow
def test_ex3_rejects_wrong_states_and_accepts_solution(swarm_lab):
    with environment({naming.PREFIX_ENV: f"{PREFIX}none"}):  # a prefix with no lab up
        res = check(3)
    assert not res and "실습 환경" in res.found
    ch03.exercises.items[3].reset()
    res = check(3)
    assert not res and "없습니다" in res.found
    ch03.solve(3)
    res = check(3)
    assert res, str(res)
    swarm.manager(["service", "scale", "--detach", f"{ch03.ex3_service()}=2"])
    res = check(3)
    assert not res and "레플리카 설정: 2" in res.found
    # right count, but an image the workers cannot pull from the lab registry
    ch03.exercises.items[3].reset()
    swarm.manager(["service", "create", "--detach", "--name", ch03.ex3_service(), "--replicas", "4",
                   naming.image("echo")], check=False)
    res = check(3)
    assert not res and "이미지" in res.found
    ch03.exercises.items[3].reset()


@pytest.mark.engine
def test_ex4_rejects_wrong_states_and_accepts_solution():
    ch03.exercises.items[4].reset()
    res = check(4)
    assert not res and "없습니다" in res.found
    volume = ch03.ex4_volume()
    # a volume without the course label
    _run(["volume", "create", volume])
    res = check(4)
    assert not res and "라벨" in res.found
    ch03.exercises.items[4].reset()
    # labelled but empty
    _run(["volume", "create", *naming.label_args(3), volume])
    res = check(4)
    assert not res and "note.txt" in res.found
    ch03.exercises.items[4].reset()
    ch03.solve(2)  # exercise 4 restores exercise 2's data
    ch03.solve(4)
    assert check(4), str(check(4))
    ch03.exercises.items[4].reset()


@pytest.mark.parametrize("number", [6, 7])
def test_questions_grade_the_recorded_answer(number):
    ch03.exercises.items[number].reset()
    res = check(number)
    assert not res and "고르지 않았습니다" in res.found
    ch03.answer(number, "a")
    res = check(number)
    assert not res and res.hint
    ch03.solve(number)
    assert check(number)
    ch03.exercises.items[number].reset()


def test_job_question_teaches_that_swarm_has_no_scheduler():
    q = ch03.QUESTIONS[6]
    right = q.options[ch03.QUESTIONS[6].letters().index(q.answer)]
    assert "스케줄러" in right and "한 번" in right


@pytest.mark.engine
@pytest.mark.slow
def test_ex5_stack_deploy(swarm_lab):
    with environment({naming.PREFIX_ENV: f"{PREFIX}none"}):  # a prefix with no lab up
        res = check(5)
    assert not res and "실습 환경" in res.found
    ch03.exercises.items[5].reset()
    res = check(5)
    assert not res and "없습니다" in res.found
    # the same service name made with service create (not a stack) is rejected
    ref = swarm.push(naming.image("echo"), "example/echo:latest")
    svc = f"{ch03.ex5_stack()}_web"
    swarm.manager(["service", "create", "--detach", "--name", svc, "--replicas", "3", *naming.label_args(3), ref])
    res = check(5)
    assert not res and "스택으로 배포한 서비스가 아닙니다" in res.found
    swarm.manager(["service", "rm", svc], check=False)
    # the file as given: one replica
    swarm.stack_deploy(ch03.ex5_stack(), ROOT / "notebooks" / "ch03" / "stack" / "exercise-stack.yaml",
                       env={"ECHO_IMAGE": ref})
    res = check(5)
    assert not res and "레플리카 설정: 1" in res.found
    ch03.solve(5)
    res = check(5)
    assert res, str(res)
    ch03.exercises.items[5].reset()


def _notebook_text(name: str) -> str:
    import json

    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_chapter_3_text_keeps_the_issue_12_corrections():
    text = _notebook_text("03_practical_containers.ipynb")
    # a created-only container never ran its command
    assert "`true`만 실행하고 곧 끝나는" not in text and "`Created`" in text
    # Swarm jobs run once; Swarm has no scheduler
    assert "스웜에는 그런 스케줄러가 **없습니다.**" in text
    assert "스웜은 `docker service create --mode replicated-job`)" not in text
    # no description of the build machine as the learner's
    for phrase in ("이 컴퓨터의 커널에 IPVS가 없어", "이 컴퓨터의 CLI에는 buildx가 없어"):
        assert phrase not in text
    assert 'facts.say("ipvs")' in text and 'facts.say("builder")' in text
    # no cell runs reference solutions
    assert "ch03.solve(" not in text
