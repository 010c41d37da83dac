"""Chapter 4 exercises on the deployed TODO app: scale the API, drive the board, reconfigure nginx.

Notebook use::

    from dockhelpers.exercises import ch04
    ch04.check(1)
    ch04.show_solution(1)
    ch04.solve(1)

Every check reads the live state: the Swarm manager (service spec, running tasks, files inside a task)
and the app over HTTP through the ingress. Names come from :mod:`dockhelpers.todo` at call time, so a
per-student prefix applies.
"""

from __future__ import annotations

import json

from dockhelpers import swarm, todo
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed

exercises = ExerciseSet(chapter=4)
check = exercises.run_check
solve = exercises.solve
show_solution = exercises.show_solution

EX1_REPLICAS = 3
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


# ------------------------------------------------------------------------------------- exercise 1
@exercises.check(1, f"API 서비스를 레플리카 {EX1_REPLICAS}개로 늘리고 nginx가 세 태스크 모두에 요청을 나누는지 확인하기")
def check_1() -> CheckResult:
    svc = todo.service("app", "api")
    expected = f"{svc}의 레플리카 {EX1_REPLICAS}개가 Running이고, /api/health에 서로 다른 태스크 {EX1_REPLICAS}개가 응답"
    spec = _spec(svc)
    if spec is None:
        return failed(expected, f"서비스 {svc}가 없습니다.", "먼저 4.1의 `todo.deploy()` 셀을 실행하세요.")
    wanted = spec.get("Mode", {}).get("Replicated", {}).get("Replicas")
    running = len(todo.task_containers(svc))
    if wanted != EX1_REPLICAS or running != EX1_REPLICAS:
        return failed(expected, f"설정된 레플리카 {wanted}개, 실행 중 {running}개",
                      f"`docker service scale {svc}={EX1_REPLICAS}`를 매니저에서 실행하세요.")
    seen: set[str] = set()

    def all_answer() -> bool:
        seen.update(_api_hosts())  # nginx re-reads DNS every 2 s; a new task joins within that time
        return len(seen) >= EX1_REPLICAS

    todo.wait_for(all_answer, timeout=20, interval=1)
    hosts = seen
    if len(hosts) < EX1_REPLICAS:
        return failed(expected, f"응답한 API 태스크 {len(hosts)}개: {sorted(hosts)}",
                      "nginx가 DNS를 다시 읽을 때까지(2초) 기다린 뒤 다시 검사하세요.")
    return passed(expected, f"실행 중 {running}개, 응답한 태스크 {sorted(hosts)}")


@exercises.solution(1)
def solution_1() -> None:
    swarm.manager(["service", "scale", "--detach", f"{todo.service('app', 'api')}={EX1_REPLICAS}"])
    todo.wait_service(todo.service("app", "api"), EX1_REPLICAS, timeout=120)


@exercises.resetter(1)
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
        return failed(expected, f"서비스 {svc}가 없습니다.", "먼저 `todo.deploy()`를 실행하세요.")
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
