"""Chapter 2 exercises: publish a port, copy a file into a container, run a Compose project, push an image.

Notebook use::

    from dockhelpers.exercises import ch02
    ch02.check(1)
    ch02.show_solution(1)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from dockhelpers import naming, web
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed

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


def http_get(port: int, path: str = "/", timeout: float = 3.0) -> str | None:
    """The body of ``GET http://127.0.0.1:PORT/PATH``, or None when nothing answers with 2xx."""
    resp = web.get(web.local_url(port, path), timeout=timeout)
    return resp.text if resp.ok else None


def wait_http(port: int, path: str = "/", seconds: float = 15.0) -> str | None:
    """Poll ``http://127.0.0.1:PORT/PATH`` until it answers (a new container needs a moment)."""
    resp = web.wait_ok(web.local_url(port, path), seconds)
    return resp.text if resp else None


def _client():
    from dockhelpers.engine import client

    return client()


def _container(name: str):
    from docker.errors import NotFound

    try:
        return _client().containers.get(name)
    except NotFound:
        return None


def _host_ports(ct, container_port: str = "8080/tcp") -> list[str]:
    binds = (ct.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(container_port) or []
    return [f"{b.get('HostIp')}:{b.get('HostPort')}" for b in binds]


def ensure_echo_image() -> None:
    """Build ``dkc/echo`` from ``notebooks/ch02/echo`` when it is missing (layer cache makes it quick)."""
    from dockhelpers import images

    if not images.exists(ECHO_IMAGE):
        images.build(CH02 / "echo", ECHO_IMAGE, chapter=2, quiet=True)


def ensure_registry() -> None:
    """Start the course registry (``dkc-registry`` on 127.0.0.1:5000) unless it already answers."""
    from dockhelpers import containers, images

    ct = _container(REGISTRY_CONTAINER)
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
    ct = _container(EX1_CONTAINER)
    if ct is None:
        return failed(expected, f"`{EX1_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container run -d --name {EX1_CONTAINER} -p 127.0.0.1:{port}:8080 (라벨) "
                      f"{ECHO_IMAGE}`로 실행하세요.")
    if ct.status != "running":
        return failed(expected, f"컨테이너 상태가 `{ct.status}`입니다.",
                      f"`docker container start {EX1_CONTAINER}`로 시작하거나 `-d`로 다시 실행하세요.")
    binds = _host_ports(ct)
    if f"127.0.0.1:{port}" not in binds:
        return failed(expected, f"8080 포트가 {binds or '공개되지 않았습니다'}로 공개되어 있습니다.",
                      f"`-p 127.0.0.1:{port}:8080` (호스트포트:컨테이너포트 순서)로 다시 실행하세요.")
    body = wait_http(port, seconds=5)
    if body is None or "Hello Docker" not in body:
        return failed(expected, f"http://127.0.0.1:{port}/ 응답: {body!r}",
                      f"이미지가 `{ECHO_IMAGE}`인지, 컨테이너 로그(`docker container logs {EX1_CONTAINER}`)를 확인하세요.")
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
    ct = _container(EX2_CONTAINER)
    if ct is None:
        return failed(expected, f"`{EX2_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container create --name {EX2_CONTAINER} (라벨) {naming.BASE_IMAGE}`로 "
                      "만들거나 실행한 뒤 정지하세요.")
    if ct.status not in ("exited", "created"):
        return failed(expected, f"컨테이너 상태가 `{ct.status}`입니다.",
                      f"`docker container stop {EX2_CONTAINER}`로 정지하세요. cp는 정지한 컨테이너에도 됩니다.")
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
    found = _client().containers.list(all=True, filters={"label": [f"com.docker.compose.project={EX3_PROJECT}"]})
    if not found:
        return failed(expected, f"`{EX3_PROJECT}` 프로젝트의 컨테이너가 없습니다.",
                      f"`ch02/compose` 폴더에서 `ECHO_PORT={port} docker compose -p {EX3_PROJECT} up -d --build`를 "
                      "실행하세요. `-p`로 프로젝트 이름을 꼭 주세요.")
    echo = [c for c in found if c.labels.get("com.docker.compose.service") == "echo"]
    running = [c for c in echo if c.status == "running"]
    if not running:
        states = ", ".join(f"{c.name}={c.status}" for c in found)
        return failed(expected, f"실행 중인 echo 서비스 컨테이너가 없습니다({states}).",
                      f"`docker compose -p {EX3_PROJECT} up -d`로 다시 올리세요.")
    binds = _host_ports(running[0])
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

    compose(naming.name("ex-compose"), "down", file=CH02 / "compose" / "compose.yaml", check=False)


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


check = exercises.run_check
solve = exercises.solve
show_solution = exercises.show_solution
