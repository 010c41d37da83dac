"""Stats math on raw dicts captured from a real engine, and the live sampler against the running engine."""

from __future__ import annotations

import copy
import json
import pathlib
import subprocess
import time

import pytest

from dockhelpers import stats
from dockhelpers.errors import CourseError, NotFound
from dockhelpers.naming import BASE_IMAGE, labels, name

#: Chapter label of the resources these tests make (not 99: tests/helpers.py cleans that one).
STATS_TEST_CHAPTER = 95

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "stats_samples.json").read_text(encoding="utf-8"))


# --- unit: pure functions on captured samples --------------------------------------------------------------

def test_fixture_is_a_real_cgroup_v1_capture():
    assert DATA["cgroup_version"] == "1"
    assert DATA["engine"]["ApiVersion"]
    assert "total_inactive_file" in DATA["busy"][1]["memory_stats"]["stats"]


def test_first_streamed_sample_has_no_cpu_figure_and_is_skipped():
    first = DATA["busy"][0]
    assert stats.is_running(first)
    assert not stats.has_previous(first)
    assert stats.cpu_percent(first) is None
    assert stats.to_row(first) is None


def test_cpu_percent_uses_the_cli_formula():
    raw = DATA["busy"][2]
    cur, pre = raw["cpu_stats"], raw["precpu_stats"]
    expected = ((cur["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"])
                / (cur["system_cpu_usage"] - pre["system_cpu_usage"]) * cur["online_cpus"] * 100)
    assert stats.cpu_percent(raw) == pytest.approx(expected)


def test_cpu_percent_of_a_container_limited_to_half_a_cpu_is_near_50():
    values = [stats.cpu_percent(raw) for raw in DATA["busy"][1:]]
    assert all(v is not None for v in values)
    assert 35 < sum(values) / len(values) < 65, values


def test_cpu_percent_falls_back_to_percpu_length_and_is_zero_without_progress():
    raw = copy.deepcopy(DATA["busy"][2])
    online = raw["cpu_stats"].pop("online_cpus")
    assert len(raw["cpu_stats"]["cpu_usage"]["percpu_usage"]) == online
    assert stats.cpu_percent(raw) == pytest.approx(stats.cpu_percent(DATA["busy"][2]))
    raw["cpu_stats"]["cpu_usage"]["total_usage"] = raw["precpu_stats"]["cpu_usage"]["total_usage"]
    assert stats.cpu_percent(raw) == 0.0


def test_memory_matches_what_the_cli_printed_for_the_same_container():
    raw = DATA["limited_after_cli"]
    mem_cli, perc_cli, block_cli, pids_cli = DATA["limited_cli"].split("|")
    mem = raw["memory_stats"]
    assert stats.memory_usage(raw) == mem["usage"] - mem["stats"]["total_inactive_file"]
    assert stats.memory_limit(raw) == 64 * 1024 * 1024
    row = stats.to_row(raw)
    cells = stats.cli_cells(row)
    assert cells["MEM USAGE / LIMIT"] == mem_cli
    assert cells["MEM %"] == perc_cli
    assert cells["BLOCK I/O"] == block_cli
    assert cells["PIDS"] == pids_cli


def test_memory_without_cache_on_cgroup_v2_uses_inactive_file():
    # cgroup v2 shape (no total_* keys); this engine runs cgroup v1, so the dict is derived by hand.
    raw = copy.deepcopy(DATA["limited_after_cli"])
    v1 = raw["memory_stats"]["stats"]
    raw["memory_stats"]["stats"] = {"anon": v1["total_rss"], "file": v1["total_cache"],
                                    "active_file": v1["total_active_file"], "inactive_file": 1_000_000}
    assert stats.memory_usage(raw) == raw["memory_stats"]["usage"] - 1_000_000
    raw["memory_stats"]["stats"]["inactive_file"] = raw["memory_stats"]["usage"] + 1  # never negative
    assert stats.memory_usage(raw) == raw["memory_stats"]["usage"]


def test_block_io_sums_read_and_write_entries_only():
    raw = copy.deepcopy(DATA["limited_after_cli"])
    raw["blkio_stats"]["io_service_bytes_recursive"] = [
        {"major": 8, "minor": 0, "op": "Read", "value": 1000}, {"major": 8, "minor": 0, "op": "Write", "value": 20},
        {"major": 8, "minor": 0, "op": "Sync", "value": 7}, {"major": 8, "minor": 0, "op": "Total", "value": 1020},
        {"major": 8, "minor": 16, "op": "read", "value": 5}, {"major": 8, "minor": 16, "op": "write", "value": 3},
    ]
    assert stats.block_io(raw) == (1005, 23)
    assert stats.block_io(DATA["stopped"][0]) == (0, 0)  # null lists on a stopped container


def test_network_sums_interfaces():
    raw = copy.deepcopy(DATA["busy"][1])
    raw["networks"]["eth1"] = {"rx_bytes": 10, "tx_bytes": 4}
    rx, tx = stats.network_io(DATA["busy"][1])
    assert stats.network_io(raw) == (rx + 10, tx + 4)


def test_stopped_container_sample_shows_dashes_like_the_cli():
    raw = DATA["stopped"][0]
    assert not stats.is_running(raw)
    assert stats.to_row(raw) is None
    cells = stats.cli_cells(None, "dkc-x", "abcdef0123456789")
    assert cells["CPU %"] == "--" and cells["MEM USAGE / LIMIT"] == "-- / --" and cells["CONTAINER ID"] == "abcdef012345"


@pytest.mark.parametrize("size, text", [(0, "0B"), (1023, "1023B"), (1331200, "1.27MiB"), (67108864, "64MiB"),
                                        (25276514304, "23.54GiB")])
def test_bytes_size_like_the_cli(size, text):
    assert stats.bytes_size(size) == text


@pytest.mark.parametrize("size, text", [(0, "0B"), (200, "200B"), (1234, "1.23kB"), (25_200_000, "25.2MB"),
                                        (999_999, "1e+03kB")])
def test_human_size_like_the_cli(size, text):
    assert stats.human_size(size) == text


def test_parse_time_keeps_microseconds_of_nanosecond_times():
    t = stats.parse_time("2026-11-29T11:42:43.047577561Z")
    assert (t.second, t.microsecond, t.utcoffset().total_seconds()) == (43, 47577, 0)
    assert stats.parse_time("2026-11-29T11:42:43Z").microsecond == 0


def test_rows_make_a_tidy_frame_with_korean_headers():
    start = stats.parse_time(DATA["busy"][1]["read"])
    rows = [stats.to_row(r, start) for r in DATA["busy"][1:]]
    df = stats.frame(rows)
    assert list(df.columns) == stats.COLUMNS and len(df) == 4
    assert df["elapsed"].iloc[0] == 0 and 2.5 < df["elapsed"].iloc[-1] < 3.5
    assert set(df["name"]) == {"dkc-t-capture-busy"}  # the name it had when the sample was captured
    assert "CPU 사용률(%)" in stats.korean(df).columns
    assert list(stats.cli_table(rows).columns) == stats.CLI_HEADERS


# --- engine: the live sampler ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def probes(engine):
    """A container busy on half a CPU and an idle one, labelled as chapter 95 (these tests' own)."""
    names = {"busy": name("t-stats-busy"), "idle": name("t-stats-idle")}
    for n in names.values():
        try:
            engine.containers.get(n).remove(force=True)
        except Exception:
            pass
    made = [
        engine.containers.run(BASE_IMAGE, ["sh", "-c", "while :; do :; done"], name=names["busy"],
                              nano_cpus=int(0.5e9), detach=True, labels=labels(STATS_TEST_CHAPTER)),
        engine.containers.run(BASE_IMAGE, ["sleep", "600"], name=names["idle"], detach=True,
                              labels=labels(STATS_TEST_CHAPTER)),
    ]
    yield names
    for c in made:
        try:
            c.remove(force=True)
        except Exception:
            pass


@pytest.mark.engine
def test_sampler_streams_real_figures_and_stops_promptly(probes):
    sampler = stats.StatsSampler([probes["busy"], probes["idle"]])
    assert sampler.command() == f"docker container stats {probes['busy']} {probes['idle']}"
    sampler.start()
    try:
        assert sampler.wait_for(3, timeout=15), sampler.state()
    finally:
        t = time.monotonic()
        sampler.stop()
        stop_seconds = time.monotonic() - t
    assert not sampler.running and stop_seconds < 3
    df = sampler.frame()
    busy = df[df["name"] == probes["busy"]]
    idle = df[df["name"] == probes["idle"]]
    # --cpus 0.5 caps it near 50 %; on a saturated shared host (load 10 on 2 cores measured) it gets less.
    assert 10 < busy["cpu_percent"].mean() < 70, busy["cpu_percent"].tolist()
    assert idle["cpu_percent"].max() < 10
    assert (df["pids"] >= 1).all() and (df["mem_usage"] > 0).all()
    assert busy["elapsed"].is_monotonic_increasing
    assert set(sampler.state().values()) == {"실행 중"}


@pytest.mark.engine
def test_snapshot_matches_cli_memory(probes):
    """The helper's memory column is the CLI's (``usage - inactive_file``, formatted alike).

    Even an idle ``sleep`` sometimes changes its figure (380 KiB, then 736 KiB, seen in a run), so the helper's
    reading is compared when the CLI reads the same figure right before and right after it (how fast the
    snapshot is, against the CLI, is for ``make bench``).
    """
    def cli() -> str:
        return subprocess.run(["docker", "container", "stats", "--no-stream", "--format", "{{.MemUsage}}",
                               probes["idle"]], capture_output=True, text=True, check=True).stdout.strip()

    readings = []
    for _ in range(4):
        before = cli()
        table = stats.snapshot([probes["idle"], probes["busy"]], echo=False)
        after = cli()
        readings.append((before, table["MEM USAGE / LIMIT"].iloc[0], after))
        if before == after:
            break
    assert table["NAME"].tolist() == [probes["idle"], probes["busy"]]
    before, helper, after = readings[-1]
    assert before == after, f"the idle container's memory never held still: {readings}"
    assert helper == before, readings


@pytest.mark.engine
def test_sampler_reports_a_stopped_container_with_dashes(engine):
    n = name("t-stats-stopping")
    try:
        engine.containers.get(n).remove(force=True)
    except Exception:
        pass
    c = engine.containers.run(BASE_IMAGE, ["sleep", "600"], name=n, detach=True, labels=labels(STATS_TEST_CHAPTER))
    try:
        with stats.StatsSampler([n]) as sampler:
            assert sampler.wait_for(1)
            c.kill()
            deadline = time.monotonic() + 10
            while sampler.state()[n] != "정지됨" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert sampler.state()[n] == "정지됨"
            assert sampler.table()["CPU %"].tolist() == ["--"]
    finally:
        c.remove(force=True)


@pytest.mark.engine
def test_unknown_container_gives_a_korean_error(engine):
    with pytest.raises(NotFound) as info:
        stats.StatsSampler([name("t-stats-does-not-exist")])
    assert "찾을 수 없습니다" in info.value.message
    with pytest.raises(CourseError):
        stats.StatsSampler([])


@pytest.mark.engine
def test_stats_stream_adapter_closes_from_another_thread(probes, engine):
    import threading

    from dockhelpers import statsstream

    stream = statsstream.StatsStream(engine.api, probes["idle"])
    got: list[dict] = []
    ended = threading.Event()

    def read() -> None:
        try:
            for raw in stream:
                got.append(raw)
        except Exception:  # the closed socket may surface as an error in the reader: that is the point
            pass
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while len(got) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(got) >= 2 and got[0]["name"].lstrip("/") == probes["idle"]
    assert not stats.has_previous(got[0]) and stats.has_previous(got[1])  # the first sample has no precpu
    t = time.monotonic()
    stream.close()  # from this thread, while the reader is blocked on the socket
    assert ended.wait(3), "the reader stayed blocked after close()"
    assert time.monotonic() - t < 3 and stream.closed
    stream.close()  # twice is fine


@pytest.mark.engine
def test_one_shot_is_the_public_api_and_has_no_cpu_figure(probes, engine):
    from dockhelpers import statsstream

    raw = statsstream.one_shot(engine.api, probes["busy"])
    assert stats.is_running(raw) and not stats.has_previous(raw) and stats.to_row(raw) is None
    assert stats.memory_usage(raw) > 0


@pytest.mark.engine
def test_snapshot_of_an_unknown_container_gives_a_korean_error():
    with pytest.raises(NotFound) as info:
        stats.snapshot([name("t-stats-does-not-exist")], echo=False)
    assert "찾을 수 없습니다" in info.value.message
    with pytest.raises(CourseError):
        stats.snapshot([], echo=False)


# --- unit: real cgroup v2 payloads captured by others (this host is cgroup v1 only) -------------------------

V2 = json.loads((pathlib.Path(__file__).parent / "data" / "stats_v2_sample.json").read_text(encoding="utf-8"))


def test_v2_fixture_is_a_real_cgroup_v2_capture_with_its_source():
    assert V2["_source"] and V2["one_shot"]["_source"].startswith("https://")
    assert "locator_ros_bridge" in V2["streamed"]["_source"]
    for sample in (V2["one_shot"]["raw"], V2["streamed"]["raw"]):
        detail = sample["memory_stats"]["stats"]
        assert {"inactive_file", "anon", "file"} <= set(detail)
        assert not any(key.startswith("total_") for key in detail)  # v1 keys are absent
        assert "percpu_usage" not in sample["cpu_stats"]["cpu_usage"]  # not reported on v2


def test_v2_memory_is_usage_minus_inactive_file_and_matches_the_cli_line():
    raw, cli = V2["one_shot"]["raw"], V2["one_shot"]["_cli"]
    # By hand: usage 20103168 - inactive_file 6668288 = 13434880 B = 12.8125 MiB; limit 11413270528 B.
    assert stats.memory_usage(raw) == 13_434_880
    assert stats.memory_usage(raw) != 20_103_168 - 11_812_864  # not usage - file (that is all page cache)
    assert stats.memory_limit(raw) == 11_413_270_528
    assert stats.memory_percent(raw) == pytest.approx(13_434_880 / 11_413_270_528 * 100)  # 0.1177 %
    assert f"{stats.bytes_size(stats.memory_usage(raw))} / {stats.bytes_size(stats.memory_limit(raw))}" \
        == cli["MEM USAGE / LIMIT"] == "12.81MiB / 10.63GiB"
    assert f"{stats.memory_percent(raw):.2f}%" == cli["MEM %"]
    rx, tx = stats.network_io(raw)
    assert f"{stats.human_size(rx)} / {stats.human_size(tx)}" == cli["NET I/O"]
    rd, wr = stats.block_io(raw)  # lower-case v2 ops over two devices: 155594752 + 12849152 read
    assert (rd, wr) == (168_443_904, 13_348_864)
    assert f"{stats.human_size(rd)} / {stats.human_size(wr)}" == cli["BLOCK I/O"]
    assert str(stats.pids(raw)) == cli["PIDS"]


def test_v2_one_shot_sample_has_no_cpu_figure():
    raw = V2["one_shot"]["raw"]
    assert stats.is_running(raw) and not stats.has_previous(raw)
    assert stats.cpu_percent(raw) is None and stats.to_row(raw) is None


def test_v2_streamed_sample_cpu_percent_by_hand():
    raw = V2["streamed"]["raw"]
    # By hand: cpu_delta = 642927970000 - 642879882000 = 48088000 ns;
    # system_delta = 469471360000000 - 469439500000000 = 31860000000 ns; 32 online CPUs, no percpu_usage.
    expected = 48_088_000 / 31_860_000_000 * 32 * 100  # 4.8299 %
    assert stats.cpu_percent(raw) == pytest.approx(expected) == pytest.approx(4.82993, abs=1e-5)
    row = stats.to_row(raw)
    assert row is not None and row["name"] == "BoschRexrothLocalizationServer"
    assert row["mem_usage"] == 324_579_328 - 39_002_112 == 285_577_216
    assert row["mem_limit"] == 0 and row["mem_percent"] == 0.0  # the garbled limit was left out
    cells = stats.cli_cells(row)
    assert cells["CPU %"] == "4.83%" and cells["MEM USAGE / LIMIT"].startswith("272.3MiB")  # 285577216 / 2**20 = 272.35
    assert cells["BLOCK I/O"] == "113MB / 14.9MB" and cells["PIDS"] == "510"
