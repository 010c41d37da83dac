#!/bin/sh
# The lab image's entrypoint: start the engine inside where the container may run one, then run the command
# (JupyterLab by default) as the learner.
#
# - Root and privileged, or root with the Swarm lab's capability set (CAP_SYS_ADMIN and CAP_NET_ADMIN in the
#   effective set): start dockerd (Debian's docker.io) on /var/run/docker.sock, group docker (the learner
#   is in it), then make sure debian:trixie-slim is there (pull, else debootstrap) in the background.
# - Otherwise (an unprivileged container, Binder-like use): no engine; the command runs as it is.
# DOCKHELPERS_LAB_ENGINE=off skips the engine; DOCKHELPERS_LAB_PREPARE=off skips the base image step.
# DOCKHELPERS_REGISTRY_MIRROR=URL gives the inner engine a pull-through registry mirror (a classroom cache).
set -eu
run=/run/dockercourse
log=/var/log/dockercourse

cap_bit() {  # cap_bit N: 0 when capability number N is in the effective set
  eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  [ $(( (0x$eff >> $1) & 1 )) -eq 1 ]
}

may_run_engine() {
  [ "$(id -u)" = 0 ] && [ "${DOCKHELPERS_LAB_ENGINE:-on}" != off ] && cap_bit 21 && cap_bit 12
}

start_engine() {
  mkdir -p "$run" "$log"
  rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid /run/containerd/containerd.pid \
        "$run/engine" "$run/prepared"
  set -- --host=unix:///var/run/docker.sock --group docker
  [ -n "${DOCKHELPERS_REGISTRY_MIRROR:-}" ] && set -- "$@" --registry-mirror "$DOCKHELPERS_REGISTRY_MIRROR"
  dockerd "$@" >"$log/dockerd.log" 2>&1 &
  dockerd_pid=$!
  i=0
  while [ $i -lt 60 ]; do
    if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
      echo ok > "$run/engine"
      echo "[lab] 컨테이너 안의 도커 엔진이 시작되었습니다 / inner engine up ($(docker version --format '{{.Server.Version}}'))"
      if [ "${DOCKHELPERS_LAB_PREPARE:-on}" != off ]; then
        ( if python3 -m dockhelpers prepare --base-only >"$log/prepare.log" 2>&1; then echo ok; else echo failed; fi \
            > "$run/prepared" ) &
      else
        echo skipped > "$run/prepared"
      fi
      return 0
    fi
    sleep 0.5
    i=$((i + 1))
  done
  echo failed > "$run/engine"
  echo "[lab] 컨테이너 안의 도커 엔진이 30초 안에 시작되지 않았습니다 / inner engine did not start: $log/dockerd.log" >&2
  tail -n 5 "$log/dockerd.log" >&2 || true
}

dockerd_pid=""
if may_run_engine; then
  start_engine
elif [ "$(id -u)" = 0 ]; then
  mkdir -p "$run" && echo none > "$run/engine"
  echo "[lab] 엔진 없이 시작합니다(권한 없는 컨테이너) / no engine inside: the container is not privileged"
fi

if [ "$(id -u)" = 0 ] && [ "${DOCKHELPERS_LAB_USER:-learner}" != root ] && cap_bit 7 && cap_bit 6; then
  # Root with CAP_SETUID/CAP_SETGID: drop to the learner (uid 1000, groups learner and docker).
  export HOME=/home/learner USER=learner LOGNAME=learner
  set -- setpriv --reuid=learner --regid=learner --init-groups "$@"
fi
if [ -z "$dockerd_pid" ]; then
  exec "$@"
fi
# With an engine inside, stay as the parent: a stop signal ends the command first, then the engine, which
# then shuts down cleanly (its containers stopped, its state written) before the container goes.
stop() {
  kill -TERM "$child" 2>/dev/null || true
  wait "$child" 2>/dev/null || true
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  exit 143
}
trap stop TERM INT
"$@" &
child=$!
set +e
wait "$child"
rc=$?
kill -TERM "$dockerd_pid" 2>/dev/null
wait "$dockerd_pid" 2>/dev/null
exit "$rc"
