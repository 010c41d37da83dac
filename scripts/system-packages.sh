#!/usr/bin/env bash
# System packages the course uses beyond Python: Korean fonts (plots, browser) and Chromium (browser tests).
# Installed with apt when running as root on Debian/Ubuntu; elsewhere, say what is missing and go on.
set -euo pipefail
want=(fonts-nanum chromium)
missing=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[system] apt-get install ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -q >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "[system] 설치되어 있지 않음 / not installed: ${missing[*]} (한글 글꼴은 그래프에, chromium은 브라우저 테스트에 씁니다)"
fi
