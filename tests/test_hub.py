"""The classroom hub, for real: JupyterHub with 3 students, each with a lab container and its own engine.

One hub for the whole module (bring-up and three labs cost about a minute): its own name prefix and port
offset beside this session's (``naming.separate``), its own state folder. Students log in with Playwright
in Debian's Chromium, open chapter 1 and pass its first exercise; then isolation (``docker ps``, engines,
files, lab URLs), the teacher dashboard and its per-student reset; the last test tears the hub down and
checks that nothing labelled for it is left.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time
import urllib.error

import pytest

from dockhelpers import naming

pytestmark = [pytest.mark.hub, pytest.mark.engine, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from ui.browsers import chromium  # noqa: E402
from ui.jlab import NotebookDriver  # noqa: E402

STUDENTS = ("s01", "s02", "s03")
TEACHER = "teacher"
PASSWORD = "hub-test-pass"
HUB_ENV = naming.separate("th", 520)
SHOTS = ROOT / "build" / "hub"
#: The first exercise of chapter 1, as a learner would type it into the empty cell under the exercise.
SOLUTION = ('from pathlib import Path\n'
            'ex = Path("ch01/_work/ex-hello"); ex.mkdir(parents=True, exist_ok=True)\n'
            '(ex / "Dockerfile").write_text(\'FROM debian:trixie-slim\\nCMD ["echo", "안녕하세요, 도커!"]\\n\')\n'
            '%docker image build -t dkc/ex-hello:v1 ch01/_work/ex-hello\n')


def lab_exec(student: str, *cmd: str, user: str = "root", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    from dockhelpers import classroom

    return subprocess.run(["docker", "exec", "-u", user, classroom.lab_name(student), *cmd], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A running hub (prefix ``<session prefix>-th``) with 3 students and a teacher, every lab started."""
    from dockhelpers import classroom

    roster = tmp_path_factory.mktemp("hub") / "roster.txt"
    roster.write_text(f"{TEACHER} teacher\n" + "\n".join(STUDENTS) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in HUB_ENV.items():
            mp.setenv(key, value)
        mp.setenv("DOCKHELPERS_HUB_STATE", str(tmp_path_factory.mktemp("hubstate")))
        # The tests observe the notebook model through window.jupyterapp, as the other browser tests do.
        mp.setenv("DOCKHELPERS_HUB_LAB_ARGS", "--LabApp.expose_app_in_browser=True")
        classroom.down(out=lambda _: None)  # a hub a killed run left behind
        try:
            conf = classroom.up(roster, out=print, wait=180)
            for student in STUDENTS:
                classroom.api(f"/users/{student}/server", method="POST")
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                users = {u["name"]: u for u in classroom.api("/users")}
                if all(users[s]["servers"].get("", {}).get("ready") for s in STUDENTS):
                    break
                time.sleep(2)
            else:
                pytest.fail(f"labs not ready: {json.dumps(users)[:2000]}")
            yield conf
        finally:
            log = classroom.state_dir() / "jupyterhub.log"
            if log.is_file():  # kept for a failure's post-mortem (down removes the state folder)
                SHOTS.mkdir(parents=True, exist_ok=True)
                (SHOTS / "jupyterhub.log").write_bytes(log.read_bytes())
            classroom.down(out=lambda _: None)


@pytest.fixture(scope="module")
def browser(hub, tmp_path_factory):
    """Headless Chromium (in its own network namespace where possible: ``ui.browsers``) that reaches the hub."""
    with chromium(hub["port"], relay_dir=tmp_path_factory.mktemp("hubsock")) as b:
        b.hub_base = f"http://127.0.0.1:{hub['port']}"
        yield b


def login(browser, name: str):
    """A new browser context logged in as ``name`` (the first login sets the password)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{browser.hub_base}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_load_state("domcontentloaded")
    return context, page


class HubLab:
    """What NotebookDriver needs from a server: the URL of a path in one student's lab."""

    def __init__(self, base: str, student: str):
        self.base, self.student = base, student

    def url(self, path: str) -> str:
        return f"{self.base}/user/{self.student}/lab/tree/{path}"


def set_source(drv: NotebookDriver, i: int, text: str) -> None:
    """Type ``text`` into cell ``i`` as the learner would (click into the editor, select all, insert)."""
    cell = drv.cell_locator(i)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").first.click()
    drv.page.keyboard.press("Control+A")
    drv.page.keyboard.insert_text(text)
    drv.page.keyboard.press("Escape")


def test_hub_accounts(hub):
    from dockhelpers import classroom

    users = {u["name"]: u for u in classroom.api("/users")}
    assert set(users) == {*STUDENTS, TEACHER}
    assert "teacher" in users[TEACHER]["roles"] and not any(users[s]["admin"] or "teacher" in users[s]["roles"]
                                                            for s in STUDENTS)
    info = classroom._client().containers.get(classroom.lab_name("s01")).attrs
    assert info["HostConfig"]["NanoCpus"] or info["HostConfig"]["CpuQuota"], "no CPU limit"
    assert info["HostConfig"]["Memory"] == 2 * 1024 ** 3
    assert info["Config"]["Labels"][naming.STUDENT_LABEL] == "s01"
    assert {m["Name"] for m in info["Mounts"] if m["Type"] == "volume"} == set(classroom.lab_volumes("s01"))


@pytest.fixture(scope="module")
def exercised(hub, browser):
    """Every student logs in, opens chapter 1, runs its first cell and passes exercise 1-1 in the browser."""
    results = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for student in STUDENTS:
        context, page = login(browser, student)
        try:
            page.wait_for_url(f"**/user/{student}/**", timeout=120_000)
            drv = NotebookDriver(page, HubLab(browser.hub_base, student), "01_docker_basics.ipynb", SHOTS)
            drv.open(timeout=180)
            sources = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.model.sharedModel"
                                    ".cells.map(c => c.getSource())")
            check = next(i for i, s in enumerate(sources) if s.strip() == "ch01.check(1)")
            first = drv.run_cell(1, timeout=300)
            assert not any(o.get("error") for o in first.info["outputs"]), first.info
            set_source(drv, check - 1, SOLUTION)
            drv.run_cell(check - 1, timeout=300)
            result = drv.run_cell(check, timeout=120)
            drv.shot(f"{student}-check-1")
            results[student] = json.dumps(result.info, ensure_ascii=False)
        finally:
            context.close()
    return results


def test_students_pass_first_exercise(exercised):
    for student, info in exercised.items():
        assert "CheckResult(ok=True" in info, f"{student}: {info[:1500]}"


def test_engines_pull_through_the_hub_registry(hub, exercised):
    from dockhelpers import classroom

    host_id = classroom._client().images.get(naming.BASE_IMAGE).id
    for student in STUDENTS:
        mirrors = lab_exec(student, "docker", "info", "--format", "{{json .RegistryConfig.Mirrors}}").stdout
        assert hub["mirror"].rstrip("/") in mirrors, mirrors
        # The base image came from the hub's registry (the same image as the server's), not made inside.
        assert lab_exec(student, "docker", "image", "inspect", "--format", "{{.Id}}", naming.BASE_IMAGE).stdout.strip() \
            == host_id


def test_docker_ps_shows_only_own(hub, exercised):
    for student in STUDENTS:
        res = lab_exec(student, "docker", "container", "run", "-d", "--name", f"own-{student}",
                       naming.BASE_IMAGE, "sleep", "600")
        assert res.returncode == 0, res.stderr
    for student in STUDENTS:
        names = set(lab_exec(student, "docker", "ps", "--format", "{{.Names}}", user="learner").stdout.split())
        assert f"own-{student}" in names
        assert not names & {f"own-{other}" for other in STUDENTS if other != student}, names
        images = lab_exec(student, "docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
        assert "dkc/ex-hello:v1" in images  # made by this student's notebook, in this student's engine


def _host_cgroup_dirs(name: str) -> list[str]:
    """Host cgroup folders of a container ID in the memory and CPU controllers (cgroup v1 or v2)."""
    import glob

    # The controllers that carry the limits: v1's memory and cpu hierarchies, or the v2 tree (on a hybrid
    # host the v2 `unified` tree holds no controllers, and docker leaves it flat).
    v1 = glob.glob(f"/sys/fs/cgroup/memory/**/{name}*", recursive=True) + \
        glob.glob(f"/sys/fs/cgroup/cpu,cpuacct/**/{name}*", recursive=True)
    return v1 or glob.glob(f"/sys/fs/cgroup/**/{name}*", recursive=True)


def test_lab_limits_cover_the_students_containers(hub, exercised):
    """A container the student's engine starts sits under the lab container's cgroup (its CPU/memory limits)."""
    from dockhelpers import classroom

    lab_id = classroom._client().containers.get(classroom.lab_name("s01")).id
    inner = lab_exec("s01", "docker", "container", "run", "-d", "--rm", naming.BASE_IMAGE, "sleep", "120").stdout.strip()
    try:
        dirs = _host_cgroup_dirs(inner)
        assert dirs, f"no cgroup for the inner container {inner[:12]}"
        assert all(lab_id in d for d in dirs), dirs
    finally:
        lab_exec("s01", "docker", "container", "rm", "-f", inner)


def test_student_cannot_reach_another(hub, browser, exercised):
    from dockhelpers import classroom

    c = classroom._client()
    ip = {s: c.containers.get(classroom.lab_name(s)).attrs["NetworkSettings"]["Networks"][hub["network"]]["IPAddress"]
          for s in STUDENTS}
    probe = "import socket,sys\ntry:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), 3); print('open')\n" \
            "except OSError as e: print('closed', e)\n"
    # The network works (the hub API on the gateway answers) ...
    assert lab_exec("s01", "python3", "-c", probe, hub["gateway"], str(hub["api_port"])).stdout.startswith("open")
    # ... but another student's lab server and engine are out of reach (no traffic between labs).
    for port in ("8888", "2375", "2376"):
        out = lab_exec("s01", "python3", "-c", probe, ip["s02"], port).stdout
        assert out.startswith("closed"), (port, out)
    # Each engine is its own: different engine IDs, and no other student's home is mounted.
    ids = {s: lab_exec(s, "docker", "info", "--format", "{{.ID}}").stdout.strip() for s in STUDENTS}
    assert len(set(ids.values())) == 3, ids
    for s in STUDENTS:
        mounts = {m.get("Name") for m in c.containers.get(classroom.lab_name(s)).attrs["Mounts"]}
        others = {v for o in STUDENTS if o != s for v in classroom.lab_volumes(o)}
        assert not mounts & others
    assert "s02" not in lab_exec("s01", "sh", "-c", "ls -a /home /home/learner").stdout
    # Through the hub: s01 gets its own lab's API, and a refusal for s02's.
    context, page = login(browser, "s01")
    try:
        own = page.goto(f"{browser.hub_base}/user/s01/api/contents", wait_until="domcontentloaded")
        assert own.status == 200
        other = page.goto(f"{browser.hub_base}/user/s02/api/contents", wait_until="domcontentloaded")
        assert other.status == 403, (other.status, page.url)
        assert "01_docker_basics" not in page.content()
        dash = page.goto(f"{browser.hub_base}/services/dashboard/", wait_until="domcontentloaded")
        assert dash.status == 403  # the dashboard is for teachers only
    finally:
        context.close()


def test_dashboard_grid_and_reset_one_student(hub, browser, exercised):
    from dockhelpers import classroom

    context, page = login(browser, TEACHER)
    try:
        page.wait_for_url("**/services/dashboard/**", timeout=30_000)  # a teacher lands on the dashboard, no lab
        assert not classroom._client().containers.list(all=True, filters={"name": classroom.lab_name(TEACHER)})
        # The teacher manages labs but does not enter them (a `teacher` role, not JupyterHub's admin).
        assert page.goto(f"{browser.hub_base}/user/s01/api/contents", wait_until="domcontentloaded").status == 403
        page.goto(f"{browser.hub_base}/services/dashboard/", wait_until="domcontentloaded")
        try:
            page.wait_for_selector("#grid tbody tr", timeout=30_000)
        finally:
            page.screenshot(path=str(SHOTS / "dashboard-first.png"))
        for student in STUDENTS:
            page.wait_for_selector(f"tr[data-student='{student}'] td.ok[data-key='1-1']", timeout=30_000)
            assert "정상" in page.inner_text(f"tr[data-student='{student}'] td.engine")
        page.screenshot(path=str(SHOTS / "dashboard.png"))
        # Live: a check s02 runs now (a failing one) appears without reloading the page.
        assert not page.query_selector("tr[data-student='s02'] td[data-key='1-3']")
        res = lab_exec("s02", "env", "HOME=/home/learner", "python3", "-c",
                       "from dockhelpers.exercises import ch01; ch01.check(3)", user="learner")
        assert res.returncode == 0, res.stderr
        page.wait_for_selector("tr[data-student='s02'] td.fail[data-key='1-3']", timeout=20_000)
        page.select_option("#who", "s01")
        page.select_option("#chapter", "1")
        page.once("dialog", lambda d: d.accept())
        page.click("#reset")
        page.wait_for_function("document.getElementById('result').textContent.length > 0", timeout=120_000)
        assert "완료" in page.inner_text("#result"), page.inner_text("#result")
    finally:
        context.close()
    images = {s: lab_exec(s, "docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
              for s in STUDENTS}
    assert "dkc/ex-hello:v1" not in images["s01"]
    assert all("dkc/ex-hello:v1" in images[s] for s in ("s02", "s03")), images
    # Unlabelled containers a student started by hand are not the course's: reset leaves them.
    assert "own-s01" in lab_exec("s01", "docker", "ps", "--format", "{{.Names}}").stdout
    # The terminal form resets one chapter only: s03's chapter 4 (nothing there) leaves its chapter 1 image.
    res = subprocess.run([sys.executable, "-m", "dockhelpers", "classroom", "reset", "--student", "s03", "--chapter", "4"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0 and "s03의 4장을 초기화했습니다" in res.stdout, res.stdout + res.stderr
    assert "dkc/ex-hello:v1" in lab_exec("s03", "docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout


def test_collect_progress_for_csv(hub, exercised, tmp_path):
    import csv
    import io

    from dockhelpers import classroom, hubdash, progress

    # s03's lab stops (as the idle culler would stop it): its record is read from the home volume instead.
    classroom.api("/users/s03/server", method="DELETE")
    deadline = time.monotonic() + 60
    while classroom.api("/users/s03")["servers"] and time.monotonic() < deadline:
        time.sleep(1)
    files = hubdash.collect(tmp_path)
    assert sorted(f.name for f in files) == [f"{s}.jsonl" for s in STUDENTS]
    out = io.StringIO()
    progress.write_csv(out, paths=files)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {(r["learner"], r["chapter"], r["exercise"], r["ok"]) for r in rows} >= {(s, "1", "1", "True") for s in STUDENTS}


def test_down_leaves_nothing(hub):
    from dockhelpers import classroom

    assert classroom.resources()["containers"]
    classroom.down(keep_homes=True, out=lambda _: None)  # the homes stay for the next term ...
    left = classroom.resources()
    assert left["containers"] == [] and left["networks"] == [], left
    assert {f"{classroom.lab_name(s)}-home" for s in STUDENTS} <= set(left["volumes"]), left
    assert all(v.endswith("-home") for v in left["volumes"]), left
    classroom.down(out=lambda _: None)  # ... until the teacher removes them too
    assert classroom.resources() == {"containers": [], "volumes": [], "networks": []}
    with pytest.raises(urllib.error.URLError):
        classroom.api("/", conf=hub, timeout=3)
    assert not classroom.state_dir().exists()
