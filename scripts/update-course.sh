#!/usr/bin/env bash
# `make update`: bring in a new course version (git pull --ff-only where the course is a git clone), then
# update the learner's copy in work/ without losing their work, and say which chapters changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$root/scripts/lib.sh"
work="${DOCKHELPERS_WORK:-$root/work}"
py="$root/.venv/bin/python"; [ -x "$py" ] || py=python3
if [ -d "$root/.git" ] || [ -f "$root/.git" ]; then
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
    git -C "$root" status --short --untracked-files=no >&2
    echo "[update] 과정 파일(위 목록)이 바뀌어 있어 git pull을 하지 않았습니다. 실습은 work/에서 하세요." >&2
    echo "         바뀐 내용을 work/로 옮긴 뒤 'git -C $root checkout -- .' 로 되돌리고 다시 실행하세요." >&2
    echo "[update] Tracked course files are modified (above): not pulling. Move your changes to work/, restore" >&2
    echo "         them with 'git checkout -- .', and run make update again." >&2
    exit 1
  fi
  echo "[update] git pull --ff-only"
  if ! with_deadline 180 git -C "$root" pull --ff-only; then
    echo "[update] 새 버전을 받지 못했습니다(네트워크, 프록시 또는 갈라진 기록). 위 메시지를 확인하세요." >&2
    echo "[update] Could not fetch the new version (network, proxy or diverged history): see above." >&2
    exit 1
  fi
fi
"$py" "$root/scripts/learner-copy.py" update "$root/notebooks" "$work"
