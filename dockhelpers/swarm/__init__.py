"""The chapter 3 Swarm lab: a registry, a manager and workers as Docker-in-Docker containers.

One call brings the lab up (:func:`up`) and one takes it down (:func:`down`); both are idempotent. The
lab is one compose project (``notebooks/ch03/lab/compose.yaml``) plus one of two mode files:

* ``compose.privileged.yaml`` - ``--privileged``, tried first (what a normal Docker host accepts);
* ``compose.capabilities.yaml`` - every capability but ``SYS_RESOURCE``, no seccomp/AppArmor profile,
  writable ``/sys`` paths and the host's cgroup tree; used where privileged containers are refused.

Each inner engine keeps ``/var/lib/docker`` on a named volume, listens only on its Unix socket and trusts
the lab registry (``registry:5000``) over plain HTTP. Published ports bind to 127.0.0.1: the registry on
``naming.publish(15000, 5000)`` and the manager's 8000-8009 on host ports ``port(18000)..port(18009)``.

CLI equivalents are printed for every step, e.g.::

    docker compose -p dkc-swarm -f compose.yaml -f compose.capabilities.yaml up -d
    docker exec dkc-manager docker swarm init
    docker exec dkc-worker01 docker swarm join --token SWMTKN-... manager:2377
"""

from __future__ import annotations

from dockhelpers.errors import CourseError
from dockhelpers.swarm.lab import (CHAPTER, MANAGER, MANAGER_PORTS, MODES, REGISTRY_IN_CLUSTER, REGISTRY_NAME,
                                   WORKERS, LabInfo, compose_args, compose_env, current_mode, down, ensure_images,
                                   exec_on, is_up, lab_dir, leftovers, manager, manager_port, network_modes,
                                   node_container, project, registry_host, status, up)
from dockhelpers.swarm.services import (push, running_replicas, service_tasks, stack_deploy, stack_rm, wait_node,
                                        wait_service)

__all__ = [
    "CHAPTER", "MANAGER", "MANAGER_PORTS", "MODES", "REGISTRY_IN_CLUSTER", "REGISTRY_NAME", "WORKERS", "CourseError",
    "LabInfo", "compose_args", "compose_env", "current_mode", "down", "ensure_images", "exec_on", "is_up", "lab_dir",
    "leftovers", "manager", "manager_port", "network_modes", "node_container", "project", "push", "registry_host",
    "running_replicas", "service_tasks", "stack_deploy", "stack_rm", "status", "up", "wait_node", "wait_service",
]
