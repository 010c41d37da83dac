"""The two-worker run (tests/parallel.py): separate names and ports, groups kept together, final checks last.

The scheduler is checked by running a small suite of its own under ``pytest -n 2`` in a subprocess: its tests
write where and when they ran, and its final test fails if any other test has not run yet.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import textwrap

import parallel
from dockhelpers import naming

ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = pathlib.Path(__file__).resolve().parent


def test_workers_get_their_own_prefix_and_offset():
    assert parallel.worker_env("gw0", "dkc", 0) == {naming.PREFIX_ENV: "dkc-gw0", naming.PORT_OFFSET_ENV: "635"}
    assert parallel.worker_env("gw1", "dkc-s07", 700) == {naming.PREFIX_ENV: "dkc-s07-gw1",
                                                          naming.PORT_OFFSET_ENV: str(700 + 2 * 635)}


def _lesson_ports() -> set[int]:
    """Every host port the course names: naming.port(N) / publish(N, ...) in code and notebooks, the hub's."""
    found = set(naming.HUB_PORTS.values())
    pattern = re.compile(r"\b(?:port|publish)\((\d{4,5})\b")
    for path in [*ROOT.glob("dockhelpers/**/*.py"), *ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("tests/**/*.py")]:
        found |= {int(n) for n in pattern.findall(path.read_text(encoding="utf-8"))}
    return found


def _lab_offsets() -> set[int]:
    pattern = re.compile(r"separate\(\s*\"[\w-]+\",\s*(\d+)\)")
    found = {0}
    for path in [*ROOT.glob("dockhelpers/**/*.py"), *ROOT.glob("tests/**/*.py")]:
        found |= {int(n) for n in pattern.findall(path.read_text(encoding="utf-8"))}
    return found


def test_worker_port_ranges_never_meet():
    """No port of one worker (lesson port + any lab's offset) is a port of another, and all stay below the
    kernel's ephemeral range (32768)."""
    ports, offsets = _lesson_ports(), _lab_offsets()
    assert len(ports) > 10 and {300, 440} <= offsets  # the scan found what it looks for
    used = {w: {p + o + parallel.PORT_STEP * (w + 1) for p in ports for o in offsets} for w in range(2)}
    assert not used[0] & used[1]
    assert max(used[1]) < 32768


CONFTEST = """
import sys
sys.path.insert(0, {tests!r})
import pytest
import parallel
parallel.isolate()

def pytest_configure(config):
    config.addinivalue_line("markers", "final: after everything")
    config.addinivalue_line("markers", "uses_lab: in the lab group")

@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    if parallel.WORKER:
        parallel.arrange(items, lambda item: item.get_closest_marker("uses_lab") is not None)

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return parallel.make_scheduler(config, log)
"""

RECORD = """
import os, time, pathlib, pytest
LOG = pathlib.Path(__file__).parent / "ran.log"

def record(name, seconds=0.3):
    start = time.time()
    time.sleep(seconds)
    with LOG.open("a") as f:
        f.write(f"{{name}} {{os.environ['PYTEST_XDIST_WORKER']}} {{os.environ['DOCKHELPERS_PREFIX']}} "
                f"{{start}} {{time.time()}}\\n")
"""


def _plain_env(prefix: str) -> dict[str, str]:
    """This environment as a plain (non-xdist) run under ``prefix`` would have it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    env.pop("PYTEST_CURRENT_TEST", None)
    return {**env, naming.PREFIX_ENV: prefix, naming.PORT_OFFSET_ENV: "0"}


def _run(tmp_path: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    """``pytest -n 2`` over the small suite in ``tmp_path`` (or what ``args`` select), as ``make test`` runs it."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
                           "-p", "no:cacheprovider", "-c", "/dev/null", "--rootdir", str(tmp_path),
                           *(args or [str(tmp_path)])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=_plain_env("dkc-par"))


def _write_suite(tmp_path: pathlib.Path) -> None:
    """Three plain modules, two chapter modules (chapter 3 the longest), a lab group over two modules, a final
    test that fails unless all 23 others have run."""
    (tmp_path / "conftest.py").write_text(CONFTEST.format(tests=str(TESTS)))
    (tmp_path / "record.py").write_text(RECORD.format())
    for module in "abc":  # plain modules: each one a unit
        (tmp_path / f"test_{module}.py").write_text("from record import record\n" + "".join(
            f"def test_{module}{i}():\n    record('{module}{i}', {0.8 if module == 'a' else 0.2})\n" for i in range(3)))
    for module, test in (("notebooks", "test_notebook_runs"), ("ui_notebooks", "test_notebook_in_browser")):
        (tmp_path / f"test_{module}.py").write_text(textwrap.dedent(f"""
            import pytest
            from record import record

            @pytest.mark.parametrize("nb", ["01_one", "02_two", "03_three", "04_four"])
            def {test}(nb):
                record(f"{module}-{{nb[:2]}}", 1.5 if nb == "03_three" else 0.4)

            def test_{module}_short():
                record("{module}_short", 0)
        """))
    for module in ("lab1", "lab2"):  # the lab group spans modules
        (tmp_path / f"test_{module}.py").write_text("import pytest\nfrom record import record\n" + "".join(
            f"@pytest.mark.uses_lab\ndef test_{module}_{i}():\n    record('{module}_{i}')\n" for i in range(2)))
    (tmp_path / "test_z_final.py").write_text(textwrap.dedent("""
        import pytest
        from record import LOG, record

        @pytest.mark.final
        def test_final():
            ran = {line.split()[0] for line in LOG.read_text().splitlines()}
            assert len(ran) == 23, sorted(ran)   # every other test has run
            record("final", 0)
    """))


def test_two_workers_keep_groups_together_and_run_final_checks_last(tmp_path):
    _write_suite(tmp_path)
    res = _run(tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    rows = [line.split() for line in (tmp_path / "ran.log").read_text().splitlines()]
    assert [r[0] for r in rows][-1] == "final" and len(rows) == 24
    order = [r[0] for r in rows]
    chapter_runs = [r for r in rows if r[0].startswith(("notebooks-", "ui_notebooks-"))]
    lab = [r for r in rows if r[0].startswith("lab")]
    for r in rows:  # beside a chapter run: other chapter runs, their modules' short tests, the lab; nothing else
        if r[0] not in {c[0] for c in chapter_runs} | {"notebooks_short", "ui_notebooks_short"} and r not in lab:
            overlapping = [c[0] for c in chapter_runs if float(r[3]) < float(c[4]) and float(c[3]) < float(r[4])]
            assert not overlapping, f"{r[0]} ran beside {overlapping}"
    # The worker of the shorter chapter unit (chapters 1 and 4) takes the lab as soon as its chapters are done,
    # while chapter 3 still runs on the other; the plain modules come after the lab has started.
    assert {r[1] for r in lab} == {next(r[1] for r in rows if r[0] == "notebooks-01")}
    assert float(lab[0][3]) < float(next(r[4] for r in rows if r[0] == "ui_notebooks-03"))
    assert float(lab[0][3]) < min(float(r[3]) for r in rows if r[0][0] in "abc")
    for n in ("01", "02", "03", "04"):  # both runs of a chapter on one worker, the browser run second
        first, second = f"notebooks-{n}", f"ui_notebooks-{n}"
        assert order.index(first) < order.index(second)
        assert {r[1] for r in rows if r[0] in (first, second)} == {next(r[1] for r in rows if r[0] == first)}
    workers = {r[0]: r[1] for r in rows}
    assert {workers[f"lab{m}_{i}"] for m in (1, 2) for i in range(2)} == {workers["lab1_0"]}  # one worker
    assert len({workers[f"a{i}"] for i in range(3)}) == 1  # a module stays on one worker
    assert set(workers.values()) == {"gw0", "gw1"}
    assert all(r[2] == f"dkc-par-{r[1]}" for r in rows)  # each worker's own prefix


def test_a_selection_ending_in_chapter_runs_does_not_hang(tmp_path):
    """With ``-k`` a chapter unit may end in a chapter run, which its worker holds until it gets more work:
    the scheduler gives it the work rather than wait for the other worker's chapter runs."""
    _write_suite(tmp_path)
    res = _run(tmp_path, str(tmp_path / "test_notebooks.py"), str(tmp_path / "test_a.py"),
               "--deselect", "test_notebooks.py::test_notebooks_short")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "7 passed" in res.stdout, res.stdout[-2000:]


def test_final_checks_run_when_the_last_busy_worker_is_stopping(tmp_path):
    """The race CI hit: one worker is told to stop while its last (slow) test still runs, and the other empties
    its queue meanwhile. The second must wait for the final unit, not stop too (xdist then fails the whole
    run with "Unexpectedly no active workers available")."""
    (tmp_path / "conftest.py").write_text(CONFTEST.format(tests=str(TESTS)))
    (tmp_path / "record.py").write_text(RECORD.format())
    (tmp_path / "test_a.py").write_text("from record import record\n"
                                        "def test_a0():\n    record('a0', 0.1)\n"
                                        "def test_a1():\n    record('a1', 4)\n")
    (tmp_path / "test_b.py").write_text("from record import record\n" + "".join(
        f"def test_b{i}():\n    record('b{i}', 0.3)\n" for i in range(6)))
    (tmp_path / "test_z_final.py").write_text(textwrap.dedent("""
        import pytest
        from record import LOG, record

        @pytest.mark.final
        def test_final():
            ran = {line.split()[0] for line in LOG.read_text().splitlines()}
            assert len(ran) == 8, sorted(ran)
            record("final", 0)
    """))
    res = _run(tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    rows = [line.split() for line in (tmp_path / "ran.log").read_text().splitlines()]
    assert [r[0] for r in rows][-1] == "final" and len(rows) == 9
