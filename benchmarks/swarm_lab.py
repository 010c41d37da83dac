"""Benchmark: bring-up and teardown time and memory of the chapter 3 Swarm lab (registry, manager, 3 workers).

Per round (3 rounds, 1 in quick mode): the lab is taken down, then ``swarm.up()`` is timed until all nodes
are Ready (images cached), then a second, idempotent ``up()``, then ``swarm.down()``. Each lab container's
memory (page cache excluded, as ``docker stats`` shows it) is read once. ``rows()`` feeds
``benchmarks/run.py``; run alone: ``.venv/bin/python benchmarks/swarm_lab.py``.
Uses its own name prefix and port offset (dkc-bench, +400) unless the caller set them, so it never touches a
lab in use.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time

os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-bench")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "400")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import Sample, row  # noqa: E402

from dockhelpers import stats, swarm  # noqa: E402
from dockhelpers.engine import client  # noqa: E402


def memory_mb(name: str) -> float:
    raw = client().api.stats(name, stream=False)
    return stats.memory_usage(raw) / 2**20


def measure(rounds: int) -> dict:
    """Times (s) of each round's up, second up and down; memory (MiB) per node of the last round."""
    swarm.ensure_images()
    ups, again, downs, memory, mode, leftovers = [], [], [], {}, "", {}
    for _ in range(rounds):
        swarm.down()
        started = time.monotonic()
        info = swarm.up()
        ups.append(time.monotonic() - started)
        started = time.monotonic()
        swarm.up()
        again.append(time.monotonic() - started)
        mode = info.mode
        time.sleep(3)  # an observation pause: let the engines settle before reading memory
        memory = {node: memory_mb(container) for node, container in info.containers.items()}
        started = time.monotonic()
        swarm.down()
        downs.append(time.monotonic() - started)
        leftovers = swarm.leftovers()
    return {"up": ups, "again": again, "down": downs, "memory": memory, "mode": mode, "leftovers": leftovers}


def _remove_own_images() -> None:
    if os.environ["DOCKHELPERS_PREFIX"] in ("dkc-bench",):  # the benchmark's own tags of the lab images
        from dockhelpers import naming
        from dockhelpers.shell import docker

        docker(["image", "rm", naming.image("dind"), naming.image("swarm-registry")], check=False, stream=False)


def rows(quick: bool = False) -> list[dict]:
    """The Swarm lab section of the table."""
    m = measure(1 if quick else 3)
    total = sum(m["memory"].values())
    return [
        row("swarm", "Swarm lab up (registry + manager + 3 workers Ready)", Sample(m["up"]), target="< 60 s",
            limit=60, note=f"`swarm.up()`, images cached, mode {m['mode']}", digits=1),
        row("swarm", "Swarm lab up again (idempotent)", Sample(m["again"]), digits=1),
        row("swarm", "Swarm lab down", Sample(m["down"]), digits=1,
            note=f"`swarm.down()`; leftovers: {sum(len(v) for v in m['leftovers'].values())}"),
        row("swarm", "Swarm lab memory (5 containers)", f"{total:.0f} MiB", digits=0,
            note=", ".join(f"{k} {v:.0f}" for k, v in m["memory"].items())),
    ]


def main() -> None:
    for r in rows("--quick" in sys.argv):
        print(f"{r['name']:55} {r['value']:28} {r['note']}")
    _remove_own_images()


if __name__ == "__main__":
    main()
