"""Benchmark: the course endpoint's overhead, through it vs directly to the engine, in the same run.

Five measurements, each repeated with direct and endpoint runs alternating (so engine drift hits both):

1. ``docker run --rm debian:trixie-slim true`` round trip (request/response; target <= 1.10x the time);
2. ``docker ps`` (request/response; <= 1.10x; through the endpoint the list is filtered to the course's);
3. ``docker build`` of a 100 MB context (throughput; >= 0.8x; the Dockerfile only adds a label, so the time
   is the context upload and the engine unpacking it);
4. ``docker stats --no-stream`` of 10 containers (request/response; <= 1.10x);
5. ``docker logs`` of a container with 50 MB of output (throughput; >= 0.8x).

A fresh endpoint runs as its own process on a temporary socket. Everything made is removed at the end.
Run: ``.venv/bin/python benchmarks/endpoint.py [--repeats 5]``; import :func:`run` for a list of rows
(``name, direct, endpoint, ratio, target, met``, plus ``unit`` and ``spread``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dockhelpers import naming
from dockhelpers.endpoint import daemon, settings

BASE = naming.BASE_IMAGE
ROOT = Path(__file__).resolve().parents[1]


class _Endpoint:
    def __init__(self) -> None:
        self.engine = settings.upstream().url
        self.folder = Path(tempfile.mkdtemp(prefix="dkc-bench-ep-", dir="/tmp"))
        env = {**os.environ, settings.STATE_ENV: str(self.folder), settings.UPSTREAM_ENV: self.engine,
               "PYTHONPATH": str(ROOT)}
        for key in (settings.SOCKET_ENV, settings.SHOW_ALL_ENV, settings.CHAPTER_ENV):
            env.pop(key, None)
        self.proc = subprocess.Popen([sys.executable, "-m", "dockhelpers", "endpoint", "run"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 15
        while not daemon.ping(self.folder / "docker.sock"):
            if time.monotonic() > end:
                raise RuntimeError("the endpoint did not start")
            time.sleep(0.05)
        self.host = f"unix://{self.folder / 'docker.sock'}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _docker(host: str, *args: str, stdout=subprocess.DEVNULL, timeout: float = 300) -> float:
    """Run ``docker ARGS`` against ``host``; the wall time in seconds (raises on failure)."""
    started = time.perf_counter()
    subprocess.run(["docker", *args], env={**os.environ, "DOCKER_HOST": host}, stdout=stdout,
                   stderr=subprocess.PIPE, check=True, timeout=timeout)
    return time.perf_counter() - started


def _row(name: str, direct: list[float], through: list[float], kind: str, size_mb: float = 0) -> dict:
    d, e = statistics.median(direct), statistics.median(through)
    if kind == "time":
        ratio, target, met, unit = e / d, 1.10, e / d <= 1.10, "s"
        dv, ev = d, e
        spread = (f"{min(direct):.3f}-{max(direct):.3f} / {min(through):.3f}-{max(through):.3f}")
    else:
        dv, ev = size_mb / d, size_mb / e
        ratio, target, met, unit = ev / dv, 0.8, ev / dv >= 0.8, "MB/s"
        spread = (f"{size_mb / max(direct):.0f}-{size_mb / min(direct):.0f} / "
                  f"{size_mb / max(through):.0f}-{size_mb / min(through):.0f}")
    return {"name": name, "direct": round(dv, 4), "endpoint": round(ev, 4), "ratio": round(ratio, 3),
            "target": f"{'≤' if kind == 'time' else '≥'} {target}×", "met": met, "unit": unit,
            "spread": spread, "repeats": len(direct),
            # The shape of benchmarks/run.py's table: texts with their unit, a note.
            "value": f"{ev:.3g} {unit} (n={len(through)})", "reference": f"{dv:.3g} {unit} (n={len(direct)})",
            "note": _NOTE[kind] + f"; spread {spread}"}


#: What each kind of endpoint row compares (the table's note).
_NOTE = {
    "time": "the same `docker` CLI command through the course endpoint vs straight to the engine's socket; "
            "median seconds (min-max direct / endpoint)",
    "throughput": "the same `docker` CLI command through the course endpoint vs straight to the engine's socket; "
                  "MB/s (a higher ratio is better; min-max direct / endpoint)",
}


def _pairs(repeats: int, direct, through) -> tuple[list[float], list[float]]:
    d, e = [], []
    for i in range(repeats):
        if i % 2:
            e.append(through())
            d.append(direct())
        else:
            d.append(direct())
            e.append(through())
    return d, e


def run(repeats: int = 5) -> list[dict]:
    """Measure everything once; rows of ``name, direct, endpoint, ratio, target, met, unit, spread``."""
    ep = _Endpoint()
    engine = ep.engine
    tag = uuid.uuid4().hex[:6]
    containers: list[str] = []
    images: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="dkc-bench-ctx-"))
    rows = []
    try:
        _docker(engine, "run", "--rm", BASE, "true")  # warm up
        rows.append(_row("docker run --rm round trip", *_pairs(
            repeats, lambda: _docker(engine, "run", "--rm", BASE, "true"),
            lambda: _docker(ep.host, "run", "--rm", BASE, "true")), "time"))
        rows.append(_row("docker ps", *_pairs(
            repeats * 3, lambda: _docker(engine, "ps"), lambda: _docker(ep.host, "ps")), "time"))

        (work / "big.bin").write_bytes(os.urandom(100 * 1024 * 1024))
        (work / "Dockerfile").write_text(f"FROM {BASE}\nARG N=0\nLABEL bench.n=$N\n")
        counter = iter(range(10_000))

        def build(host: str) -> float:
            ref = naming.image(f"bench-ctx-{tag}", str(next(counter)))
            images.append(ref)
            return _docker(host, "build", "-q", "--build-arg", f"N={ref}", "-t", ref, str(work))

        rows.append(_row("docker build, 100 MB context", *_pairs(
            repeats, lambda: build(engine), lambda: build(ep.host)), "throughput", 100 * 1.048576))

        for i in range(10):
            name = naming.name(f"bench-ep-{tag}-{i:02d}")
            _docker(ep.host, "run", "-d", "--name", name, BASE, "sleep", "infinity")
            containers.append(name)
        rows.append(_row("docker stats --no-stream, 10 containers", *_pairs(
            repeats, lambda: _docker(engine, "stats", "--no-stream", *containers),
            lambda: _docker(ep.host, "stats", "--no-stream", *containers)), "time"))

        logs = naming.name(f"bench-ep-{tag}-logs")
        containers.append(logs)
        _docker(ep.host, "run", "--name", logs, "--log-opt", "max-size=1g", "--log-opt", "max-file=1", BASE,
                "sh", "-c", "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghij | head -c 50000000")
        rows.append(_row("docker logs, 50 MB", *_pairs(
            repeats, lambda: _docker(engine, "logs", logs), lambda: _docker(ep.host, "logs", logs)),
            "throughput", 50.0))
    finally:
        if containers:
            subprocess.run(["docker", "rm", "-f", *containers], env={**os.environ, "DOCKER_HOST": engine},
                           capture_output=True)
        if images:
            subprocess.run(["docker", "rmi", "-f", *images], env={**os.environ, "DOCKER_HOST": engine},
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        ep.close()
    return rows


def rows(quick: bool = False) -> list[dict]:
    """The endpoint's rows for ``make bench`` (``benchmarks/run.py``): 5 repeats, 3 when quick."""
    return run(3 if quick else 5)


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table."""
    lines = [f"{'measurement':42} {'direct':>10} {'endpoint':>10} {'unit':>5} {'ratio':>7} {'target':>8}  met  "
             "spread (direct / endpoint)"]
    for r in rows:
        lines.append(f"{r['name']:42} {r['direct']:>10.3f} {r['endpoint']:>10.3f} {r['unit']:>5} {r['ratio']:>7.3f} "
                     f"{r['target']:>8}  {'yes' if r['met'] else 'NO ':3}  {r['spread']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    rows = run(args.repeats)
    print(table(rows))
    print(f"load average before/after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(a shared, busy engine makes the throughput rows noisy; compare the spreads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
