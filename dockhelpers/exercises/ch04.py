"""Chapter 4 exercises on the deployed TODO app: scale the API, drive the board, reconfigure nginx, roll an
update back, find a request in the service logs, and two checked questions.

Exercise 1 (rollback) comes first on purpose: ``docker service rollback`` returns to the previous spec only, so it
must follow 4.6's image update directly; scaling first (exercise 4) would make the scale the change rolled back.

Notebook use::

    from dockhelpers.exercises import ch04
    ch04.check(1)
    ch04.show_solution(1)   # prints the reference solution (never run by "Run All")

Every check reads the live state: the Swarm manager (service spec, running tasks, files inside a task)
and the app over HTTP through the ingress. Names come from :mod:`dockhelpers.todo` at call time, so a
per-student prefix applies.
"""

from __future__ import annotations

import json

from dockhelpers import swarm, todo
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed
from dockhelpers.exercises.quiz import Answers, Question, register, widget

exercises = ExerciseSet(chapter=4)
check = exercises.run_check
progress_table = exercises.progress_table
solution_button = exercises.solution_button
solve = exercises.solve
show_solution = exercises.show_solution

EX4_REPLICAS = 3
EX2_TITLE = "연습 4-2 배포 검토"
EX3_ENV = {"NGINX_WORKER_PROCESSES": "2", "BACKEND_MAX_FAILS": "5"}
EX3_DEFAULTS = {"NGINX_WORKER_PROCESSES": "1", "BACKEND_MAX_FAILS": "3"}


def _spec(svc: str) -> dict | None:
    res = swarm.manager(["service", "inspect", svc], check=False, echo=False, stream=False)
    if not res.ok:
        return None
    data = json.loads(res.stdout)
    return data[0]["Spec"] if data else None


def _env(spec: dict) -> dict[str, str]:
    pairs = spec["TaskTemplate"]["ContainerSpec"].get("Env", [])
    return dict(p.split("=", 1) for p in pairs if "=" in p)


def _api_hosts(requests: int = 30) -> set[str]:
    """API task hostnames that answered ``GET /api/health`` through the ingress and the API's nginx."""
    hosts = set()
    for _ in range(requests):
        resp = todo.http("GET", "/api/health", timeout=5)
        if resp.status == 200:
            hosts.add(resp.json().get("host", "?"))
    return hosts


# ------------------------------------------------------------------------------------- exercise 4
@exercises.check(4, f"API 서비스를 레플리카 {EX4_REPLICAS}개로 늘리고 nginx가 세 태스크 모두에 요청을 나누는지 확인하기")
def check_1() -> CheckResult:
    svc = todo.service("app", "api")
    expected = f"{svc}의 레플리카 {EX4_REPLICAS}개가 Running이고, /api/health에 서로 다른 태스크 {EX4_REPLICAS}개가 응답"
    spec = _spec(svc)
    if spec is None:
        return failed(expected, f"서비스 {svc}가 없습니다.", "먼저 4.3절의 API 스택 배포 셀(`todo.deploy_stack(\"app\", env)`)을 실행하세요.")
    wanted = spec.get("Mode", {}).get("Replicated", {}).get("Replicas")
    running = len(todo.task_containers(svc))
    if wanted != EX4_REPLICAS or running != EX4_REPLICAS:
        return failed(expected, f"설정된 레플리카 {wanted}개, 실행 중 {running}개",
                      f"`docker service scale {svc}={EX4_REPLICAS}`를 매니저에서 실행하세요.")
    seen: set[str] = set()

    def all_answer() -> bool:
        seen.update(_api_hosts())  # nginx re-reads DNS every 2 s; a new task joins within that time
        return len(seen) >= EX4_REPLICAS

    todo.wait_for(all_answer, timeout=20, interval=1)
    hosts = seen
    if len(hosts) < EX4_REPLICAS:
        return failed(expected, f"응답한 API 태스크 {len(hosts)}개: {sorted(hosts)}",
                      "nginx가 DNS를 다시 읽을 때까지(2초) 기다린 뒤 다시 검사하세요.")
    return passed(expected, f"실행 중 {running}개, 응답한 태스크 {sorted(hosts)}")


@exercises.solution(4)
def solution_1() -> None:
    swarm.manager(["service", "scale", "--detach", f"{todo.service('app', 'api')}={EX4_REPLICAS}"])
    todo.wait_service(todo.service("app", "api"), EX4_REPLICAS, timeout=120)


@exercises.resetter(4)
def reset_1() -> None:
    swarm.manager(["service", "scale", "--detach", f"{todo.service('app', 'api')}=2"], check=False)
    todo.wait_for(lambda: len(todo.task_containers(todo.service("app", "api"))) == 2, timeout=60)


# ------------------------------------------------------------------------------------- exercise 2
def _find_on_board(title: str) -> tuple[int, str] | None:
    for status, cards in todo.web_board().items():
        for card in cards:
            if card["title"] == title:
                return card["id"], status
    return None


@exercises.check(2, f"웹 페이지에서 '{EX2_TITLE}' 할 일을 추가하고 DONE 칸까지 옮기기")
def check_2() -> CheckResult:
    expected = f"보드의 DONE 칸에 '{EX2_TITLE}', 프라이머리와 레플리카 모두 status=DONE"
    found = _find_on_board(EX2_TITLE)
    if found is None:
        return failed(expected, "보드에 그 제목의 할 일이 없습니다.",
                      f"보드 위쪽 입력란에 '{EX2_TITLE}'를 넣고 추가한 뒤, 카드의 버튼으로 옮기세요.")
    todo_id, status = found
    if status != "DONE":
        return failed(expected, f"#{todo_id}가 {status} 칸에 있습니다.", "카드의 → 버튼을 눌러 DONE까지 옮기세요.")
    table = todo.wait_row_everywhere(todo_id, "DONE", timeout=10)
    states = ", ".join(f"{r['태스크']}={r['status']}" for _, r in table.iterrows())
    if len(table) < 3 or not (table["status"] == "DONE").all():
        return failed(expected, f"데이터베이스: {states}", "레플리카의 복제 상태(`todo.replication_status()`)를 확인하세요.")
    return passed(expected, f"보드 DONE 칸에 #{todo_id}, 데이터베이스: {states}")


@exercises.solution(2)
def solution_2() -> None:
    found = _find_on_board(EX2_TITLE)
    todo_id = found[0] if found else todo.web_add(EX2_TITLE, "연습 문제")
    for status in ("PROGRESS", "DONE"):
        todo.web_move(todo_id, status)


@exercises.resetter(2)
def reset_2() -> None:
    # The API has no DELETE: give the task another title and put it back to TODO.
    found = _find_on_board(EX2_TITLE)
    if found:
        todo.http("PUT", "/api/todo", json_body={"id": found[0], "title": "(연습 초기화됨)", "status": "TODO"})


# ------------------------------------------------------------------------------------- exercise 3
def _rendered(task: todo.TaskContainer) -> str:
    res = swarm.exec_on(task.node, ["exec", task.container, "sh", "-c",
                                    "cat /etc/nginx/nginx.conf /etc/nginx/conf.d/upstream-backend.conf"],
                        check=False, echo=False, stream=False)
    return res.stdout if res.ok else ""


@exercises.check(3, "환경 변수만 바꿔 API 앞 nginx를 worker_processes 2, max_fails 5로 다시 설정하기")
def check_3() -> CheckResult:
    svc = todo.service("app", "nginx")
    expected = ("서비스 환경 변수 NGINX_WORKER_PROCESSES=2, BACKEND_MAX_FAILS=5, 실행 중인 태스크의 설정 파일에 "
                "`worker_processes 2;`와 `max_fails=5`, /api/health 200")
    spec = _spec(svc)
    if spec is None:
        return failed(expected, f"서비스 {svc}가 없습니다.", "먼저 4.3절의 API 스택 배포 셀(`todo.deploy_stack(\"app\", env)`)을 실행하세요.")
    env = _env(spec)
    wrong = {k: env.get(k) for k, v in EX3_ENV.items() if env.get(k) != v}
    if wrong:
        return failed(expected, f"서비스 환경 변수: {wrong}",
                      "`docker service update --env-add NGINX_WORKER_PROCESSES=2 --env-add BACKEND_MAX_FAILS=5 "
                      f"{svc}`를 실행하세요.")
    tasks = todo.task_containers(svc)
    if not tasks:
        return failed(expected, "실행 중인 태스크가 없습니다.", "`docker service ps`로 태스크 상태를 확인하세요.")
    text = _rendered(tasks[0])
    if "worker_processes 2;" not in text or "max_fails=5" not in text:
        lines = [ln.strip() for ln in text.splitlines() if "worker_processes" in ln or "max_fails" in ln]
        return failed(expected, f"태스크의 설정: {lines[:3]}",
                      "업데이트가 끝나 새 태스크가 뜰 때까지 기다린 뒤 다시 검사하세요.")
    status = todo.http("GET", "/api/health").status
    if status != 200:
        return failed(expected, f"/api/health가 {status or '응답 없음'}", "nginx 태스크의 로그를 확인하세요.")
    return passed(expected, f"{tasks[0].task}: worker_processes 2, max_fails=5, /api/health 200")


@exercises.solution(3)
def solution_3() -> None:
    todo.update_env(todo.service("app", "nginx"), {"NGINX_WORKER_PROCESSES": "2", "BACKEND_MAX_FAILS": "5"})


@exercises.resetter(3)
def reset_3() -> None:
    todo.update_env(todo.service("app", "nginx"), EX3_DEFAULTS)


# ------------------------------------------------------------------------------------- exercise 1
def _service_json(svc: str) -> dict | None:
    res = swarm.manager(["service", "inspect", svc], check=False, echo=False, stream=False)
    if not res.ok:
        return None
    data = json.loads(res.stdout)
    return data[0] if data else None


def _tag(image: str) -> str:
    """``registry:5000/dkc/todo-api:v2@sha256:...`` -> ``v2``."""
    return image.split("@")[0].rsplit(":", 1)[-1] if ":" in image.split("@")[0].rsplit("/", 1)[-1] else "latest"


def _versions(requests: int = 20) -> set[str]:
    out = set()
    for _ in range(requests):
        resp = todo.http("GET", "/api/health", timeout=5)
        if resp.status == 200:
            out.add(str(resp.json().get("version", "?")))
    return out


@exercises.check(1, "롤링 업데이트한 API를 docker service rollback으로 v1으로 되돌리기")
def check_4() -> CheckResult:
    svc = todo.service("app", "api")
    expected = f"{svc}가 롤백되어(UpdateStatus rollback_completed) 이미지 태그 v1, 이전 스펙은 v2, /api/health가 version 1만 답함"
    data = _service_json(svc)
    if data is None:
        return failed(expected, f"서비스 {svc}가 없습니다.", "먼저 4.3절의 스택 배포 셀을 실행하세요.")
    image = data["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    previous = ((data.get("PreviousSpec") or {}).get("TaskTemplate") or {}).get("ContainerSpec", {}).get("Image", "")
    state = (data.get("UpdateStatus") or {}).get("State", "")
    if _tag(image) == "v2":
        return failed(expected, f"지금 이미지 태그: v2 (UpdateStatus: {state or '없음'})",
                      f"`docker service rollback {svc}`를 매니저에서 실행하세요(`swarm.manager(\"service rollback ...\")`).")
    if state != "rollback_completed" or _tag(previous) != "v2":
        return failed(expected, f"이미지 태그 {_tag(image)}, UpdateStatus {state or '없음'}, 이전 스펙 "
                      f"{_tag(previous) if previous else '없음'}",
                      "4.6절의 롤링 업데이트로 v2가 된 뒤에 `docker service rollback`으로 되돌려야 합니다. 이미지를 "
                      "직접 v1으로 다시 지정(`--image`)하면 롤백이 아니라 새 업데이트입니다.")
    seen: set[str] = set()

    def only_v1() -> bool:
        seen.clear()
        seen.update(_versions())
        return seen == {"1"}

    todo.wait_for(only_v1, timeout=20, interval=1)
    if seen != {"1"}:
        return failed(expected, f"/api/health가 답한 버전: {sorted(seen) or '응답 없음'}",
                      "롤백이 끝나 옛 태스크가 모두 바뀔 때까지 기다린 뒤 다시 검사하세요.")
    return passed(expected, f"이미지 {_tag(image)}, UpdateStatus {state}, 이전 스펙 {_tag(previous)}, 응답 버전 {sorted(seen)}")


@exercises.solution(1)
def solution_4() -> None:
    svc = todo.service("app", "api")
    before = todo.update_state(svc)
    swarm.manager(["service", "rollback", "--detach", svc])
    _wait_update_state(svc, before, "rollback_completed")


@exercises.resetter(1)
def reset_4() -> None:
    # Not rolled back: the same v1 image set again with --image (a normal update, UpdateStatus completed).
    svc = todo.service("app", "api")
    data = _service_json(svc)
    if data is None:
        return
    image = data["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0]
    v1 = image.rsplit(":", 1)[0] + ":v1"
    before = todo.update_state(svc)
    swarm.manager(["service", "update", "--detach", "--force", "--image", v1, svc], check=False, stream=False)
    _wait_update_state(svc, before, "completed")


def _wait_update_state(svc: str, before: dict, state: str, timeout: float = 180) -> None:
    """Wait until an update newer than ``before`` (an earlier ``UpdateStatus``) reaches ``state``."""
    def reached() -> bool:
        now = todo.update_state(svc)
        return now.get("StartedAt") != before.get("StartedAt") and now.get("State") == state

    todo.wait_for(reached, timeout=timeout, interval=1)


# ------------------------------------------------------------------------------------- exercise 5
EX5_QUERY = "ex=4-5"


def _upstreams_for(query: str) -> list[str]:
    """``upstream`` fields of the API nginx's JSON access-log lines whose ``uri`` contains ``query``."""
    res = swarm.manager(["service", "logs", "--raw", todo.service("app", "nginx")], check=False, echo=False,
                        stream=False, timeout=60)
    found = []
    for line in (res.stdout + "\n" + res.stderr).splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if query in entry.get("uri", ""):
            found.append(entry.get("upstream", ""))
    return found


@exercises.check(5, "docker service logs로 요청 하나의 upstream(API 태스크 주소) 찾기")
def check_5() -> CheckResult:
    expected = (f"API 앞 nginx의 접근 로그에 `/health?{EX5_QUERY}` 요청이 있고, `ch04.answer(5, \"주소:포트\")`로 적은 값이 "
                "그 줄의 upstream 필드와 같음")
    upstreams = _upstreams_for(EX5_QUERY)
    if not upstreams:
        return failed(expected, f"로그에 `{EX5_QUERY}` 요청이 없습니다.",
                      f"`todo.curl(\"/api/health?{EX5_QUERY}\")`(또는 터미널의 curl)로 요청을 한 번 보내세요.")
    given = answers.chosen.get(5)
    if not given:
        return failed(expected, f"로그에서 찾은 요청 {len(upstreams)}개. 아직 답을 적지 않았습니다.",
                      f"`docker service logs --raw {todo.service('app', 'nginx')}`의 JSON 줄에서 `{EX5_QUERY}`가 있는 "
                      "줄의 upstream 값을 `ch04.answer(5, \"10.0.1.23:8080\")`처럼 적으세요.")
    addresses = {a.strip() for u in upstreams for a in u.split(",")}
    if given not in addresses:
        return failed(expected, f"적은 답 `{given}`가 그 요청들의 upstream에 없습니다.",
                      "`uri`에 ex=4-5가 있는 줄의 `upstream` 값을 그대로 적으세요(포트 포함).")
    return passed(expected, f"`{given}`: 로그의 upstream과 같습니다({len(upstreams)}개 요청 중).")


@exercises.solution(5)
def solution_5() -> None:
    todo.curl("/api/health?ex=4-5")
    todo.wait_for(lambda: _upstreams_for("ex=4-5"), timeout=20, interval=1)
    answer(5, _upstreams_for("ex=4-5")[-1].split(",")[-1].strip())


@exercises.resetter(5)
def reset_5() -> None:
    answers.clear(5)


# ------------------------------------------------------------------------------------- exercises 6-7
QUESTIONS = {
    6: Question("롤링 업데이트 중 옛 API 태스크가 막 멈췄습니다. API 앞 nginx(`proxy_next_upstream error timeout http_502`)가 "
                "다른 태스크로 **다시 보내지 않는** 요청은?",
                ["연결 단계에서 거부된 `GET /todo`", "이미 태스크에 보낸 뒤 응답 도중 연결이 끊긴 `POST /todo`",
                 "502를 받은 `GET /health`"],
                answer="b", why="nginx는 POST처럼 멱등(idempotent)이 아닌 요청을 한 번 upstream에 보낸 뒤에는 다시 보내지 "
                "않습니다(같은 할 일이 두 번 생길 수 있으므로). 그래서 롤링 업데이트의 '실패 0개'는 GET 위주의 이 실습에서 "
                "관찰한 결과일 뿐 보장은 아닙니다. 쓰기는 클라이언트가 결과를 확인하고 다시 시도해야 합니다.",
                hint="4.4절의 `proxy_next_upstream` 설명과 4.6절의 관찰 포인트를 다시 읽어 보세요."),
    7: Question("`docker service ls`에서 `dkc-todo-db_replica`의 REPLICAS 열이 `2/2`입니다. 옳은 설명은?",
                ["MariaDB 레플리카 서버가 2대 있고, 스웜 레플리카(태스크)는 1개다",
                 "스웜 서비스 replica의 태스크(스웜 레플리카) 2개가 Running이고, 각 태스크가 MariaDB 레플리카 서버 한 대다",
                 "프라이머리 1대와 레플리카 1대를 합해 2다"],
                answer="b", why="레플리카는 두 뜻으로 쓰입니다. 스웜의 레플리카는 서비스가 유지하는 태스크 수이고, MariaDB의 "
                "레플리카는 프라이머리의 바이너리 로그를 받아 적용하는 읽기 전용 서버입니다. replica 서비스에서는 둘이 1:1로 겹칩니다.",
                hint="4.1절의 용어 상자와 `docs/terminology.md`를 보세요."),
}
answers = Answers()


def answer(number: int, value: str) -> None:
    """Record the learner's answer: a letter for a question (``ch04.answer(6, "b")``), an address for 4-5."""
    if number == 5:
        answers.chosen[5] = str(value).strip()
    else:
        answers.set(number, value)


def ask(number: int):
    """Radio buttons for question ``number``; a click records the answer."""
    return widget(QUESTIONS[number], answers, number)


register(exercises, QUESTIONS, answers, {
    6: "롤링 업데이트 중 nginx가 다시 보내지 않는 요청 (개념 문제)",
    7: "레플리카의 두 가지 뜻 (개념 문제)",
}, "ch04")
