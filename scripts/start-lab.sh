#!/usr/bin/env bash
# Start JupyterLab on the learner's own copy of the notebooks (work/), bound to 127.0.0.1.
#
# - Under `sudo make lab` the set-up ran as root, but the lab runs as the invoking user (SUDO_USER).
# - The token goes in through the environment (JUPYTER_TOKEN, read from a 0600 file), never on a command
#   line where `ps` would show it.
# - The lab opens ready: no JupyterLab news pop-up, Korean UI where the language pack is installed.
# - The course endpoint (the Docker API proxy, dockhelpers/endpoint/) is started here as the learner (its
#   socket is theirs, mode 0600) and the lab gets DOCKER_HOST=unix://<course socket>: every notebook, terminal
#   and check in the lab talks to the engine through it. DOCKHELPERS_ENDPOINT=off skips it (experts).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port="${1:-8888}"
bin="$root/.venv/bin"
work="${DOCKHELPERS_WORK:-$root/work}"

# shellcheck source=lib.sh
. "$root/scripts/lib.sh"

if [ "$(id -u)" = "0" ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != "root" ]; then
  # Installed as root; run the lab as the learner. Only named settings cross over (sudo resets the rest).
  mkdir -p "$work"
  chown "$SUDO_USER" "$work"
  echo "[lab] sudo로 실행했지만 JupyterLab은 $SUDO_USER 사용자로 실행합니다 / running the lab as $SUDO_USER"
  passthrough=""
  for var in DOCKER_HOST DOCKHELPERS_ENDPOINT DOCKHELPERS_PREFIX DOCKHELPERS_PORT_OFFSET DOCKHELPERS_WORK HTTP_PROXY HTTPS_PROXY \
             http_proxy https_proxy NO_PROXY no_proxy; do
    eval "val=\${$var:-}"
    # shellcheck disable=SC2154
    [ -n "$val" ] && passthrough="$passthrough $var=$val"
  done
  # shellcheck disable=SC2086
  exec sudo -u "$SUDO_USER" -H env $passthrough bash "$0" "$port"
fi

# The learner's own copy (first run), and the lab's settings kept with it (not in the shared venv).
"$bin/python" "$root/scripts/learner-copy.py" init "$root/notebooks" "$work"
lab="$work/.lab"
mkdir -p "$lab/settings/@jupyterlab/apputils-extension" "$lab/settings/@jupyterlab/translation-extension" "$lab/config"
chmod 0700 "$lab"
export JUPYTERLAB_SETTINGS_DIR="$lab/settings" JUPYTER_CONFIG_DIR="$lab/config"
notification="$lab/settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
[ -f "$notification" ] || printf '{"fetchNews": "false", "checkForUpdates": false}\n' > "$notification"
if [ ! -f "$lab/config/labconfig/page_config.json" ]; then
  with_deadline 60 "$bin/jupyter" labextension disable --level=user \
    @jupyterlab/apputils-extension:announcements >/dev/null 2>&1 || true
fi
translation="$lab/settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
if [ ! -f "$translation" ] && "$bin/python" -c 'import jupyterlab_language_pack_ko_KR' 2>/dev/null; then
  printf '{"locale": "ko_KR"}\n' > "$translation"
fi

# The course endpoint, then DOCKER_HOST for the lab server, its kernels and its terminals.
if [ "${DOCKHELPERS_ENDPOINT:-}" != "off" ]; then
  if endpoint=$(with_deadline 30 "$bin/python" -m dockhelpers endpoint start); then
    export "${endpoint?}"
    echo "[lab] 과정 엔드포인트 / course endpoint: ${endpoint} (터미널의 docker 명령도 이 길로 갑니다)"
  else
    echo "[lab] 과정 엔드포인트를 시작하지 못했습니다. 노트북이 처음 셀에서 다시 시도합니다 / endpoint not started"
  fi
fi

# The first free port from the one asked for (a lab already running keeps its port).
port=$("$bin/python" - "$port" <<'PY'
import socket, sys
port = int(sys.argv[1])
for candidate in range(port, port + 50):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        print(candidate)
        break
PY
)
# The token: from the environment, else from a 0600 file made on the first run (never on a command line).
if [ -z "${JUPYTER_TOKEN:-}" ]; then
  if [ ! -s "$lab/token" ]; then
    (umask 077 && "$bin/python" -c 'import secrets; print(secrets.token_hex(24))' > "$lab/token")
  fi
  chmod 0600 "$lab/token"
  JUPYTER_TOKEN=$(cat "$lab/token")
fi
export JUPYTER_TOKEN
url="http://127.0.0.1:${port}/lab?token=${JUPYTER_TOKEN}"
cat <<MSG

  JupyterLab을 시작합니다 / Starting JupyterLab (${work}):
    ${url}
  (브라우저에서 위 주소를 여세요. 끝내려면 Ctrl+C 또는 make stop / open the URL above; Ctrl+C or make stop ends it)

MSG
allow_root=""
[ "$(id -u)" = "0" ] && allow_root="--allow-root"  # containers and CI run as root without sudo
echo $$ > "$lab/lab.pid"   # exec keeps this pid: `make stop` ends the lab through it
cd "$work"
# shellcheck disable=SC2086
exec "$bin/jupyter" lab --no-browser --ip="${DOCKHELPERS_LAB_IP:-127.0.0.1}" --port="$port" --ServerApp.port_retries=0 \
  --ServerApp.root_dir="$work" $allow_root
