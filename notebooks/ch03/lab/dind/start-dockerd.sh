#!/bin/sh
# Start the inner Docker engine. A restarted container keeps /var/run from its last run, so stale pid
# files are removed first (otherwise: "process with PID 1 is still running").
set -e
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid /run/containerd/containerd.pid
# Only a Unix socket: the inner daemon is never exposed over TCP.
exec dockerd --host=unix:///var/run/docker.sock \
     --insecure-registry "${DIND_REGISTRY:-registry:5000}" "$@"
