# Shared shell functions for the set-up scripts (sourced, not run).
#
# Portable on purpose: macOS ships bash 3.2 and BSD tools, so nothing here uses GNU `timeout`, `seq`,
# `readarray`, `${arr[@]}` of a possibly empty array under `set -u`, or `sed -i`.

# Loopback probes (curl to the mirror, the lab's port) must never go through a proxy.
_add_no_proxy() {
  local current="$1" item
  for item in 127.0.0.1 localhost; do
    case ",$current," in *",$item,"*) ;; *) current="${current:+$current,}$item" ;; esac
  done
  printf '%s' "$current"
}
NO_PROXY=$(_add_no_proxy "${NO_PROXY:-}"); export NO_PROXY
no_proxy=$(_add_no_proxy "${no_proxy:-}"); export no_proxy

# The course's state: /var/lib/dockercourse for files that stay, /run/dockercourse for pid files.
state="${DOCKHELPERS_STATE:-/var/lib/dockercourse}"
rundir="${DOCKHELPERS_RUNDIR:-/run/dockercourse}"

# with_deadline SECS CMD...: run CMD; kill it (TERM, then KILL) after SECS seconds. Returns CMD's status,
# or 124 when the deadline killed it (like GNU timeout, which macOS does not have).
with_deadline() {
  local secs="$1" pid watcher rc=0 flag
  shift
  flag=$(mktemp "${TMPDIR:-/tmp}/dkc-deadline.XXXXXX")
  "$@" &
  pid=$!
  (
    n=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$n" -ge "$secs" ]; then
        echo killed > "$flag"
        kill -TERM "$pid" 2>/dev/null
        sleep 2
        kill -KILL "$pid" 2>/dev/null
        exit 0
      fi
      sleep 1
      n=$((n + 1))
    done
  ) >/dev/null 2>&1 &
  watcher=$!
  wait "$pid" || rc=$?
  wait "$watcher" 2>/dev/null || true
  if [ -s "$flag" ]; then rc=124; fi
  rm -f "$flag"
  return "$rc"
}

# wait_until SECS CMD...: retry CMD every half second until it succeeds or SECS seconds have passed.
wait_until() {
  local secs="$1" tries=0
  shift
  while [ "$tries" -lt $((secs * 2)) ]; do
    if "$@"; then return 0; fi
    sleep 0.5
    tries=$((tries + 1))
  done
  return 1
}

# can_apt: true when this shell may install Debian packages (root with apt-get and dpkg).
can_apt() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

# pkg_installed PKG: the Debian (or RPM) package is installed (not merely known or half-removed).
pkg_installed() {
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return 0
  fi
  if command -v rpm >/dev/null 2>&1; then rpm -q "$1" >/dev/null 2>&1 && return 0; fi
  return 1
}

# systemd_runs: systemd is PID 1 (not merely installed), so services are started with systemctl.
systemd_runs() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# apt_install PKG...: install the missing packages - but only after a simulation (`apt-get -s`) shows
# that nothing would be removed. Returns 3 (and prints what apt wanted to remove) when it refuses.
apt_install() {
  local p missing="" sim removes
  for p in "$@"; do pkg_installed "$p" || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    echo "[setup] apt-get update"
    with_deadline "${DOCKHELPERS_APT_DEADLINE:-600}" apt-get update -q >/dev/null || {
      echo "[setup] apt-get update가 실패했거나 제한 시간을 넘었습니다. 네트워크와 프록시 설정을 확인하세요." >&2
      echo "[setup] apt-get update failed or timed out: check the network and proxy settings." >&2
      return 1
    }
  fi
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  if ! sim=$(with_deadline 120 apt-get -s -q install --no-install-recommends $missing 2>&1); then
    printf '%s\n' "$sim" | tail -5 >&2
    echo "[setup] apt가 설치 계획을 세우지 못했습니다:$missing / apt cannot plan installing:$missing" >&2
    return 1
  fi
  removes=$(printf '%s\n' "$sim" | awk '/^Remv /{printf " %s", $2}')
  if [ -n "$removes" ]; then
    cat >&2 <<EOF
[setup] 설치를 거부합니다: apt-get install$missing 을(를) 실행하면 다음 패키지가 삭제됩니다:$removes
        이 과정은 이미 설치된 패키지를 지우지 않습니다. 기존 도커를 시작해서 쓰세요(아래 안내).
[setup] Refusing: installing$missing would remove$removes. The course never removes a package.
EOF
    return 3
  fi
  echo "[setup] apt-get install$missing"
  # shellcheck disable=SC2086
  with_deadline "${DOCKHELPERS_APT_DEADLINE:-600}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends --no-remove $missing >/dev/null
}
