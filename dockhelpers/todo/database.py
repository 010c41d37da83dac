"""The MariaDB tasks of the TODO app: find a task's container, run SQL in it, read replication state.

A task's container lives on a lab node's inner engine, so every SQL goes ``docker exec NODE docker exec
TASK mariadb ...``. Rows use English keys; the tables shown to learners get Korean headers at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockhelpers import swarm
from dockhelpers.errors import CourseError
from dockhelpers.poll import poll_or_none
from dockhelpers.todo.names import REPLICAS, korean, service
from dockhelpers.shell import show as shell_show

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass
class TaskContainer:
    """A running task of a service: its node and its container's name on that node."""

    service: str
    task: str
    node: str
    container: str
    state: str


def task_containers(svc: str) -> list[TaskContainer]:
    """Running tasks of ``svc`` (``docker service ps --filter desired-state=running``) with container names."""
    res = swarm.manager(["service", "ps", svc, "--no-trunc", "--filter", "desired-state=running",
                         "--format", "{{.ID}} {{.Name}} {{.Node}} {{.CurrentState}}"],
                        check=False, echo=False, stream=False)
    if not res.ok and "No such container" in res.stderr:
        raise CourseError("스웜 실습 환경(매니저 컨테이너)이 없습니다.",
                          "`swarm.up()`으로 실습 환경을 다시 올리고 배포하세요. 다른 노트북이나 테스트가 같은 실습 환경을 "
                          "지웠을 수 있습니다.", detail=res.stderr)
    tasks = []
    for line in res.stdout.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[3].startswith("Running"):
            task_id, name, node, state = parts
            tasks.append(TaskContainer(svc, name, node, f"{name}.{task_id}", state))
    return sorted(tasks, key=lambda t: t.task)


def db_exec(task: TaskContainer, sql: str, *, echo: bool = False, vertical: bool = False) -> str:
    """Run SQL in a database task (``docker exec NODE docker exec TASK mariadb tododb -e SQL``)."""
    args = ["exec", task.container, "mariadb", "--default-character-set=utf8mb4", "tododb", "-e", sql]
    if echo:
        shell_show(f"docker exec {swarm.node_container(task.node)} docker exec {task.container} "
                   f"mariadb tododb -e \"{sql}\"")
    res = swarm.exec_on(task.node, args, check=False, echo=False, stream=False, timeout=30)
    if not res.ok:
        raise CourseError(f"{task.task}에서 SQL을 실행하지 못했습니다.", "태스크가 실행 중인지 확인하세요.",
                          detail=res.stderr or res.stdout)
    return res.stdout


def _vertical(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def replication_rows() -> list[dict]:
    """``SHOW REPLICA STATUS`` of every replica task.

    Returns:
        One dict per replica task with the keys ``task``, ``node``, ``server_id``, ``IO``, ``SQL`` (the
        replica threads, ``"Yes"`` when running), ``lag_seconds``, ``source``, ``binlog_position``, ``error``.
    """
    rows = []
    for task in task_containers(service("db", "replica")):
        try:
            status = _vertical(db_exec(task, "SHOW REPLICA STATUS\\G"))
            server_id = db_exec(task, "SELECT @@server_id").split()[-1]
        except CourseError as exc:
            rows.append({"task": task.task, "node": task.node, "IO": "?", "SQL": "?", "error": exc.message})
            continue
        rows.append({"task": task.task, "node": task.node, "server_id": server_id,
                     "IO": status.get("Slave_IO_Running", "?"), "SQL": status.get("Slave_SQL_Running", "?"),
                     "lag_seconds": status.get("Seconds_Behind_Master", "?"),
                     "source": f"{status.get('Master_Host', '?')}:{status.get('Master_Port', '')}",
                     "binlog_position": f"{status.get('Master_Log_File', '?')}:{status.get('Read_Master_Log_Pos', '')}",
                     "error": status.get("Last_Error", "")})
    return rows


def replication_healthy(rows: list[dict]) -> bool:
    """True when every replica of the stack file reports both replica threads running."""
    return len(rows) >= REPLICAS[("db", "replica")] and all(r["IO"] == "Yes" and r["SQL"] == "Yes" for r in rows)


def replication_status() -> "pd.DataFrame":
    """:func:`replication_rows` as a table with Korean headers (one row per replica task)."""
    import pandas as pd

    shell_show(f"docker exec <노드> docker exec <{service('db', 'replica')} 태스크> mariadb -e 'SHOW REPLICA STATUS\\G'")
    return korean(pd.DataFrame(replication_rows()))


def row_frame(todo_id: int) -> "pd.DataFrame":
    """The row ``todo_id`` as the primary and every replica hold it: columns role, task, node, id, title, status."""
    import pandas as pd

    rows = []
    for role in ("primary", "replica"):
        for task in task_containers(service("db", role)):
            out = db_exec(task, f"SELECT id, title, status FROM todo WHERE id = {int(todo_id)}")
            lines = [line.split("\t") for line in out.splitlines()[1:]]
            found = lines[0] if lines else None
            rows.append({"role": role, "task": task.task, "node": task.node,
                         "id": found[0] if found else None, "title": found[1] if found else None,
                         "status": found[2] if found else "(없음)"})
    return pd.DataFrame(rows, columns=["role", "task", "node", "id", "title", "status"])


def row_everywhere(todo_id: int) -> "pd.DataFrame":
    """:func:`row_frame` with Korean headers (역할, 태스크, 노드, ...), as the notebook shows it."""
    return korean(row_frame(todo_id))


def wait_row_everywhere(todo_id: int, status: str, timeout: float = 15) -> "pd.DataFrame":
    """Wait until the primary and every replica show ``todo_id`` with ``status``; returns the last table."""
    table = None

    def done() -> bool:
        nonlocal table
        table = row_frame(todo_id)
        return len(table) >= 1 + REPLICAS[("db", "replica")] and bool((table["status"] == status).all())

    poll_or_none(done, timeout, interval=0.5)
    return korean(table)


#: Replication statements tried on the live primary: the read-only status statements of MariaDB and MySQL,
#: and MySQL 8's ``CHANGE REPLICATION SOURCE TO`` (rejected by MariaDB's parser, so it changes nothing).
STATEMENTS = ("SHOW BINLOG STATUS", "SHOW MASTER STATUS", "SHOW BINARY LOG STATUS",
              "CHANGE REPLICATION SOURCE TO SOURCE_CONNECT_RETRY = 5")


def statement_support(task: TaskContainer | None = None,
                      statements: tuple[str, ...] = STATEMENTS) -> "pd.DataFrame":
    """Which replication statements the running MariaDB accepts (``docker exec ... mariadb -e STATEMENT``).

    Args:
        task: The database task to ask (default: the primary).
        statements: Statements to try; only read-only ones or ones the parser rejects.

    Returns:
        One row per statement: ``statement``, ``accepted`` (bool), ``answer`` (first result row or the error).
    """
    import pandas as pd

    task = task or task_containers(service("db", "primary"))[0]
    version = db_exec(task, "SELECT VERSION()").split("\n")[1].strip()
    rows = []
    for sql in statements:
        res = swarm.exec_on(task.node, ["exec", task.container, "mariadb", "-e", sql], check=False, echo=False,
                            stream=False, timeout=30)
        lines = res.stdout.strip().splitlines()
        answer = (" ".join(lines[1].split()) if len(lines) > 1 else "(빈 결과)") if res.ok else \
            res.stderr.strip().splitlines()[-1][:90]
        rows.append({"server": version, "statement": sql, "accepted": res.ok, "answer": answer})
    return pd.DataFrame(rows)
