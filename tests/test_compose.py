"""Compose v2 through the CLI plugin, with an explicit project name and streamed output."""

import pytest

from dockhelpers import compose, errors, naming
from conftest import ROOT
from helpers import cleaned

pytestmark = pytest.mark.engine
FILE = ROOT / "tests" / "fixtures" / "compose" / "compose.yaml"


def test_command_shape():
    argv = compose.compose_command("dkc-x", "up -d --build", file="compose.yaml")
    assert argv == ["docker", "compose", "-p", "dkc-x", "-f", "compose.yaml", "--progress", "plain", "up", "-d", "--build"]
    assert "--progress" not in compose.compose_command("dkc-x", "ps")


@pytest.mark.slow
def test_up_ps_logs_down(engine, capsys):
    project = naming.name("t-compose")
    with cleaned():
        compose.compose(project, "up -d", file=FILE)
        ps = compose.compose(project, "ps --format {{.Name}}", file=FILE)
        assert ps.stdout.split() == [f"{project}-web-1"]
        ct = engine.containers.get(f"{project}-web-1")
        assert ct.labels[naming.CHAPTER_LABEL] == "99" and ct.status == "running"
        assert engine.volumes.get(f"{project}_data").attrs["Labels"][naming.COURSE_LABEL] == "true"
        logs = compose.compose(project, "logs --no-color web", file=FILE)
        assert "web is up" in logs.stdout
        out = capsys.readouterr().out
        assert f"$ docker compose -p {project} -f compose.yaml --progress plain up -d" in out
        compose.compose(project, "down -v", file=FILE)
        assert engine.containers.list(all=True, filters={"label": f"com.docker.compose.project={project}"}) == []


def test_missing_compose_file(tmp_path):
    with pytest.raises(errors.CourseError, match="컴포즈 파일이 없습니다"):
        compose.compose("dkc-x", "up -d", file=tmp_path / "compose.yaml")
