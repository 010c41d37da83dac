"""Names, labels and ports come from one place and honour the classroom overrides."""

from dockhelpers import naming


def test_defaults(monkeypatch):
    monkeypatch.delenv(naming.PREFIX_ENV, raising=False)  # the defaults, whatever this session's prefix
    monkeypatch.delenv(naming.PORT_OFFSET_ENV, raising=False)
    assert naming.name("echo") == "dkc-echo"
    assert naming.image("echo", "v1") == "dkc/echo:v1"
    assert naming.labels(2) == {"kr.dockercourse.managed": "true", "kr.dockercourse.prefix": "dkc",
                                "kr.dockercourse.chapter": "02"}
    assert naming.label_args(3) == ["--label", "kr.dockercourse.managed=true", "--label", "kr.dockercourse.prefix=dkc",
                                    "--label", "kr.dockercourse.chapter=03"]
    # With the default prefix, cleanup and listings select every course resource.
    assert naming.label_filters(3) == ["kr.dockercourse.managed=true", "kr.dockercourse.chapter=03"]
    assert naming.publish(9000, 8080) == "127.0.0.1:9000:8080"


def test_classroom_prefix_and_port_offset(monkeypatch):
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s07")
    monkeypatch.setenv(naming.PORT_OFFSET_ENV, "700")
    assert naming.name("echo") == "dkc-s07-echo"
    assert naming.image("echo") == "dkc-s07/echo:latest"
    assert naming.port(9000) == 9700
    assert naming.publish(9000, 8080) == "127.0.0.1:9700:8080"
    # One student's listings and cleanup select only that student's resources.
    assert naming.labels(2)["kr.dockercourse.prefix"] == "dkc-s07"
    assert "kr.dockercourse.prefix=dkc-s07" in naming.label_filters(2)


def test_separate_lab_environment_stays_beside_the_current_one(monkeypatch):
    monkeypatch.delenv(naming.PREFIX_ENV, raising=False)
    monkeypatch.delenv(naming.PORT_OFFSET_ENV, raising=False)
    assert naming.separate("t3", 300) == {naming.PREFIX_ENV: "dkc-t3", naming.PORT_OFFSET_ENV: "300"}
    monkeypatch.setenv(naming.PREFIX_ENV, "dkc-s07")
    monkeypatch.setenv(naming.PORT_OFFSET_ENV, "700")
    assert naming.port_offset() == 700
    assert naming.separate("t3", 300) == {"DOCKHELPERS_PREFIX": "dkc-s07-t3", "DOCKHELPERS_PORT_OFFSET": "1000"}


def test_short_takes_off_the_prefix_and_a_replay_s_earlier_one(monkeypatch):
    monkeypatch.delenv(naming.PREFIX_ENV, raising=False)
    monkeypatch.delenv(naming.PREFIX_BEFORE_ENV, raising=False)
    assert naming.short("dkc-ex-echo") == "ex-echo"
    assert naming.short("other-ex-echo") == "other-ex-echo"
    monkeypatch.setenv(naming.PREFIX_BEFORE_ENV, "dkc-s07")  # a student's kernel replaying a recording
    assert naming.short("dkc-s07-ex-echo") == "ex-echo"
    assert naming.short("dkc-ex-echo") == "ex-echo"
