"""The CLI layer shows the exact command, streams output, and raises Korean errors."""

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
    with pytest.raises(errors.CourseError):
        shell.run(["dkc-no-such-program"], echo=False)
