"""Chapter 1 exercises: a first Dockerfile, build cache vs ``--no-cache``, a second Debian release, a change
made with ``exec`` (seen by ``diff``), and two checked questions.

Notebook use::

    from dockhelpers.exercises import ch01
    ch01.check(1)
    ch01.show_solution(1)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dockhelpers import naming
from dockhelpers.checks import CheckResult, ExerciseSet, failed, passed
from dockhelpers.exercises import hints, support
from dockhelpers.exercises.quiz import Answers, Question, register, widget

exercises = ExerciseSet(chapter=1)

#: Folder of the chapter's build files (``notebooks/ch01``).
CH01 = Path(__file__).resolve().parents[2] / "notebooks" / "ch01"

HELLO_IMAGE = naming.image("ex-hello", "v1")
HELLO_TEXT = "안녕하세요, 도커!"
TAG_A = naming.image("helloworld", "a")
TAG_B = naming.image("helloworld", "b")
TAG_C = naming.image("helloworld", "c")
BOOKWORM_IMAGE = naming.image("bookworm")
BOOKWORM_CONTAINER = naming.name("ex-bookworm")


def _image(ref: str) -> dict | None:
    from dockhelpers import inspection

    return inspection.image(ref)


def work_dir(name: str) -> Path:
    """A scratch build folder for an exercise (``notebooks/ch01/_work/NAME``, ignored by git)."""
    folder = CH01 / "_work" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # installed read-only: use a temporary folder
        folder = Path(tempfile.mkdtemp(prefix=f"dkc-{name}-"))
    return folder


# ------------------------------------------------------------------------------------------- 1
@exercises.check(1, f"나만의 첫 이미지 `{HELLO_IMAGE}` 만들기")
def check_1() -> CheckResult:
    expected = f"`{HELLO_IMAGE}` 이미지가 있고, 과정 라벨(1장)이 붙어 있으며, 실행하면 `{HELLO_TEXT}`를 출력"
    img = _image(HELLO_IMAGE)
    if img is None:
        return failed(expected, f"`{HELLO_IMAGE}` 이미지가 없습니다.",
                      "Dockerfile(FROM, CMD)을 쓰고 `%docker image build -t dkc/ex-hello:v1 폴더`로 빌드하세요"
                      "(라벨은 과정 엔드포인트가 붙입니다).",
                      hints.image_hint(HELLO_IMAGE))
    labels = (img.get("Config") or {}).get("Labels") or {}
    if labels.get(naming.CHAPTER_LABEL) != naming.chapter_id(1) or labels.get(naming.COURSE_LABEL) != "true":
        return failed(expected, f"이미지는 있지만 과정 라벨이 없습니다(라벨: {labels or '없음'}).",
                      "이 노트북의 `%docker image build ...`(엔드포인트를 거침)로 다시 빌드하세요. 엔드포인트 없이 빌드했다면 "
                      "`--label kr.dockercourse.managed=true --label kr.dockercourse.chapter=01`을 붙이세요.")
    out = support.client().containers.run(HELLO_IMAGE, remove=True, labels=naming.labels(1)).decode(errors="replace")
    if HELLO_TEXT not in out:
        return failed(expected, f"실행 결과가 `{out.strip()[:80]}`입니다.",
                      f"CMD가 `{HELLO_TEXT}`를 출력하도록 Dockerfile을 고치고 다시 빌드하세요 "
                      f"(예: `CMD [\"echo\", \"{HELLO_TEXT}\"]`).")
    return passed(expected, f"이미지 {img['Id'][7:17]}를 실행하니 `{out.strip()}`를 출력했습니다.")


@exercises.solution(1)
def solution_1() -> None:
    from dockhelpers import images

    folder = work_dir("ex-hello")
    (folder / "Dockerfile").write_text('FROM debian:trixie-slim\nCMD ["echo", "안녕하세요, 도커!"]\n',
                                       encoding="utf-8")
    images.build(folder, naming.image("ex-hello", "v1"), chapter=1)


# ------------------------------------------------------------------------------------------- 2
@exercises.check(2, "빌드 캐시는 같은 ID, `--no-cache`는 새 ID")
def check_2() -> CheckResult:
    expected = (f"`{TAG_A}`와 `{TAG_B}`는 `ch01/helloworld`를 캐시로 빌드한 같은 이미지 ID, "
                f"`{TAG_C}`는 `--no-cache`로 다시 빌드한 다른 이미지 ID")
    a, b, c = _image(TAG_A), _image(TAG_B), _image(TAG_C)
    missing = [t for t, i in ((TAG_A, a), (TAG_B, b), (TAG_C, c)) if i is None]
    if missing:
        return failed(expected, f"{', '.join(missing)} 이미지가 없습니다.",
                      "`ch01/helloworld` 폴더를 `-t dkc/helloworld:a`, `-t dkc/helloworld:b`로 한 번씩, "
                      "`--no-cache -t dkc/helloworld:c`로 한 번 빌드하세요.", hints.image_hint(missing[0]))
    if a["Id"] != b["Id"]:
        return failed(expected, f"a와 b의 이미지 ID가 다릅니다: a={a['Id'][7:17]}, b={b['Id'][7:17]}.",
                      "b는 `--no-cache` 없이 빌드하세요. 바뀐 것이 없으면 모든 단계가 캐시에서 나와 같은 ID가 됩니다.")
    for tag, img in ((TAG_A, a), (TAG_B, b), (TAG_C, c)):
        cmd = (img.get("Config") or {}).get("Cmd") or []
        if cmd != ["helloworld"]:
            return failed(expected, f"`{tag}`는 `ch01/helloworld` 이미지가 아닙니다(CMD {cmd}).",
                          "세 태그 모두 `ch01/helloworld` 폴더로 빌드하세요.")
    if c["Id"] == a["Id"]:
        return failed(expected, f"c도 a와 같은 이미지 ID({a['Id'][7:17]})입니다.",
                      "c는 `--no-cache`를 붙여 빌드하세요(`images.build(..., nocache=True)`). 캐시를 쓰면 같은 ID가 "
                      "돌아옵니다.")
    return passed(expected, f"a와 b는 {a['Id'][7:17]}(캐시), c는 {c['Id'][7:17]}(다시 실행한 RUN의 결과가 "
                  "다름)입니다.")


@exercises.solution(2)
def solution_2() -> None:
    from dockhelpers import images

    images.build(CH01 / "helloworld", naming.image("helloworld", "a"), chapter=1)
    images.build(CH01 / "helloworld", naming.image("helloworld", "b"), chapter=1)
    images.build(CH01 / "helloworld", naming.image("helloworld", "c"), chapter=1, nocache=True)


# ------------------------------------------------------------------------------------------- 3
@exercises.check(3, "Debian 12 컨테이너를 백그라운드로 실행하기")
def check_3() -> CheckResult:
    expected = (f"`{BOOKWORM_CONTAINER}` 컨테이너가 `{BOOKWORM_IMAGE}` 이미지로 실행 중(running)이고, "
                "안의 `/etc/debian_version`이 12.x")
    ct = support.container(BOOKWORM_CONTAINER)
    if ct is None:
        return failed(expected, f"`{BOOKWORM_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container run -d --name {BOOKWORM_CONTAINER} (라벨) {BOOKWORM_IMAGE} "
                      "sleep infinity`로 실행하세요.", hints.container_hint(BOOKWORM_CONTAINER, image=BOOKWORM_IMAGE))
    if ct.status != "running":
        return failed(expected, f"컨테이너가 있지만 상태가 `{ct.status}`입니다.",
                      "`-d`와 계속 실행되는 명령(`sleep infinity`)으로 실행하거나 "
                      f"`docker container start {BOOKWORM_CONTAINER}`로 다시 시작하세요.",
                      hints.container_hint(BOOKWORM_CONTAINER))
    code, out = ct.exec_run(["cat", "/etc/debian_version"])
    version = out.decode(errors="replace").strip()
    if code != 0 or not version.startswith("12"):
        image = (ct.attrs.get("Config") or {}).get("Image", "?")
        return failed(expected, f"실행 중이지만 이미지는 `{image}`이고 Debian 버전은 `{version}`입니다.",
                      f"이미지를 `{BOOKWORM_IMAGE}`로 바꿔 다시 실행하세요(없으면 먼저 "
                      "`ch01/bookworm`을 빌드합니다).", hints.container_hint(BOOKWORM_CONTAINER, image=BOOKWORM_IMAGE))
    return passed(expected, f"실행 중이며 Debian {version} 입니다.")


@exercises.solution(3)
def solution_3() -> None:
    from dockhelpers import containers, images

    if not images.exists(naming.image("bookworm")):
        images.build(CH01 / "bookworm", naming.image("bookworm"), chapter=1, quiet=True)
    containers.run(naming.image("bookworm"), naming.name("ex-bookworm"), chapter=1,
                   command=["sleep", "infinity"], init=True)


# ------------------------------------------------------------------------------------------- 4
EXEC_PATH = "/tmp/exec.txt"
EXEC_TEXT = "exec"


@exercises.check(4, "실행 중인 컨테이너 안에서 exec로 파일 만들기")
def check_4() -> CheckResult:
    expected = (f"실행 중인 `{BOOKWORM_CONTAINER}` 안에 `{EXEC_PATH}`(내용 `{EXEC_TEXT}`)가 있고, "
                "`docker container diff`에 그 파일이 추가(A)로 보임")
    ct = support.container(BOOKWORM_CONTAINER)
    if ct is None or ct.status != "running":
        return failed(expected, f"`{BOOKWORM_CONTAINER}`가 실행 중이 아닙니다"
                      f"({'없음' if ct is None else ct.status}).", "먼저 연습 1-3을 푸세요.",
                      hints.container_hint(BOOKWORM_CONTAINER))
    code, out = ct.exec_run(["cat", EXEC_PATH])
    text = out.decode(errors="replace").strip()
    if code != 0:
        return failed(expected, f"컨테이너 안에 `{EXEC_PATH}`가 없습니다.",
                      f"`docker container exec {BOOKWORM_CONTAINER} sh -c 'echo {EXEC_TEXT} > {EXEC_PATH}'`를 "
                      "실행하세요.")
    if text != EXEC_TEXT:
        return failed(expected, f"`{EXEC_PATH}`의 내용이 `{text[:60]}`입니다.", f"내용을 정확히 `{EXEC_TEXT}`로 쓰세요.")
    changes = {c["Path"]: c["Kind"] for c in (ct.diff() or [])}
    if changes.get(EXEC_PATH) != 1:
        return failed(expected, f"파일은 있지만 diff에 추가(A)로 보이지 않습니다: {changes.get(EXEC_PATH)}",
                      "이미지에 원래 있던 파일이 아니라 새 파일을 만드세요.")
    return passed(expected, f"`{EXEC_PATH}` = `{text}`, diff: `A {EXEC_PATH}`. 이 변경은 컨테이너를 지우면 "
                  "함께 사라집니다.")


@exercises.solution(4)
def solution_4() -> None:
    from dockhelpers.shell import docker

    docker(["container", "exec", naming.name("ex-bookworm"), "sh", "-c", "echo exec > /tmp/exec.txt"])
    docker(["container", "diff", naming.name("ex-bookworm")])


# ------------------------------------------------------------------------------------------- 5, 6
QUESTIONS = {
    5: Question("Dockerfile의 `RUN` 인스트럭션은 언제 실행되나요?",
                ["컨테이너를 시작할 때마다", "이미지를 빌드할 때 (결과가 레이어로 저장됨)",
                 "`docker image pull`로 내려받을 때", "`docker container exec`를 실행할 때"],
                answer="b", why="그래서 helloworld의 built-at은 컨테이너를 몇 번 실행해도 같았습니다.",
                hint="1.1절의 helloworld 실행 결과에서 built-at과 run-at을 비교해 보세요."),
    6: Question("같은 Dockerfile을 다시 빌드했더니 이미지 ID가 그대로였습니다. 이것이 보여 주는 것은?",
                ["누가 언제 빌드해도 같은 이미지가 나온다(재현 가능한 빌드)",
                 "엔진이 바뀐 것이 없는 단계마다 빌드 캐시의 레이어를 다시 썼다",
                 "Dockerfile의 `RUN`이 다시 실행되었다",
                 "베이스 이미지가 Docker Hub에서 새로 내려왔다"],
                answer="b", why="`--no-cache`로 빌드하면 RUN이 다시 실행되어 ID가 바뀝니다. 재현 가능한 빌드는 "
                "캐시와 별개로, 버전 고정과 시각 같은 값을 이미지에 넣지 않는 노력이 필요합니다.",
                hint="1.2절에서 `--no-cache`로 다시 빌드한 이미지 ID를 보세요."),
}
answers = Answers()


def answer(number: int, letter: str) -> None:
    """Record the learner's answer to question ``number`` (``ch01.answer(5, "b")``)."""
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
    5: "RUN은 언제 실행되나 (개념 문제)",
    6: "같은 이미지 ID가 뜻하는 것 (개념 문제)",
}, "ch01")
