"""Chapter 3 exercises: configure by environment variables, a data-volume container, a Swarm service.

Notebook use::

    from dockhelpers.exercises import ch03
    ch03.check(1)
    ch03.show_solution(1)
    ch03.solve(1)

Names and ports are computed on each call (not at import) so that a per-student prefix applies.
"""

from __future__ import annotations

import json

from dockhelpers import inspection, naming, web
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed
from dockhelpers.poll import poll_or_none
from dockhelpers.shell import run

exercises = ExerciseSet(chapter=3)
check = exercises.run_check
solve = exercises.solve
show_solution = exercises.show_solution

EX1_MESSAGE = "Hello from ENV"
EX1_APP_PORT = 9000
EX1_HOST_PORT = 19031
EX2_TEXT = "data survives containers"
EX3_REPLICAS = 4


def ex1_container() -> str:
    return naming.name("ex3-echo")


def ex2_store() -> str:
    return naming.name("ex3-store")


def ex3_service() -> str:
    return naming.name("ex3-web")


# ------------------------------------------------------------------------------------------- helpers
def _inspect(kind: str, name: str) -> dict | None:
    return inspection.container(name)


def _http_get(port: int, seconds: float = 10.0) -> str | None:
    resp = web.wait_ok(web.local_url(port), seconds)
    return resp.text.strip() if resp else None


_env_of = inspection.container_env


# ------------------------------------------------------------------------------------ 1. environment
@exercises.check(1, "환경 변수만으로 echo 앱의 포트와 메시지 바꾸기")
def check_1() -> CheckResult:
    name, host_port = ex1_container(), naming.port(EX1_HOST_PORT)
    expected = (f"컨테이너 {name}이(가) 실행 중이고 ECHO_PORT={EX1_APP_PORT}, ECHO_MESSAGE='{EX1_MESSAGE}', "
                f"127.0.0.1:{host_port} -> {EX1_APP_PORT} 공개, 응답 '{EX1_MESSAGE}'")
    attrs = _inspect("container", name)
    if attrs is None:
        return failed(expected, f"{name} 컨테이너가 없습니다.",
                      f"`docker container run -d --name {name} -e ... -p ...`로 실행하세요.")
    if not attrs["State"].get("Running"):
        return failed(expected, f"{name}의 상태: {attrs['State'].get('Status')}", "컨테이너를 시작하세요.")
    env = _env_of(attrs)
    if env.get("ECHO_PORT") != str(EX1_APP_PORT) or env.get("ECHO_MESSAGE") != EX1_MESSAGE:
        return failed(expected, f"ECHO_PORT={env.get('ECHO_PORT')!r}, ECHO_MESSAGE={env.get('ECHO_MESSAGE')!r}",
                      "`-e ECHO_PORT=9000 -e 'ECHO_MESSAGE=Hello from ENV'`처럼 환경 변수를 넘기세요. "
                      "환경 변수는 실행 중에 바꿀 수 없으니 컨테이너를 지우고 다시 실행합니다.")
    bindings = (attrs["HostConfig"].get("PortBindings") or {}).get(f"{EX1_APP_PORT}/tcp") or []
    if not any(b.get("HostPort") == str(host_port) and b.get("HostIp") == "127.0.0.1" for b in bindings):
        return failed(expected, f"{EX1_APP_PORT}/tcp 공개 설정: {bindings or '없음'}",
                      f"`-p 127.0.0.1:{host_port}:{EX1_APP_PORT}`로 컨테이너의 {EX1_APP_PORT}번 포트를 공개하세요.")
    body = _http_get(host_port)
    if body != EX1_MESSAGE:
        return failed(expected, f"http://127.0.0.1:{host_port}/ 응답: {body!r}",
                      "로그(`docker container logs`)에서 앱이 어느 포트로 시작했는지 확인하세요.")
    return passed(expected, f"{name} 실행 중, 응답 '{body}'")


@exercises.solution(1)
def solution_1() -> None:
    from dockhelpers.shell import docker

    name = ex1_container()
    docker(["container", "rm", "-f", name], check=False, stream=False)
    docker(["container", "run", "-d", "--name", name, *naming.label_args(3),
            "-e", f"ECHO_PORT={EX1_APP_PORT}", "-e", f"ECHO_MESSAGE={EX1_MESSAGE}",
            "-p", naming.publish(EX1_HOST_PORT, EX1_APP_PORT), naming.image("echo")])


@exercises.resetter(1)
def reset_1() -> None:
    run(["docker", "container", "rm", "-f", ex1_container()], echo=False, stream=False, check=False)


# ------------------------------------------------------------------------------ 2. data-volume container
@exercises.check(2, "데이터 볼륨 컨테이너에 파일 남기기 (--volumes-from)")
def check_2() -> CheckResult:
    store = ex2_store()
    expected = (f"데이터 볼륨 컨테이너 {store}가 /data에 볼륨을 갖고, 다른 컨테이너가 `--volumes-from {store}`로 "
                f"쓴 /data/note.txt의 내용이 '{EX2_TEXT}'")
    attrs = _inspect("container", store)
    if attrs is None:
        return failed(expected, f"{store} 컨테이너가 없습니다.",
                      f"`docker container create --name {store} -v /data ...`처럼 /data에 볼륨을 둔 컨테이너를 만드세요.")
    mounts = [m for m in attrs.get("Mounts", []) if m.get("Destination") == "/data"]
    if not mounts or mounts[0].get("Type") != "volume":
        kind = mounts[0].get("Type") if mounts else "없음"
        return failed(expected, f"{store}의 /data 마운트: {kind}",
                      "/data는 바인드 마운트가 아니라 도커 볼륨이어야 합니다(`-v 볼륨이름:/data` 또는 `-v /data`).")
    res = run(["docker", "container", "run", "--rm", *naming.label_args(3), "--volumes-from", f"{store}:ro",
               naming.BASE_IMAGE, "cat", "/data/note.txt"], echo=False, stream=False, check=False, timeout=60)
    text = res.stdout.strip() if res.ok else None
    if text != EX2_TEXT:
        return failed(expected, f"/data/note.txt: {text!r}" if text is not None else "/data/note.txt가 없습니다.",
                      f"`docker container run --rm --volumes-from {store} debian:trixie-slim sh -c "
                      f"\"echo '{EX2_TEXT}' > /data/note.txt\"`처럼 다른 컨테이너에서 쓰세요.")
    return passed(expected, f"{store}의 볼륨 {mounts[0].get('Name', '')[:24]}에 '{text}'")


@exercises.solution(2)
def solution_2() -> None:
    from dockhelpers.shell import docker

    store = ex2_store()
    docker(["container", "rm", "-f", "-v", store], check=False, stream=False)
    docker(["volume", "create", *naming.label_args(3), store])
    docker(["container", "create", "--name", store, *naming.label_args(3), "-v", f"{store}:/data",
            naming.BASE_IMAGE, "true"])
    docker(["container", "run", "--rm", *naming.label_args(3), "--volumes-from", store, naming.BASE_IMAGE,
            "sh", "-c", f"echo '{EX2_TEXT}' > /data/note.txt"])


@exercises.resetter(2)
def reset_2() -> None:
    run(["docker", "container", "rm", "-f", "-v", ex2_store()], echo=False, stream=False, check=False)
    run(["docker", "volume", "rm", ex2_store()], echo=False, stream=False, check=False)


# ------------------------------------------------------------------------------------ 3. swarm service
@exercises.check(3, "스웜 서비스를 레지스트리 이미지로 4개 레플리카 실행하기")
def check_3() -> CheckResult:
    from dockhelpers import swarm

    service = ex3_service()
    expected = (f"스웜 서비스 {service}가 {swarm.REGISTRY_IN_CLUSTER}/... 이미지로 레플리카 {EX3_REPLICAS}개, "
                f"모두 Running이고 2개 이상의 노드에 분산")
    if not swarm.is_up():
        return failed(expected, "스웜 실습 환경이 실행 중이 아닙니다.", "`swarm.up()`을 먼저 실행하세요.")
    res = swarm.manager(["service", "inspect", service], echo=False, stream=False, check=False)
    if not res.ok:
        return failed(expected, f"서비스 {service}가 없습니다.",
                      f"`docker service create --name {service} --replicas {EX3_REPLICAS} 이미지`를 매니저에서 실행하세요.")
    spec = json.loads(res.stdout)[0]["Spec"]
    image = spec["TaskTemplate"]["ContainerSpec"]["Image"].split("@")[0]
    replicas = spec.get("Mode", {}).get("Replicated", {}).get("Replicas")
    if not image.startswith(swarm.REGISTRY_IN_CLUSTER + "/"):
        return failed(expected, f"이미지: {image}",
                      "워커는 호스트의 이미지를 볼 수 없습니다. `swarm.push()`로 레지스트리에 올린 이미지를 쓰세요.")
    if replicas != EX3_REPLICAS:
        return failed(expected, f"레플리카 설정: {replicas}", f"`docker service scale {service}={EX3_REPLICAS}`")

    def all_running() -> dict[str, int] | None:
        found = swarm.running_replicas(service)
        return found if sum(found.values()) >= EX3_REPLICAS else None

    counts = poll_or_none(all_running, 30, interval=1) or swarm.running_replicas(service)
    spread = ", ".join(f"{n}={c}" for n, c in sorted(counts.items())) or "없음"
    if sum(counts.values()) < EX3_REPLICAS:
        return failed(expected, f"Running 레플리카 {sum(counts.values())}/{EX3_REPLICAS} ({spread})",
                      f"`docker service ps --no-trunc {service}`로 오류를 확인하세요.")
    if len(counts) < 2:
        return failed(expected, f"모든 태스크가 한 노드에 있습니다 ({spread})", "노드가 모두 Ready인지 확인하세요.")
    return passed(expected, f"{image}, Running {sum(counts.values())}/{EX3_REPLICAS} ({spread})")


@exercises.solution(3)
def solution_3() -> None:
    from dockhelpers import swarm

    service = ex3_service()
    ref = swarm.push(naming.image("echo"), "example/echo:latest")
    swarm.manager(["service", "rm", service], check=False, stream=False)
    swarm.manager(["service", "create", "--detach", "--name", service, "--replicas", str(EX3_REPLICAS),
                   *naming.label_args(3), ref])
    swarm.wait_service(service, EX3_REPLICAS, timeout=90)


@exercises.resetter(3)
def reset_3() -> None:
    from dockhelpers import swarm

    if swarm.is_up():
        swarm.manager(["service", "rm", ex3_service()], echo=False, stream=False, check=False)
