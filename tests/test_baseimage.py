"""Base image set-up: the debootstrap mirror comes from the host's apt sources, and every step has a deadline.

The failure cases run the real ``python -m dockhelpers prepare`` in a throwaway Debian 13 container with a
fake ``docker``/``debootstrap`` first on PATH: an import that fails mid-stream, an import that never reads,
a debootstrap that hangs. Each ends within its deadline with a Korean message and no traceback.
"""

from __future__ import annotations

import subprocess
import textwrap
import time

import pytest

from dockhelpers.baseimage import debian_mirror
from dockhelpers.errors import CourseError
from hostsim import box


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_mirror_from_deb822_sources_skips_security(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKHELPERS_DEBIAN_MIRROR", raising=False)
    _write(tmp_path / "sources.list.d/debian.sources", """\
        Types: deb
        URIs: http://security.mirror.lan/debian-security
        Suites: trixie-security
        Components: main

        Types: deb deb-src
        # a classroom mirror
        URIs: http://mirror.lan/debian/
        Suites: trixie trixie-updates
        Components: main
        """)
    assert debian_mirror(str(tmp_path)) == "http://mirror.lan/debian"


def test_mirror_from_one_line_sources_and_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKHELPERS_DEBIAN_MIRROR", raising=False)
    _write(tmp_path / "sources.list", """\
        # deb http://commented.lan/debian trixie main
        deb [signed-by=/usr/share/keyrings/x.gpg] http://apt.lan/debian bookworm main
        """)
    assert debian_mirror(str(tmp_path)) == "http://apt.lan/debian"
    monkeypatch.setenv("DOCKHELPERS_DEBIAN_MIRROR", "http://setting.lan/debian/")
    assert debian_mirror(str(tmp_path)) == "http://setting.lan/debian"


def test_no_mirror_is_a_korean_error(tmp_path, monkeypatch):
    monkeypatch.delenv("DOCKHELPERS_DEBIAN_MIRROR", raising=False)
    with pytest.raises(CourseError, match="DOCKHELPERS_DEBIAN_MIRROR"):
        debian_mirror(str(tmp_path))


FAKE_DOCKER = """\
#!/bin/sh
case "$1 $2" in
  "image pull") echo "Error response from daemon: dial tcp: lookup registry-1.docker.io: no such host" >&2; exit 1 ;;
  "image import")
    if [ "$IMPORT" = hang ]; then exec sleep 600; fi
    head -c 200000 >/dev/null
    echo "write /var/lib/docker/tmp/layer.tar: no space left on device" >&2; exit 1 ;;
esac
exit 1
"""
FAKE_DEBOOTSTRAP = """\
#!/bin/sh
if [ "$DEBOOTSTRAP" = hang ]; then sleep 600 & wait; fi
mkdir -p "$3/usr/share/doc" "$3/etc/apt/apt.conf.d" "$3/etc/dpkg/dpkg.cfg.d"
head -c 67108864 /dev/zero > "$3/big"
"""

@pytest.mark.engine
@pytest.mark.hostsim
def test_prepare_ends_within_its_deadline_with_a_korean_message():
    with box("base", course=False, venv=False) as b:
        b.sh("mkdir -p /tmp/fake", check=True)
        for name, text in (("docker", FAKE_DOCKER), ("debootstrap", FAKE_DEBOOTSTRAP)):
            subprocess.run(["docker", "exec", "-i", b.name, "sh", "-c", f"cat > /tmp/fake/{name} && chmod +x /tmp/fake/{name}"],
                           input=text, text=True, check=True, timeout=60)
        cases = [
            ({}, "디스크 공간이 부족합니다", 60),                                           # import fails mid-stream
            ({"IMPORT": "hang", "DOCKHELPERS_IMPORT_DEADLINE": "5"}, "5초 안에 끝나지 않아", 60),  # import never reads
            ({"DEBOOTSTRAP": "hang", "DOCKHELPERS_DEBOOTSTRAP_DEADLINE": "4"}, "4초 안에 끝나지 않아", 60),
        ]
        for env, message, limit in cases:
            start = time.monotonic()
            run = b.sh("cd /tmp && PATH=/tmp/fake:$PATH PYTHONPATH=/src python3 -m dockhelpers prepare",
                       env=env, timeout=limit + 30)
            took = time.monotonic() - start
            assert run.returncode == 2, (env, run.stdout[-2000:], run.stderr[-2000:])
            assert message in run.stderr and "Traceback" not in run.stderr + run.stdout, (env, run.stderr)
            assert took < limit, (env, took)
            # Nothing left running: no tar, no import, no debootstrap child.
            left = b.sh("ps -eo args | grep -E '^(tar|sleep 600|/bin/sh /tmp/fake)' || true").stdout
            assert not left.strip(), (env, left)
