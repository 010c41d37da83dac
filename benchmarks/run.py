"""``make bench``: run every benchmark module, print one table, write it to ``docs/benchmarks.md`` with a chart.

Every module ``benchmarks/*.py`` that exposes ``rows(quick: bool = False) -> list[dict]`` (or ``rows()``,
or else exactly one public ``*_rows()`` function callable without arguments) is a benchmark: this driver imports it, calls it and puts its rows into the one table. A row is a dict:

- ``name``: what was measured;
- ``value`` (or ``endpoint``): the course's figure, and ``reference`` (or ``direct``): what it is compared
  with, measured in the same run - text such as ``1.51 s (1.50–1.71, n=7)`` (median, min–max, count) or
  a number;
- ``ratio``: value / reference (medians), ``target`` (text, e.g. ``≤ 1.0×``) and ``met`` (True, False or
  None when there is no target); optional ``group``, ``note`` and ``limit`` (the target's number, for the
  chart).

So a new benchmark (``benchmarks/endpoint.py``, for instance) plugs in by defining ``rows()``. Modules run
in :data:`ORDER`, then the others alphabetically; ``common.py`` and this file are not benchmarks.

Usage::

    make bench                 # full: repeats, cold and warm notebook runs, the Swarm lab and TODO deploy
    make bench BENCH=quick     # fewer repeats, no cold notebook runs, no replica drill (for development)
    .venv/bin/python benchmarks/run.py --quick --only basics,stats_bench --out /tmp/b.md

What the benchmarks print while they run goes to ``build/bench/run.log``; progress lines go to stderr.
Benchmarks are not tests: nothing here fails on a missed target (the table says "missed").
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import json
import os
import pathlib
import re
import signal
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]
# The benchmarks' own names and ports unless the caller chose (never collide with a learner's lab or tests).
os.environ.setdefault("DOCKHELPERS_PREFIX", "dkc-bench")
os.environ.setdefault("DOCKHELPERS_PORT_OFFSET", "400")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

from report import console_table, facts, write_chart, write_markdown  # noqa: E402

#: Modules run first, in this order (cheap and engine-only first, the Swarm lab last).
ORDER = ["basics", "stats_bench", "notebooks", "swarm_lab", "todo_deploy"]
NOT_BENCHMARKS = {"run", "common", "report"}


def discover() -> list[pathlib.Path]:
    """Benchmark module files in running order."""
    files = {p.stem: p for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_")}
    return [files[n] for n in ORDER if n in files] + [files[n] for n in sorted(files) if n not in ORDER]


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def normalise(raw: dict, group: str) -> dict:
    """A row in the table's shape, from a module's dict (accepts ``direct``/``endpoint`` for reference/value)."""
    value = raw.get("value", raw.get("endpoint"))
    reference = raw.get("reference", raw.get("direct"))
    ratio = raw.get("ratio")
    if ratio is None and isinstance(value, (int, float)) and isinstance(reference, (int, float)) and reference:
        ratio = value / reference
    return {"group": raw.get("group", group), "name": str(raw.get("name", "?")), "value": _text(value),
            "reference": _text(reference), "ratio": float(ratio) if isinstance(ratio, (int, float)) else None,
            "target": str(raw.get("target") or "—"), "met": raw.get("met"), "note": str(raw.get("note", "")),
            "limit": raw.get("limit", _limit(str(raw.get("target") or "")))}


def _limit(target: str) -> float | None:
    """The number of a ratio target such as ``≤ 1.5×`` (for the chart's tick), else None."""
    match = re.search(r"[≤<]=?\s*([0-9.]+)\s*×", target)
    return float(match.group(1)) if match else None


def load(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_function(module):
    """The module's ``rows`` function, else its one public ``*_rows`` function callable without arguments."""
    fn = getattr(module, "rows", None)
    if callable(fn):
        return fn
    found = [f for n, f in vars(module).items()
             if n.endswith("_rows") and not n.startswith("_") and inspect.isfunction(f)
             and f.__module__ == module.__name__
             and all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                     for p in inspect.signature(f).parameters.values())]
    return found[0] if len(found) == 1 else None


def run_module(path: pathlib.Path, quick: bool, log) -> list[dict]:
    """Rows of one module (an error becomes one row saying so; the other modules still run)."""
    started = time.monotonic()
    print(f"[bench] {path.stem} ...", file=sys.stderr, flush=True)
    try:
        with contextlib.redirect_stdout(log):
            module = load(path)
            fn = rows_function(module)
            if fn is None:
                print(f"[bench] {path.name}: no rows(), skipped", file=sys.stderr)
                return []
            raw = fn(quick=quick) if "quick" in inspect.signature(fn).parameters else fn()
        result = [normalise(r, path.stem) for r in raw]
    except Exception as exc:  # a broken benchmark must not hide the others' figures
        traceback.print_exc(file=log)
        result = [normalise({"name": f"{path.stem}: failed ({type(exc).__name__}: {str(exc)[:120]})",
                             "met": None, "note": "see build/bench/run.log"}, path.stem)]
    print(f"[bench] {path.stem}: {len(result)} rows in {time.monotonic() - started:.0f} s", file=sys.stderr,
          flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    # A stopped run (kill, Ctrl+C) still runs the benchmarks' `finally` blocks that remove their containers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH") == "quick",
                        help="fewer repeats, no cold notebook runs (also BENCH=quick)")
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                        help="comma-separated module names (e.g. basics,stats_bench)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--redraw", action="store_true",
                        help="only rewrite the table and chart from the last run (build/bench/rows.json)")
    args = parser.parse_args(argv)
    if args.redraw:
        saved = json.loads((ROOT / "build" / "bench" / "rows.json").read_text(encoding="utf-8"))
        return publish(saved["rows"], saved["facts"], pathlib.Path(args.out))
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    paths = [p for p in discover() if not only or p.stem in only]
    log_path = ROOT / "build" / "bench" / "run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    machine = facts(ROOT)
    started = time.monotonic()
    rows: list[dict] = []
    with open(log_path, "w", encoding="utf-8") as log:
        for path in paths:
            rows += run_module(path, args.quick, log)
    machine["load_end"] = os.getloadavg()
    machine["minutes"] = (time.monotonic() - started) / 60
    machine["mode"] = "quick" if args.quick else "full"
    machine["modules"] = ", ".join(p.stem for p in paths)
    out = pathlib.Path(args.out)
    (log_path.parent / "rows.json").write_text(json.dumps({"facts": machine, "rows": rows}, indent=1,
                                                          ensure_ascii=False), encoding="utf-8")
    return publish(rows, machine, out)


def publish(rows: list[dict], machine: dict, out: pathlib.Path) -> int:
    """Write the Markdown and the chart, print the table."""
    chart = out.with_suffix(".png")
    write_chart(rows, chart)
    write_markdown(rows, machine, out, chart.name)
    print(console_table(rows, machine))
    print(f"\n[bench] written: {out} and {chart}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
