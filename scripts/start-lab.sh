#!/usr/bin/env bash
# Start JupyterLab on notebooks/, bound to 127.0.0.1, and print the URL with its token.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port="${1:-8888}"
bin="$root/.venv/bin"
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
token="${JUPYTER_TOKEN:-$("$bin/python" -c 'import secrets; print(secrets.token_hex(24))')}"
url="http://127.0.0.1:${port}/lab?token=${token}"
cat <<MSG

  JupyterLab을 시작합니다 / Starting JupyterLab:
    ${url}
  (브라우저에서 위 주소를 여세요. 끝내려면 Ctrl+C / open the URL above; Ctrl+C stops it)

MSG
extra=()
[ "$(id -u)" = "0" ] && extra+=(--allow-root)  # containers, CI and fresh VMs often run as root
cd "$root/notebooks"
exec "$bin/jupyter" lab --no-browser --ip=127.0.0.1 --port="$port" --ServerApp.port_retries=0 \
  --IdentityProvider.token="$token" --ServerApp.root_dir="$root/notebooks" "${extra[@]}"
