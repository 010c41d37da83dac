#!/bin/sh
# Wait until the lab container is ready (the devcontainer's postStartCommand): the engine inside answers and
# the base image step has finished. Exit 0 when ready or when the container has no engine (replay use).
#   lab-ready.sh [SECONDS]   (default 300)
set -u
run=/run/dockercourse
deadline=${1:-300}
# The lab's address with its token (the learner's own file; JUPYTER_TOKEN when the container was given one).
lab_url() {
  file="${DOCKHELPERS_WORK:-/home/learner/work}/.lab/token"
  n=0
  while [ -z "${JUPYTER_TOKEN:-}" ] && [ ! -s "$file" ] && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
  token=${JUPYTER_TOKEN:-$(cat "$file" 2>/dev/null || true)}
  [ -n "$token" ] && echo "[lab] JupyterLab: 포트 8888 / port 8888 -> http://127.0.0.1:8888/lab?token=$token"
  return 0
}
i=0
while [ $i -lt "$deadline" ]; do
  engine=$(cat "$run/engine" 2>/dev/null || true)
  # Started as an unprivileged user (Binder-like): the entrypoint wrote nothing and no dockerd runs.
  if [ -z "$engine" ] && [ $i -ge 2 ] && ! pgrep -x dockerd >/dev/null 2>&1; then engine=none; fi
  prepared=$(cat "$run/prepared" 2>/dev/null || true)
  case "$engine" in
    none) echo "[lab] 이 컨테이너에는 도커 엔진이 없습니다(기록 재생용) / no engine here"; exit 0 ;;
    failed) echo "[lab] 컨테이너 안의 도커 엔진이 시작되지 않았습니다 / inner engine failed: /var/log/dockercourse/dockerd.log" >&2; exit 1 ;;
  esac
  case "$prepared" in
    ok|skipped) echo "[lab] 준비되었습니다: 도커 엔진 $(docker version --format '{{.Server.Version}}' 2>/dev/null) / ready"
                lab_url; exit 0 ;;
    failed) echo "[lab] 베이스 이미지를 준비하지 못했습니다 / base image not prepared:" >&2
            tail -n 5 /var/log/dockercourse/prepare.log >&2; exit 1 ;;
  esac
  sleep 1
  i=$((i + 1))
done
echo "[lab] ${deadline}초 안에 준비되지 않았습니다 / not ready after ${deadline}s" >&2
exit 1
