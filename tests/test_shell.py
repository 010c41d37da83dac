"""The CLI layer shows the exact command, streams output, and raises Korean errors."""

import json

import pytest

from dockhelpers import errors, shell


@pytest.mark.engine
def test_docker_shows_command_and_returns_output(capsys):
    result = shell.docker("version --format '{{.Server.Os}}'")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "$ docker version --format '{{.Server.Os}}'"  # shown as written
    assert result.ok and result.stdout.strip() == "linux"
    shell.docker(["version", "--format", "{{.Client.Os}} x"], stream=False)
    assert capsys.readouterr().out.splitlines()[0] == "$ docker version --format '{{.Client.Os}} x'"  # quoted


@pytest.mark.engine
def test_failure_raises_translated_error():
    with pytest.raises(errors.NotFound) as info:
        shell.docker("container inspect dkc-does-not-exist", stream=False)
    assert "찾을 수 없습니다" in info.value.message


def test_check_false_returns_the_failure():
    result = shell.run(["sh", "-c", "echo out; echo err >&2; exit 3"], check=False, echo=False, stream=False)
    assert result.returncode == 3 and result.stdout == "out\n" and result.stderr == "err\n"


def test_timeout_stops_the_command():
    with pytest.raises(errors.CourseError, match="초 안에 끝나지 않아"):
        shell.run(["sleep", "5"], timeout=0.5, echo=False)


def test_missing_program_is_a_course_error():
    with pytest.raises(errors.CourseError) as caught:
        shell.run(["dkc-no-such-program"], echo=False)
    # The advice names the missing program, not the Docker CLI (curl missing is not a Docker problem).
    assert "dkc-no-such-program" in str(caught.value) and "도커 CLI" not in str(caught.value)


def test_non_docker_commands_are_recorded_with_time_offsets(tmp_path, monkeypatch):
    monkeypatch.setenv(shell.RECORD_ENV, str(tmp_path))
    monkeypatch.setenv(shell.SESSION_ENV, "ch02")
    shell.run(["sh", "-c", "echo first; sleep 0.3; echo second >&2"], stream=False)
    shell.docker("version --format '{{.Client.Os}}'", stream=False)  # recorded by the endpoint, not here
    lines = (tmp_path / "ch02.shell.jsonl").read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["argv"][0] == "sh" and entry["returncode"] == 0
    (t1, s1, l1), (t2, s2, l2) = entry["out"]
    assert (s1, l1, s2, l2) == ("out", "first", "err", "second") and t2 - t1 >= 0.25


def test_nothing_is_recorded_without_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv(shell.RECORD_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    shell.run("echo quiet", stream=False)
    assert not list(tmp_path.rglob("*.jsonl"))
