"""Chapter 2 exercises: publish a port, copy a file into a container, run a Compose project, push an image,
read logs, prune by label, keep data in a named volume, and a checked question.

Notebook use::

    from dockhelpers.exercises import ch02
    ch02.check(1)
    ch02.show_solution(1)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from dockhelpers import naming
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed
from dockhelpers.exercises import hints, support
from dockhelpers.exercises.support import http_get, wait_http  # noqa: F401 (the notebook calls ch02.wait_http)
from dockhelpers.exercises.quiz import Answers, Question, register, widget

exercises = ExerciseSet(chapter=2)

#: Folder of the chapter's build files (``notebooks/ch02``).
CH02 = Path(__file__).resolve().parents[2] / "notebooks" / "ch02"

ECHO_IMAGE = naming.image("echo")
EX1_CONTAINER = naming.name("ex-echo")
EX1_PORT = 9001
EX2_CONTAINER = naming.name("ex-note")
EX2_PATH = "/srv/note.txt"
EX2_TEXT = "docker cp"
EX3_PROJECT = naming.name("ex-compose")
EX3_PORT = 9002
REGISTRY_CONTAINER = naming.name("registry")
REGISTRY_IMAGE = naming.image("registry")
REGISTRY_PORT = 5000
EX4_REPO = "dkc/echo"
EX4_TAG = "ex4"


def registry_host() -> str:
    """``127.0.0.1:5000`` (the course registry's address on the host)."""
    return f"127.0.0.1:{naming.port(REGISTRY_PORT)}"


def ensure_echo_image() -> None:
    """Build ``dkc/echo`` from ``notebooks/ch02/echo`` when it is missing (layer cache makes it quick)."""
    from dockhelpers import images

    if not images.exists(ECHO_IMAGE):
        images.build(CH02 / "echo", ECHO_IMAGE, chapter=2, quiet=True)


def ensure_registry() -> None:
    """Start the course registry (``dkc-registry`` on 127.0.0.1:5000) unless it already answers."""
    from dockhelpers import containers, images

    ct = support.container(REGISTRY_CONTAINER)
    if ct is not None and ct.status == "running" and http_get(naming.port(REGISTRY_PORT), "/v2/") is not None:
        return
    if not images.exists(REGISTRY_IMAGE):
        images.build(CH02 / "registry", REGISTRY_IMAGE, chapter=2, quiet=True)
    containers.run(REGISTRY_IMAGE, REGISTRY_CONTAINER, chapter=2, ports={5000: naming.port(REGISTRY_PORT)})
    wait_http(naming.port(REGISTRY_PORT), "/v2/")


# ------------------------------------------------------------------------------------------- 1
@exercises.check(1, f"echo 서버를 127.0.0.1:{EX1_PORT}로 공개하기")
def check_1() -> CheckResult:
    port = naming.port(EX1_PORT)
    expected = (f"`{EX1_CONTAINER}` 컨테이너가 `{ECHO_IMAGE}`로 실행 중이고, 127.0.0.1:{port} → 8080 포트 공개, "
                f"http://127.0.0.1:{port}/ 가 `Hello Docker!!`로 응답")
    ct = support.container(EX1_CONTAINER)
    if ct is None:
        return failed(expected, f"`{EX1_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container run -d --name {EX1_CONTAINER} -p 127.0.0.1:{port}:8080 (라벨) "
                      f"{ECHO_IMAGE}`로 실행하세요.", hints.container_hint(EX1_CONTAINER, image=ECHO_IMAGE, port=port))
    if ct.status != "running":
        return failed(expected, f"컨테이너 상태가 `{ct.status}`입니다.",
                      f"`docker container start {EX1_CONTAINER}`로 시작하거나 `-d`로 다시 실행하세요.",
                      hints.container_hint(EX1_CONTAINER))
    binds = support.host_ports(ct)
    if f"127.0.0.1:{port}" not in binds:
        return failed(expected, f"8080 포트가 {binds or '공개되지 않았습니다'}로 공개되어 있습니다.",
                      f"`-p 127.0.0.1:{port}:8080` (호스트포트:컨테이너포트 순서)로 다시 실행하세요.",
                      hints.container_hint(EX1_CONTAINER, port=port))
    body = wait_http(port, seconds=5)
    if body is None or "Hello Docker" not in body:
        return failed(expected, f"http://127.0.0.1:{port}/ 응답: {body!r}",
                      f"이미지가 `{ECHO_IMAGE}`인지, 컨테이너 로그(`docker container logs {EX1_CONTAINER}`)를 확인하세요.",
                      hints.container_hint(EX1_CONTAINER, image=ECHO_IMAGE))
    return passed(expected, f"실행 중이며 127.0.0.1:{port}에서 `{body.strip()}`로 응답합니다.")


@exercises.solution(1)
def solution_1() -> None:
    from dockhelpers import containers

    ensure_echo_image()
    containers.run(naming.image("echo"), naming.name("ex-echo"), chapter=2, ports={8080: naming.port(9001)})


# ------------------------------------------------------------------------------------------- 2
@exercises.check(2, "정지한 컨테이너에 파일 복사하기 (docker container cp)")
def check_2() -> CheckResult:
    expected = (f"`{EX2_CONTAINER}` 컨테이너가 정지(exited) 상태이고, 그 안의 `{EX2_PATH}` 내용이 `{EX2_TEXT}`")
    ct = support.container(EX2_CONTAINER)
    if ct is None:
        return failed(expected, f"`{EX2_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container create --name {EX2_CONTAINER} (라벨) {naming.BASE_IMAGE}`로 "
                      "만들거나 실행한 뒤 정지하세요.", hints.container_hint(EX2_CONTAINER))
    if ct.status not in ("exited", "created"):
        return failed(expected, f"컨테이너 상태가 `{ct.status}`입니다.",
                      f"`docker container stop {EX2_CONTAINER}`로 정지하세요. cp는 정지한 컨테이너에도 됩니다.",
                      f"그 이름의 컨테이너가 지금 {ct.status} 상태입니다. 이 문제는 정지한 컨테이너에 복사할 수 있음을 "
                      "보는 것이므로 먼저 멈추세요.")
    import io
    import tarfile

    from docker.errors import NotFound

    try:
        stream, _ = ct.get_archive(EX2_PATH)
    except NotFound:
        return failed(expected, f"컨테이너 안에 `{EX2_PATH}`가 없습니다.",
                      f"호스트에서 파일을 만들고 `docker container cp 파일 {EX2_CONTAINER}:{EX2_PATH}`로 복사하세요.")
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = tar.getmembers()[0]
        data = tar.extractfile(member).read().decode(errors="replace") if member.isfile() else ""
    if data.strip() != EX2_TEXT:
        return failed(expected, f"`{EX2_PATH}`의 내용이 `{data.strip()[:60]}`입니다.",
                      f"파일 내용을 정확히 `{EX2_TEXT}`로 만들어 다시 복사하세요.")
    return passed(expected, f"상태 `{ct.status}`, `{EX2_PATH}` 내용 `{data.strip()}`.")


@exercises.solution(2)
def solution_2() -> None:
    from dockhelpers.shell import docker

    docker(["container", "rm", "-f", naming.name("ex-note")], check=False, stream=False)
    docker(["container", "create", "--name", naming.name("ex-note"), *naming.label_args(2),
            naming.BASE_IMAGE, "sleep", "infinity"])
    note = Path(tempfile.mkdtemp(prefix="dkc-ex2-")) / "note.txt"
    note.write_text("docker cp\n", encoding="utf-8")
    docker(["container", "cp", str(note), f"{naming.name('ex-note')}:/srv/note.txt"])


# ------------------------------------------------------------------------------------------- 3
@exercises.check(3, f"컴포즈 프로젝트 `{EX3_PROJECT}`를 포트 {EX3_PORT}로 실행하기")
def check_3() -> CheckResult:
    port = naming.port(EX3_PORT)
    expected = (f"컴포즈 프로젝트 `{EX3_PROJECT}`의 `echo` 서비스 컨테이너가 실행 중이고, "
                f"http://127.0.0.1:{port}/ 가 응답")
    found = support.client().containers.list(all=True, filters={"label": [f"com.docker.compose.project={EX3_PROJECT}"]})
    if not found:
        return failed(expected, f"`{EX3_PROJECT}` 프로젝트의 컨테이너가 없습니다.",
                      f"`ch02/compose` 폴더에서 `ECHO_PORT={port} docker compose -p {EX3_PROJECT} up -d --build`를 "
                      "실행하세요. `-p`로 프로젝트 이름을 꼭 주세요.", hints.compose_hint(EX3_PROJECT, "echo"))
    echo = [c for c in found if c.labels.get("com.docker.compose.service") == "echo"]
    running = [c for c in echo if c.status == "running"]
    if not running:
        states = ", ".join(f"{c.name}={c.status}" for c in found)
        return failed(expected, f"실행 중인 echo 서비스 컨테이너가 없습니다({states}).",
                      f"`docker compose -p {EX3_PROJECT} up -d`로 다시 올리세요.")
    binds = support.host_ports(running[0])
    if f"127.0.0.1:{port}" not in binds:
        return failed(expected, f"echo 서비스가 {binds or '포트 공개 없이'} 실행 중입니다.",
                      f"환경 변수 `ECHO_PORT={port}`를 주고 `up -d`를 다시 실행하면 컴포즈가 컨테이너를 새로 만듭니다.")
    body = wait_http(port, seconds=5)
    if body is None:
        return failed(expected, f"127.0.0.1:{port}에서 응답이 없습니다.",
                      f"`docker compose -p {EX3_PROJECT} logs`로 로그를 확인하세요.")
    return passed(expected, f"{running[0].name} 실행 중, 127.0.0.1:{port} 응답: `{body.strip()}`.")


@exercises.solution(3)
def solution_3() -> None:
    from dockhelpers.compose import compose

    compose(naming.name("ex-compose"), "up -d --build", file=CH02 / "compose" / "compose.yaml",
            env={"ECHO_PORT": str(naming.port(9002)), "DKC_PREFIX": naming.prefix()})


@exercises.resetter(3)
def reset_3() -> None:
    from dockhelpers.compose import compose

    compose(naming.name("ex-compose"), "down --volumes", file=CH02 / "compose" / "compose.yaml", check=False)


# ------------------------------------------------------------------------------------------- 4
@exercises.check(4, "과정 레지스트리에 이미지 올리기 (docker image push)")
def check_4() -> CheckResult:
    host = registry_host()
    expected = f"레지스트리 {host}의 `{EX4_REPO}` 저장소에 `{EX4_TAG}` 태그가 있음"
    body = http_get(naming.port(REGISTRY_PORT), f"/v2/{EX4_REPO}/tags/list")
    if body is None:
        if http_get(naming.port(REGISTRY_PORT), "/v2/") is None:
            return failed(expected, f"{host}에서 레지스트리가 응답하지 않습니다.",
                          "2.2절의 레지스트리 컨테이너(`dkc-registry`)를 먼저 실행하세요.")
        return failed(expected, f"레지스트리에 `{EX4_REPO}` 저장소가 없습니다.",
                      f"`docker image tag {ECHO_IMAGE} {host}/{EX4_REPO}:{EX4_TAG}` 뒤 "
                      f"`docker image push {host}/{EX4_REPO}:{EX4_TAG}`를 실행하세요.")
    tags = json.loads(body).get("tags") or []
    if EX4_TAG not in tags:
        return failed(expected, f"`{EX4_REPO}`의 태그: {tags or '없음'}",
                      f"`{host}/{EX4_REPO}:{EX4_TAG}`로 태그를 붙여 push 하세요. 태그만 붙이고 push를 안 하면 "
                      "레지스트리에는 없습니다.")
    return passed(expected, f"`{EX4_REPO}`의 태그: {tags}")


@exercises.solution(4)
def solution_4() -> None:
    from dockhelpers import images

    ensure_echo_image()
    ensure_registry()
    target = f"{registry_host()}/dkc/echo:ex4"
    images.tag(naming.image("echo"), target)
    images.push(target)


# ------------------------------------------------------------------------------------------- 5
EX5_PATH = "/logs-exercise"


@exercises.check(5, "요청을 보내고 docker container logs로 확인하기")
def check_5() -> CheckResult:
    expected = f"`{EX1_CONTAINER}`의 로그(docker container logs)에 `GET {EX5_PATH}` 요청이 기록됨"
    ct = support.container(EX1_CONTAINER)
    if ct is None:
        return failed(expected, f"`{EX1_CONTAINER}` 컨테이너가 없습니다.", "먼저 연습 2-1을 푸세요.",
                      hints.container_hint(EX1_CONTAINER, image=ECHO_IMAGE))
    logs = ct.logs().decode(errors="replace")
    hits = [line for line in logs.splitlines() if f"GET {EX5_PATH}" in line]
    if not hits:
        return failed(expected, f"로그 {len(logs.splitlines())}줄에 `GET {EX5_PATH}`가 없습니다.",
                      f"`curl http://127.0.0.1:{naming.port(EX1_PORT)}{EX5_PATH}`로 요청을 보낸 뒤 "
                      f"`docker container logs {EX1_CONTAINER}`로 확인하세요.")
    return passed(expected, f"로그에 {len(hits)}줄: `{hits[-1].strip()}`")


@exercises.solution(5)
def solution_5() -> None:
    from dockhelpers.shell import docker, run

    run(["curl", "-s", f"http://127.0.0.1:{naming.port(9001)}/logs-exercise"])
    docker(["container", "logs", "--tail", "3", naming.name("ex-echo")])


# ------------------------------------------------------------------------------------------- 6
EX6_LABEL = "kr.dockercourse.exercise=prune"
EX6_JUNK = [naming.name(f"ex-junk-{i}") for i in (1, 2, 3)]
EX6_KEEP = naming.name("ex-keep")      # running, with the exercise label: prune must leave it
EX6_DECOY = naming.name("ex-decoy")    # stopped, without the exercise label: a label-filtered prune leaves it


def prepare_6() -> None:
    """Make the containers of exercise 6: three stopped ones to prune, one running, one stopped decoy."""
    from dockhelpers.shell import docker

    docker(["container", "rm", "-f", *EX6_JUNK, EX6_KEEP, EX6_DECOY], check=False, stream=False, echo=False)
    for name in EX6_JUNK:
        docker(["container", "run", "--name", name, "--label", EX6_LABEL, *naming.label_args(2),
                naming.BASE_IMAGE, "true"], stream=False)
    docker(["container", "run", "-d", "--init", "--name", EX6_KEEP, "--label", EX6_LABEL, *naming.label_args(2),
            naming.BASE_IMAGE, "sleep", "infinity"], stream=False)
    docker(["container", "create", "--name", EX6_DECOY, *naming.label_args(2), naming.BASE_IMAGE, "true"],
           stream=False)
    docker(["container", "ls", "-a", "--filter", f"label={naming.COURSE_LABEL}=true", "--filter",
            f"name={naming.name('ex-')}", "--format",
            'table {{.Names}}\t{{.Status}}\t{{.Label "kr.dockercourse.exercise"}}'])


@exercises.check(6, "라벨 필터를 단 prune으로 정지한 컨테이너만 지우기")
def check_6() -> CheckResult:
    expected = (f"`{EX6_LABEL}` 라벨의 정지한 컨테이너 3개는 지워지고, 실행 중인 `{EX6_KEEP}`과 "
                f"라벨이 다른 정지 컨테이너 `{EX6_DECOY}`는 남아 있음")
    keep, decoy = support.container(EX6_KEEP), support.container(EX6_DECOY)
    left = [n for n in EX6_JUNK if support.container(n) is not None]
    if keep is None and decoy is None and left:
        return failed(expected, "연습용 컨테이너가 없습니다.", "`ch02.prepare_6()` 셀을 먼저 실행하세요.")
    if decoy is None:
        return failed(expected, f"`{EX6_DECOY}`까지 지워졌습니다.",
                      f"필터 없이(또는 과정 라벨만으로) prune 했습니다. `--filter label={EX6_LABEL}`를 붙이세요. "
                      "`ch02.prepare_6()`로 다시 만들 수 있습니다.")
    if left:
        return failed(expected, f"아직 남은 컨테이너: {', '.join(left)}",
                      f"`docker container prune -f --filter label={EX6_LABEL}`를 실행하세요.")
    if keep is None or keep.status != "running":
        return failed(expected, f"`{EX6_KEEP}`가 {'없습니다' if keep is None else keep.status + ' 상태입니다'}.",
                      "prune은 실행 중인 컨테이너를 지우지 않습니다. 정지하거나 지우지 말고 prune만 쓰세요. "
                      "`ch02.prepare_6()`로 다시 만들 수 있습니다.")
    return passed(expected, f"정지한 3개는 지워지고 `{EX6_KEEP}`(running), `{EX6_DECOY}`({decoy.status})는 남았습니다.")


@exercises.solution(6)
def solution_6() -> None:
    from dockhelpers.shell import docker

    docker(["container", "prune", "-f", "--filter", "label=kr.dockercourse.exercise=prune"])


@exercises.resetter(6)
def reset_6() -> None:
    from dockhelpers.shell import docker

    docker(["container", "rm", "-f", *EX6_JUNK, EX6_KEEP, EX6_DECOY], check=False, stream=False, echo=False)


# ------------------------------------------------------------------------------------------- 7
EX7_VOLUME = naming.name("ex-data")
EX7_PATH = "/data/hello.txt"
EX7_TEXT = "volume"


def _volume(name: str):
    from docker.errors import NotFound

    try:
        return support.client().volumes.get(name)
    except NotFound:
        return None


@exercises.check(7, "이름 있는 볼륨에 데이터 남기기")
def check_7() -> CheckResult:
    expected = (f"과정 라벨이 붙은 이름 있는 볼륨 `{EX7_VOLUME}`이 있고, 그 안의 `hello.txt`(컨테이너에서 "
                f"`{EX7_PATH}`) 내용이 `{EX7_TEXT}`, 그 볼륨을 쓰는 컨테이너는 남아 있지 않음")
    vol = _volume(EX7_VOLUME)
    if vol is None:
        return failed(expected, f"`{EX7_VOLUME}` 볼륨이 없습니다.",
                      f"`%docker volume create {EX7_VOLUME}`로 만드세요.", hints.volume_hint(EX7_VOLUME))
    labels = vol.attrs.get("Labels") or {}
    if labels.get(naming.COURSE_LABEL) != "true":
        return failed(expected, f"볼륨에 과정 라벨이 없습니다(라벨: {labels or '없음'}).",
                      f"볼륨을 지우고(`docker volume rm {EX7_VOLUME}`) 이 노트북의 `%docker volume create`(엔드포인트를 거침)로 다시 만드세요.")
    users = support.client().containers.list(all=True, filters={"volume": EX7_VOLUME})
    if users:
        return failed(expected, f"볼륨을 쓰는 컨테이너가 남아 있습니다: {', '.join(c.name for c in users)}",
                      "`--rm`으로 실행하거나 컨테이너를 지우세요. 컨테이너가 사라져도 데이터가 남는지 보는 문제입니다.")
    out = support.client().containers.run(naming.BASE_IMAGE, ["sh", "-c", "cat /data/hello.txt 2>&1 || true"],
                                   remove=True, labels=naming.labels(2),
                                   volumes={EX7_VOLUME: {"bind": "/data", "mode": "ro"}})
    text = out.decode(errors="replace").strip()
    if text != EX7_TEXT:
        return failed(expected, f"볼륨의 `hello.txt`: `{text[:80]}`",
                      f"`docker container run --rm -v {EX7_VOLUME}:/data (라벨) {naming.BASE_IMAGE} "
                      f"sh -c 'echo {EX7_TEXT} > {EX7_PATH}'`를 실행하세요.")
    return passed(expected, f"볼륨 `{EX7_VOLUME}`의 hello.txt = `{text}` (쓴 컨테이너는 이미 없음)")


@exercises.solution(7)
def solution_7() -> None:
    from dockhelpers.shell import docker

    docker(["volume", "create", *naming.label_args(2), naming.name("ex-data")])
    docker(["container", "run", "--rm", "-v", f"{naming.name('ex-data')}:/data", *naming.label_args(2),
            naming.BASE_IMAGE, "sh", "-c", "echo volume > /data/hello.txt"])


@exercises.resetter(7)
def reset_7() -> None:
    from dockhelpers.shell import docker

    docker(["volume", "rm", "-f", EX7_VOLUME], check=False, stream=False, echo=False)


# ------------------------------------------------------------------------------------------- 8
QUESTIONS = {
    8: Question("노트북 셀이나 CI처럼 표준 입력이 터미널(TTY)이 아닌 곳에서 실행하면 "
                "`the input device is not a TTY`로 실패하는 것은?",
                ["`docker container run --rm -t 이미지 명령`", "`docker container run --rm -it 이미지 명령`",
                 "`docker container run --rm -i 이미지 명령`", "`docker container run -d 이미지 명령`"],
                answer="b", why="`-t`만 주면 엔진이 컨테이너 안에 가상 터미널을 만들 뿐이라 그대로 됩니다. "
                "`-i`와 함께 쓰면 CLI가 내 표준 입력을 그 터미널에 이어야 하므로, 내 쪽도 터미널이어야 합니다.",
                hint="2.3절의 `-t`와 `-it` 실행 결과를 비교해 보세요."),
}
answers = Answers()


def answer(number: int, letter: str) -> None:
    """Record the learner's answer to question ``number`` (``ch02.answer(8, "b")``)."""
    answers.set(number, letter)


def ask(number: int):
    """Radio buttons for question ``number``; a click records the answer."""
    return widget(QUESTIONS[number], answers, number)


check = exercises.run_check
progress_table = exercises.progress_table
solution_button = exercises.solution_button
solve = exercises.solve
show_solution = exercises.show_solution


register(exercises, QUESTIONS, answers, {
    8: "TTY가 없는 곳에서 실패하는 옵션 (개념 문제)",
}, "ch02")
