"""Capture raw ``/containers/{id}/stats`` dicts from the running engine into ``stats_samples.json``.

Run from the project root when the fixtures need refreshing: ``.venv/bin/python tests/data/capture_stats.py``.
It starts three short-lived, labelled containers (chapter 95, the stats tests' own), records their streamed samples and
the ``docker container stats --no-stream`` line the CLI printed for the memory-limited one, then removes them.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import time

from dockhelpers.engine import client
from dockhelpers.naming import BASE_IMAGE, labels, name

STATS_TEST_CHAPTER = 95

OUT = pathlib.Path(__file__).with_name("stats_samples.json")


def stream(c, cid: str, count: int) -> list[dict]:
    out = []
    for raw in c.api.stats(cid, stream=True, decode=True):
        out.append(raw)
        if len(out) == count:
            return out
    return out


def main() -> None:
    c = client()
    names = {k: name(f"t-capture-{k}") for k in ("busy", "limited", "stopped")}
    for n in names.values():
        try:
            c.containers.get(n).remove(force=True)
        except Exception:
            pass
    common = dict(detach=True, labels=labels(STATS_TEST_CHAPTER))
    busy = c.containers.run(BASE_IMAGE, ["sh", "-c", "while :; do :; done"], name=names["busy"],
                            nano_cpus=int(0.5e9), **common)
    limited = c.containers.run(
        BASE_IMAGE,
        ["sh", "-c", "dd if=/dev/urandom of=/var/tmp/blob bs=1M count=24 conv=fsync 2>/dev/null; sleep 600"],
        name=names["limited"], mem_limit="64m", **common)
    stopped = c.containers.run(BASE_IMAGE, ["sleep", "600"], name=names["stopped"], **common)
    try:
        time.sleep(3)
        stopped.stop(timeout=1)
        data = {
            "engine": {k: c.version().get(k) for k in ("Version", "ApiVersion")},
            "cgroup_version": c.info().get("CgroupVersion"),
            "busy_cpus_limit": 0.5,
            "busy": stream(c, busy.id, 5),
            "limited": stream(c, limited.id, 3),
            "stopped": stream(c, stopped.id, 1),
            "limited_cli": subprocess.run(
                ["docker", "container", "stats", "--no-stream", "--format",
                 "{{.MemUsage}}|{{.MemPerc}}|{{.BlockIO}}|{{.PIDs}}", names["limited"]],
                capture_output=True, text=True, check=True).stdout.strip(),
            "limited_after_cli": stream(c, limited.id, 2)[-1],
        }
    finally:
        for ct in (busy, limited, stopped):
            ct.remove(force=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
