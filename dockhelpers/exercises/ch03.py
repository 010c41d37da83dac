"""Chapter 3 exercises: configure by environment variables, a data-volume container, a Swarm service, back up
and restore a named volume, deploy a stack, and two checked questions (Swarm jobs, a created container).

Notebook use::

    from dockhelpers.exercises import ch03
    ch03.check(1)
    ch03.show_solution(1)   # prints the reference solution (never run by "Run All")

Names and ports are computed on each call (not at import) so that a per-student prefix applies.
"""

from __future__ import annotations

import json

from dockhelpers import inspection, naming, web
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed
from dockhelpers.exercises import hints
from dockhelpers.exercises.quiz import Answers, Question, register, widget
from dockhelpers.poll import poll_or_none
from dockhelpers.shell import run

exercises = ExerciseSet(chapter=3)
check = exercises.run_check
progress_table = exercises.progress_table
solution_button = exercises.solution_button
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
    expected = (f"컨테이너 {name}이(가) 과정 라벨을 달고 실행 중이고 ECHO_PORT={EX1_APP_PORT}, ECHO_MESSAGE='{EX1_MESSAGE}', "
                f"127.0.0.1:{host_port} -> {EX1_APP_PORT} 공개, 응답 '{EX1_MESSAGE}'")
    attrs = _inspect("container", name)
    if attrs is None:
        return failed(expected, f"{name} 컨테이너가 없습니다.",
                      f"`%docker container run -d --name {name} -e ... -p ...`로 실행하세요.",
                      hints.container_hint(name, image=naming.image("echo"), port=host_port,
                                          container_port=f"{EX1_APP_PORT}/tcp"))
    if not attrs["State"].get("Running"):
        return failed(expected, f"{name}의 상태: {attrs['State'].get('Status')}", "컨테이너를 시작하세요.",
                      hints.container_hint(name))
    labels = attrs["Config"].get("Labels") or {}
    if labels.get(naming.COURSE_LABEL) != "true" or labels.get(naming.CHAPTER_LABEL) != "03":
        return failed(expected, f"과정 라벨이 없습니다(라벨: {labels or '없음'}).",
                      "이 노트북의 `%docker`(과정 엔드포인트를 거침)로 다시 실행하세요. 엔드포인트 없이라면 "
                      "`--label kr.dockercourse.managed=true --label kr.dockercourse.chapter=03`을 붙여 다시 실행하세요. "
                      "뒷정리가 이 라벨로 지울 것을 고릅니다.")
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
                      f"`docker container create --name {store} -v /data ...`처럼 /data에 볼륨을 둔 컨테이너를 만드세요.",
                      hints.container_hint(store))
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


# ------------------------------------------------------------------------------ 4. backup and restore
EX4_ARCHIVE = "ex3-store.tar.gz"


def ex4_volume() -> str:
    return naming.name("ex3-restored")


def _volume_labels(name: str) -> dict | None:
    res = run(["docker", "volume", "inspect", "--format", "{{json .Labels}}", name], echo=False, stream=False,
              check=False, timeout=30)
    return (json.loads(res.stdout) or {}) if res.ok else None


@exercises.check(4, "볼륨을 tar로 백업하고 새 이름 있는 볼륨에 복원하기")
def check_4() -> CheckResult:
    volume = ex4_volume()
    expected = (f"과정 라벨이 붙은 새 볼륨 {volume}이 있고, 그 안의 note.txt 내용이 '{EX2_TEXT}' "
                f"(연습 3-2의 데이터를 tar로 백업해 복원한 것)")
    labels = _volume_labels(volume)
    if labels is None:
        return failed(expected, f"볼륨 {volume}이 없습니다.",
                      f"`%docker volume create {volume}`로 만든 뒤, 백업 파일을 풀어 넣으세요.",
                      hints.volume_hint(volume))
    if labels.get(naming.COURSE_LABEL) != "true":
        return failed(expected, f"볼륨에 과정 라벨이 없습니다(라벨: {labels or '없음'}).",
                      f"`docker volume rm {volume}` 뒤 이 노트북의 `%docker volume create`로 다시 만드세요.")
    res = run(["docker", "container", "run", "--rm", *naming.label_args(3), "--mount",
               f"type=volume,source={volume},target=/data,readonly", naming.BASE_IMAGE, "cat", "/data/note.txt"],
              echo=False, stream=False, check=False, timeout=60)
    text = res.stdout.strip() if res.ok else None
    if text != EX2_TEXT:
        return failed(expected, f"{volume}의 note.txt: {text!r}" if text is not None else f"{volume}에 note.txt가 없습니다.",
                      f"`--volumes-from {ex2_store()}`와 `-v 호스트폴더:/backup`을 함께 연결한 컨테이너에서 "
                      f"`tar czf /backup/{EX4_ARCHIVE} -C /data .`로 백업하고, 새 볼륨을 /data에 연결한 컨테이너에서 "
                      "`tar xzf`로 푸세요. 3.4절의 MariaDB 백업과 같은 순서입니다.")
    return passed(expected, f"{volume}의 note.txt = '{text}'")


@exercises.solution(4)
def solution_4() -> None:
    import tempfile

    from dockhelpers.shell import docker

    backup = tempfile.mkdtemp(prefix="dkc-ex3-backup-")
    docker(["container", "run", "--rm", *naming.label_args(3), "--volumes-from", ex2_store(), "-v",
            f"{backup}:/backup", naming.BASE_IMAGE, "tar", "czf", f"/backup/{EX4_ARCHIVE}", "-C", "/data", "."])
    docker(["volume", "create", *naming.label_args(3), ex4_volume()])
    docker(["container", "run", "--rm", *naming.label_args(3), "--mount",
            f"type=volume,source={ex4_volume()},target=/data", "-v", f"{backup}:/backup:ro", naming.BASE_IMAGE,
            "tar", "xzf", f"/backup/{EX4_ARCHIVE}", "-C", "/data"])


@exercises.resetter(4)
def reset_4() -> None:
    run(["docker", "volume", "rm", "-f", ex4_volume()], echo=False, stream=False, check=False)


# ------------------------------------------------------------------------------------ 5. stack deploy
EX5_REPLICAS = 3


def ex5_stack() -> str:
    return naming.name("ex3-stack")


@exercises.check(5, f"스택 파일로 서비스를 배포하고 레플리카 {EX5_REPLICAS}개로 만들기 (docker stack deploy)")
def check_5() -> CheckResult:
    from dockhelpers import swarm

    stack = ex5_stack()
    svc = f"{stack}_web"
    expected = (f"스택 {stack}의 서비스 {svc}가 실습 레지스트리 이미지로 레플리카 {EX5_REPLICAS}개, 모두 Running, "
                "서비스에 과정 라벨")
    if not swarm.is_up():
        return failed(expected, "스웜 실습 환경이 실행 중이 아닙니다.", "`swarm.up()`을 먼저 실행하세요.")
    res = swarm.manager(["service", "inspect", svc], echo=False, stream=False, check=False)
    if not res.ok:
        return failed(expected, f"서비스 {svc}가 없습니다.",
                      f"`swarm.stack_deploy(\"{stack}\", \"ch03/stack/exercise-stack.yaml\", env={{\"ECHO_IMAGE\": "
                      "ECHO_REF})`로 배포하세요. 스택 이름이 서비스 이름의 앞부분이 됩니다.")
    spec = json.loads(res.stdout)[0]["Spec"]
    namespace = (spec.get("Labels") or {}).get("com.docker.stack.namespace")
    if namespace != stack:
        return failed(expected, f"{svc}는 스택으로 배포한 서비스가 아닙니다(namespace: {namespace}).",
                      "`docker service create`가 아니라 `docker stack deploy`로 배포하세요.")
    if (spec.get("Labels") or {}).get(naming.COURSE_LABEL) != "true":
        return failed(expected, "서비스에 과정 라벨이 없습니다.", "스택 파일의 `deploy.labels`를 지우지 마세요.")
    replicas = spec.get("Mode", {}).get("Replicated", {}).get("Replicas")
    if replicas != EX5_REPLICAS:
        return failed(expected, f"레플리카 설정: {replicas}",
                      f"복사한 스택 파일의 `replicas:`를 {EX5_REPLICAS}로 고쳐 다시 `stack deploy` 하거나, "
                      f"`docker service scale {svc}={EX5_REPLICAS}`를 실행하세요.")
    counts = poll_or_none(lambda: (lambda c: c if sum(c.values()) >= EX5_REPLICAS else None)(
        swarm.running_replicas(svc)), 40, interval=1) or swarm.running_replicas(svc)
    if sum(counts.values()) < EX5_REPLICAS:
        return failed(expected, f"Running {sum(counts.values())}/{EX5_REPLICAS}",
                      f"`docker stack ps {stack}`로 태스크의 오류를 확인하세요.")
    return passed(expected, f"{svc}: Running {sum(counts.values())}/{EX5_REPLICAS} "
                            f"({', '.join(f'{n}={c}' for n, c in sorted(counts.items()))})")


@exercises.solution(5)
def solution_5() -> None:
    import tempfile
    from pathlib import Path

    from dockhelpers import swarm

    source = Path(__file__).resolve().parents[2] / "notebooks" / "ch03" / "stack" / "exercise-stack.yaml"
    copy = Path(tempfile.mkdtemp(prefix="dkc-ex3-stack-")) / "exercise-stack.yaml"
    copy.write_text(source.read_text(encoding="utf-8").replace("replicas: 1", "replicas: 3"), encoding="utf-8")
    ref = swarm.push(naming.image("echo"), "example/echo:latest")
    swarm.stack_deploy(ex5_stack(), copy, env={"ECHO_IMAGE": ref})
    swarm.wait_service(f"{ex5_stack()}_web", 3, timeout=180)


@exercises.resetter(5)
def reset_5() -> None:
    from dockhelpers import swarm

    if swarm.is_up():
        swarm.stack_rm(ex5_stack(), timeout=120)


# ------------------------------------------------------------------------------ 6-7. checked questions
QUESTIONS = {
    6: Question("스웜에서 5분마다 백업 작업을 실행하고 싶습니다. 옳은 설명은?",
                ["`docker service create --mode replicated-job`이 5분마다 작업을 다시 실행한다",
                 "스웜에는 스케줄러(cron)가 없다. 잡(job) 서비스는 만들거나 업데이트할 때 한 번 끝까지 실행될 뿐이므로, "
                 "주기 실행은 cron을 가진 컨테이너나 바깥의 스케줄러가 맡는다",
                 "`--restart-condition any`를 주면 5분마다 다시 실행된다"],
                answer="b", why="`replicated-job`/`global-job`은 완료될 때까지 한 번 실행되는 태스크입니다. 다시 실행하려면 "
                "`docker service update --force` 같은 명령을 누군가 보내야 하고, 그 '누군가'가 cron 같은 스케줄러입니다.",
                hint="3.1절의 2026년 기준 설명을 다시 읽어 보세요."),
    7: Question("`docker container create --name store -v data:/data debian:trixie-slim true`만 실행한 컨테이너는?",
                ["`true`를 실행하고 곧 끝나 `exited` 상태가 된다",
                 "아무 프로세스도 시작하지 않은 `created` 상태로, 볼륨을 들고 있다. `--volumes-from store`에는 이것으로 충분하다",
                 "`running` 상태로 볼륨을 계속 공유한다"],
                answer="b", why="`create`는 컨테이너(설정, 쓰기 레이어, 볼륨 연결)만 만들고 시작하지 않습니다. `true`는 "
                "누군가 `docker container start`를 해야 실행됩니다.",
                hint="3.4절에서 `docker container ls -a`로 본 데이터 컨테이너의 STATUS 열을 보세요."),
}
answers = Answers()


def answer(number: int, letter: str) -> None:
    """Record the learner's answer to question ``number`` (``ch03.answer(6, "b")``)."""
    answers.set(number, letter)


def ask(number: int):
    """Radio buttons for question ``number``; a click records the answer."""
    return widget(QUESTIONS[number], answers, number)


register(exercises, QUESTIONS, answers, {
    6: "스웜의 잡(job) 서비스와 주기 작업 (개념 문제)",
    7: "create만 한 컨테이너의 상태 (개념 문제)",
}, "ch03")
