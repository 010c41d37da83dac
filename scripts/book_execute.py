"""Execute the chapter notebooks for the web edition (``make book``, step 1 of 3), with a cache.

Each ``notebooks/NN_*.ipynb`` is executed top to bottom with nbclient (like ``tests/test_notebooks.py``) and
written with its outputs and its ipywidgets state to ``build/book-src/NN_*.ipynb``. A notebook is executed
again only when its cache key changed: the notebook's bytes, its recording (``notebooks/recordings/``, files
named after the notebook or its chapter) and the mode.

The mode is just the environment the notebook's kernel runs in: ``DOCKHELPERS_MODE=replay`` makes the course
endpoint serve the recorded sessions (no engine needed: the kernel's ``DOCKER_HOST`` points nowhere); ``live`` (or no value) talks to the live engine
through the course endpoint (``DOCKHELPERS_PREFIX``/``DOCKHELPERS_PORT_OFFSET`` keep names and ports apart).
``--mode auto`` (what ``make book`` uses) chooses per notebook: replay where the notebook has a recording,
live where it has none; ``--mode replay``/``live`` (or ``DOCKHELPERS_MODE`` set by the caller) forces one for
all. Learner progress goes to a throwaway file, never the learner's own record.

Usage: ``python scripts/book_execute.py [--mode auto|replay|live] [--force] [NN_name.ipynb ...]``
(CLI equivalent for one notebook: ``jupyter nbconvert --to notebook --execute``). Apps shown in frames are
captured while they run (``scripts/book_snapshots.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
NOTEBOOKS = ROOT / "notebooks"
RECORDINGS = NOTEBOOKS / "recordings"
OUT = ROOT / "build" / "book-src"
META_KEY = "dockercourse_book"
MODE_ENV = "DOCKHELPERS_MODE"
#: Part of the cache key: raised when what the executor stores changes (2: app frames captured; 3: replays see no engine).
KEY_VERSION = "3"
CELL_TIMEOUT = int(os.environ.get("DOCKHELPERS_CELL_TIMEOUT", "900"))
#: DOCKER_HOST for a replayed notebook's kernel: a socket that does not exist (no engine to reach).
NO_ENGINE = "unix:///nonexistent"


def mode_for(path: pathlib.Path, wanted: str) -> str:
    """``replay`` or ``live`` for one notebook: ``wanted`` unless it is ``auto`` (replay iff it has a recording)."""
    if wanted == "auto":
        explicit = os.environ.get(MODE_ENV, "").strip().lower()
        if explicit in ("replay", "live"):
            return explicit
        return "replay" if recordings_for(path) else "live"
    return wanted


def recordings_for(path: pathlib.Path) -> list[pathlib.Path]:
    """The recording files of one notebook: named after its stem (``01_docker_basics*``) or chapter (``ch01*``)."""
    if not RECORDINGS.is_dir():
        return []
    chapter = f"ch{path.name[:2]}"
    return sorted(p for p in RECORDINGS.rglob("*") if p.is_file()
                  and (p.name.startswith(path.stem) or p.name.startswith(chapter)))


def cache_key(path: pathlib.Path, run_mode: str) -> str:
    """sha256 over the notebook, its recordings, the mode and :data:`KEY_VERSION`."""
    digest = hashlib.sha256(f"{KEY_VERSION}:{run_mode}".encode())
    for part in [path, *recordings_for(path)]:
        digest.update(str(part.relative_to(ROOT)).encode())
        digest.update(part.read_bytes())
    return digest.hexdigest()


def cached_key(out: pathlib.Path) -> str | None:
    try:
        return json.loads(out.read_text(encoding="utf-8"))["metadata"][META_KEY]["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def engine_version() -> str:
    """The engine's version as the notebooks saw it (empty in replay mode or when none answers)."""
    try:
        from dockhelpers.engine import client

        return str(client().version().get("Version", ""))
    except Exception:  # noqa: BLE001 - only a label on the page
        return ""


def capture_app_frames(cell, **_) -> None:
    """nbclient hook: pages of the course's apps shown in frames are captured while the apps still run."""
    from book_snapshots import capture_frames, on_outputs

    on_outputs(cell.get("outputs", []), capture_frames)


def execute(path: pathlib.Path, out: pathlib.Path, key: str, run_mode: str) -> float:
    """Run one notebook and write it, outputs and widget state included, to ``out``; the seconds taken."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = {name: os.environ.get(name) for name in (MODE_ENV, "DOCKER_HOST")}
    os.environ[MODE_ENV] = run_mode  # the kernel inherits it: the endpoint replays or forwards
    if run_mode == "replay":  # a book is read, not watched: recorded pauses shrink 20x (DOCKHELPERS_REPLAY_SPEED wins)
        os.environ.setdefault("DOCKHELPERS_REPLAY_SPEED", "20")
        # No engine is reachable from a replay (as on Binder or a CI without Docker): what the page shows comes
        # from the recording alone, and the learner's own engine is never touched.
        os.environ["DOCKER_HOST"] = NO_ENGINE
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}},
                            on_cell_executed=capture_app_frames)
    started = time.monotonic()
    try:
        client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    seconds = time.monotonic() - started
    nb.metadata[META_KEY] = {
        "key": key, "mode": run_mode, "seconds": round(seconds, 1),
        "executed": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "engine": engine_version() if run_mode == "live" else "",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    nbformat.write(nb, tmp)
    tmp.replace(out)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("auto", "replay", "live"), default="auto",
                        help="replay recorded sessions, use the live engine, or auto: replay where recorded")
    parser.add_argument("--force", action="store_true", help="execute even when the cache is current")
    parser.add_argument("names", nargs="*", help="notebook file names (default: every chapter)")
    args = parser.parse_args(argv)
    chapters = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        chapters = [p for p in chapters if p.name in args.names or p.stem in args.names]
    os.environ.setdefault("DOCKHELPERS_PROGRESS",
                          os.path.join(tempfile.mkdtemp(prefix="dkc-book-progress-"), "progress.jsonl"))
    from dockhelpers.endpoint import daemon

    endpoint_was_up = daemon.ping()
    total, failed, executed = 0.0, [], 0
    try:
        for path in chapters:
            out = OUT / path.name
            run_mode = mode_for(path, args.mode)
            key = cache_key(path, run_mode)
            if not args.force and cached_key(out) == key:
                print(f"[book] {path.name}: cached ({run_mode})", flush=True)
                continue
            print(f"[book] {path.name}: executing ({run_mode}) ...", flush=True)
            try:
                seconds = execute(path, out, key, run_mode)
            except Exception as exc:  # noqa: BLE001 - report every failing chapter, then fail
                failed.append(path.name)
                print(f"[book] {path.name}: FAILED: {type(exc).__name__}: {str(exc)[-600:]}", file=sys.stderr)
                continue
            total += seconds
            executed += 1
            print(f"[book] {path.name}: executed in {seconds:.0f} s", flush=True)
    finally:
        if not endpoint_was_up:  # the notebooks' first cells started one for this run: stop it again
            daemon.stop()
    print(f"[book] execute: {total:.0f} s for the {executed} notebook(s) executed now", flush=True)
    if failed:
        print(f"[book] 실행에 실패한 장 / chapters that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
