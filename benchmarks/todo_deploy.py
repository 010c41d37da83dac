"""Chapter 4 figures: deploy time of the TODO app on the Swarm lab, requests during a rolling update,
and the time Swarm takes to replace a stopped replica database.

Runs on its own lab (prefix ``dkc-b4``, port offset +460) and removes it at the end::

    .venv/bin/python benchmarks/todo_deploy.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-b4")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "460")

from dockhelpers import swarm, todo  # noqa: E402  (after the prefix is set)


def main() -> None:
    figures: list[tuple[str, str]] = []
    started = time.monotonic()
    lab = swarm.up()
    figures.append(("lab up (s)", f"{lab.seconds:.1f}"))
    try:
        first = todo.deploy()
        figures += [("deploy, empty lab registry (s)", f"{first.total:.1f}"),
                    ("  build (s)", f"{first.build:.1f}"), ("  push (s)", f"{first.push:.1f}"),
                    ("  stack deploy (s)", f"{first.stacks:.1f}"), ("  until the board answers (s)", f"{first.ready:.1f}")]
        again = todo.deploy()
        figures.append(("deploy again, nothing changed (s)", f"{again.total:.1f}"))

        context = todo.make_api_v2("2")
        ref = todo.build_push_api(context, "v2")
        shutil.rmtree(context, ignore_errors=True)
        with todo.LoadLoop(min_requests=200) as loop:
            seconds = todo.rolling_update(todo.service("app", "api"), ref)
        r = loop.result
        figures += [("rolling update of the API (s)", f"{seconds:.1f}"),
                    ("  requests / ok / failed", f"{r.total} / {r.ok} / {r.failed}"),
                    ("  answered by API v1 / v2", f"{r.api_versions.get('1', 0)} / {r.api_versions.get('2', 0)}")]

        todo.stop_replica_task(0)
        t = time.monotonic()
        probe = todo.probe_reads(seconds=5)
        todo.wait_service(todo.service("db", "replica"), 2, timeout=180)
        todo.wait_for(lambda: len(rows := todo.replication_rows()) == 2
                      and all(x["IO"] == "Yes" and x["SQL"] == "Yes" for x in rows), timeout=180, interval=1)
        figures += [("replica stopped -> replaced and replicating (s)", f"{time.monotonic() - t:.1f}"),
                    ("  reads during the drill ok / total", f"{int((probe['상태'] == 200).sum())} / {len(probe)}")]
    finally:
        swarm.down()
        mine = [ref for ref in subprocess.run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
                                              capture_output=True, text=True).stdout.split()
                if ref.startswith(os.environ["DOCKHELPERS_PREFIX"] + "/")]
        if mine:
            subprocess.run(["docker", "image", "rm", *mine], capture_output=True)
    figures.append(("whole benchmark (s)", f"{time.monotonic() - started:.1f}"))
    print("\n== chapter 4: TODO app on the Swarm lab")
    for name, value in figures:
        print(f"{name:50} {value}")


if __name__ == "__main__":
    main()
