"""Chapter 4 end to end: the TODO app on the Swarm lab, driven over HTTP from the host.

Runs on the test session's shared lab with the app deployed once (``todo_app`` in ``tests/conftest.py``:
its own name prefix and port offset, so it never touches a notebook's lab; the lab is taken down and
checked for leftovers after the last test that needs it).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request

import pytest
import yaml

from dockhelpers import naming, swarm, todo

@pytest.fixture
def app(todo_app):
    """The TODO app deployed once on the shared lab (tests/conftest.py)."""
    return todo_app


# ------------------------------------------------------------------------------ stack files (no engine)
STACKS = sorted((todo.HERE / "stacks").glob("*.yml"))


@pytest.mark.parametrize("path", STACKS, ids=[p.stem for p in STACKS])
def test_stack_files_label_everything_and_use_known_variables(path):
    text = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    labels = {**naming.labels(4), naming.PREFIX_LABEL: "${DKC_PREFIX:-dkc}"}
    for name, svc in doc["services"].items():
        assert svc["labels"] == labels, name
        assert svc["deploy"]["labels"] == labels, name
        assert svc["deploy"]["endpoint_mode"].startswith("${ENDPOINT_MODE"), name
        assert svc["image"].startswith("${"), name
        for port in svc.get("ports", []):
            assert port["mode"].startswith("${PUBLISH_MODE"), name
    for volume in (doc.get("volumes") or {}).values():
        assert volume["labels"] == labels
    assert doc["networks"]["todo"] == {"external": True, "name": "${TODO_NETWORK}"}
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    env = todo.stack_env({k: f"registry:5000/x/{k}:v1" for k, *_ in todo.COMPONENTS})
    assert used <= set(env), used - set(env)


def test_every_service_of_the_stacks_is_waited_for():
    declared = set()
    for key, file in todo.STACK_FILES:
        doc = yaml.safe_load((todo.HERE / "stacks" / file).read_text(encoding="utf-8"))
        declared |= {(key, name) for name in doc["services"]}
    assert declared == set(todo.REPLICAS)


def _web_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("todoweb_app", todo.HERE / "web" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_board_html_is_what_the_parser_reads():
    web = _web_module()
    card = {"id": 7, "title": "<b>제목</b> & 'x'", "content": "c", "status": "PROGRESS", "updated": "2026-01-01 00:00:00"}
    page = web.render_page({"TODO": [], "PROGRESS": [card], "DONE": []}, notice="ok")
    found = todo._CARD.findall(page)
    assert found == [("7", "PROGRESS", "&lt;b&gt;제목&lt;/b&gt; &amp; &#x27;x&#x27;")]
    # PROGRESS can move both ways; TODO and DONE only to PROGRESS
    assert 'data-target="TODO"' in page and 'data-target="DONE"' in page
    error = web.render_page(None, "API 서버에 연결할 수 없습니다")
    assert 'role="alert"' in error and 'id="col-TODO"' not in error


# ----------------------------------------------------------------------------------- end to end
@pytest.mark.engine
@pytest.mark.slow
def test_task_added_on_the_page_moves_through_three_columns_and_reaches_both_replicas(app):
    title = "e2e: 페이지에서 추가한 할 일"
    todo_id = todo.web_add(title, "end-to-end")
    # The API reads from a replica: the row appears there a moment after the write on the primary.
    found = todo.wait_for(lambda: todo.api_find(todo_id), timeout=10)
    assert found and found["title"] == title and found["status"] == "TODO"
    assert any(c["id"] == todo_id for c in todo.wait_for(
        lambda: [c for c in todo.web_board()["TODO"] if c["id"] == todo_id], timeout=10))
    for status in ("PROGRESS", "DONE"):
        assert todo.web_move(todo_id, status) == 303
        assert todo.wait_for(lambda s=status: (todo.api_find(todo_id) or {}).get("status") == s, timeout=10)
        assert [t["id"] for t in todo.api_list(status) if t["id"] == todo_id] == [todo_id]
        board = todo.wait_for(lambda s=status: [c for c in todo.web_board()[s] if c["id"] == todo_id], timeout=10)
        assert board and board[0]["title"] == title
    assert not [c for c in todo.web_board()["TODO"] if c["id"] == todo_id]
    table = todo.wait_row_everywhere(todo_id, "DONE")
    print(table.to_string())
    assert list(table["역할"]).count("레플리카") == 2
    assert (table["status"] == "DONE").all()
    assert table["노드"].nunique() == 3  # primary on the manager, replicas on two different workers


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.parametrize("method,body,status,words", [
    ("POST", "not json", 400, "JSON"),
    ("POST", "[1, 2]", 400, "객체"),
    ("POST", '{"content": "no title"}', 400, "title"),
    ("POST", '{"title": "   "}', 400, "비어"),
    ("POST", json.dumps({"title": "x" * 201}), 400, "200자"),
    ("POST", '{"title": 5}', 400, "문자열"),
    ("POST", '{"title": "ok", "status": "LATER"}', 400, "status"),
    ("PUT", '{"id": "1", "status": "DONE"}', 400, "id"),
    ("PUT", '{"id": true, "status": "DONE"}', 400, "id"),
    ("PUT", '{"id": 1}', 400, "바꿀 항목"),
    ("PUT", '{"id": 1, "status": "done"}', 400, "status"),
    ("PUT", '{"id": 999999, "status": "DONE"}', 404, "없습니다"),
    ("GET", None, 400, "status"),
    ("DELETE", None, 405, "허용"),
])
def test_api_answers_bad_input_with_a_json_error_never_500(app, method, body, status, words):
    path = "/api/todo?status=SOMEDAY" if method == "GET" else "/api/todo"
    resp = todo.http(method, path, json_body=None) if body is None else _raw(method, path, body)
    assert resp.status == status, resp.text
    assert words in resp.json()["error"]


def _raw(method: str, path: str, body: str) -> todo.Response:
    request = urllib.request.Request(todo.base_url() + path, data=body.encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return todo.Response(resp.status, resp.read().decode())
    except urllib.error.HTTPError as exc:
        return todo.Response(exc.code, exc.read().decode())


@pytest.mark.engine
@pytest.mark.slow
def test_unknown_path_and_bad_form_on_the_page(app):
    resp = todo.http("GET", "/api/nothing")
    assert resp.status == 404 and "경로가 없습니다" in resp.json()["error"]
    page = todo.http("POST", "/todo", form={"title": "", "content": "x"})
    assert page.status == 400 and "비어 있습니다" in page.text and 'id="col-TODO"' in page.text


@pytest.mark.engine
@pytest.mark.slow
def test_static_files_come_from_nginx_gzipped(app):
    request = urllib.request.Request(todo.base_url() + "/static/style.css", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/css")
        assert resp.headers.get("Content-Encoding") == "gzip"
        assert "X-Todo-Web" not in resp.headers  # the Python web service never saw this request
    page = todo.http("GET", "/")
    assert "X-Todo-Web" in page.headers and '/static/style.css' in page.text


@pytest.mark.engine
@pytest.mark.slow
def test_nginx_logs_json_to_stdout(app):
    task = todo.task_containers(todo.service("app", "nginx"))[0]
    todo.http("GET", "/api/health")
    out = swarm.exec_on(task.node, ["logs", "--tail", "20", task.container], stream=False, echo=False)
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines and {"time", "status", "uri", "upstream"} <= set(lines[-1])


@pytest.mark.engine
@pytest.mark.slow
def test_rolling_update_of_the_api_under_load_has_zero_failed_requests(app):
    context = todo.make_api_v2("2")
    ref = todo.build_push_api(context, "v2")
    with todo.LoadLoop(min_requests=200) as loop:
        seconds = todo.rolling_update(todo.service("app", "api"), ref)
    result = loop.result
    print(f"rolling update {seconds:.1f} s; {result.summary()}")
    assert result.total >= 200
    assert result.failed == 0, result.errors
    assert result.ok == result.total
    assert result.api_versions.get("2", 0) > 0
    health = todo.http("GET", "/api/health").json()
    assert health["version"] == "2"
    image = swarm.manager(["service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                           todo.service("app", "api")], echo=False, stream=False).stdout
    assert ":v2" in image


@pytest.mark.engine
@pytest.mark.slow
def test_stopping_a_replica_keeps_reads_working_and_swarm_replaces_it(app):
    todo_id = todo.web_add("복제 훈련 전에 쓴 할 일")
    todo.wait_row_everywhere(todo_id, "TODO")
    stopped = todo.stop_replica_task(0)
    probe = todo.probe_reads(seconds=8)
    print(probe["상태"].value_counts().to_string())
    bad = probe[probe["상태"] != 200]
    # Reads go on through the other replica; if one fails, the page says why in Korean.
    for _, row in bad.iterrows():
        assert row["상태"] in (502, 503) and re.search("[가-힣]", row["메시지"]), row.to_dict()
    assert (probe["상태"] == 200).mean() >= 0.9
    todo.wait_service(todo.service("db", "replica"), 2, timeout=120)
    tasks = todo.task_containers(todo.service("db", "replica"))
    assert stopped.container not in {t.container for t in tasks}
    rows = todo.wait_for(lambda: (r := todo.replication_rows()) and len(r) == 2
                         and all(x["IO"] == "Yes" and x["SQL"] == "Yes" for x in r) and r, timeout=120)
    assert rows, todo.replication_rows()
    table = todo.wait_row_everywhere(todo_id, "TODO")
    assert (table["status"] == "TODO").all() and len(table) == 3
    # A write after the drill reaches the replaced replica too.
    assert todo.web_move(todo_id, "PROGRESS") == 303
    assert (todo.wait_row_everywhere(todo_id, "PROGRESS")["status"] == "PROGRESS").all()


# ------------------------------------------------------------------ the same images on one engine
@pytest.mark.engine
@pytest.mark.slow
def test_dev_compose_replicates_and_a_restarted_replica_resumes(app):
    """notebooks/ch04/compose.dev.yml: the components without Swarm; a replica keeps its data and resumes."""
    from dockhelpers.compose import compose

    project = naming.name("todo-dev")
    port = naming.port(18101)
    env = {"TODO_DB_IMAGE": todo.local_image("todo-db"), "TODO_API_IMAGE": todo.local_image("todo-api"),
           "TODO_WEB_IMAGE": todo.local_image("todo-web"), "TODO_NGINX_IMAGE": todo.local_image("todo-nginx"),
           "TODO_WEB_NGINX_IMAGE": todo.local_image("todo-web-nginx"), "TODO_DEV_PORT": str(port)}
    file = todo.HERE / "compose.dev.yml"
    base = f"http://127.0.0.1:{port}"

    def post(title: str) -> int:
        request = urllib.request.Request(base + "/api/todo", data=json.dumps({"title": title}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read())["id"]

    def on_replica(index: int, todo_id: int) -> bool:
        out = subprocess.run(["docker", "exec", f"{project}-replica-{index}", "mariadb", "tododb", "-N", "-e",
                              f"SELECT COUNT(*) FROM todo WHERE id = {todo_id}"], capture_output=True, text=True)
        return out.stdout.strip() == "1"

    try:
        compose(project, "up -d --wait", file=file, env=env)
        first = post("개발 환경에서 쓴 할 일")
        assert todo.wait_for(lambda: on_replica(1, first) and on_replica(2, first), timeout=15)
        with urllib.request.urlopen(base + "/", timeout=10) as resp:
            assert resp.status == 200 and "개발 환경에서 쓴 할 일" in resp.read().decode()
        subprocess.run(["docker", "restart", "-t", "3", f"{project}-replica-1"], check=True, capture_output=True)
        second = post("재시작 뒤에 쓴 할 일")
        assert todo.wait_for(lambda: on_replica(1, first) and on_replica(1, second), timeout=60)
        logs = subprocess.run(["docker", "logs", f"{project}-replica-1"], capture_output=True, text=True)
        assert (logs.stdout + logs.stderr).count("first start: initialising") == 1  # resumed, not re-copied
    finally:
        compose(project, "down -v -t 3", file=file, env=env, check=False)
    left = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"],
                          capture_output=True, text=True).stdout.split()
    assert not left
