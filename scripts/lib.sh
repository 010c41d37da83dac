# Shared shell functions for the set-up scripts (sourced, not run).

# apt_install PKG...: install the Debian packages that are missing (root only), updating the lists when stale.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "[setup] apt-get install ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -q >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# can_apt: true when this shell may install Debian packages (root with apt-get).
can_apt() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; }
