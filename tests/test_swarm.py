"""The chapter 3 Swarm lab (dockhelpers.swarm) and its live view (dockhelpers.swarmview).

The engine tests use the real Docker-in-Docker lab that the test session shares (``swarm_lab`` in
``tests/conftest.py``: its own name prefix and port offset, so it never touches a notebook's lab).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from dockhelpers import inspection, naming, swarm, swarmview
from dockhelpers.endpoint import marker
from dockhelpers.poll import poll
from helpers import SWARM_LAB

#: The compose-file test renders the lab's file under a prefix of its own (no lab is brought up for it).
LAB_PREFIX = SWARM_LAB[naming.PREFIX_ENV]



# ------------------------------------------------------------------------------------- pure functions
NODES = [
    {"Hostname": "worker02", "Status": "Down", "Availability": "Active", "ManagerStatus": ""},
    {"Hostname": "manager", "Status": "Ready", "Availability": "Active", "ManagerStatus": "Leader"},
    {"Hostname": "worker01", "Status": "Ready", "Availability": "Active", "ManagerStatus": ""},
    {"Hostname": "worker02", "Status": "Ready", "Availability": "Active", "ManagerStatus": ""},
]
TASKS = [
    {"Name": "echo.2", "Node": "worker01", "CurrentState": "Running 5 seconds ago", "DesiredState": "Running"},
    {"Name": "echo.10", "Node": "worker01", "CurrentState": "Running 5 seconds ago", "DesiredState": "Running"},
    {"Name": "echo.1", "Node": "manager", "CurrentState": "Preparing 1 second ago", "DesiredState": "Running"},
    {"Name": "proxy_nginx.1", "Node": "", "CurrentState": "Pending 1 second ago", "DesiredState": "Running"},
]


def test_model_orders_managers_first_and_dedupes_rejoined_nodes():
    model = swarmview.build_model(NODES, TASKS)
    assert [c.hostname for c in model] == ["manager", "worker01", "worker02", "(대기)"]
    assert {c.hostname: c.status for c in model}["worker02"] == "Ready"
    w1 = next(c for c in model if c.hostname == "worker01")
    assert [t.slot for t in w1.tasks] == ["2", "10"]  # numeric slot order
    assert model[0].role == "manager" and model[0].tasks[0].service == "echo"


def test_render_colours_by_service_and_marks_states():
    model = swarmview.build_model(NODES, TASKS)
    page = swarmview.render_html(model, "메모")
    palette = swarmview.colors(model)
    assert set(palette) == {"echo", "proxy_nginx"} and len(set(palette.values())) == 2
    assert page.count('class="dkc-task"') == 4 and page.count('class="dkc-node"') == 4
    assert 'data-state="Preparing"' in page and 'data-state="Running"' in page
    assert palette["echo"] in page and "메모" in page
    assert "태스크 없음" in page  # worker02 has no tasks


def test_parse_json_lines_skips_noise():
    text = '{"a": 1}\n\nWARNING: something\n{"b": 2}\n'
    assert swarmview.parse_json_lines(text) == [{"a": 1}, {"b": 2}]


def test_view_widget_updates_from_thread_and_stops():
    calls = []

    def source():
        calls.append(time.monotonic())
        return NODES, TASKS

    view = swarmview.view(interval=0.05, source=source)
    try:
        assert "dkc-swarmview" in view._dom_classes
        poll(lambda: view.updates >= 3, 5, "스웜 보기의 세 번째 갱신", interval=0.02)
        assert 'data-node="manager"' in view.board.value
    finally:
        view.stop()
    assert not view.running
    n = len(calls)
    time.sleep(0.2)  # an observation window (four refresh intervals), not a wait for a condition
    assert len(calls) == n  # no refresh after stop


def test_view_reports_errors_instead_of_dying():
    def broken():
        raise RuntimeError("no manager")

    view = swarmview.view(interval=0.05, source=broken)
    try:
        poll(lambda: "연결할 수 없습니다" in view.status.value, 5, "스웜 보기의 오류 표시", interval=0.02)
        assert view.running
    finally:
        view.stop()


def test_names_and_ports_come_from_naming(monkeypatch):
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s07")
    monkeypatch.setenv(naming.PORT_OFFSET_ENV, "700")
    assert swarm.node_container("worker01") == "dkc-s07-worker01"
    assert swarm.node_container("registry") == "dkc-s07-swarm-registry"  # dkc-registry is chapter 2's
    assert swarm.project() == "dkc-s07-swarm"
    assert swarm.registry_host() == "127.0.0.1:15700"
    assert swarm.manager_port(8003) == 18703
    env = swarm.compose_env()
    assert env["DKC_REGISTRY_PUBLISH"] == "127.0.0.1:15700:5000"
    assert env["DKC_MANAGER_PUBLISH"] == "127.0.0.1:18700-18709:8000-8009"
    with pytest.raises(Exception):
        swarm.node_container("worker09")
    with pytest.raises(ValueError):
        swarm.manager_port(9000)


@pytest.mark.engine
@pytest.mark.parametrize("mode", swarm.MODES)
def test_compose_file_labels_binds_and_names(monkeypatch, mode):
    for key, value in SWARM_LAB.items():
        monkeypatch.setenv(key, value)
    out = subprocess.run(["docker", *swarm.compose_args(mode), "config", "--format", "json"], capture_output=True,
                         text=True, env={**__import__("os").environ, **swarm.compose_env()}, check=True).stdout
    cfg = json.loads(out)
    assert cfg["name"] == f"{LAB_PREFIX}-swarm"
    assert set(cfg["services"]) == {"registry", "manager", "worker01", "worker02", "worker03"}
    for name, svc in cfg["services"].items():
        # nodes also carry the lab token that lets the course endpoint accept their host-level settings
        token = {} if name == "registry" else {marker.LAB_LABEL: marker.lab_token()}
        assert svc["labels"] == {**naming.labels(3), **token}, name
        assert svc["container_name"] == f"{LAB_PREFIX}-{'swarm-registry' if name == 'registry' else name}"
        for p in svc.get("ports", []):
            assert p["host_ip"] == "127.0.0.1", (name, p)
        if name != "registry":
            assert any(v["target"] == "/var/lib/docker" and v["type"] == "volume" for v in svc["volumes"])
            assert svc.get("privileged", False) is (mode == "privileged")
    for section in ("volumes", "networks"):
        for name, item in cfg[section].items():
            assert item["labels"] == naming.labels(3), name


# ---------------------------------------------------------------------------------------- real lab
@pytest.fixture
def lab(swarm_lab):
    """The shared lab (tests/conftest.py), under its own prefix and port offset."""
    return swarm_lab


@pytest.mark.engine
@pytest.mark.slow
def test_up_reports_mode_and_all_nodes_ready(lab):
    assert lab.mode in swarm.MODES
    assert lab.registry == f"127.0.0.1:{naming.port(15000)}"
    assert lab.nodes == ["manager", "worker01", "worker02", "worker03"]
    df = swarm.status()
    assert sorted(df["HOSTNAME"]) == lab.nodes and set(df["STATUS"]) == {"Ready"}
    assert (df["MANAGER STATUS"] == "Leader").sum() == 1


@pytest.mark.engine
@pytest.mark.slow
def test_lab_is_local_only(lab):
    for node in ["registry", *lab.nodes]:
        attrs = json.loads(subprocess.run(["docker", "container", "inspect", swarm.node_container(node)],
                                          capture_output=True, text=True, check=True).stdout)[0]
        for bindings in (attrs["HostConfig"].get("PortBindings") or {}).values():
            assert all(b["HostIp"] == "127.0.0.1" for b in bindings), node
        assert attrs["Config"]["Labels"][naming.COURSE_LABEL] == "true"
    # the inner daemons listen on their Unix socket only
    res = swarm.exec_on("worker01", ["info", "--format", "{{json .}}"], echo=False, stream=False)
    assert "tcp://" not in subprocess.run(["docker", "exec", swarm.node_container("worker01"), "cat",
                                           "/proc/1/cmdline"], capture_output=True, text=True).stdout
    info = json.loads(res.stdout)
    assert info["Driver"] == "overlay2"  # /var/lib/docker is a volume, not vfs
    assert "registry:5000" in json.dumps(info["RegistryConfig"])


def _started_at(node: str) -> tuple[str, str]:
    """The node container's ID and start time (``docker container inspect``)."""
    attrs = inspection.container(swarm.node_container(node))
    return attrs["Id"], attrs["State"]["StartedAt"]


@pytest.mark.engine
@pytest.mark.slow
def test_up_is_idempotent(lab):
    before = swarm.status(show=False)
    started_at = {node: _started_at(node) for node in ["registry", *lab.nodes]}
    again = swarm.up()
    assert again.mode == lab.mode
    assert {node: _started_at(node) for node in started_at} == started_at  # no container made or restarted
    after = swarm.status(show=False)
    assert sorted(after["ID"]) == sorted(before["ID"])  # no new swarm, no re-joined nodes


@pytest.mark.engine
@pytest.mark.slow
def test_failure_drill_converges_on_remaining_nodes(lab):
    ref = swarm.push(naming.image("echo"), "test/echo:latest")
    assert ref == "registry:5000/test/echo:latest"
    swarm.exec_on("worker01", ["image", "pull", ref])
    name = naming.name("drill")
    swarm.manager(["service", "rm", name], check=False, echo=False, stream=False)
    swarm.manager(["service", "create", "--detach", "--replicas", "6", "--name", name, *naming.label_args(3), ref])
    try:
        swarm.wait_service(name, 6, timeout=120)
        nodes, tasks = swarmview.snapshot()  # the live view's data, read from the real manager
        model = swarmview.build_model(nodes, tasks)
        assert [c.hostname for c in model] == ["manager", "worker01", "worker02", "worker03"]
        assert sum(1 for c in model for t in c.tasks if t.service == name) == 6
        assert swarmview.render_html(model).count(f'data-service="{name}"') == 6
        counts = swarm.running_replicas(name)
        victim = max((n for n in counts if n != "manager"), key=lambda n: counts[n])
        subprocess.run(["docker", "container", "stop", swarm.node_container(victim)], check=True)
        try:
            swarm.wait_node(victim, "Down", timeout=60)
            seconds = swarm.wait_service(name, 6, timeout=90)
            after = swarm.running_replicas(name)
            assert sum(after.values()) == 6 and victim not in after
            assert set(after) <= {"manager", "worker01", "worker02", "worker03"} - {victim}
            print(f"failure drill: 6 replicas Running again {seconds:.1f} s after {victim} was Down")
        finally:
            subprocess.run(["docker", "container", "start", swarm.node_container(victim)], check=True)
        swarm.wait_node(victim, "Ready", timeout=60)  # the restarted node rejoins (stale pid files removed)
    finally:
        swarm.manager(["service", "rm", name], check=False)


@pytest.mark.engine
@pytest.mark.slow
def test_stack_deploy_and_rm(lab, tmp_path):
    ref = swarm.push(naming.image("echo"), "test/echo:latest")
    stack = tmp_path / "stack.yaml"
    stack.write_text(
        "services:\n  api:\n    image: ${IMAGE}\n    environment:\n      ECHO_MESSAGE: from-stack\n"
        "    deploy:\n      replicas: 2\n      endpoint_mode: ${ENDPOINT_MODE}\n"
        f"      labels: {{{naming.COURSE_LABEL}: 'true', {naming.CHAPTER_LABEL}: '03'}}\n",
        encoding="utf-8")
    swarm.stack_deploy("t3", stack, env={"IMAGE": ref, **swarm.network_modes()})
    try:
        swarm.wait_service("t3_api", 2, timeout=90)
        out = swarm.manager(["stack", "services", "t3", "--format", "{{.Name}} {{.Replicas}}"],
                            echo=False, stream=False).stdout
        assert "t3_api 2/2" in out
    finally:
        swarm.stack_rm("t3")
    assert "t3_api" not in swarm.manager(["service", "ls"], echo=False, stream=False).stdout


@pytest.mark.engine
def test_wait_service_fails_in_korean_for_a_missing_image(lab):
    name = naming.name("missing")
    swarm.manager(["service", "create", "--detach", "--name", name, "registry:5000/nope/nothing:latest"])
    try:
        with pytest.raises(swarm.CourseError) as err:
            swarm.wait_service(name, 1, timeout=8)
        assert "레플리카" in err.value.message
    finally:
        swarm.manager(["service", "rm", name], check=False)


def test_up_rejects_bad_arguments():
    with pytest.raises(swarm.CourseError):
        swarm.up(workers=5)
    with pytest.raises(swarm.CourseError):
        swarm.up(mode="vm")
