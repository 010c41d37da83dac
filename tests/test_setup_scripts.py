"""The set-up scripts themselves: portable shell (macOS bash 3.2, no GNU coreutils), deadlines, config merge."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

from conftest import ROOT

SCRIPTS = sorted((ROOT / "scripts").glob("*.sh"))


def test_scripts_avoid_what_macos_bash_3_2_and_bsd_lack():
    banned = {
        r"\breadarray\b|\bmapfile\b": "bash 4 only",
        r"(^|[;&|(]\s*)timeout\s": "GNU coreutils only (use with_deadline)",
        r"\$\(seq\b|`seq\b": "seq differs on BSD",
        r"\$\{[A-Za-z_]+\[@\]\}": "an empty array under set -u fails on bash 3.2",
        r"\bsed -i\b": "BSD sed -i needs an argument",
        r"\bdeclare -A\b|\blocal -A\b": "bash 4 only",
    }
    for script in SCRIPTS:
        for number, line in enumerate(script.read_text().splitlines(), 1):
            code = line.split(" #", 1)[0]
            if code.lstrip().startswith("#"):
                continue
            for pattern, why in banned.items():
                assert not re.search(pattern, code), f"{script.name}:{number}: {why}: {line.strip()}"


def test_scripts_parse():
    for script in SCRIPTS:
        subprocess.run(["bash", "-n", str(script)], check=True)


def _lib(snippet: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f"set -euo pipefail; . {ROOT}/scripts/lib.sh; {snippet}"],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_with_deadline_kills_a_hanging_command_and_keeps_exit_codes():
    start = time.monotonic()
    hung = _lib("rc=0; with_deadline 2 sleep 30 || rc=$?; echo $rc")
    assert hung.stdout.strip() == "124" and time.monotonic() - start < 10
    assert _lib("rc=0; with_deadline 5 sh -c 'exit 7' || rc=$?; echo $rc").stdout.strip() == "7"
    assert _lib("with_deadline 5 echo hi").stdout.strip() == "hi"


def test_loopback_is_added_to_no_proxy_once():
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/lib.sh; echo $NO_PROXY; echo $no_proxy"],
                         env={"PATH": "/usr/bin:/bin", "NO_PROXY": "corp.lan,localhost"},
                         capture_output=True, text=True).stdout.split()
    assert out == ["corp.lan,localhost,127.0.0.1", "127.0.0.1,localhost"]


def test_daemon_config_keeps_the_learners_settings_and_says_what_it_replaced(tmp_path):
    src, dst = tmp_path / "daemon.json", tmp_path / "merged.json"
    src.write_text(json.dumps({"data-root": "/srv/docker", "registry-mirrors": ["https://mirror.lan"],
                               "pidfile": "/var/run/mine.pid"}))
    out = subprocess.run(["python3", str(ROOT / "scripts" / "merge-daemon-config.py"), str(src), str(dst),
                          "http://127.0.0.1:5099"], capture_output=True, text=True, check=True).stdout
    merged = json.loads(dst.read_text())
    assert merged["data-root"] == "/srv/docker"
    assert merged["registry-mirrors"] == ["https://mirror.lan", "http://127.0.0.1:5099"]
    assert "pidfile" not in merged and "pidfile" in out and "registry-mirrors" in out
    assert json.loads(src.read_text())["pidfile"] == "/var/run/mine.pid"  # the original is never edited
    missing = subprocess.run(["python3", str(ROOT / "scripts" / "merge-daemon-config.py"), str(tmp_path / "none"),
                              str(dst), "http://127.0.0.1:5099"], capture_output=True, text=True, check=True)
    assert json.loads(dst.read_text())["registry-mirrors"] == ["http://127.0.0.1:5099"] and not missing.stdout
