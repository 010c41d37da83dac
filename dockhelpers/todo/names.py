"""Names, files and fixed numbers of the chapter 4 TODO app (stacks, services, images, the ingress URL)."""

from __future__ import annotations

from pathlib import Path

from dockhelpers import naming, swarm
from dockhelpers.states import TodoStatus

CHAPTER = 4
#: Build contexts and stack files of the chapter.
HERE = Path(__file__).resolve().parents[2] / "notebooks" / "ch04"
#: Manager port the ingress publishes (the host reaches it at ``swarm.manager_port(8001)``).
INGRESS_PORT = 8001


#: The board's columns (an enum: :class:`~dockhelpers.states.TodoStatus`).
Status = TodoStatus
STATUSES = tuple(s.value for s in Status)
#: (key, build context, Dockerfile, repository) in build order (web-nginx is FROM the nginx image).
COMPONENTS = (
    ("nginx", "nginx", None, "todo-nginx"),
    ("db", "db", None, "todo-db"),
    ("api", "api", None, "todo-api"),
    ("web", "web", None, "todo-web"),
    ("web-nginx", "web", "Dockerfile.nginx", "todo-web-nginx"),
)
#: Stack keys in deploy order, with their stack file.
STACK_FILES = (("db", "todo-db.yml"), ("app", "todo-app.yml"), ("frontend", "todo-frontend.yml"),
               ("ingress", "todo-ingress.yml"))
#: Replicas of every service, by (stack key, service).
REPLICAS = {("db", "primary"): 1, ("db", "replica"): 2, ("app", "api"): 2, ("app", "nginx"): 1,
            ("frontend", "web"): 2, ("frontend", "nginx"): 1, ("ingress", "nginx"): 1}

#: Korean column headers of the tables this package shows (English keys in code, Korean on screen).
KOREAN_LABELS = {
    "task": "태스크", "node": "노드", "role": "역할", "lag_seconds": "지연(초)", "source": "소스",
    "binlog_position": "바이너리 로그 위치", "error": "오류", "stack": "스택", "service": "서비스",
    "replicas": "레플리카", "image": "이미지", "endpoint_mode": "엔드포인트", "ports": "포트", "networks": "네트워크",
    "seconds": "초", "path": "경로", "http_status": "상태", "message": "메시지",
}
#: Korean words for values shown in tables.
KOREAN_VALUES = {"primary": "프라이머리", "replica": "레플리카"}


def korean(df):
    """The same frame with Korean column headers and role names (for display)."""
    out = df.rename(columns=KOREAN_LABELS)
    if "역할" in out.columns:
        out["역할"] = out["역할"].map(lambda v: KOREAN_VALUES.get(v, v))
    return out


def stack(key: str) -> str:
    """Stack name: ``stack("app")`` -> ``"dkc-todo-app"``."""
    return naming.name(f"todo-{key}")


def service(key: str, name: str) -> str:
    """Service name in a stack: ``service("app", "api")`` -> ``"dkc-todo-app_api"``."""
    return f"{stack(key)}_{name}"


def network() -> str:
    """The overlay network every stack joins (``dkc-todo``)."""
    return naming.name("todo")


def local_image(repo: str, tag: str = "v1") -> str:
    """Image on the host: ``local_image("todo-api")`` -> ``"dkc/todo-api:v1"``."""
    return naming.image(repo, tag)


def base_url() -> str:
    """Where the host reaches the ingress: ``http://127.0.0.1:18001``."""
    return f"http://127.0.0.1:{swarm.manager_port(INGRESS_PORT)}"
