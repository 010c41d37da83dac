"""Chapter 4: the TODO app on the Swarm lab - build, push, deploy the four stacks, drive it over HTTP.

Request path: host ``127.0.0.1:port(18001)`` -> lab manager ``:8001`` -> ingress nginx -> frontend nginx
(static files) -> web -> app nginx -> API -> MariaDB (writes: primary, reads: replicas). Four stacks
(``dkc-todo-db``, ``dkc-todo-app``, ``dkc-todo-frontend``, ``dkc-todo-ingress``) share one attachable
overlay network (``dkc-todo``). Build contexts and stack files live in ``notebooks/ch04/``.

One module per job; every public name is re-exported here, so ``from dockhelpers import todo;
todo.deploy()`` works:

- :mod:`~dockhelpers.todo.names`: stack, service, network and image names, the ingress URL, replicas.
- :mod:`~dockhelpers.todo.deploy`: build, push, deploy the stacks, wait until ready, remove.
- :mod:`~dockhelpers.todo.client`: the HTTP driver (the page's form and buttons, the JSON API, ``curl``).
- :mod:`~dockhelpers.todo.database`: the MariaDB tasks (SQL in a task, replication state).
- :mod:`~dockhelpers.todo.overview`: the services table and the architecture figure.
- :mod:`~dockhelpers.todo.update`: the rolling update of 4.6 and the client load loop.
- :mod:`~dockhelpers.todo.drill`: the failure drill of 4.7.

CLI equivalents are printed for every engine action, e.g.::

    docker image build -t dkc/todo-api:v1 notebooks/ch04/api
    docker image tag dkc/todo-api:v1 127.0.0.1:15000/dkc/todo-api:v1 && docker image push ...
    docker exec dkc-manager docker network create -d overlay --attachable dkc-todo
    docker exec -e API_IMAGE=... dkc-manager docker stack deploy -c /stacks/.../todo-app.yml dkc-todo-app
"""

from __future__ import annotations

from dockhelpers.todo.client import (_CARD, Response, api_find, api_list, curl, http, wait_for, wait_http,
                                     web_add, web_board, web_move)
from dockhelpers.todo.database import (TaskContainer, db_exec, replication_healthy, replication_rows,
                                       replication_status, row_everywhere, row_frame, task_containers,
                                       statement_support, wait_row_everywhere)
from dockhelpers.todo.deploy import (DeployReport, build_all, deploy, deploy_stack, ensure_network, push_all,
                                     remove, stack_env, wait_ready, wait_service)
from dockhelpers.todo.drill import probe_reads, probe_rows, stop_replica_task, unpushed_image_demo
from dockhelpers.todo.names import (CHAPTER, COMPONENTS, HERE, INGRESS_PORT, KOREAN_LABELS, REPLICAS, STACK_FILES,
                                    STATUSES, Status, base_url, korean, local_image, network, service, stack)
from dockhelpers.todo.overview import (EDGES, SERVICE_COLUMNS, access_log, architecture_figure, services_frame,
                                       services_table)
from dockhelpers.todo.update import (FAILED_UPDATES, LoadLoop, LoadResult, UpdateState, build_push_api,
                                     make_api_v2, rolling_update, update_env, update_state, wait_update)

__all__ = [
    "CHAPTER", "COMPONENTS", "access_log", "unpushed_image_demo", "EDGES", "FAILED_UPDATES", "HERE", "INGRESS_PORT", "KOREAN_LABELS", "REPLICAS",
    "SERVICE_COLUMNS", "STACK_FILES", "STATUSES", "DeployReport", "LoadLoop", "LoadResult", "Response", "Status",
    "TaskContainer", "UpdateState", "api_find", "api_list", "architecture_figure", "base_url", "build_all",
    "build_push_api", "curl", "db_exec", "deploy", "deploy_stack", "ensure_network", "http", "korean",
    "local_image", "make_api_v2", "network", "probe_reads", "probe_rows", "push_all", "remove", "replication_healthy",
    "replication_rows", "replication_status", "rolling_update", "row_everywhere", "row_frame", "service",
    "services_frame", "services_table", "stack", "stack_env", "statement_support", "stop_replica_task", "task_containers",
    "update_env", "update_state", "wait_for", "wait_http", "wait_ready", "wait_row_everywhere", "wait_service",
    "wait_update", "web_add", "web_board", "web_move",
]
