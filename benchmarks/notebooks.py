"""Chapter notebooks: time to run each one top to bottom, cold and warm, and the size of each course image.

- Cold: the course images of this run's name prefix are removed first (only images tagged
  ``<prefix>/...`` that carry the course label; never the base image, never another prefix's images), so
  the notebook builds what it needs. The legacy builder may still reuse layers of identical images that
  other users of the engine built (another prefix's ``dind`` image, for instance): that is noted, not hidden.
  With the shared default prefix ``dkc`` (the learner's lab and the test suite) nothing is removed and only
  the warm time is measured.
- Warm: the same notebook again right after, images in place (the notebooks need no cleanup in between).
- Quick mode: one run per notebook, with whatever images exist (marked warm when they all existed before).

Notebooks run as the tests run them (nbclient, the ``python3`` kernel, cwd = ``notebooks/``); executed copies
go to ``build/bench/``. Run alone: ``.venv/bin/python benchmarks/notebooks.py [--quick]``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import BOOK_ECHO_MB, Sample, row  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 900


def course_images() -> list[tuple[str, str, float]]:
    """(reference, id, size in MB) of every image of this prefix that carries the course label."""
    from dockhelpers import naming

    listed = subprocess.run(["docker", "image", "ls", "--filter", f"label={naming.COURSE_LABEL}=true",
                             "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"], capture_output=True, text=True,
                            check=True).stdout.split("\n")
    found = []
    for line in filter(None, listed):
        ref, image_id = line.split()
        head, _, rest = ref.partition("/")
        path = rest if rest and (":" in head or "." in head) else ref  # 127.0.0.1:5000/<prefix>/x pushed tags
        if path.startswith(f"{naming.prefix()}/"):
            size = subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", ref], capture_output=True,
                                  text=True, check=True).stdout.strip()
            found.append((ref, image_id, int(size) / 1e6))
    return sorted(found)


def remove_course_images() -> list[str]:
    """Remove this prefix's course images (see the module docstring); returns the references removed."""
    from dockhelpers import naming

    if naming.prefix() == naming.DEFAULT_PREFIX:
        return []
    refs = [ref for ref, _, _ in course_images()]
    if refs:
        subprocess.run(["docker", "image", "rm", *refs], capture_output=True, text=True)
    return refs


def execute(path: pathlib.Path, label: str) -> float:
    """Seconds to run one notebook top to bottom (raises when a cell fails)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["PYTHONPATH"] = str(ROOT)  # the kernel imports this checkout's dockhelpers
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    log = ROOT / "build" / "bench" / "kernels.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(log, "a", encoding="utf-8") as kernel_stderr:  # the kernel's own warnings, not the table
            client.execute(stderr=kernel_stderr)
    finally:
        out = ROOT / "build" / "bench" / f"{path.stem}.{label}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    return time.monotonic() - started


#: Course images seen after each notebook's last run (a later cold run removes the earlier chapters' images).
SEEN: dict[str, tuple[str, float]] = {}  # reference -> (image ID, size in MB)


def _remember_images() -> None:
    for ref, image_id, size in course_images():  # a tag rebuilt by a later notebook keeps its latest image
        SEEN[ref] = (image_id, size)


def notebook_rows(quick: bool) -> list[dict]:
    from dockhelpers import naming

    out = []
    cold_allowed = not quick and naming.prefix() != naming.DEFAULT_PREFIX
    for path in NOTEBOOKS:
        print(f"[bench] notebook {path.name}", flush=True)
        if cold_allowed:
            removed = remove_course_images()
            cold = execute(path, "cold")
            warm = execute(path, "warm")
            out.append(row("notebooks", f"notebook {path.name}, warm", Sample([warm]), Sample([cold]), digits=0,
                           note=f"reference: the same notebook cold (first run after removing {len(removed)} "
                                f"course image(s) of prefix `{naming.prefix()}`); one run each"))
        else:
            had = {image_id for _, image_id, _ in course_images()}
            seconds = execute(path, "run")
            after = {image_id for _, image_id, _ in course_images()}
            kind = "warm" if had >= after else "new images built during the run"
            out.append(row("notebooks", f"notebook {path.name}, {kind}", Sample([seconds]), "not measured",
                           digits=0, note="quick mode or shared prefix: no cold run"))
        _remember_images()  # before the next notebook's cold run removes these images
    return out


def image_rows() -> list[dict]:
    """One row per course image (tags of the same image together; registry copies by their short name)."""
    from dockhelpers import naming

    by_id: dict[str, tuple[set[str], float]] = {}
    if not SEEN:
        _remember_images()
    for ref, (image_id, size) in SEEN.items():
        short = ref.split(f"{naming.prefix()}/", 1)[1]
        by_id.setdefault(image_id, (set(), size))[0].add(short)
    out = []
    for tags, size in sorted(by_id.values(), key=lambda v: sorted(v[0])[0]):
        label = ", ".join(sorted(tags))
        if any(t.split(":")[0] == "echo" for t in tags):
            out.append(row("images", f"image {label}", f"{size:.0f} MB", f"{BOOK_ECHO_MB:.0f} MB (the book's echo)",
                           ratio=size / BOOK_ECHO_MB, note="built from debian:trixie-slim"))
        else:
            out.append(row("images", f"image {label}", f"{size:.1f} MB" if size < 10 else f"{size:.0f} MB", "—"))
    base = subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", naming.BASE_IMAGE],
                          capture_output=True, text=True).stdout.strip()
    if base:
        out.append(row("images", f"base image {naming.BASE_IMAGE}", f"{int(base) / 1e6:.0f} MB", "—",
                       note="the course's only upstream image"))
    return out


def rows(quick: bool = False) -> list[dict]:
    """The notebooks and images sections of the table."""
    return notebook_rows(quick) + image_rows()


if __name__ == "__main__":
    for r in rows("--quick" in sys.argv):
        print(r)
