"""``make record``: run every chapter notebook on the real engine and write its recording for the Binder replay.

Each notebook runs top to bottom with nbclient while the course endpoint records every Engine API exchange
and ``shell``/``web`` record every other command and HTTP call; then :mod:`dockhelpers.replay.compact`
writes ``notebooks/recordings/chNN.jsonl``. The endpoint runs from its own state folder
(``/tmp/dkc-record-<uid>`` unless ``DOCKHELPERS_ENDPOINT_STATE`` is set), so a running lab is not disturbed.

Usage: ``python scripts/record.py [CHAPTER ...]`` (default: every chapter);
``python scripts/record.py --compact-only [CHAPTER ...]`` rewrites the recordings from the last run's raw files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RAW = ROOT / "build" / "recordings-raw"
OUT = NOTEBOOKS / "recordings"
CELL_TIMEOUT = 900


def _engine_facts() -> dict[str, str]:
    from dockhelpers.endpoint import settings

    env = {**os.environ, "DOCKER_HOST": settings.upstream().url}
    out = subprocess.run(["docker", "version", "--format", "{{json .}}"], env=env, capture_output=True, text=True,
                         timeout=60)
    v = json.loads(out.stdout) if out.returncode == 0 else {}
    server = v.get("Server") or {}
    info = subprocess.run(["docker", "info", "--format", "{{.OperatingSystem}}"], env=env, capture_output=True,
                          text=True, timeout=60)
    return {"engine": server.get("Version", "?"), "api": server.get("ApiVersion", "?"),
            "cli": (v.get("Client") or {}).get("Version", "?"), "os": info.stdout.strip() or "?"}


def _execute(path: Path) -> tuple[list[str], float]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    try:
        client.execute()
    finally:
        out = ROOT / "build" / "notebooks" / f"{path.stem}.record.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    errors = [f"[cell {i}] {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return errors, time.monotonic() - started


def main(argv: list[str]) -> int:
    if not os.environ.get("DOCKHELPERS_ENDPOINT_STATE"):
        # short (a Unix socket path has a length limit) and the same every run: its marker lets the next run
        # remove what a failed run left behind
        os.environ["DOCKHELPERS_ENDPOINT_STATE"] = os.path.join(tempfile.gettempdir(), f"dkc-record-{os.getuid()}")
    os.environ["DOCKHELPERS_MODE"] = "live"
    sys.path.insert(0, str(ROOT))
    from dockhelpers.endpoint import daemon
    from dockhelpers.replay import compact

    if argv[:1] == ["--compact-only"]:  # rewrite recordings from the last run's raw files (no notebook runs)
        for chapter in [int(a) for a in argv[1:]] or [1, 2, 3, 4]:
            old = OUT / f"ch{chapter:02d}.jsonl"
            if not (RAW / old.name).is_file() or not old.is_file():
                continue
            with open(old, encoding="utf-8") as fh:
                facts = {k: v for k, v in json.loads(fh.readline()).items()
                         if k in ("engine", "api", "cli", "os", "seconds", "recorded_at", "prefix", "port_offset")}
            path = next(NOTEBOOKS.glob(f"{chapter:02d}_*.ipynb"))
            written = compact.write(RAW, chapter, path, OUT, facts)
            print(f"{written.relative_to(ROOT)}: {written.stat().st_size / 1024:.0f} KiB")
        return 0
    chapters = [int(a) for a in argv] or [1, 2, 3, 4]
    shutil.rmtree(RAW, ignore_errors=True)
    RAW.mkdir(parents=True)
    os.environ["DOCKHELPERS_RECORD"] = str(RAW)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    facts = _engine_facts()
    failed = 0
    try:
        for chapter in chapters:
            path = next(NOTEBOOKS.glob(f"{chapter:02d}_*.ipynb"))
            daemon.stop()
            daemon.start(record_dir=str(RAW))
            try:
                errors, seconds = _execute(path)
            finally:
                daemon.stop()  # writes the streams still open (a widget's events) before the recording is made
            if errors:
                failed += 1
                print(f"{path.name}: {len(errors)} error(s), recording not written: {errors[:3]}", flush=True)
                continue
            written = compact.write(RAW, chapter, path, OUT, {**facts, "seconds": round(seconds, 1)})
            print(f"{path.name}: {seconds:.0f} s -> {written.relative_to(ROOT)} "
                  f"({written.stat().st_size / 1024:.0f} KiB)", flush=True)
    finally:
        daemon.stop()
    total = sum(p.stat().st_size for p in OUT.glob("ch*.jsonl"))
    print(f"recordings: {total / 1e6:.2f} MB together (limit 5 MB)")
    return 1 if failed or total > 5_000_000 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
