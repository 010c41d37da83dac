"""Benchmark: the classroom hub - bring-up, a student's lab start, and what one student costs the server.

One hub with two students (its own prefix and port offset unless the caller set them). Measured:

* ``classroom.up()`` (network, registry, JupyterHub; images present) and each lab's start through the hub API;
* an idle lab's memory (``docker stats``, page cache excluded);
* while a chapter notebook runs inside a student's lab (``jupyter nbconvert --execute`` as the learner, the
  kernel going through the lab's own engine): the lab container's CPU and memory, sampled every second.
  The student's engine nests its containers under the lab's cgroup (``classroom/hub-lab/Dockerfile``), so
  these figures include everything the student runs; the benchmark checks that nesting for one container.
  (Machine-wide figures are not used: other work on a shared machine swamps them.)

From the per-student peak: students per core and per GB, and the server for a room of 30.
``rows()`` feeds ``benchmarks/run.py``; alone: ``.venv/bin/python benchmarks/hub.py [--quick]`` (quick:
chapter 1 instead of chapter 2).
"""

from __future__ import annotations

import math
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-bhub")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "560")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from common import Sample, row  # noqa: E402

from dockhelpers import classroom, stats  # noqa: E402
from dockhelpers.engine import client  # noqa: E402

STUDENTS = ("b01", "b02")
NOTEBOOKS = {1: "01_docker_basics.ipynb", 2: "02_deploying_containers.ipynb"}
ROOM = 30


def nested(lab: str) -> bool:
    """True when a container the lab's engine starts sits under the lab container's cgroup (host view)."""
    import glob

    lab_id = client().containers.get(lab).id
    inner = subprocess.run(["docker", "exec", lab, "docker", "run", "-d", "--rm", "debian:trixie-slim", "sleep", "60"],
                           capture_output=True, text=True, timeout=120).stdout.strip()
    if not inner:
        return False
    try:
        dirs = (glob.glob(f"/sys/fs/cgroup/memory/**/{inner}*", recursive=True)  # cgroup v1 (v2: the tree itself)
                + glob.glob(f"/sys/fs/cgroup/cpu,cpuacct/**/{inner}*", recursive=True)) \
            or glob.glob(f"/sys/fs/cgroup/**/{inner}*", recursive=True)
        return bool(dirs) and all(lab_id in d for d in dirs)
    finally:
        subprocess.run(["docker", "exec", lab, "docker", "rm", "-f", inner], capture_output=True, timeout=60)


def _cpu_percent(raw: dict) -> float | None:
    cpu, pre = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    try:
        delta = cpu["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"]
        system = cpu["system_cpu_usage"] - pre["system_cpu_usage"]
    except (KeyError, TypeError):
        return None
    cores = cpu.get("online_cpus") or len((cpu["cpu_usage"].get("percpu_usage") or [1]))
    return delta / system * cores * 100 if system > 0 else None


class Sampler(threading.Thread):
    """Samples a container's CPU (%, 100 = one core) and memory (MiB, page cache excluded) every second."""

    def __init__(self, container: str):
        super().__init__(daemon=True)
        self.container, self.stop = container, threading.Event()
        self.lab_cpu: list[float] = []
        self.lab_mem: list[float] = []

    def run(self) -> None:
        api = client().api
        while not self.stop.is_set():
            raw = api.stats(self.container, stream=False)  # about 1-2 s: the engine waits for a second sample
            cpu = _cpu_percent(raw)
            if cpu is not None:
                self.lab_cpu.append(cpu)
            self.lab_mem.append(stats.memory_usage(raw) / 2**20)


def measure(chapter: int) -> dict:
    """Run one hub, two labs, and one chapter notebook in the first lab; return the figures."""
    roster = pathlib.Path(tempfile.mkdtemp()) / "roster.txt"
    roster.write_text("bteacher teacher\n" + "\n".join(STUDENTS) + "\n", encoding="utf-8")
    os.environ.setdefault("DOCKHELPERS_HUB_STATE", tempfile.mkdtemp(prefix="dkc-bhub-"))
    classroom.down(out=lambda _: None)
    classroom.lab_image(out=lambda _: None)  # built once, outside the timings
    result: dict = {"spawn": []}
    try:
        started = time.monotonic()
        conf = classroom.up(roster, out=lambda _: None, wait=180)
        result["up"] = time.monotonic() - started
        result["mode"] = conf["mode"]
        for student in STUDENTS:
            started = time.monotonic()
            classroom.api(f"/users/{student}/server", method="POST")
            while not classroom.api(f"/users/{student}")["servers"].get("", {}).get("ready"):
                if time.monotonic() - started > 300:
                    raise TimeoutError(f"{student}'s lab did not start")
                time.sleep(0.5)
            result["spawn"].append(time.monotonic() - started)
        time.sleep(10)  # let the inner engines and the base image step settle
        lab = classroom.lab_name(STUDENTS[0])
        idle = [stats.memory_usage(client().api.stats(classroom.lab_name(s), stream=False)) / 2**20 for s in STUDENTS]
        result["idle_mb"] = idle
        result["nested"] = nested(lab)
        sampler = Sampler(lab)
        sampler.start()
        started = time.monotonic()
        run = subprocess.run(["docker", "exec", "-u", "learner", "-w", classroom.LAB_WORK, "-e", f"HOME={classroom.LAB_HOME}",
                              lab, "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", "/tmp",
                              "--ExecutePreprocessor.timeout=900", NOTEBOOKS[chapter]],
                             capture_output=True, text=True, timeout=3600)
        result["run"] = time.monotonic() - started
        result["run_ok"] = run.returncode == 0
        result["run_tail"] = run.stderr[-400:]
        sampler.stop.set()
        sampler.join(timeout=10)
        result.update(lab_cpu=sampler.lab_cpu, lab_mem=sampler.lab_mem)
    finally:
        started = time.monotonic()
        classroom.down(out=lambda _: None)
        result["down"] = time.monotonic() - started
        result["leftovers"] = sum(len(v) for v in classroom.resources().values())
    return result


def sizing(cpu_cores: float, mem_mb: float, room: int = ROOM) -> dict:
    """Students per core and per GB from one student's peak, and the server for ``room`` students
    (with 2 GB and 1 core for the hub and the system, and every student at the peak at once)."""
    per_core = 1 / cpu_cores if cpu_cores else math.inf
    per_gb = 1024 / mem_mb if mem_mb else math.inf
    return {"per_core": per_core, "per_gb": per_gb,
            "cores": math.ceil(room * cpu_cores + 1), "gb": math.ceil(room * mem_mb / 1024 + 2)}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0


def rows(quick: bool = False) -> list[dict]:
    """The classroom hub section of the table."""
    chapter = 1 if quick else 2
    m = measure(chapter)
    size = sizing(p95(m["lab_cpu"]) / 100, max(m["lab_mem"], default=0.0))
    return [
        row("hub", "Classroom hub up (network, registry, JupyterHub)", Sample([m["up"]]), digits=1,
            note=f"`classroom.up()`, images present, lab mode {m['mode']}"),
        row("hub", "Student lab start (spawn to ready)", Sample(m["spawn"]), target="< 60 s", limit=60, digits=1,
            note="through the hub API; the inner engine starts inside"),
        row("hub", "Idle student lab memory", Sample(m["idle_mb"], "MiB"), digits=0, note="`docker stats`, lab container"),
        row("hub", f"Chapter {chapter} notebook in a lab", Sample([m["run"]]), digits=0,
            note=("ok" if m["run_ok"] else "FAILED: " + m["run_tail"][-120:])),
        row("hub", f"Lab CPU while chapter {chapter} runs (p95 / mean)",
            f"{p95(m['lab_cpu']):.0f} % / {sum(m['lab_cpu']) / max(1, len(m['lab_cpu'])):.0f} %",
            note=f"lab container incl. the student's containers: {'yes' if m['nested'] else 'NO'}; n={len(m['lab_cpu'])}; 100 % = 1 core"),
        row("hub", f"Lab memory while chapter {chapter} runs (peak)", f"{max(m['lab_mem'], default=0):.0f} MiB",
            note="page cache excluded, as `docker stats` shows it"),
        row("hub", "Students per core / per GB (at the lab's peak)", f"{size['per_core']:.1f} / {size['per_gb']:.1f}",
            note=f"room of {ROOM}: {size['cores']} cores, {size['gb']} GB (all at peak at once)"),
        row("hub", "Classroom hub down", Sample([m["down"]]), digits=1, note=f"leftovers: {m['leftovers']}"),
    ]


def _remove_own_images() -> None:
    """The benchmark's own tags (prefix dkc-bhub) of the lab, hub lab and registry images."""
    if os.environ["DOCKHELPERS_PREFIX"] != "dkc-bhub":
        return
    from dockhelpers import naming

    for img in client().images.list(filters={"label": f"{naming.PREFIX_LABEL}=dkc-bhub"}):
        try:
            client().images.remove(img.id, force=False)
        except Exception:  # in use, or a parent of another: left for the course's cleanup
            pass


def main() -> None:
    for r in rows("--quick" in sys.argv):
        print(f"{r['name']:70} {r['value']:28} {r['note']}")
    _remove_own_images()


if __name__ == "__main__":
    main()
