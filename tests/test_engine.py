"""The preflight against the real engine, and a clear Korean answer when no engine answers."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.engine
def test_doctor_reports_the_real_engine(engine):
    from dockhelpers.engine import doctor

    table = doctor(show=False)
    facts = dict(zip(table["항목"], table["값"]))
    assert facts["도커 엔진 버전(Engine)"] == engine.version()["Version"]
    assert facts["스토리지 드라이버"] == engine.info()["Driver"]
    assert "cgroup 버전" in facts and "IPVS (라우팅 메시)" in facts
    assert facts["베이스 이미지 debian:trixie-slim"] == "있음"
    assert facts["컴포즈 플러그인(Compose v2)"].startswith("2.")
    assert set(table["상태"]) <= {"정상", "확인 필요"}
    assert facts["과정 엔드포인트"].startswith("거치지 않음")  # the test process talks to the engine directly


@pytest.mark.engine
def test_doctor_says_when_the_endpoint_is_in_use(course_endpoint, monkeypatch):
    from dockhelpers import engine
    from dockhelpers.endpoint import settings

    monkeypatch.setenv("DOCKER_HOST", settings.docker_host(2))
    engine.reset_client()
    try:
        facts = dict(zip(*(lambda t: (t["항목"], t["값"]))(engine.doctor(show=False))))
        assert facts["과정 엔드포인트"] == f"사용 중 ({settings.docker_host(2)})"
    finally:
        monkeypatch.undo()
        engine.reset_client()


@pytest.mark.engine
def test_ipvs_detection_matches_the_kernel():
    from dockhelpers.engine import ipvs_supported

    assert ipvs_supported() == os.path.exists("/proc/net/ip_vs")


def _run_with_dead_engine(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DOCKER_HOST": "unix:///tmp/dkc-no-engine.sock"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)


def test_unreachable_engine_raises_korean_error():
    proc = _run_with_dead_engine(
        "from dockhelpers.engine import client\n"
        "from dockhelpers.errors import EngineUnavailable\n"
        "try:\n    client()\nexcept EngineUnavailable as e:\n    print('OK', e.message, e.hint)\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK 도커 엔진(unix:///tmp/dkc-no-engine.sock)에 연결할 수 없습니다.")


def test_preflight_explains_instead_of_traceback():
    proc = _run_with_dead_engine("from dockhelpers.engine import preflight\nprint(preflight())\n")
    assert proc.returncode == 0
    assert "도커 엔진이 없습니다" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr


def test_cli_doctor_exits_non_zero_with_korean_message():
    env = {**os.environ, "DOCKER_HOST": "unix:///tmp/dkc-no-engine.sock"}
    proc = subprocess.run([sys.executable, "-m", "dockhelpers", "doctor"], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "도커 엔진" in proc.stderr


def test_import_is_light():
    proc = subprocess.run([sys.executable, "-c", "import sys, dockhelpers; "
                           "print(any(m in sys.modules for m in ('pandas', 'matplotlib', 'docker', 'ipywidgets')))"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "False"
