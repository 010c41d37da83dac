"""Benchmark: bring-up time and memory of the chapter 3 Swarm lab (registry, manager, 3 workers).

Prints the time from a torn-down lab to all nodes Ready (images cached), the time of an idempotent
second `up()`, each lab container's memory (page cache excluded, as `docker stats` shows it) and the
total, then takes the lab down and prints how long that took. Run: `.venv/bin/python benchmarks/swarm_lab.py`.
Uses its own name prefix and port offset (dkc-bench, +400) so it never touches a lab in use.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-bench")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "400")

from dockhelpers import swarm  # noqa: E402
from dockhelpers.engine import client  # noqa: E402


def memory_mb(name: str) -> float:
    stats = client().containers.get(name).stats(stream=False)
    mem = stats.get("memory_stats", {})
    cache = mem.get("stats", {}).get("total_inactive_file", mem.get("stats", {}).get("inactive_file", 0))
    return (mem.get("usage", 0) - cache) / 2**20


def main() -> None:
    swarm.ensure_images()
    swarm.down()
    started = time.monotonic()
    info = swarm.up()
    cold = time.monotonic() - started
    started = time.monotonic()
    swarm.up()
    warm = time.monotonic() - started
    time.sleep(3)  # let the engines settle before measuring memory
    rows = {node: memory_mb(container) for node, container in info.containers.items()}
    started = time.monotonic()
    swarm.down()
    teardown = time.monotonic() - started
    print("\n== swarm lab benchmark ==")
    print(f"mode: {info.mode}")
    print(f"bring-up (registry + manager + {len(info.nodes) - 1} workers all Ready, images cached): {cold:.1f} s"
          f" (target < 60 s)")
    print(f"second up() (idempotent, nothing to do): {warm:.1f} s")
    for node, mb in rows.items():
        print(f"memory {node:9s}: {mb:7.1f} MiB")
    print(f"memory total    : {sum(rows.values()):7.1f} MiB")
    print(f"down(): {teardown:.1f} s; leftovers: {swarm.leftovers()}")
    if os.environ["DOCKHELPERS_PREFIX"] == "dkc-bench":  # the benchmark's own tags of the lab images
        from dockhelpers import naming
        from dockhelpers.shell import docker

        docker(["image", "rm", naming.image("dind"), naming.image("swarm-registry")], check=False, stream=False)


if __name__ == "__main__":
    main()
