"""Chapter 1 exercises: a first Dockerfile, the same image ID from the cache, and a second Debian release.

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

exercises = ExerciseSet(chapter=1)

#: Folder of the chapter's build files (``notebooks/ch01``).
CH01 = Path(__file__).resolve().parents[2] / "notebooks" / "ch01"

HELLO_IMAGE = naming.image("ex-hello", "v1")
HELLO_TEXT = "안녕하세요, 도커!"
TAG_A = naming.image("helloworld", "a")
TAG_B = naming.image("helloworld", "b")
BOOKWORM_IMAGE = naming.image("bookworm")
BOOKWORM_CONTAINER = naming.name("ex-bookworm")


def _client():
    from dockhelpers.engine import client

    return client()


def _image(ref: str) -> dict | None:
    from dockhelpers import inspection

    return inspection.image(ref)


def _container(name: str):
    from docker.errors import NotFound

    try:
        return _client().containers.get(name)
    except NotFound:
        return None


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
                      "Dockerfile(FROM, CMD)을 쓰고 `docker image build -t dkc/ex-hello:v1 --label "
                      "kr.dockercourse.managed=true --label kr.dockercourse.chapter=01 폴더`로 빌드하세요.")
    labels = (img.get("Config") or {}).get("Labels") or {}
    if labels.get(naming.CHAPTER_LABEL) != naming.chapter_id(1) or labels.get(naming.COURSE_LABEL) != "true":
        return failed(expected, f"이미지는 있지만 과정 라벨이 없습니다(라벨: {labels or '없음'}).",
                      "`images.build(폴더, 태그, chapter=1)` 또는 `--label` 옵션으로 다시 빌드하세요.")
    out = _client().containers.run(HELLO_IMAGE, remove=True, labels=naming.labels(1)).decode(errors="replace")
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
@exercises.check(2, "같은 Dockerfile은 같은 이미지 ID (멱등성)")
def check_2() -> CheckResult:
    expected = f"`{TAG_A}`와 `{TAG_B}`가 모두 있고, 둘 다 `ch01/helloworld`로 빌드한 같은 이미지 ID"
    a, b = _image(TAG_A), _image(TAG_B)
    missing = [t for t, i in ((TAG_A, a), (TAG_B, b)) if i is None]
    if missing:
        return failed(expected, f"{', '.join(missing)} 이미지가 없습니다.",
                      "`ch01/helloworld` 폴더를 `-t dkc/helloworld:a`로 한 번, `-t dkc/helloworld:b`로 한 번 "
                      "빌드하세요.")
    if a["Id"] != b["Id"]:
        return failed(expected, f"두 태그의 이미지 ID가 다릅니다: a={a['Id'][7:17]}, b={b['Id'][7:17]}.",
                      "두 번 모두 같은 폴더(`ch01/helloworld`)를 그대로 빌드하세요. 파일을 바꾸거나 "
                      "`--no-cache`를 쓰면 새 이미지가 만들어집니다.")
    cmd = (a.get("Config") or {}).get("Cmd") or []
    if cmd != ["helloworld"]:
        return failed(expected, f"두 태그는 같은 이미지지만 `ch01/helloworld` 이미지가 아닙니다(CMD {cmd}).",
                      "`ch01/helloworld` 폴더로 빌드하세요.")
    return passed(expected, f"두 태그 모두 이미지 ID {a['Id'][7:17]}를 가리킵니다.")


@exercises.solution(2)
def solution_2() -> None:
    from dockhelpers import images

    images.build(CH01 / "helloworld", naming.image("helloworld", "a"), chapter=1)
    images.build(CH01 / "helloworld", naming.image("helloworld", "b"), chapter=1)


# ------------------------------------------------------------------------------------------- 3
@exercises.check(3, "Debian 12 컨테이너를 백그라운드로 실행하기")
def check_3() -> CheckResult:
    expected = (f"`{BOOKWORM_CONTAINER}` 컨테이너가 `{BOOKWORM_IMAGE}` 이미지로 실행 중(running)이고, "
                "안의 `/etc/debian_version`이 12.x")
    ct = _container(BOOKWORM_CONTAINER)
    if ct is None:
        return failed(expected, f"`{BOOKWORM_CONTAINER}` 컨테이너가 없습니다.",
                      f"`docker container run -d --name {BOOKWORM_CONTAINER} (라벨) {BOOKWORM_IMAGE} "
                      "sleep infinity`로 실행하세요.")
    if ct.status != "running":
        return failed(expected, f"컨테이너가 있지만 상태가 `{ct.status}`입니다.",
                      "`-d`와 계속 실행되는 명령(`sleep infinity`)으로 실행하거나 "
                      f"`docker container start {BOOKWORM_CONTAINER}`로 다시 시작하세요.")
    code, out = ct.exec_run(["cat", "/etc/debian_version"])
    version = out.decode(errors="replace").strip()
    if code != 0 or not version.startswith("12"):
        image = (ct.attrs.get("Config") or {}).get("Image", "?")
        return failed(expected, f"실행 중이지만 이미지는 `{image}`이고 Debian 버전은 `{version}`입니다.",
                      f"이미지를 `{BOOKWORM_IMAGE}`로 바꿔 다시 실행하세요(없으면 먼저 "
                      "`ch01/bookworm`을 빌드합니다).")
    return passed(expected, f"실행 중이며 Debian {version} 입니다.")


@exercises.solution(3)
def solution_3() -> None:
    from dockhelpers import containers, images

    if not images.exists(naming.image("bookworm")):
        images.build(CH01 / "bookworm", naming.image("bookworm"), chapter=1, quiet=True)
    containers.run(naming.image("bookworm"), naming.name("ex-bookworm"), chapter=1,
                   command=["sleep", "infinity"], init=True)


check = exercises.run_check
solve = exercises.solve
show_solution = exercises.show_solution
