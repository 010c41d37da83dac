"""The course lab image (classroom/lab/Dockerfile) and the Binder-like check.

Binder cannot run a Docker engine: its sessions are unprivileged. These tests run the lab image the way Binder
runs a session - the unprivileged user, every capability dropped, ``no-new-privileges``, no engine, ``binder/start``
in front of JupyterLab - and check what a Binder visitor needs: the course imports, the docker CLI is there, the
packages of ``binder/requirements.txt`` are installed at their pinned versions, the apt.txt packages are
installed, runtime.txt names the image's Python, and JupyterLab answers ``/api/status``.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from dockhelpers import labimage, naming
from dockhelpers.replay import recording as rec
from labimage_support import ROOT, LabContainer, lab_image  # noqa: F401  (lab_image is a fixture)

pytestmark = [pytest.mark.engine, pytest.mark.labimage]

BINDER = ROOT / "binder"


def _requirements(path: Path) -> list[str]:
    """The requirement lines of ``path``, following ``-r`` includes (as pip does, relative to the file)."""
    lines: list[str] = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            lines += _requirements((path.parent / line[3:].strip()).resolve())
        else:
            lines.append(line)
    return lines


def test_content_hash_follows_the_inputs(tmp_path):
    """The tag changes when a copied file changes, and not for files the build does not copy."""
    for rel in labimage.INPUTS:
        src = ROOT / rel
        if src.is_file():
            (tmp_path / rel).write_bytes(src.read_bytes())
    (tmp_path / "dockhelpers").mkdir()
    (tmp_path / "dockhelpers" / "a.py").write_text("x = 1\n")
    first = labimage.content_hash(tmp_path, "sha256:base")
    (tmp_path / "README.md").write_text("not copied\n")
    (tmp_path / labimage.WHEELS).mkdir(parents=True)
    (tmp_path / labimage.WHEELS / "x-1.0-py3-none-any.whl").write_bytes(b"derived from requirements.txt")
    (tmp_path / "dockhelpers" / "__pycache__").mkdir()
    (tmp_path / "dockhelpers" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert labimage.content_hash(tmp_path, "sha256:base") == first
    (tmp_path / "dockhelpers" / "a.py").write_text("x = 2\n")
    assert labimage.content_hash(tmp_path, "sha256:base") != first
    assert labimage.content_hash(tmp_path, "sha256:other") != labimage.content_hash(tmp_path, "sha256:base")


def test_image_is_reused_and_labelled(lab_image):
    """A second ensure_lab_image() finds the image by its tag; it carries the course labels and its hash."""
    again = labimage.ensure_lab_image(ROOT, out=lambda line: None)
    assert again == lab_image
    labels = subprocess.run(["docker", "image", "inspect", "-f", "{{json .Config.Labels}}", lab_image],
                            capture_output=True, text=True, check=True).stdout
    for key, value in naming.labels().items():
        assert f'"{key}":"{value}"' in labels
    assert f'"{labimage.HASH_LABEL}":"{lab_image.rsplit(":", 1)[1]}"' in labels
    config = subprocess.run(["docker", "image", "inspect", "-f", "{{json .Config.User}} {{json .Config.Cmd}}",
                             lab_image], capture_output=True, text=True, check=True).stdout
    assert "start-lab.sh" in config


def test_binder_like_session(lab_image):
    """The image run as Binder runs it: no engine, uid 1000, no capabilities; the lab answers."""
    with LabContainer(lab_image, binder=True) as lab:
        status = lab.lab_status()
        assert "started" in status and "kernels" in status
        ident = lab.exec(["sh", "-c", "id -u; id -gn; awk '/^CapEff:/ {print $2}' /proc/self/status"]).stdout.split()
        assert ident == ["1000", "learner", "0000000000000000"], ident
        # The course imports (every module of the helper package), from the image's copy, without an engine.
        code = ("import importlib, pkgutil, dockhelpers, docker, ipywidgets, pandas, matplotlib\n"
                "for m in pkgutil.walk_packages(dockhelpers.__path__, 'dockhelpers.'):\n"
                "    importlib.import_module(m.name)\n"
                "print(dockhelpers.__file__)")
        assert lab.exec(["python", "-c", code]).stdout.strip() == "/opt/course/dockhelpers/__init__.py"
        # The docker CLI is there (Debian's docker-cli), and no engine answers.
        assert re.match(r"Docker version \d+", lab.exec(["docker", "--version"]).stdout)
        # The host commands the notebooks run besides docker (chapters 2-3 use curl).
        assert lab.exec(["sh", "-c", "command -v curl timeout uname"]).stdout.count("/") >= 3
        assert lab.exec(["docker", "version"], check=False).returncode != 0
        assert lab.exec(["sh", "-c", "ls /var/run/docker.sock"], check=False).returncode != 0
        # binder/start put the lab in replay mode (the JupyterLab server's own environment).
        env = lab.exec(["sh", "-c", "cat /proc/$(pgrep -f jupyter-lab | head -n 1)/environ | tr '\\0' '\\n'"]).stdout
        assert "DOCKHELPERS_MODE=replay" in env.splitlines(), env
        # Chapter 1's first cell in the lab's own kernel: the Korean note that there is no engine, no error.
        first = lab.run_notebook("/home/learner/work/01_docker_basics.ipynb", code_cells=1, timeout=180)
        assert not first["error"] and not first["errors"], first
        assert "도커 엔진이 없습니다" in first["text"], first["text"]
        # The devcontainer's readiness check does not wait for an engine that cannot exist here.
        ready = lab.exec(["lab-ready.sh", "30"], timeout=20)
        assert "엔진이 없습니다" in ready.stdout, ready.stdout
        # The learner owns the notebooks copy the lab serves.
        owner = lab.exec(["stat", "-c", "%U", "/home/learner/work", "/home/learner/work/01_docker_basics.ipynb"])
        assert owner.stdout.split() == ["learner", "learner"]


@pytest.mark.replay
@pytest.mark.timeout(900)
def test_binder_like_session_replays_every_chapter(lab_image):
    """Binder's whole visit: in the Binder-like container (no engine, uid 1000, no capabilities), every recorded
    chapter runs top to bottom from the recordings the image carries, with no error output."""
    recorded = sorted(p.stem for p in (ROOT / "notebooks" / "recordings").glob("ch[0-9][0-9].jsonl"))
    assert recorded, "no recordings in notebooks/recordings"
    notebooks = [next((ROOT / "notebooks").glob(f"{stem[2:]}_*.ipynb")).name for stem in recorded]

    def replay(lab: LabContainer, name: str) -> dict:
        return lab.run_notebook(f"/home/learner/work/{name}", timeout=600,
                                env={"DOCKHELPERS_MODE": "replay", "DOCKHELPERS_REPLAY_SPEED": "20"})

    with LabContainer(lab_image, binder=True) as lab:
        lab.lab_status()  # the lab is up: its endpoint (started by start-lab.sh) is the one the kernels use
        # Two chapters at a time, as two visitors' tabs would: each chapter has its own socket on the one endpoint.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = dict(zip(notebooks, pool.map(lambda name: replay(lab, name), notebooks)))
    for name, result in results.items():
        print(f"{name} replayed in the Binder-like container: {result['seconds']} s")
        assert not result["error"] and not result["errors"], (name, result["error"], result["errors"])
        assert rec.NOT_RECORDED not in result["text"], (name, result["text"][-1500:])


def test_binder_files_match_the_image(lab_image):
    """binder/requirements.txt's pins are installed, apt.txt's packages too, and runtime.txt names its Python."""
    pins = {}
    for line in _requirements(BINDER / "requirements.txt"):
        spec = line.split(";")[0].strip()
        if "==" in spec:
            name, version = spec.split("==")
            pins[name.strip()] = version.strip()
    assert {"jupyterlab", "docker", "ipywidgets"} <= set(pins)
    code = ("import importlib.metadata as m, json, sys\n"
            "pins = json.loads(sys.argv[1])\n"
            "bad = {n: m.version(n) for n in pins if m.version(n) != pins[n]}\n"
            "print(json.dumps(bad))")
    import json

    with LabContainer(lab_image, binder=True, command=["sleep", "120"]) as lab:
        bad = lab.exec(["python", "-c", code, json.dumps(pins)]).stdout.strip()
        assert bad == "{}", f"installed versions differ from binder/requirements.txt: {bad}"
        packages = (BINDER / "apt.txt").read_text().split()
        assert "docker-cli" in packages and "fonts-nanum" in packages
        for package in packages:
            status = lab.exec(["dpkg-query", "-W", "-f", "${Status}", package], check=False).stdout
            assert status == "install ok installed", (package, status)
        python = lab.exec(["python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()
        # The plots find the Korean font (fonts-nanum) as the learner.
        font = lab.exec(["python", "-c", "from dockhelpers import plots; print(plots.use_korean_font())"]).stdout
        assert font.strip().startswith("Nanum"), font
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == f"python-{python}", f"binder/runtime.txt says {runtime}, the lab image has Python {python}"
    assert (BINDER / "start").stat().st_mode & 0o111, "binder/start must be executable"


def test_privileged_container_starts_its_engine(lab_image):
    """Privileged (or with the Swarm lab's capability set where the engine refuses --privileged), the
    entrypoint starts the engine inside and the learner (docker group) can use it."""
    volume = naming.name(f"labtest-engine-{LabContainer(lab_image).run_id}")
    subprocess.run(["docker", "volume", "create", *naming.label_args(), volume], capture_output=True, check=True)
    try:
        with LabContainer(lab_image, env={"DOCKHELPERS_LAB_PREPARE": "off"},
                          extra=[*labimage.engine_run_args(), "-v", f"{volume}:/var/lib/docker"]) as lab:
            ready = lab.exec(["lab-ready.sh", "60"], user="learner", check=False)
            assert ready.returncode == 0, ready.stdout + ready.stderr + lab.logs()
            assert f"/lab?token={lab.token}" in ready.stdout, ready.stdout
            assert re.match(r"Docker Compose version v2\.", lab.exec(["docker", "compose", "version"], user="learner").stdout)
            who = lab.exec(["sh", "-c", "id -un; id -Gn; docker info --format '{{.Driver}}'"], user="learner").stdout
            assert who.split()[0] == "learner" and "docker" in who.split()[1:-1], who
            assert who.split()[-1] == "overlay2", who
            # The lab itself runs as the learner, not root.
            assert lab.exec(["sh", "-c", "ps -o user= -p $(pgrep -f jupyter-lab | head -n 1)"]).stdout.strip() \
                == "learner"
            # `docker stop` reaches the inner engine too (tini -g): it shuts down cleanly, well before the kill.
            subprocess.run(["docker", "container", "stop", "-t", "30", lab.name], capture_output=True, check=True)
            state = json.loads(subprocess.run(["docker", "container", "inspect", "--format", "{{json .State}}",
                                               lab.name], capture_output=True, text=True, check=True).stdout)
            assert state["ExitCode"] != 137 and not state["OOMKilled"], state  # 137: killed when the 30 s ran out
            tar = subprocess.run(["docker", "container", "cp", f"{lab.name}:/var/log/dockercourse/dockerd.log", "-"],
                                 capture_output=True, check=True).stdout
            log = tarfile.open(fileobj=io.BytesIO(tar)).extractfile("dockerd.log").read().decode()  # type: ignore
            assert "Daemon shutdown complete" in log, log[-2500:]
    finally:
        subprocess.run(["docker", "volume", "rm", volume], capture_output=True, timeout=60)
    left = subprocess.run(["docker", "volume", "ls", "-q", "--filter", f"name=^{volume}$"], capture_output=True,
                          text=True).stdout.split()
    assert not left
