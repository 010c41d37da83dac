"""Chapter 4: the TODO app on the Swarm lab - build, push, deploy the four stacks, drive it over HTTP.

Request path: host ``127.0.0.1:port(18001)`` -> lab manager ``:8001`` -> ingress nginx -> frontend nginx
(static files) -> web -> app nginx -> API -> MariaDB (writes: primary, reads: replicas). Four stacks
(``dkc-todo-db``, ``dkc-todo-app``, ``dkc-todo-frontend``, ``dkc-todo-ingress``) share one attachable
overlay network (``dkc-todo``). Build contexts and stack files live in ``notebooks/ch04/``.

CLI equivalents are printed for every engine action, e.g.::

    docker image build -t dkc/todo-api:v1 notebooks/ch04/api
    docker image tag dkc/todo-api:v1 127.0.0.1:15000/dkc/todo-api:v1 && docker image push ...
    docker exec dkc-manager docker network create -d overlay --attachable dkc-todo
    docker exec -e API_IMAGE=... dkc-manager docker stack deploy -c /stacks/.../todo-app.yml dkc-todo-app
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dockhelpers import naming, swarm
from dockhelpers.errors import CourseError
from dockhelpers.shell import CommandResult, run

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

CHAPTER = 4
#: Build contexts and stack files of the chapter.
HERE = Path(__file__).resolve().parents[1] / "notebooks" / "ch04"
#: Manager port the ingress publishes (the host reaches it at ``swarm.manager_port(8001)``).
INGRESS_PORT = 8001
STATUSES = ("TODO", "PROGRESS", "DONE")
#: (key, build context, Dockerfile, repository) in build order (web-nginx is FROM the nginx image).
COMPONENTS = (
    ("nginx", "nginx", None, "todo-nginx"),
    ("db", "db", None, "todo-db"),
    ("api", "api", None, "todo-api"),
    ("web", "web", None, "todo-web"),
    ("web-nginx", "web", "Dockerfile.nginx", "todo-web-nginx"),
)
#: Stack keys in deploy order, with their stack file.
STACK_FILES = (("db", "todo-db.yml"), ("app", "todo-app.yml"), ("frontend", "todo-frontend.yml"),
               ("ingress", "todo-ingress.yml"))
#: Replicas of every service, by (stack key, service).
REPLICAS = {("db", "primary"): 1, ("db", "replica"): 2, ("app", "api"): 2, ("app", "nginx"): 1,
            ("frontend", "web"): 2, ("frontend", "nginx"): 1, ("ingress", "nginx"): 1}


# ------------------------------------------------------------------------------------------- names
def stack(key: str) -> str:
    """Stack name: ``stack("app")`` -> ``"dkc-todo-app"``."""
    return naming.name(f"todo-{key}")


def service(key: str, name: str) -> str:
    """Service name in a stack: ``service("app", "api")`` -> ``"dkc-todo-app_api"``."""
    return f"{stack(key)}_{name}"


def network() -> str:
    """The overlay network every stack joins (``dkc-todo``)."""
    return naming.name("todo")


def local_image(repo: str, tag: str = "v1") -> str:
    """Image on the host: ``local_image("todo-api")`` -> ``"dkc/todo-api:v1"``."""
    return naming.image(repo, tag)


def base_url() -> str:
    """Where the host reaches the ingress: ``http://127.0.0.1:18001``."""
    return f"http://127.0.0.1:{swarm.manager_port(INGRESS_PORT)}"


# --------------------------------------------------------------------------------- build and push
def build_all(tag: str = "v1", *, quiet: bool = True) -> dict[str, str]:
    """Build the five images from ``debian:trixie-slim`` (layer cache makes a rebuild take seconds).

    CLI equivalent: ``docker image build -t dkc/todo-KEY:TAG notebooks/ch04/KEY`` for each component.

    Returns:
        ``{key: local reference}``.
    """
    from dockhelpers import images

    refs: dict[str, str] = {}
    for key, context, dockerfile, repo in COMPONENTS:
        ref = local_image(repo, tag)
        args = {"NGINX_IMAGE": refs["nginx"]} if key == "web-nginx" else None
        images.build(HERE / context, ref, chapter=CHAPTER, dockerfile=dockerfile, buildargs=args, quiet=quiet)
        refs[key] = ref
    return refs


def push_all(local: dict[str, str]) -> dict[str, str]:
    """Push every image to the lab registry; returns ``{key: "registry:5000/dkc/todo-KEY:TAG"}``."""
    return {key: swarm.push(ref, ref) for key, ref in local.items()}


def stack_env(refs: dict[str, str]) -> dict[str, str]:
    """Variables the stack files interpolate (image references, stack and network names, network modes)."""
    env = {
        "DB_IMAGE": refs["db"], "API_IMAGE": refs["api"], "WEB_IMAGE": refs["web"],
        "NGINX_IMAGE": refs["nginx"], "WEB_NGINX_IMAGE": refs["web-nginx"],
        "DB_STACK": stack("db"), "APP_STACK": stack("app"), "FRONTEND_STACK": stack("frontend"),
        "TODO_NETWORK": network(), "DKC_PREFIX": naming.prefix(),
    }
    env.update(swarm.network_modes())
    return env


def ensure_network() -> None:
    """Create the shared overlay network once (``docker network create -d overlay --attachable``)."""
    if swarm.manager(["network", "inspect", network()], check=False, echo=False, stream=False).ok:
        print(f"  오버레이 네트워크 {network()}: 이미 있습니다.")
        return
    swarm.manager(["network", "create", "--driver", "overlay", "--attachable",
                   *naming.label_args(CHAPTER), network()], context="오버레이 네트워크 만들기")


# -------------------------------------------------------------------------------------------- deploy
@dataclass
class DeployReport:
    """What :func:`deploy` did and how long each part took (seconds)."""

    refs: dict[str, str]
    build: float = 0.0
    push: float = 0.0
    stacks: float = 0.0
    ready: float = 0.0
    total: float = 0.0

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(f"DeployReport(빌드 {self.build:.1f}s, 올리기 {self.push:.1f}s, 스택 배포 {self.stacks:.1f}s, "
                     f"준비 대기 {self.ready:.1f}s, 합계 {self.total:.1f}s)")


def deploy_stack(key: str, env: dict[str, str]) -> CommandResult:
    """``docker stack deploy -c notebooks/ch04/stacks/todo-KEY.yml dkc-todo-KEY`` on the manager."""
    file = dict(STACK_FILES)[key]
    return swarm.stack_deploy(stack(key), HERE / "stacks" / file, env=env)


def deploy(tag: str = "v1", *, timeout: float = 240) -> DeployReport:
    """Build, push and deploy the four stacks, then wait until the board answers through the ingress.

    Idempotent: deploying again with unchanged images changes nothing and only waits for readiness.

    Returns:
        A :class:`DeployReport` with the measured times.
    """
    started = time.monotonic()
    t = time.monotonic()
    print("▶ 1/4 이미지 빌드 (debian:trixie-slim 기반)", flush=True)
    local = build_all(tag)
    build = time.monotonic() - t
    t = time.monotonic()
    print("▶ 2/4 실습 레지스트리에 이미지 올리기", flush=True)
    refs = push_all(local)
    push = time.monotonic() - t
    t = time.monotonic()
    print("▶ 3/4 오버레이 네트워크와 스택 4개 배포", flush=True)
    ensure_network()
    env = stack_env(refs)
    for key, _ in STACK_FILES:
        deploy_stack(key, env)
    stacks = time.monotonic() - t
    t = time.monotonic()
    print("▶ 4/4 모든 서비스가 준비될 때까지 대기", flush=True)
    wait_ready(timeout=timeout)
    ready = time.monotonic() - t
    report = DeployReport(refs, build, push, stacks, ready, time.monotonic() - started)
    print(f"✅ 배포 완료: 빌드 {build:.1f}초, 올리기 {push:.1f}초, 스택 배포 {stacks:.1f}초, 준비 대기 {ready:.1f}초, "
          f"합계 {report.total:.1f}초 → {base_url()}/", flush=True)
    return report


def wait_service(svc: str, replicas: int, *, timeout: float = 180) -> float:
    """Wait until ``replicas`` tasks of ``svc`` are Running on Ready nodes (repeats ``docker service ps SVC``).

    Returns:
        Seconds waited.

    Raises:
        CourseError: Not all replicas ran in time (the task errors are in the message).
    """
    return swarm.wait_service(svc, replicas, timeout=timeout)


def wait_ready(timeout: float = 240) -> float:
    """Wait until every service runs its replicas, replication works and the board answers over HTTP."""
    started = time.monotonic()
    for (key, name), replicas in REPLICAS.items():
        left = max(10.0, timeout - (time.monotonic() - started))
        wait_service(service(key, name), replicas, timeout=left)
    deadline = started + timeout
    last = ""
    while time.monotonic() < deadline:
        page = http("GET", "/")
        api = http("GET", "/api/todo")
        if page.status == 200 and 'id="col-TODO"' in page.text and api.status == 200:
            rep = replication_rows()
            if len(rep) >= REPLICAS[("db", "replica")] and all(r["IO"] == "Yes" and r["SQL"] == "Yes" for r in rep):
                seconds = time.monotonic() - started
                print(f"  ✅ 보드가 응답합니다: {base_url()}/ (복제 {len(rep)}대 정상), {seconds:.1f}초", flush=True)
                return seconds
            last = f"복제 상태 {rep}"
        else:
            last = f"GET / -> {page.status}, GET /api/todo -> {api.status} {api.text[:120]}"
        time.sleep(1)
    raise CourseError(f"TODO 앱이 {timeout:.0f}초 안에 준비되지 않았습니다.",
                      "`todo.services_table()`와 `docker service ps --no-trunc 서비스`로 태스크 상태를 확인하세요.",
                      detail=last)


def remove(*, network_too: bool = True) -> None:
    """Remove the four stacks in reverse order and the overlay network (idempotent)."""
    if not swarm.is_up():
        print("  스웜 실습 환경이 없습니다: 지울 스택이 없습니다.")
        return
    for key, _ in reversed(STACK_FILES):
        swarm.stack_rm(stack(key))
    if network_too:
        swarm.manager(["network", "rm", network()], check=False)


# ------------------------------------------------------------------------------------------ HTTP
@dataclass
class Response:
    """An HTTP answer (``status`` 0 means no answer: connection error or timeout)."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""

    def json(self):
        return json.loads(self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # answer 303 to the caller, like `curl` without -L
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(method: str, path: str, *, json_body: object = None, form: dict | None = None,
         timeout: float = 10) -> Response:
    """One HTTP request to the ingress (``curl -X METHOD http://127.0.0.1:18001PATH``); never raises."""
    data = None
    headers = {}
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base_url() + path, data=data, method=method, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return Response(resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers or {}))
    except (urllib.error.URLError, OSError) as exc:
        return Response(0, "", {}, str(getattr(exc, "reason", exc)))


_CARD = re.compile(r'<li class="card" data-id="(\d+)" data-status="(\w+)"><div class="title">(.*?)</div>')


def web_board() -> dict[str, list[dict]]:
    """The board as the web page shows it: ``{"TODO": [{"id", "title"}], ...}`` (``GET /``)."""
    import html

    page = http("GET", "/")
    if page.status != 200:
        raise CourseError(f"웹 페이지가 {page.status or '응답 없음'}으로 답했습니다.", "서비스 상태를 확인하세요.",
                          detail=page.error or page.text[:300])
    board: dict[str, list[dict]] = {s: [] for s in STATUSES}
    for todo_id, status, title in _CARD.findall(page.text):
        board[status].append({"id": int(todo_id), "title": html.unescape(title)})
    return board


def web_add(title: str, content: str = "") -> int:
    """Add a task with the page's form (``POST /todo``, form fields) and return its id."""
    print(f"$ curl -X POST -d title={title} {base_url()}/todo")
    resp = http("POST", "/todo", form={"title": title, "content": content})
    if resp.status != 303:
        raise CourseError(f"할 일을 추가하지 못했습니다 (HTTP {resp.status}).", "웹과 API 서비스를 확인하세요.",
                          detail=resp.error or resp.text[:300])
    notice = urllib.parse.unquote(resp.headers.get("Location", ""))
    match = re.search(r"#(\d+)", notice)
    if not match:
        raise CourseError("추가한 할 일의 번호를 읽지 못했습니다.", detail=notice)
    return int(match.group(1))


def web_move(todo_id: int, status: str) -> int:
    """Move a task with the page's buttons (``POST /move``); returns the HTTP status (303 on success)."""
    print(f"$ curl -X POST -d id={todo_id} -d status={status} {base_url()}/move")
    return http("POST", "/move", form={"id": todo_id, "status": status}).status


def api_list(status: str | None = None) -> list[dict]:
    """``GET /api/todo[?status=...]`` through the ingress (the API reads from a replica)."""
    resp = http("GET", "/api/todo" + (f"?status={status}" if status else ""))
    if resp.status != 200:
        raise CourseError(f"API가 {resp.status or '응답 없음'}으로 답했습니다.", detail=resp.error or resp.text[:300])
    return resp.json()


def api_find(todo_id: int) -> dict | None:
    """The task with ``todo_id`` as the API lists it, or None."""
    return next((t for t in api_list() if t["id"] == todo_id), None)


def wait_for(predicate, timeout: float = 10, interval: float = 0.3):
    """Poll until ``predicate()`` is truthy (replicas apply writes a moment later); returns its value or None."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# ------------------------------------------------------------------------------------ database tasks
@dataclass
class TaskContainer:
    """A running task of a service: its node and its container's name on that node."""

    service: str
    task: str
    node: str
    container: str
    state: str


def task_containers(svc: str) -> list[TaskContainer]:
    """Running tasks of ``svc`` (``docker service ps --filter desired-state=running``) with container names."""
    res = swarm.manager(["service", "ps", svc, "--no-trunc", "--filter", "desired-state=running",
                         "--format", "{{.ID}} {{.Name}} {{.Node}} {{.CurrentState}}"],
                        check=False, echo=False, stream=False)
    if not res.ok and "No such container" in res.stderr:
        raise CourseError("스웜 실습 환경(매니저 컨테이너)이 없습니다.",
                          "`swarm.up()`으로 실습 환경을 다시 올리고 배포하세요. 다른 노트북이나 테스트가 같은 실습 환경을 "
                          "지웠을 수 있습니다.", detail=res.stderr)
    tasks = []
    for line in res.stdout.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[3].startswith("Running"):
            task_id, name, node, state = parts
            tasks.append(TaskContainer(svc, name, node, f"{name}.{task_id}", state))
    return sorted(tasks, key=lambda t: t.task)


def db_exec(task: TaskContainer, sql: str, *, echo: bool = False, vertical: bool = False) -> str:
    """Run SQL in a database task (``docker exec NODE docker exec TASK mariadb tododb -e SQL``)."""
    args = ["exec", task.container, "mariadb", "--default-character-set=utf8mb4", "tododb", "-e", sql]
    if echo:
        print(f"$ docker exec {swarm.node_container(task.node)} docker exec {task.container} mariadb tododb -e \"{sql}\"")
    res = swarm.exec_on(task.node, args, check=False, echo=False, stream=False, timeout=30)
    if not res.ok:
        raise CourseError(f"{task.task}에서 SQL을 실행하지 못했습니다.", "태스크가 실행 중인지 확인하세요.",
                          detail=res.stderr or res.stdout)
    return res.stdout


def _vertical(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def replication_rows() -> list[dict]:
    """``SHOW REPLICA STATUS`` of every replica task: IO/SQL thread, lag, source position, server id."""
    rows = []
    for task in task_containers(service("db", "replica")):
        try:
            status = _vertical(db_exec(task, "SHOW REPLICA STATUS\\G"))
            server_id = db_exec(task, "SELECT @@server_id").split()[-1]
        except CourseError as exc:
            rows.append({"태스크": task.task, "노드": task.node, "IO": "?", "SQL": "?", "오류": exc.message})
            continue
        rows.append({"태스크": task.task, "노드": task.node, "server_id": server_id,
                     "IO": status.get("Slave_IO_Running", "?"), "SQL": status.get("Slave_SQL_Running", "?"),
                     "지연(초)": status.get("Seconds_Behind_Master", "?"),
                     "소스": f"{status.get('Master_Host', '?')}:{status.get('Master_Port', '')}",
                     "바이너리 로그 위치": f"{status.get('Master_Log_File', '?')}:{status.get('Read_Master_Log_Pos', '')}",
                     "오류": status.get("Last_Error", "")})
    return rows


def replication_status() -> "pd.DataFrame":
    """:func:`replication_rows` as a table (one row per replica task)."""
    import pandas as pd

    print(f"$ docker exec <노드> docker exec <{service('db', 'replica')} 태스크> mariadb -e 'SHOW REPLICA STATUS\\G'")
    return pd.DataFrame(replication_rows())


def row_everywhere(todo_id: int) -> "pd.DataFrame":
    """The row ``todo_id`` as the primary and every replica hold it (one table row per database task)."""
    import pandas as pd

    rows = []
    for key in ("primary", "replica"):
        for task in task_containers(service("db", key)):
            out = db_exec(task, f"SELECT id, title, status FROM todo WHERE id = {int(todo_id)}")
            lines = [line.split("\t") for line in out.splitlines()[1:]]
            found = lines[0] if lines else None
            rows.append({"역할": "프라이머리" if key == "primary" else "레플리카", "태스크": task.task, "노드": task.node,
                         "id": found[0] if found else None, "title": found[1] if found else None,
                         "status": found[2] if found else "(없음)"})
    return pd.DataFrame(rows)


def wait_row_everywhere(todo_id: int, status: str, timeout: float = 15) -> "pd.DataFrame":
    """Wait until the primary and every replica show ``todo_id`` with ``status``; returns the last table."""
    table = None

    def done() -> bool:
        nonlocal table
        table = row_everywhere(todo_id)
        return len(table) >= 1 + REPLICAS[("db", "replica")] and bool((table["status"] == status).all())

    wait_for(done, timeout=timeout, interval=0.5)
    return table


# ------------------------------------------------------------------------------------ live overview
def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def services_table() -> "pd.DataFrame":
    """The chapter's services from the live engine: stack, service, replicas, image, endpoint mode, ports, networks."""
    import pandas as pd

    print("$ docker exec dkc-manager docker service ls --filter label=kr.dockercourse.chapter=04")
    res = swarm.manager(["service", "ls", "--filter", f"label={naming.CHAPTER_LABEL}={naming.chapter_id(CHAPTER)}",
                         "--format", "{{json .}}"], echo=False, stream=False, check=False)
    services = _json_lines(res.stdout)
    if not services:
        return pd.DataFrame(columns=["스택", "서비스", "레플리카", "이미지", "엔드포인트", "포트", "네트워크"])
    ids = [s["ID"] for s in services]
    inspect = json.loads(swarm.manager(["service", "inspect", *ids], echo=False, stream=False).stdout)
    nets = {n["ID"]: n["Name"] for n in _json_lines(swarm.manager(["network", "ls", "--format", "{{json .}}"],
                                                                   echo=False, stream=False).stdout)}
    rows = []
    for s, spec in zip(services, inspect):
        labels = spec["Spec"].get("Labels", {})
        targets = [a.get("Target", "") for a in spec["Spec"]["TaskTemplate"].get("Networks", [])]
        rows.append({"스택": labels.get("com.docker.stack.namespace", ""), "서비스": s["Name"],
                     "레플리카": s["Replicas"], "이미지": s["Image"].split("@")[0],
                     "엔드포인트": spec["Spec"].get("EndpointSpec", {}).get("Mode", "vip"), "포트": s.get("Ports", ""),
                     "네트워크": ", ".join(nets.get(t[:12], nets.get(t, t)) for t in targets) or "-"})
    order = {stack(k): i for i, (k, _) in enumerate(reversed(STACK_FILES))}
    df = pd.DataFrame(rows)
    df["_o"] = df["스택"].map(order).fillna(9)
    return df.sort_values(["_o", "서비스"]).drop(columns="_o").reset_index(drop=True)


#: Request path between services (stack key, service) -> (stack key, service), with a Korean label.
EDGES = ((("ingress", "nginx"), ("frontend", "nginx"), "/"), (("ingress", "nginx"), ("app", "nginx"), "/api/"),
         (("frontend", "nginx"), ("frontend", "web"), "HTML"), (("frontend", "web"), ("app", "nginx"), "API 호출"),
         (("app", "nginx"), ("app", "api"), ""), (("app", "api"), ("db", "primary"), "쓰기"),
         (("app", "api"), ("db", "replica"), "읽기"), (("db", "primary"), ("db", "replica"), "복제"))


def architecture_figure(table: "pd.DataFrame | None" = None) -> "Figure":
    """Draw the four stacks, their services (live replica counts and images) and the request path."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from dockhelpers.plots import _figure

    table = services_table() if table is None else table
    live = {row["서비스"]: row for _, row in table.iterrows()}
    fig, axes = _figure(width=11, height=5.0)
    ax = axes[0]
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 5.0)
    ax.axis("off")
    columns = [("ingress", ["nginx"]), ("frontend", ["nginx", "web"]), ("app", ["nginx", "api"]),
               ("db", ["primary", "replica"])]
    centers: dict[tuple[str, str], tuple[float, float]] = {}
    for i, (key, names) in enumerate(columns):
        x0 = 0.9 + i * 2.6
        ax.add_patch(FancyBboxPatch((x0 - 0.1, 0.75), 2.3, 3.45, boxstyle="round,pad=0.05", fc="#f4f5f7",
                                    ec="#97a0af", lw=1))
        ax.text(x0 + 1.05, 4.05, f"스택 {stack(key)}", ha="center", fontsize=9, weight="bold")
        for j, name in enumerate(names):
            svc = service(key, name)
            row = live.get(svc)
            y = 2.75 - j * 1.45
            ok = row is not None and str(row["레플리카"]).split(" ")[0].split("/")[0] == \
                str(row["레플리카"]).split(" ")[0].split("/")[-1]
            color = "#e3fcef" if ok else "#ffebe6"
            ax.add_patch(FancyBboxPatch((x0, y), 2.1, 1.0, boxstyle="round,pad=0.04", fc=color, ec="#42526e"))
            image = (row["이미지"].rsplit("/", 1)[-1] if row is not None else "배포 안 됨")
            reps = row["레플리카"] if row is not None else "0/0"
            ax.text(x0 + 1.05, y + 0.72, name, ha="center", fontsize=10, weight="bold")
            ax.text(x0 + 1.05, y + 0.45, image, ha="center", fontsize=8)
            ax.text(x0 + 1.05, y + 0.18, f"레플리카 {reps}", ha="center", fontsize=8)
            centers[(key, name)] = (x0 + 1.05, y + 0.5)
    ax.text(0.15, 3.5, "호스트\n127.0.0.1:\n" + str(swarm.manager_port(INGRESS_PORT)), ha="center", fontsize=8)
    ax.add_patch(FancyArrowPatch((0.45, 3.3), (0.9, 3.25), arrowstyle="-|>", mutation_scale=12, color="#0052cc"))
    for src, dst, label in EDGES:
        (x1, y1), (x2, y2) = centers[src], centers[dst]
        if src[0] == dst[0]:  # within one stack: vertical
            start, end = (x1, y1 - 0.5), (x2, y2 + 0.5)
        else:
            start, end = (x1 + 1.05, y1), (x2 - 1.05, y2)
        rad = -0.3 if label == "/api/" else 0.0  # /api/ arcs over the frontend stack
        if label == "/api/":
            start, end = (x1 + 0.6, y1 + 0.5), (x2 - 0.6, y2 + 0.5)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="#0052cc",
                                     connectionstyle=f"arc3,rad={rad}", lw=1.2))
        if label:
            lift = -rad * abs(end[0] - start[0]) / 2
            ax.text((start[0] + end[0]) / 2 + 0.12, (start[1] + end[1]) / 2 + 0.14 + lift, label, fontsize=8,
                    color="#0052cc", ha="center", backgroundcolor="white")
    ax.add_patch(FancyBboxPatch((0.8, 0.2), 10.0, 0.35, boxstyle="round,pad=0.02", fc="#deebff", ec="#0052cc"))
    ax.text(5.8, 0.3, f"오버레이 네트워크 {network()} (모든 스택이 함께 씀, 엔드포인트 모드: "
                      f"{swarm.network_modes()['ENDPOINT_MODE']})", ha="center", fontsize=9)
    ax.set_title("TODO 앱 구성 (실행 중인 엔진에서 읽은 서비스와 레플리카)", fontsize=11)
    return fig


# -------------------------------------------------------------------------------- 4.6 update loop
def make_api_v2(version: str = "2") -> Path:
    """Copy the API's build context to a temporary folder and change its version (the edit of 4.6).

    Prints the change as a unified diff. Returns the new build context.
    """
    source = HERE / "api"
    target = Path(tempfile.mkdtemp(prefix="dkc-todo-api-"))
    shutil.copytree(source, target, dirs_exist_ok=True)
    app = target / "app.py"
    old = app.read_text(encoding="utf-8")
    new = old.replace('API_VERSION = "1"', f'API_VERSION = "{version}"')
    if new == old:
        raise CourseError("API 코드에서 버전 줄을 찾지 못했습니다.", detail=str(app))
    app.write_text(new, encoding="utf-8")
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "api/app.py", f"api/app.py (v{version})",
                                lineterm="", n=0)
    print("\n".join(diff))
    return target


def build_push_api(context: Path, tag: str) -> str:
    """Build the changed API as ``dkc/todo-api:TAG`` and push it; returns the in-cluster reference."""
    from dockhelpers import images

    ref = local_image("todo-api", tag)
    images.build(context, ref, chapter=CHAPTER, quiet=True)
    return swarm.push(ref, ref)


def update_state(svc: str) -> dict:
    """``docker service inspect --format '{{json .UpdateStatus}}' SVC`` as a dict (empty before any update)."""
    res = swarm.manager(["service", "inspect", "--format", "{{json .UpdateStatus}}", svc],
                        echo=False, stream=False, check=False)
    text = res.stdout.strip()
    return json.loads(text) if text and text != "null" else {}


def wait_update(svc: str, before: dict, *, timeout: float = 180) -> float:
    """Wait until the update started after ``before`` (an earlier :func:`update_state`) has completed.

    Returns:
        Seconds waited.

    Raises:
        CourseError: The update rolled back, paused or did not finish in time.
    """
    started = time.monotonic()
    last = ""
    while time.monotonic() - started < timeout:
        state = update_state(svc)
        current = state.get("State", "") if state.get("StartedAt") != before.get("StartedAt") else "pending"
        if current != last:
            print(f"  [{time.monotonic() - started:5.1f}s] UpdateStatus: {current} {state.get('Message', '')}",
                  flush=True)
            last = current
        if current == "completed":
            return time.monotonic() - started
        if current in ("rollback_completed", "rollback_paused", "paused"):
            raise CourseError(f"{svc} 업데이트가 실패해 {current} 상태입니다.", "새 이미지의 태스크 로그를 확인하세요.",
                              detail=state.get("Message", ""))
        time.sleep(1)
    raise CourseError(f"{svc} 업데이트가 {timeout:.0f}초 안에 끝나지 않았습니다.")


def rolling_update(svc: str, image_ref: str, *, timeout: float = 180) -> float:
    """Roll a service to a new image (``docker service update --image REF SVC``) and wait until completed.

    The stack file's ``update_config`` applies: one task at a time, the new task first (``start-first``),
    healthy before the old one stops, rollback on failure.

    Returns:
        Seconds the update took.
    """
    before = update_state(svc)
    swarm.manager(["service", "update", "--detach", "--image", image_ref, svc],
                  context="docker service update", stream=False)
    return wait_update(svc, before, timeout=timeout)


def update_env(svc: str, values: dict[str, str], *, timeout: float = 120) -> float:
    """``docker service update --env-add K=V ... SVC`` (skipped when the spec already has the values)."""
    res = swarm.manager(["service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", svc],
                        echo=False, stream=False)
    current = dict(p.split("=", 1) for p in (json.loads(res.stdout) or []) if "=" in p)
    if all(current.get(k) == v for k, v in values.items()):
        print(f"  {svc}: 환경 변수가 이미 {values}입니다 (업데이트 생략).")
        return 0.0
    before = update_state(svc)
    args: list[str] = []
    for key, value in values.items():
        args += ["--env-add", f"{key}={value}"]
    swarm.manager(["service", "update", "--detach", *args, svc], context="docker service update", stream=False)
    return wait_update(svc, before, timeout=timeout)


@dataclass
class LoadResult:
    """Counts of a client loop: every non-2xx answer and every connection error is a failure."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)
    api_versions: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        versions = ", ".join(f"v{v} {n}회" for v, n in sorted(self.api_versions.items()))
        errors = "; ".join(f"{k} ×{n}" for k, n in self.errors.most_common(5))
        return (f"요청 {self.total}개 (성공 {self.ok}, 실패 {self.failed}), {self.seconds:.1f}초"
                + (f", 응답한 API 버전: {versions}" if versions else "") + (f", 실패 내용: {errors}" if errors else ""))


class LoadLoop:
    """A client loop in a background thread: ``GET /`` (the whole path) and ``GET /api/todo`` in turn.

    No retries: each request counts once, and any non-2xx status or connection error is a failure.
    Use as a context manager; on exit it keeps going until ``min_requests`` were sent.
    """

    PATHS = ("/", "/api/todo?status=TODO")

    def __init__(self, min_requests: int = 200, pause: float = 0.02) -> None:
        self.min_requests = min_requests
        self.pause = pause
        self.result = LoadResult()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        i = 0
        while not (self._stop.is_set() and self.result.total >= self.min_requests):
            path = self.PATHS[i % len(self.PATHS)]
            i += 1
            resp = http("GET", path, timeout=10)
            self.result.total += 1
            if 200 <= resp.status < 300:
                self.result.ok += 1
                api = resp.headers.get("X-Todo-Api", "")
                if api:
                    self.result.api_versions[api.rsplit("v", 1)[-1]] += 1
            else:
                self.result.failed += 1
                self.result.errors[f"{path} -> {resp.status or resp.error}"] += 1
            self.result.seconds = time.monotonic() - started
            time.sleep(self.pause)

    def __enter__(self) -> "LoadLoop":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------------------- failure drill
def stop_replica_task(index: int = 0) -> TaskContainer:
    """Stop one replica database task's container on its node (``docker container stop``) - a crash drill."""
    tasks = task_containers(service("db", "replica"))
    if not tasks:
        raise CourseError("실행 중인 레플리카 태스크가 없습니다.", "먼저 `todo.deploy()`를 실행하세요.")
    task = tasks[index % len(tasks)]
    swarm.exec_on(task.node, ["container", "stop", "--time", "5", task.container], stream=False,
                  context="레플리카 태스크 정지")
    return task


def probe_reads(seconds: float = 10, pause: float = 0.2) -> "pd.DataFrame":
    """Read the board and the API for a while; one row per request (time, path, status, Korean error shown)."""
    import pandas as pd

    rows = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < seconds:
        path = ("/", "/api/todo")[i % 2]
        i += 1
        resp = http("GET", path, timeout=10)
        message = ""
        if resp.status != 200:
            match = re.search(r'role="alert">(.*?)</div>', resp.text) if path == "/" else None
            message = match.group(1) if match else (resp.text[:120] or resp.error)
        rows.append({"초": round(time.monotonic() - started, 1), "경로": path, "상태": resp.status, "메시지": message})
        time.sleep(pause)
    return pd.DataFrame(rows)


def wait_http(predicate_path: str = "/", timeout: float = 60) -> float:
    """Wait until ``GET path`` answers 200 (after a drill); returns seconds waited."""
    started = time.monotonic()
    if not wait_for(lambda: http("GET", predicate_path).status == 200, timeout=timeout, interval=0.5):
        raise CourseError(f"{predicate_path}가 {timeout:.0f}초 안에 200으로 답하지 않았습니다.")
    return time.monotonic() - started


def curl(path: str, *, method: str = "GET", data: str | None = None) -> Response:
    """Show and run ``curl -s -i [-X METHOD] [-d DATA] http://127.0.0.1:18001PATH`` with the host's curl."""
    args = ["curl", "-s", "-i", "--max-time", "10"]
    if method != "GET":
        args += ["-X", method]
    if data is not None:
        args += ["-H", "Content-Type: application/json", "-d", data]
    args.append(base_url() + path)
    res = run(args, check=False)
    head, _, body = res.stdout.partition("\r\n\r\n")
    status = int(head.split(" ")[1]) if head.startswith("HTTP/") else 0
    return Response(status, body)
