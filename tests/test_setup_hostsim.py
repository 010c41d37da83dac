"""`make lab`'s set-up on simulated learner machines (issue 9): throwaway Debian 13 containers, real scripts.

(a) Docker CE installed but stopped: the engine step refuses to install docker.io and removes nothing.
(b) systemd as PID 1: docker.io via docker.service (one dockerd), nothing listening beyond loopback.
(c) docker.io installed but stopped, no systemd, a non-root learner in the docker group: own dockerd (daemon.json honoured, pid file under
    /run), the lab runs as the learner - also under sudo - without the token in `ps`, the registry mirror
    takes writes only from the seeding step, and `make stop` stops exactly what the course started.
"""

from __future__ import annotations

import time

import pytest

from hostsim import box

pytestmark = [pytest.mark.engine, pytest.mark.hostsim]

COURSE = "/home/learner/course"
ENSURE = f"cd {COURSE} && bash scripts/ensure-engine.sh"


def test_installed_docker_ce_is_never_replaced():
    with box("docker-ce") as b:
        run = b.sh(ENSURE, timeout=180)
        out = run.stdout + run.stderr
        assert run.returncode != 0, out
        assert "설치하지 않습니다" in out and "docker-ce" in out and "systemctl start docker" in out, out
        # Even asked directly, the installer refuses: apt's simulation shows docker-ce would go.
        direct = b.sh(f". {COURSE}/scripts/lib.sh && apt_install docker.io", timeout=180)
        assert direct.returncode == 3, direct.stdout + direct.stderr
        assert "docker-ce" in direct.stderr and "설치를 거부합니다" in direct.stderr
        state = b.sh("dpkg-query -W -f='${Status}' docker-ce; echo; dpkg-query -W -f='${Status}' docker.io || true").stdout
        assert state.splitlines()[0] == "install ok installed", state
        assert "install ok installed" not in "".join(state.splitlines()[1:]), state


def _listeners(b) -> list[str]:
    lines = b.sh("ss -ltnH", check=True).stdout.splitlines()
    return [line.split()[3] for line in lines if line.strip()]


def test_systemd_host_uses_the_service_and_listens_on_loopback_only():
    with box("engine", systemd=True) as b:
        for _ in range(60):
            state = b.sh("systemctl is-system-running").stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"systemd did not boot: {state}")
        run = b.sh(ENSURE, timeout=400)
        assert run.returncode == 0, run.stdout + run.stderr
        assert b.sh("pgrep -c -x dockerd").stdout.strip() == "1"
        assert b.sh("systemctl is-active docker.service").stdout.strip() == "active"
        registry = b.sh("systemctl is-enabled docker-registry.service; systemctl is-active docker-registry.service")
        assert registry.stdout.split() == ["disabled", "inactive"], registry.stdout
        listening = _listeners(b)
        assert any(addr.endswith(":5099") for addr in listening), listening
        assert all(addr.startswith(("127.", "[::1]")) for addr in listening), listening
        assert "127.0.0.1:5099" in b.sh("docker info --format '{{.RegistryConfig.Mirrors}}'").stdout
        # The mirror refuses writes (only the seeding step's temporary registry may push).
        upload = b.sh("curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:5099/v2/x/y/blobs/uploads/")
        assert upload.stdout.strip() in ("405", "503"), upload.stdout
        # A second run changes nothing and still finds one engine.
        again = b.sh(ENSURE, timeout=120)
        assert again.returncode == 0 and "used as it is" in again.stdout
        stop = b.sh(f"cd {COURSE} && .venv/bin/python -m dockhelpers engine stop", timeout=180,
                    env={"PYTHONPATH": COURSE})
        assert stop.returncode == 0, stop.stderr
        assert b.sh("systemctl is-active docker.service").stdout.strip() != "active"
        assert b.sh("pgrep -x docker-registry").returncode != 0


def test_learner_lab_without_sudo_and_own_dockerd():
    with box("docker-io") as b:  # docker.io installed by the learner, stopped, no systemd
        b.sh("mkdir -p /etc/docker && echo '{\"labels\": [\"dkc-test=honoured\"], \"pidfile\": \"/tmp/x.pid\"}'"
             " > /etc/docker/daemon.json", check=True)
        run = b.sh(ENSURE, timeout=400)
        out = run.stdout + run.stderr
        assert run.returncode == 0, out
        assert "pidfile" in out  # says which setting it replaced
        assert b.sh("pgrep -c -x dockerd").stdout.strip() == "1"
        assert b.sh("kill -0 $(cat /run/dockercourse/dockerd.pid)").returncode == 0
        assert "dkc-test=honoured" in b.sh("docker info --format '{{.Labels}}'").stdout
        assert all(addr.startswith(("127.", "[::1]")) for addr in _listeners(b)), _listeners(b)

        # The learner (docker group, no sudo): the engine step and the lab work as they are.
        learner = b.sh(ENSURE, user="learner", timeout=120)
        assert learner.returncode == 0, learner.stdout + learner.stderr
        for who, start in (("learner", f"cd {COURSE} && nohup bash scripts/start-lab.sh 8888 >/tmp/lab.log 2>&1 &"),
                           ("root", f"cd {COURSE} && SUDO_USER=learner nohup bash scripts/start-lab.sh 8888 "
                                    ">/tmp/lab.log 2>&1 &")):
            b.sh(start, user=who, check=True)
            token = ""
            for _ in range(240):
                token = b.sh(f"cat {COURSE}/work/.lab/token 2>/dev/null", user="learner").stdout.strip()
                if who == "root":  # under sudo: as soon as the server process runs (it answers as above)
                    if token and b.sh("pgrep -f 'jupyter.lab'").returncode == 0:
                        break
                elif token and b.sh(f"curl -sf 'http://127.0.0.1:8888/api/status?token={token}'").returncode == 0:
                    break
                time.sleep(0.5)
            else:
                pytest.fail(b.sh("cat /tmp/lab.log").stdout[-3000:])
            users = b.sh("ps -o user= -C jupyter-lab; pgrep -u learner -f 'jupyter.lab'").stdout
            assert "learner" in users and b.sh("pgrep -u root -f 'jupyter.lab'").returncode != 0, (who, users)
            assert token not in b.sh("ps -eo args").stdout, who
            assert b.sh(f"stat -c %a {COURSE}/work/.lab/token").stdout.strip() == "600"
            assert b.sh(f"test -f {COURSE}/work/01_docker_basics.ipynb").returncode == 0
            b.sh(f"kill $(cat {COURSE}/work/.lab/lab.pid)", user="learner", check=True)
            for _ in range(40):
                if b.sh("pgrep -f 'jupyter.lab'").returncode != 0:
                    break
                time.sleep(0.5)

        # The mirror accepts writes only from the seeding step (a temporary registry on its storage).
        seed = b.sh("echo hi > /tmp/f && tar -C /tmp -cf /tmp/t.tar f && docker image import /tmp/t.tar dkc-seed/tiny:1 "
                    f"&& {COURSE}/.venv/bin/python -c 'from dockhelpers.baseimage import push_to_mirror as p; "
                    "p(\"dkc-seed/tiny:1\")'", env={"PYTHONPATH": COURSE}, timeout=180)
        assert seed.returncode == 0, seed.stdout + seed.stderr
        assert '"1"' in b.sh("curl -s http://127.0.0.1:5099/v2/library/dkc-seed/tiny/tags/list").stdout
        assert not any(addr.endswith(":5098") for addr in _listeners(b))  # the seeding registry is gone again
        direct = b.sh("docker tag dkc-seed/tiny:1 127.0.0.1:5099/x/y:1 && docker push 127.0.0.1:5099/x/y:1",
                      timeout=120)
        assert direct.returncode != 0, direct.stdout

        # make stop: what the course started, nothing else (a process of the learner's survives).
        b.sh("nohup sleep 600 >/dev/null 2>&1 &", user="learner", check=True)
        stop = b.sh(f"cd {COURSE} && make -o .venv/.installed stop", timeout=180, env={"PYTHONPATH": COURSE})
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert "dockerd" in stop.stdout
        assert b.sh("pgrep -x dockerd").returncode != 0
        assert b.sh("pgrep -x docker-registry").returncode != 0
        assert b.sh("pgrep -u learner -x sleep").returncode == 0
