"""Basic figures: ``import dockhelpers`` against ``import docker``, and running/removing a container.

- Import: a fresh interpreter each time (``python -c``), timing only the ``import`` statement inside it
  (interpreter start-up is the same for both and left out), interleaved with ``import docker``.
- Run and remove: :func:`dockhelpers.containers.run` + :func:`dockhelpers.containers.rm` (in this process,
  printing swallowed) against ``docker run -d`` + ``docker rm -f`` (two CLI processes), same image, name,
  labels and command (``debian:trixie-slim sleep 60``).

Run alone: ``.venv/bin/python benchmarks/basics.py [--quick]``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import CHAPTER, Sample, alternate, quiet, remove_containers, row  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
_PROBE = ("import time, sys; t = time.perf_counter(); import {module}; d = time.perf_counter() - t; "
          "heavy = [m for m in ('pandas', 'matplotlib', 'ipywidgets', 'docker') if m in sys.modules]; "
          "print(d, ','.join(heavy))")


def _import_seconds(module: str, seen: dict[str, str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], capture_output=True, text=True,
                         check=True, env=env, cwd=ROOT).stdout.split()
    seen[module] = out[1] if len(out) > 1 else ""
    return float(out[0])


def import_rows(repeats: int) -> list[dict]:
    seen: dict[str, str] = {}
    ours = Sample([], "ms")
    theirs = Sample([], "ms")
    for i in range(repeats):
        pair = [("dockhelpers", ours), ("docker", theirs)]
        for module, sample in (pair if i % 2 == 0 else pair[::-1]):
            sample.values.append(_import_seconds(module, seen) * 1000)
    loaded = seen.get("dockhelpers") or "none"
    return [row("basics", "import dockhelpers (fresh interpreter)", ours, theirs, target="≤ 1.5×", limit=1.5,
                digits=0, note=f"reference: `import docker`; heavy modules loaded by it: {loaded}")]


def run_rm_rows(repeats: int) -> list[dict]:
    from dockhelpers import containers, naming

    name = naming.name("bench-run")
    cli_run = ["docker", "run", "-d", "--name", name, *naming.label_args(CHAPTER), naming.BASE_IMAGE, "sleep", "60"]

    def helper() -> None:
        with quiet():
            containers.run(naming.BASE_IMAGE, name, chapter=CHAPTER, command=["sleep", "60"])
            containers.rm(name, force=True)

    def cli() -> None:
        subprocess.run(cli_run, capture_output=True, check=True)
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=True)

    try:
        helper()  # warm-up: imports (pandas) that a notebook has loaded long before
        ours, theirs = alternate(helper, cli, repeats)
    finally:
        remove_containers([name])
    return [row("basics", "run + remove a container", ours, theirs, target="≤ 1.0×", limit=1.0,
                note="helper: `containers.run` + `containers.rm(force=True)`; reference: `docker run -d` + `docker rm -f`")]


def rows(quick: bool = False) -> list[dict]:
    """The basics section of the table."""
    return import_rows(5 if quick else 15) + run_rm_rows(3 if quick else 15)


if __name__ == "__main__":
    for r in rows("--quick" in sys.argv):
        print(r)
