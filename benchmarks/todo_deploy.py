"""Chapter 4 figures: deploy time of the TODO app on the Swarm lab, requests during a rolling update,
and the time Swarm takes to replace a stopped replica database.

One run (each step changes the deployment, so it is not repeated; ``n=1`` in the table). Runs on its own
lab (prefix ``dkc-b4``, port offset +460, unless the caller set them) and removes the lab and its own
images at the end. ``rows()`` feeds ``benchmarks/run.py``; run alone::

    .venv/bin/python benchmarks/todo_deploy.py
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import time

os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-b4")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "460")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import Sample, row  # noqa: E402

from dockhelpers import swarm, todo  # noqa: E402  (after the prefix is set)


def measure(drill: bool = True) -> dict:
    """Seconds of each step (and the request counts of the rolling update)."""
    m: dict = {}
    started = time.monotonic()
    lab = swarm.up()
    m["lab_up"] = lab.seconds
    try:
        first = todo.deploy()
        m.update(deploy=first.total, build=first.build, push=first.push, stacks=first.stacks, ready=first.ready)
        m["again"] = todo.deploy().total
        context = todo.make_api_v2("2")
        ref = todo.build_push_api(context, "v2")
        shutil.rmtree(context, ignore_errors=True)
        with todo.LoadLoop(min_requests=200) as loop:
            m["update"] = todo.rolling_update(todo.service("app", "api"), ref)
        r = loop.result
        m["requests"] = (r.total, r.ok, r.failed, r.api_versions.get("1", 0), r.api_versions.get("2", 0))
        if drill:
            todo.stop_replica_task(0)
            t = time.monotonic()
            probe = todo.probe_rows(seconds=5)
            todo.wait_service(todo.service("db", "replica"), 2, timeout=180)
            todo.wait_for(lambda: len(rows := todo.replication_rows()) == 2
                          and all(x["IO"] == "Yes" and x["SQL"] == "Yes" for x in rows), timeout=180, interval=1)
            m["drill"] = time.monotonic() - t
            m["drill_reads"] = (sum(1 for p in probe if p["http_status"] == 200), len(probe))
    finally:
        swarm.down()
        mine = [ref for ref in subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
                                              capture_output=True, text=True).stdout.split()
                if ref.startswith(os.environ["DOCKHELPERS_PREFIX"] + "/")]
        if mine and os.environ["DOCKHELPERS_PREFIX"] != "dkc":  # never the shared default prefix's images
            subprocess.run(["docker", "image", "rm", *mine], capture_output=True)
    m["whole"] = time.monotonic() - started
    return m


def rows(quick: bool = False) -> list[dict]:
    """The TODO section of the table (quick mode skips the replica drill)."""
    m = measure(drill=not quick)
    total, ok, failed, v1, v2 = m["requests"]
    out = [
        row("todo", "TODO deploy, empty lab registry", Sample([m["deploy"]]), digits=1,
            note=f"`todo.deploy()`: build {m['build']:.0f} s, push {m['push']:.0f} s, stack deploy "
                 f"{m['stacks']:.0f} s, until the board answers {m['ready']:.0f} s"),
        row("todo", "TODO deploy again, nothing changed", Sample([m["again"]]), digits=1),
        row("todo", "TODO rolling update of the API", Sample([m["update"]]), digits=1,
            note=f"requests {total}: ok {ok}, failed {failed}; answered by v1 {v1}, v2 {v2}"),
    ]
    if "drill" in m:
        out.append(row("todo", "replica DB stopped → replaced and replicating", Sample([m["drill"]]), digits=1,
                       note=f"reads ok during the drill: {m['drill_reads'][0]} / {m['drill_reads'][1]}"))
    return out


def main() -> None:
    for r in rows("--quick" in sys.argv):
        print(f"{r['name']:50} {r['value']:20} {r['note']}")


if __name__ == "__main__":
    main()
