"""The devcontainer (.devcontainer/devcontainer.json) with the Dev Containers CLI against the local engine.

``devcontainer up`` on a fresh clone of the course builds the lab image's Dockerfile (its layers are already
cached by the lab image build), starts it privileged with its own engine, and runs postStartCommand (the lab
is ready: the inner engine answers and debian:trixie-slim is there). Then ``devcontainer exec`` runs chapter
1's notebook inside with nbclient, against the inner engine, as the learner: no error output.

Cleanup is exact: the container (found by the CLI's own label, ``devcontainer.local_folder`` = the clone), the
volumes it mounted, and the images the CLI tagged for this clone (``vsc-<clone name>-*``); nothing else.

The CLI comes from ``scripts/system-packages.sh test`` (npm, pinned, in build/devcontainer-cli/).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time

import pytest

from dockhelpers import labimage, naming
from labimage_support import ROOT, RUN_NOTEBOOK, lab_image  # noqa: F401  (lab_image is a fixture)

pytestmark = [pytest.mark.engine, pytest.mark.devcontainer, pytest.mark.slow]

CLI = ROOT / "build" / "devcontainer-cli" / "node_modules" / ".bin" / "devcontainer"
NOTEBOOK = "01_docker_basics.ipynb"
#: Run inside: wait until the lab (the image's command) answers /api/status with the learner's token.
LAB_STATUS = r"""
import os, time, urllib.request
for _ in range(120):
    try:
        tok = os.environ.get("JUPYTER_TOKEN") or open(os.environ["DOCKHELPERS_WORK"] + "/.lab/token").read().strip()
        req = urllib.request.Request("http://127.0.0.1:8888/api/status", headers={"Authorization": "token " + tok})
        print(urllib.request.urlopen(req, timeout=5).read().decode())
        break
    except OSError:
        time.sleep(1)
else:
    raise SystemExit("the lab did not answer")
"""


def _run(args: list[str], timeout: float, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def _images_named(prefix: str) -> set[str]:
    out = _run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"], 60).stdout.split()
    return {ref for ref in out if ref.startswith(prefix)}


def _stage_images() -> set[str]:
    """Untagged build-stage images of the lab Dockerfile (the classic builder keeps them)."""
    return set(_run(["docker", "image", "ls", "-q", "--no-trunc", "--filter", "dangling=true", "--filter",
                     f"label={labimage.STAGE_LABEL}"], 60).stdout.split())


@pytest.fixture
def clone(tmp_path, lab_image):
    """A fresh clone of the committed course, with the lab image's wheels (so its build works offline)."""
    if not CLI.exists():
        pytest.skip("Dev Containers CLI not installed (bash scripts/system-packages.sh test)")
    folder = tmp_path / naming.name(f"devc-{secrets.token_hex(3)}")
    _run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(folder)], 120).check_returncode()
    # The wheels come with the host's pip settings (a build cannot see them): a fresh clone has none, and the
    # lab image may come from the engine's cache without a download, so fetch them here (a stamp skips a repeat).
    wheels = labimage.wheel_dir(ROOT)
    labimage.download_wheels(ROOT / "requirements.txt", wheels, out=lambda _line: None)
    shutil.copytree(wheels, labimage.wheel_dir(folder), dirs_exist_ok=True)
    if os.geteuid() == 0:
        # As in a Codespace, the workspace belongs to the learner's uid (work/ is made in it).
        os.chown(folder, 1000, 1000)
    if not labimage.privileged_allowed():
        # This engine refuses --privileged (as the Swarm lab finds on some hosts): the clone's devcontainer gets
        # the Swarm lab's capability set instead, the one fallback the course uses everywhere.
        config = folder / ".devcontainer" / "devcontainer.json"
        data = json.loads("\n".join(ln for ln in config.read_text().splitlines() if not ln.lstrip().startswith("//")))
        assert data.pop("privileged") is True
        data["runArgs"] = list(labimage.CAPABILITY_ARGS)
        config.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    yield folder


def test_devcontainer_up_runs_chapter_1(clone):
    label = f"devcontainer.local_folder={clone}"
    image_prefix = f"vsc-{clone.name.lower()}-"
    before = _images_named(image_prefix)
    stages = _stage_images()
    started = time.monotonic()
    container = ""
    try:
        up = _run([str(CLI), "up", "--workspace-folder", str(clone), "--log-format", "json"], 1200)
        up_seconds = time.monotonic() - started
        result = json.loads(up.stdout.strip().splitlines()[-1]) if up.stdout.strip() else {}
        container = result.get("containerId", "")
        assert up.returncode == 0 and result.get("outcome") == "success", (up.stdout[-3000:], up.stderr[-3000:])
        assert result.get("remoteUser") == "learner"
        work = f"{result['remoteWorkspaceFolder']}/work"
        # Privileged, with its own engine on the mounted volume.
        inspect = json.loads(_run(["docker", "container", "inspect", container], 60).stdout)[0]
        assert inspect["HostConfig"]["Privileged"] is True or "ALL" in (inspect["HostConfig"]["CapAdd"] or [])
        assert any(m["Destination"] == "/var/lib/docker" and m["Type"] == "volume" for m in inspect["Mounts"])
        # The lab itself (the image's command) answers inside, as the learner.
        lab = _run([str(CLI), "exec", "--workspace-folder", str(clone), "python", "-c", LAB_STATUS], 240)
        assert lab.returncode == 0 and '"started"' in lab.stdout, lab.stdout[-2000:] + lab.stderr[-2000:]
        # Chapter 1 inside, against the inner engine.
        who = _run([str(CLI), "exec", "--workspace-folder", str(clone), "sh", "-c",
                    "id -un; docker info --format '{{.Name}} {{.Driver}}'"], 120)
        assert who.stdout.split()[:2] == ["learner", inspect["Config"]["Hostname"]], who.stdout + who.stderr
        run = _run([str(CLI), "exec", "--workspace-folder", str(clone), "python", "-c", RUN_NOTEBOOK,
                    f"{work}/{NOTEBOOK}"], 1500)
        lines = run.stdout.strip().splitlines()
        assert run.returncode == 0 and lines, run.stdout[-3000:] + run.stderr[-3000:]
        summary = json.loads(lines[-1])
        assert not summary["error"] and not summary["errors"], summary
        # The learner's copy lives in the workspace (a Codespace keeps it across rebuilds), owned by the learner.
        assert (clone / "work" / NOTEBOOK).stat().st_uid == 1000 or os.geteuid() != 0
        print(f"\n[devcontainer] up {up_seconds:.0f}s, chapter 1 {summary['seconds']}s "
              f"({summary['cells']} code cells), total {time.monotonic() - started:.0f}s")
    finally:
        _cleanup(label, image_prefix, before, stages)


def _cleanup(label: str, image_prefix: str, before: set[str], stages: set[str]) -> None:
    """Remove the clone's container, the volumes it mounted, the images the CLI tagged for it and the
    build-stage image its build left (untagged, labelled)."""
    ids = _run(["docker", "container", "ls", "-aq", "--filter", f"label={label}"], 60).stdout.split()
    volumes: list[str] = []
    for cid in ids:
        mounts = json.loads(_run(["docker", "container", "inspect", cid], 60).stdout or "[]")
        volumes += [m["Name"] for c in mounts for m in c.get("Mounts", []) if m.get("Type") == "volume"]
        _run(["docker", "container", "rm", "-f", "-v", cid], 180)
    for volume in volumes:
        _run(["docker", "volume", "rm", volume], 120)
    for ref in sorted(_images_named(image_prefix) - before):
        _run(["docker", "image", "rm", ref], 120)
    for image_id in sorted(_stage_images() - stages):
        _run(["docker", "image", "rm", image_id], 120)
    assert not _run(["docker", "container", "ls", "-aq", "--filter", f"label={label}"], 60).stdout.split()
    assert not _stage_images() - stages, "build-stage images of the test are left"
    left = [v for v in volumes if _run(["docker", "volume", "inspect", v], 60).returncode == 0]
    assert not left, f"volumes left: {left}"
    assert not _images_named(image_prefix) - before, "images tagged for the test are left"
