"""Notebook integration: `%docker` runs the real CLI; a CourseError is a short Korean *error* output."""

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.engine


def run_cells(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return [c.outputs for c in nb.cells]


def test_magic_and_korean_error_output():
    outputs = run_cells(
        "%load_ext dockhelpers",
        "name = 'dkc-nothing-here'\n%docker container ls -a --filter name={name} --format table",
        "from dockhelpers import containers\ncontainers.stop('dkc-does-not-exist')",
        "print('next cell still runs')",
    )
    magic_text = "".join(o.get("text", "") for o in outputs[1])
    # Like `!cmd`, the magic expands {python_variables} before running the command.
    assert "$ docker container ls -a --filter name=dkc-nothing-here --format table" in magic_text
    assert "CONTAINER ID" in magic_text
    errors = [o for o in outputs[2] if o["output_type"] == "error"]
    assert len(errors) == 1, outputs[2]
    err = errors[0]
    assert err["ename"] == "NotFound"
    assert err["traceback"][0].endswith("❌ `dkc-does-not-exist` 컨테이너가 없습니다.\x1b[0m")
    assert err["traceback"][1].startswith("💡 해결 방법:")
    assert len(err["traceback"]) == 3  # short: no Python traceback frames
    assert outputs[3][0]["text"] == "next cell still runs\n"


def test_docker_cell_commands_parse_like_a_terminal():
    from dockhelpers.ipython import commands

    cell = "# comment\ndocker image ls\n\ncontainer run -d \\\n  --name x img\ndocker\n"
    assert commands(cell) == ["image ls", "container run -d --name x img"]


def test_docker_cell_magic_runs_each_line_and_stops_at_the_first_failure():
    outputs = run_cells(
        "%load_ext dockhelpers",
        "%%docker\ndocker version --format '{{.Client.Os}}'\ndocker image inspect dkc-no/such:image\n"
        "docker version --format never-reached",
    )
    text = "".join(o.get("text", "") for o in outputs[1])
    assert "$ docker version --format '{{.Client.Os}}'" in text and "linux" in text
    assert "never-reached" not in text
    assert any(o["output_type"] == "error" for o in outputs[1]), outputs[1]


def test_magic_expands_python_names_but_keeps_go_templates():
    from dockhelpers.ipython import expand

    ns = {"NAME": "dkc-echo", "ids": ["a1", "b2"], "port": lambda n, m: f"{n}:{m}"}
    line = "container ls -a --format 'table {{.Names}}\\t{{json .Labels}}' --filter name={NAME} {ids[1]} -p {port(9000, 80)}"
    assert expand(line, ns) == ("container ls -a --format 'table {{.Names}}\\t{{json .Labels}}' --filter name=dkc-echo "
                                "b2 -p 9000:80")


def test_magic_runs_a_go_template_as_typed():
    outputs = run_cells("%load_ext dockhelpers", "%docker version --format '{{.Client.Os}}/{{json .Client.Arch}}'")
    text = "".join(o.get("text", "") for o in outputs[1])
    assert "$ docker version --format '{{.Client.Os}}/{{json .Client.Arch}}'" in text and 'linux/"' in text, text
