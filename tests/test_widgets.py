"""The ipywidgets views against the real engine: clicks change the engine's state and show the command.

Everything here is labelled as chapter 95, a test chapter of its own (tests/helpers.py wipes chapter 99 around
other tests), so the views filtered by chapter see only it.
"""

from __future__ import annotations

import io
import time

import pytest

from dockhelpers import widgets
from dockhelpers.errors import NotFound
from dockhelpers.naming import BASE_IMAGE, image, labels, name

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
    assert f"--filter label=kr.dockercourse.chapter={STATS_TEST_CHAPTER}" in panel.command.value
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
    assert "$ docker image ls --filter label=kr.dockercourse.managed=true" in table.command.value
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
    mon = widgets.StatsMonitor([busy], interval=0.5, chart_every=1.0)
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
        assert len(cpu) >= 2 and 30 < cpu.mean() < 70
    finally:
        t = time.monotonic()
        mon.stop_button.click()
        stop_seconds = time.monotonic() - t
    assert not mon.running and not mon.sampler.running and stop_seconds < 4
    assert mon.start_button.disabled is False and "Ctrl+C" in mon.status.value
    updates = mon.updates
    time.sleep(1.2)
    assert mon.updates == updates  # really stopped


def test_stats_monitor_stops_by_itself_after_max_seconds(busy):
    mon = widgets.StatsMonitor([busy], interval=0.3, chart=False, max_seconds=1.0)
    mon._thread.join(5)
    assert not mon.running and not mon.sampler.running
    assert "자동으로 멈췄습니다" in mon.status.value


def test_stats_monitor_of_an_unknown_container_raises_a_korean_error():
    with pytest.raises(NotFound):
        widgets.StatsMonitor([name("t-widgets-missing")])
