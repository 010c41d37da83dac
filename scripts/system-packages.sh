#!/usr/bin/env bash
# System packages the lab uses beyond Python: the Korean font for plots (fonts-nanum).
# `scripts/system-packages.sh test` installs what only the tests need: Chromium for the browser tests
# (`make test-deps`; Debian calls it chromium, Ubuntu has no such apt package - there use the snap or skip ui tests),
# and, where npm exists, the Dev Containers CLI (npm @devcontainers/cli, pinned) in build/devcontainer-cli/ for the devcontainer test.
# Installed with apt when running as root on Debian/Ubuntu (simulated first: nothing is ever removed);
# elsewhere, say what is missing and go on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
want="fonts-nanum"
why="한글 글꼴은 그래프에 씁니다 / the Korean font is used by the plots"
if [ "${1:-}" = "test" ]; then
  want="chromium"
  why="chromium은 브라우저 테스트에만 씁니다 / chromium is used by the browser tests only"
fi
if can_apt; then
  # shellcheck disable=SC2086
  apt_install $want || echo "[system] 설치하지 못했습니다 / could not install: $want ($why)"
  if [ "$want" = "fonts-nanum" ] && command -v fc-list >/dev/null 2>&1; then
    fc-list | grep -qi nanum || fc-cache -f >/dev/null 2>&1 || true
  fi
else
  for p in $want; do
    pkg_installed "$p" || echo "[system] 설치되어 있지 않음 / not installed: $p ($why)"
  done
fi
if [ "${1:-}" = "test" ]; then
  cli_dir="$here/../build/devcontainer-cli"
  cli_version="0.89.0"
  if [ ! -x "$cli_dir/node_modules/.bin/devcontainer" ] || \
     [ "$("$cli_dir/node_modules/.bin/devcontainer" --version 2>/dev/null)" != "$cli_version" ]; then
    if command -v npm >/dev/null 2>&1; then
      mkdir -p "$cli_dir"
      with_deadline 300 npm install --prefix "$cli_dir" --no-audit --no-fund --loglevel=error \
        "@devcontainers/cli@$cli_version" >/dev/null \
        || echo "[system] Dev Containers CLI를 설치하지 못했습니다 / could not install @devcontainers/cli"
    else
      echo "[system] npm이 없어 Dev Containers CLI를 설치하지 않았습니다 / no npm: devcontainer test skipped"
    fi
  fi
fi
