"""Hints that read the engine's current state after a failed check ("that container exists but is not running").

A check that fails passes one of these as ``state_hint`` (see :class:`dockhelpers.checks.CheckResult`): the
text describes what the engine holds right now around the expected resource (a near-miss name, an exit
code and the last log line, a port another container holds, a tag that exists under another name) and
what that means, in Korean. Each function is read-only and returns ``""`` when it has nothing to add.
"""

from __future__ import annotations

from typing import Any

from dockhelpers import inspection, naming
from dockhelpers.exercises import support

#: What a main process's exit code usually means.
EXIT_CODES = {
    0: "주 프로세스가 할 일을 마치고 정상 종료했습니다. 컨테이너는 주 프로세스가 살아 있는 동안만 실행되므로, "
       "계속 떠 있게 하려면 끝나지 않는 명령(예: `sleep infinity`)이 필요합니다.",
    1: "주 프로세스가 오류로 끝났습니다. 로그에서 원인을 확인하세요.",
    125: "엔진이 컨테이너를 시작하지 못했습니다(옵션 오류 등).",
    126: "명령을 실행할 수 없었습니다(실행 권한 없음).",
    127: "명령을 찾을 수 없었습니다. 이미지 안에 그 프로그램이 있는지 확인하세요.",
    137: "SIGKILL로 멈췄습니다(`docker container stop`의 제한 시간 초과, `kill`, 메모리 부족).",
    143: "SIGTERM으로 멈췄습니다(보통 `docker container stop`).",
}


def _last_log_line(name: str) -> str:
    try:
        raw = support.client().api.logs(name, tail=3, stdout=True, stderr=True)
    except Exception:  # logs are a bonus in a hint; a driver without logs must not break the check
        return ""
    lines = [line.strip() for line in raw.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:120] if lines else ""


def _near_misses(name: str) -> list[dict[str, Any]]:
    """Containers whose name contains the expected name's unprefixed part (``ex-echo``, ``my-ex-echo``)."""
    short = naming.short(name)
    found = support.client().api.containers(all=True, filters={"name": short})
    near = [c for c in found if (c.get("Names") or ["/"])[0].lstrip("/") != name]
    # The learner's own first (same prefix), then the rest: on a shared engine others' names match too.
    return sorted(near, key=lambda c: not c["Names"][0].lstrip("/").startswith(f"{naming.prefix()}-"))


def container_hint(name: str, *, image: str | None = None, port: int | None = None,
                   container_port: str = "8080/tcp") -> str:
    """What the engine holds around container ``name``, when it is not what an exercise wants.

    Args:
        name: The container name the exercise asks for.
        image: The image it should run, when the exercise says so.
        port: The host port (already shifted by ``naming.port``) it should publish on 127.0.0.1.
        container_port: The container port ``port`` should lead to.

    Returns:
        A Korean sentence or two, or ``""`` when the container runs as asked.
    """
    info = inspection.container(name)
    if info is None:
        near = _near_misses(name)
        if near:
            other = near[0]
            return (f"이름이 `{name}`인 컨테이너는 없지만 비슷한 이름의 `{other['Names'][0].lstrip('/')}`"
                    f"({other.get('State', '?')})가 있습니다. `--name {name}` 옵션으로 이름을 정확히 주세요.")
        if image:
            running = support.client().api.containers(filters={"ancestor": image})
            if running:
                return (f"`{image}`로 실행 중인 컨테이너 `{running[0]['Names'][0].lstrip('/')}`는 있지만 이름이 "
                        f"다릅니다. `--name {name}` 옵션으로 다시 실행하세요.")
            if not inspection.image_exists(image):
                return f"컨테이너도, 그 이미지 `{image}`도 아직 엔진에 없습니다. 이미지를 먼저 빌드하세요."
        return f"엔진에 `{name}` 컨테이너가 없습니다. 실행한 셀에 오류가 없었는지 확인하세요."
    state = info["State"]
    status = state.get("Status", "?")
    if status == "created":
        return (f"그 이름의 컨테이너는 있지만 한 번도 시작하지 않았습니다(created). "
                f"`docker container start {name}`로 시작하세요.")
    if status == "paused":
        return f"그 이름의 컨테이너는 일시 정지(paused) 상태입니다. `docker container unpause {name}`로 되살리세요."
    if status == "restarting":
        return "그 이름의 컨테이너가 계속 재시작하고 있습니다(주 프로세스가 곧바로 끝남). 로그를 확인하세요."
    if status != "running":
        code = int(state.get("ExitCode", 0))
        meaning = EXIT_CODES.get(code, "로그에서 원인을 확인하세요.")
        log = _last_log_line(name)
        return (f"그 이름의 컨테이너는 있지만 실행 중이 아닙니다({status}, 종료 코드 {code}). {meaning}"
                + (f" 마지막 로그: `{log}`" if log else ""))
    actual = (info.get("Config") or {}).get("Image", "")
    if image and actual != image and info.get("Image") != (inspection.image(image) or {}).get("Id"):
        return (f"컨테이너는 실행 중이지만 이미지가 `{actual}`입니다(기대: `{image}`). 지우고 `{image}`로 다시 "
                "실행하세요.")
    if port is not None:
        binds = ((info.get("NetworkSettings") or {}).get("Ports") or {}).get(container_port) or []
        if not any(b.get("HostIp") == "127.0.0.1" and b.get("HostPort") == str(port) for b in binds):
            holder = port_holder(port)
            if holder and holder != name:
                return (f"127.0.0.1:{port} 포트는 다른 컨테이너 `{holder}`가 쓰고 있습니다. 그 컨테이너를 멈추거나 "
                        "지운 뒤 다시 실행하세요.")
            number = container_port.split("/")[0]
            shown = ", ".join(f"{b.get('HostIp') or '0.0.0.0'}:{b.get('HostPort')}" for b in binds)
            state = f"{number}번 포트의 공개 주소가 {shown}입니다" if shown else f"{number}번 포트를 공개하지 않았습니다"
            return (f"컨테이너는 실행 중이지만 {state}. 포트 공개(`-p`)는 컨테이너를 만들 때만 정할 수 있으니 "
                    "지우고 다시 실행하세요.")
    return ""


def port_holder(port: int) -> str | None:
    """The name of a running container that publishes host port ``port``, or None."""
    for c in support.client().api.containers():
        for p in c.get("Ports") or []:
            if p.get("PublicPort") == port:
                return (c.get("Names") or ["/?"])[0].lstrip("/")
    return None


def image_hint(ref: str) -> str:
    """What the engine holds around image ``ref`` when it is missing: other tags of it, or it without the prefix."""
    if inspection.image_exists(ref):
        return ""
    repo, _, tag = ref.rpartition(":")
    tags = sorted(t for img in support.client().images.list(name=repo) for t in img.tags if t.startswith(f"{repo}:"))
    if tags:
        shown = ", ".join(f"`{t.rpartition(':')[2]}`" for t in tags)
        return (f"`{repo}` 저장소에는 {shown} 태그만 있습니다. "
                f"`docker image tag {tags[0]} {ref}`로 태그를 붙이거나 `-t {ref}`로 다시 빌드하세요.")
    bare = repo.split("/")[-1]
    for img in support.client().images.list():
        for t in img.tags:
            if t.rpartition(":")[0].split("/")[-1] == bare:
                return (f"`{t}` 이미지는 있지만 이름이 `{ref}`와 다릅니다(저장소 이름의 `{naming.prefix()}/`까지 "
                        f"같아야 합니다). `docker image tag {t} {ref}`로 이름을 붙이세요.")
    return f"엔진에 `{repo}` 이름의 이미지가 하나도 없습니다. 빌드 셀이 오류 없이 끝났는지 확인하세요."


def compose_hint(project: str, service: str) -> str:
    """When a compose project has no containers: the same service running under another project name."""
    found = support.client().api.containers(all=True, filters={"label": f"com.docker.compose.service={service}"})
    projects = sorted({c["Labels"].get("com.docker.compose.project", "?") for c in found} - {project})
    if projects:
        return (f"`{service}` 서비스는 다른 프로젝트 이름 `{projects[0]}`로 올라가 있습니다. 컴포즈는 프로젝트 이름이 "
                f"다르면 다른 앱으로 봅니다. `docker compose -p {project} ...`처럼 `-p`를 주세요.")
    return ""


def volume_hint(name: str) -> str:
    """When a named volume is missing: volumes with a similar name."""
    volumes = (support.client().api.volumes(filters={"name": naming.short(name)}) or {}).get("Volumes") or []
    near = [v["Name"] for v in volumes if v["Name"] != name]
    if near:
        return f"`{name}` 볼륨은 없지만 비슷한 이름의 `{near[0]}` 볼륨이 있습니다. 볼륨 이름을 정확히 주세요."
    return ""
