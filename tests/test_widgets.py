"""The ipywidgets views against the real engine: clicks change the engine's state and show the command.

Everything here is labelled as chapter 95, a test chapter of its own (tests/helpers.py wipes chapter 99 around
other tests), so the views filtered by chapter see only it.
"""

from __future__ import annotations

import io
import time

import pytest

from dockhelpers import naming, widgets
from dockhelpers.errors import NotFound
from dockhelpers.naming import BASE_IMAGE, image, labels, name
from dockhelpers.poll import poll

#: Chapter label of the resources these tests make (not 99: tests/helpers.py cleans that one).
STATS_TEST_CHAPTER = 95

pytestmark = pytest.mark.engine


def _remove(engine, n: str) -> None:
    try:
        engine.containers.get(n).remove(force=True)
    except Exception:
        pass


@pytest.fixture()
def panel_target(engine):
    n = name("t-widgets-panel")
    other = name("t-widgets-other")
    for x in (n, other):
        _remove(engine, x)
    engine.containers.run(BASE_IMAGE, ["sh", "-c", "echo hello-widget; exec sleep 600"], name=n, detach=True,
                          labels=labels(STATS_TEST_CHAPTER), stop_signal="SIGKILL")
    engine.containers.run(BASE_IMAGE, ["sleep", "600"], name=other, detach=True,
                          labels=labels(STATS_TEST_CHAPTER + 1))
    yield n
    for x in (n, other):
        _remove(engine, x)


def state(engine, n: str) -> str | None:
    try:
        return engine.containers.get(n).status
    except Exception:
        return None


def test_container_panel_lists_only_its_chapter_and_drives_the_lifecycle(engine, panel_target):
    panel = widgets.ContainerPanel(chapter=STATS_TEST_CHAPTER)
    assert "dkc-panel" in panel._dom_classes and "dkc-btn-stop" in panel.buttons["stop"]._dom_classes
    assert panel.names == [panel_target]  # the next chapter's container is not shown
    assert f"--filter label={naming.CHAPTER_LABEL}={STATS_TEST_CHAPTER}" in panel.command.value
    assert panel_target in panel.table.value

    panel.select.value = panel_target
    panel.buttons["stop"].click()
    assert state(engine, panel_target) == "exited"
    assert f"$ docker container stop {panel_target}" in panel.command.value
    assert "정지했습니다" in panel.message.value and "exited" in panel.table.value

    panel.buttons["start"].click()
    assert state(engine, panel_target) == "running"

    panel.buttons["logs"].click()
    assert "hello-widget" in panel.output.value
    assert f"docker container logs --tail 30 {panel_target}" in panel.command.value

    panel.buttons["rm"].click()  # running, no -f: the engine refuses, the panel explains in Korean
    assert state(engine, panel_target) == "running"
    assert "해결 방법" in panel.message.value and "#cf222e" in panel.message.value

    panel.force.value = True
    panel.buttons["rm"].click()
    assert state(engine, panel_target) is None
    assert f"docker container rm -f {panel_target}" in panel.command.value
    assert panel.names == [] and panel.select.value is None
    panel.buttons["stop"].click()  # nothing selected: a message, no exception
    assert "먼저 컨테이너를 고르세요" in panel.message.value


@pytest.fixture()
def test_image(engine):
    ref = image("t-widgets", "v1")
    dockerfile = f"FROM {BASE_IMAGE}\nCMD [\"true\"]\n".encode()
    engine.images.build(fileobj=io.BytesIO(dockerfile), tag=ref, labels=labels(STATS_TEST_CHAPTER), rm=True)
    yield ref
    try:
        engine.images.remove(ref, force=True)
    except Exception:
        pass


def test_image_table_shows_the_chapter_images_and_a_size_chart(test_image):
    table = widgets.ImageTable(chapter=STATS_TEST_CHAPTER)
    assert "dkc-images" in table._dom_classes
    repo, tag = test_image.rsplit(":", 1)
    assert list(table.frame["저장소(REPOSITORY)"]) == [repo] and list(table.frame["태그(TAG)"]) == [tag]
    assert f"$ docker image ls --filter label={naming.COURSE_LABEL}=true" in table.command.value
    assert bytes(table.image.value[:8]) == b"\x89PNG\r\n\x1a\n"
    table.show_all.value = True  # all images: at least the base image too
    assert len(table.frame) >= 2 and "debian" in set(table.frame["저장소(REPOSITORY)"])


@pytest.fixture()
def busy(engine):
    n = name("t-widgets-busy")
    _remove(engine, n)
    engine.containers.run(BASE_IMAGE, ["sh", "-c", "while :; do :; done"], name=n, detach=True,
                          labels=labels(STATS_TEST_CHAPTER), nano_cpus=int(0.5e9))
    yield n
    _remove(engine, n)


def test_stats_monitor_updates_from_its_thread_and_stops(busy):
    mon = widgets.StatsMonitor([busy], interval=0.5, chart_every=1.0, chart_kind="png")  # matplotlib
    try:
        assert mon.running and f"$ docker container stats {busy}" in mon.command.value
        assert mon.sampler.wait_for(3, timeout=15)
        deadline = time.monotonic() + 10  # then one more table refresh and chart redraw after that
        charts = mon.charts
        while (mon.charts <= charts or "%" not in mon.table.value) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert busy in mon.table.value and "%" in mon.table.value
        assert "dkc-stats" in mon._dom_classes and "dkc-stats-count" in mon.counter._dom_classes
        assert int(mon.counter.value.split()[-1].rstrip("개")) >= 2
        assert mon.charts >= 2 and bytes(mon.image.value[:4]) == b"\x89PNG"
        cpu = mon.frame()["cpu_percent"]
        assert len(cpu) >= 2 and 10 < cpu.mean() < 70  # capped near 50 %, less on a saturated host
    finally:
        t = time.monotonic()
        mon.stop_button.click()
        stop_seconds = time.monotonic() - t
    assert not mon.running and not mon.sampler.running and stop_seconds < 4
    assert mon.start_button.disabled is False and "Ctrl+C" in mon.status.value
    updates = mon.updates
    time.sleep(1.2)  # an observation window (two sampling intervals), not a wait for a condition
    assert mon.updates == updates  # really stopped


def test_stats_monitor_stops_by_itself_after_max_seconds(busy):
    mon = widgets.StatsMonitor([busy], interval=0.3, chart=False, max_seconds=1.0)
    mon._thread.join(5)
    assert not mon.running and not mon.sampler.running
    assert "자동으로 멈췄습니다" in mon.status.value


def test_stats_monitor_svg_chart_follows_each_engine_sample(busy):
    mon = widgets.StatsMonitor([busy])  # the default: an SVG chart the browser draws
    try:
        assert mon.sampler.wait_for(1, timeout=15)
        poll(lambda: mon.charts >= 1, 10, "첫 SVG 차트", interval=0.1)
        charts, received = mon.charts, mon.samples
        poll(lambda: mon.samples >= received + 2, 10, "표본 2개 더", interval=0.1)
        poll(lambda: mon.charts >= charts + 2, 5, "표본마다 다시 그린 차트", interval=0.1)
        assert mon.image.layout.display == "none" and mon.svg.layout.display is None
        assert mon.image.value == b""  # no PNG drawn in the kernel
        svg = mon.svg.value
        assert "<svg" in svg and svg.count("<polyline") == 2 and busy in svg  # CPU and memory lines
        assert 10 < mon.chart_latest[busy] < 70  # the busy container's newest CPU % is in the chart
        assert mon.chart_time > 0
    finally:
        mon.stop()
    assert not mon.running
    with pytest.raises(ValueError):
        widgets.StatsMonitor([busy], chart_kind="gif", autostart=False)


def test_stats_monitor_of_an_unknown_container_raises_a_korean_error():
    with pytest.raises(NotFound):
        widgets.StatsMonitor([name("t-widgets-missing")])


@pytest.mark.slow
def test_stats_monitor_pause_freezes_the_view_while_collecting_and_resume_catches_up(busy, tmp_path):
    import pandas as pd

    from dockhelpers import stats

    mon = widgets.StatsMonitor([busy], interval=0.3, chart_every=0.5)
    try:
        assert "dkc-btn-pause" in mon.pause_button._dom_classes and "dkc-btn-resume" in mon.resume_button._dom_classes
        assert mon.sampler.wait_for(2, timeout=15)
        deadline = time.monotonic() + 10
        while (mon.charts < 1 or "%" not in mon.table.value) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mon.resume_button.disabled and not mon.pause_button.disabled
        mon.pause_button.click()
        assert mon.paused and mon.running and mon.sampler.running
        assert mon.pause_button.disabled and not mon.resume_button.disabled and "일시정지" in mon.status.value
        frozen = (mon.counter.value, mon.table.value, mon.updates, mon.charts, bytes(mon.image.value))
        received = mon.samples
        poll(lambda: mon.samples >= received + 2, 15, "일시정지 중에 들어오는 표본 2개", interval=0.1)
        assert (mon.counter.value, mon.table.value, mon.updates, mon.charts, bytes(mon.image.value)) == frozen
        assert mon.samples >= received + 2  # ... but they were collected
        mon.resume_button.click()
        shown = int(mon.counter.value.split()[-1].rstrip("개"))  # the latest count (one more may arrive)
        assert not mon.paused and received + 2 <= shown <= mon.samples and mon.counter.value != frozen[0]
        assert mon.updates > frozen[2] and mon.charts > frozen[3]
        df = mon.to_dataframe()
        assert list(df.columns) == stats.COLUMNS and len(df) == mon.samples
        path = mon.to_csv(tmp_path / "stats.csv")
        back = pd.read_csv(path)
        assert path == tmp_path / "stats.csv" and len(back) >= len(df) and list(back.columns) == stats.COLUMNS
        assert set(back["name"]) == {busy} and back["cpu_percent"].max() > 10  # real figures of a busy container
        ko = pd.read_csv(mon.to_csv(tmp_path / "stats-ko.csv", korean=True), encoding="utf-8-sig")
        assert "CPU 사용률(%)" in ko.columns and "컨테이너" in ko.columns
    finally:
        mon.stop()
    assert not mon.running and not mon.paused and mon.pause_button.disabled and mon.resume_button.disabled


def test_convenience_constructors(busy):
    from dockhelpers.errors import CourseError

    mon = widgets.stats_monitor(STATS_TEST_CHAPTER, autostart=False)  # a chapter: its running containers
    try:
        assert busy in mon.sampler.names and not mon.running
        assert all(n in widgets.running_course_containers(STATS_TEST_CHAPTER) for n in mon.sampler.names)
    finally:
        mon.close()
    one = widgets.stats_monitor(busy, interval=2.0, autostart=False)  # one name
    assert one.sampler.names == [busy] and one.interval == 2.0
    one.close()
    with pytest.raises(CourseError) as info:
        widgets.stats_monitor(92)  # a chapter without running containers
    assert "92장" in info.value.message
    panel = widgets.container_panel(STATS_TEST_CHAPTER)
    assert isinstance(panel, widgets.ContainerPanel) and busy in panel.names
    table = widgets.image_table(STATS_TEST_CHAPTER)
    assert isinstance(table, widgets.ImageTable) and table.chapter == STATS_TEST_CHAPTER


# --- the lifecycle diagram: pure mapping, then a real container ---------------------------------------------

@pytest.mark.parametrize("state, event, node", [
    (None, None, "removed"),            # not created yet
    ("created", "create", "created"),
    ("running", "start", "running"),
    ("running", "kill", "running"),     # kill sent, the process has not ended yet
    ("exited", "die", "exited"),
    ("exited", "stop", "exited"),
    ("dead", None, "exited"),
    ("paused", "pause", "paused"),
    ("running", "unpause", "running"),
    ("restarting", "restart", "running"),
    ("removing", "kill", "removed"),
    ("exited", "destroy", "removed"),   # a stale state read while the container was being removed
    (None, "destroy", "removed"),
    (None, "stop", "removed"),          # a late event after the removal: it is gone
    (None, "health_status: healthy", "removed"),
    ("future-state", "pause", "paused"),  # a state this code does not know: the event decides
])
def test_lifecycle_node_from_state_and_last_event(state, event, node):
    assert widgets.lifecycle_node(state, event) == node


def test_lifecycle_edge_follows_the_move_and_restart_is_a_loop():
    assert widgets.lifecycle_edge("created", "running", "start") == ("created", "running")
    assert widgets.lifecycle_edge("running", "exited", "die") == ("running", "exited")
    assert widgets.lifecycle_edge("running", "running", "restart") == ("running", "running")
    assert widgets.lifecycle_edge("running", "running", "kill") is None
    assert widgets.lifecycle_edge(None, "running", "start") is None
    assert widgets.lifecycle_edge("paused", "removed", "destroy") is None  # not drawn
    assert widgets.lifecycle_edge("running", "removed", "destroy") == ("running", "removed")


def test_lifecycle_svg_lights_exactly_one_node_and_edge():
    svg = widgets.lifecycle_svg("paused", ("running", "paused"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("dkc-node-active") == 1 and "class='dkc-node dkc-node-active' data-state='paused'" in svg
    assert svg.count("dkc-edge-active") == 1 and "class='dkc-edge dkc-edge-active' data-edge='running-paused'" in svg
    for key, korean in widgets.LIFECYCLE_STATES.items():
        assert f"data-state='{key}'" in svg and korean in svg
    assert "dkc-edge-active" not in widgets.lifecycle_svg("removed")


def _wait_state(diagram, node: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while diagram.state != node and time.monotonic() < deadline:
        time.sleep(0.1)
    return diagram.state


def test_lifecycle_diagram_follows_a_real_container_through_the_event_stream(engine):
    n = name("t-life-follow")
    _remove(engine, n)
    diagram = widgets.lifecycle_diagram(n)  # the container does not exist yet
    try:
        assert "dkc-lifecycle" in diagram._dom_classes and diagram.running
        assert diagram.state == "removed" and diagram.engine_state is None
        assert "class='dkc-node dkc-node-active' data-state='removed'" in diagram.svg.value
        assert f"docker events --filter type=container --filter container={n}" in diagram.command.value
        c = engine.containers.run(BASE_IMAGE, ["sleep", "600"], name=n, detach=True,
                                  labels=labels(STATS_TEST_CHAPTER))
        assert _wait_state(diagram, "running") == "running"
        assert "class='dkc-node dkc-node-active' data-state='running'" in diagram.svg.value
        c.pause()
        assert _wait_state(diagram, "paused") == "paused" and diagram.edge == ("running", "paused")
        c.unpause()
        assert _wait_state(diagram, "running") == "running" and diagram.edge == ("paused", "running")
        c.stop(timeout=1)
        assert _wait_state(diagram, "exited") == "exited" and diagram.edge == ("running", "exited")
        assert "class='dkc-edge dkc-edge-active' data-edge='running-exited'" in diagram.svg.value
        c.remove()
        assert _wait_state(diagram, "removed") == "removed" and diagram.edge == ("exited", "removed")
        # The state can turn "removed" (inspect: 404) a moment before the engine's destroy event arrives.
        from dockhelpers.poll import poll_or_none
        poll_or_none(lambda: diagram.last_event == "destroy", 10, interval=0.1)
        assert diagram.last_event == "destroy" and diagram.engine_state is None
        assert [e.split()[-1] for e in diagram.events][-1] == "destroy", diagram.events
        assert "destroy" in diagram.event_log.value
    finally:
        _remove(engine, n)
        t = time.monotonic()
        diagram.stop()
        stop_seconds = time.monotonic() - t
    assert not diagram.running and stop_seconds < 3 and diagram._stream is None
