#!/usr/bin/env bash
# System packages the course uses beyond Python: Korean fonts (plots, browser) and Chromium (browser tests).
# Installed with apt when running as root on Debian/Ubuntu; elsewhere, say what is missing and go on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
want=(fonts-nanum chromium)
if can_apt; then
  apt_install "${want[@]}"
  fc-list | grep -qi nanum || fc-cache -f >/dev/null 2>&1 || true
else
  for p in "${want[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || echo "[system] 설치되어 있지 않음 / not installed: $p (한글 글꼴은 그래프에, chromium은 브라우저 테스트에 씁니다)"
  done
fi
