"""The endpoint's rules: one table from method + path to a function that rewrites, guards or answers.

Each rule gets an :class:`Exchange` (the request being forwarded) and may read and rewrite its small JSON
body or its query, refuse it (the client sees the engine's error format ``{"message": ...}``), answer it
locally, or filter the response. Requests no rule matches pass through unchanged.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from dockhelpers import naming
from dockhelpers.endpoint import marker, settings
from dockhelpers.endpoint.http import Head, HttpError, Reader, body_framing, read_body, simple_request

#: Largest JSON request body a rule reads and rewrites.
BODY_LIMIT = 1024 * 1024
#: Largest listing a rule reads and filters.
LISTING_LIMIT = 32 * 1024 * 1024
#: Request header that shows everything in listings for one request (helpers such as cleanup).
SHOW_ALL_HEADER = "x-dockercourse-show-all"
LOOPBACK = "127.0.0.1"
WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")
ENGINE_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
BUILTIN_NETWORKS = ("bridge", "host", "none")


class Refused(Exception):
    """A rule refused the request; the client gets ``status`` and the engine's error JSON."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class LocalAnswer(Exception):
    """A rule answers the request itself (nothing is forwarded)."""

    def __init__(self, body: Any, status: int = 200) -> None:
        super().__init__(status)
        self.body = body
        self.status = status


class Exchange:
    """One request on its way to the engine, as the rules see it.

    Attributes:
        method, version, path, query: The request (``/v1.41`` prefix split off; the query is a dict).
        head: The request head (headers may be changed).
        chapter: Chapter label for what this request creates (header, else the endpoint's setting).
        body: The parsed JSON body once a rule read it (then it is re-sent as JSON).
        response_filter: Set by a rule to rewrite a JSON response (listings).
        after: Set by a rule to run after the response (``after(status)``).
    """

    def __init__(self, head: Head, reader: Reader | None, upstream: settings.Upstream) -> None:
        from dockhelpers.endpoint.http import split_target

        self.head = head
        self.method = head.first[0]
        self.version, self.path, self.query = split_target(head.first[1])
        self.reader = reader
        self.upstream = upstream
        self.chapter = head.get(settings.CHAPTER_HEADER) or settings.default_chapter()
        self.session = head.get(settings.SESSION_HEADER)
        self.body: Any = None
        self.body_read = False
        self.response_filter: Callable[[Any], Any] | None = None
        self.after: Callable[[int], None] | None = None
        self.match: re.Match | None = None

    # -- request parts ------------------------------------------------------------------------------
    def json_body(self) -> Any:
        """The request's JSON body (read once, at most :data:`BODY_LIMIT` bytes; ``{}`` when empty)."""
        if not self.body_read:
            raw = read_body(self.reader, body_framing(self.head, request=True), BODY_LIMIT) if self.reader else b""
            self.body_read = True
            try:
                self.body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                raise HttpError("request body is not JSON") from None
        return self.body

    def filters(self) -> dict[str, dict[str, bool]]:
        """The ``filters`` query parameter in its map form (``{"label": {"k=v": true}}``)."""
        try:
            raw = json.loads(self.query.get("filters") or "{}")
        except ValueError:
            raise HttpError("filters is not JSON") from None
        return {k: (dict.fromkeys(v, True) if isinstance(v, list) else dict(v)) for k, v in raw.items()}

    def add_filter(self, key: str, value: str) -> None:
        flt = self.filters()
        flt.setdefault(key, {})[value] = True
        self.query["filters"] = json.dumps(flt)

    def show_all(self) -> bool:
        return settings.show_all() or self.head.get(SHOW_ALL_HEADER, "") in ("1", "true")

    def course_labels(self) -> dict[str, str]:
        labels = naming.labels(self.chapter)
        return labels

    # -- the engine ---------------------------------------------------------------------------------
    def inspect(self, path: str) -> dict | None:
        """``GET path`` on the engine (a fresh connection); None on 404."""
        status, body = simple_request(self.upstream.connect(), "GET", path)
        if status == 404:
            return None
        if status != 200:
            raise Refused(_bilingual(f"엔진이 확인 요청에 {status}로 답했습니다.",
                                     f"the engine answered {status} to an inspection"), 502)
        return json.loads(body)

    def refuse_unless_course(self, kind: str, what: str) -> None:
        """Refuse unless the object at ``/{kind}s/{what}`` carries the endpoint's marker."""
        info = self.inspect(f"/{kind}s/{_quote(what)}/json" if kind != "volume" else f"/volumes/{_quote(what)}")
        if info is None:
            return  # the engine answers its own "no such ..." error
        if kind == "image":
            ok = marker.is_course_image(info, what)
        else:
            labels = (info.get("Config") or {}).get("Labels") if kind == "container" else info.get("Labels")
            ok = marker.is_course(labels)
        if not ok:
            raise Refused(not_course_message(kind, what, self.upstream.url))


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="/:@")


def _bilingual(korean: str, english: str) -> str:
    return f"{korean} / {english}"


KIND_KO = {"container": "컨테이너", "image": "이미지", "volume": "볼륨", "network": "네트워크"}


def not_course_message(kind: str, what: str, engine: str) -> str:
    """The refusal text for an object the course did not create (Korean / English, with the escape hatch)."""
    return _bilingual(
        f"과정이 만들지 않은 {KIND_KO[kind]} `{what}`은(는) 과정 엔드포인트로 멈추거나 바꾸거나 지울 수 없습니다. "
        f"직접 다루려면 엔진에 바로 연결하세요: DOCKER_HOST={engine} docker ...",
        f"the course endpoint does not stop, change or remove {kind} `{what}`: the course did not create it. "
        f"To manage it yourself, talk to the engine directly: DOCKER_HOST={engine} docker ...")


# ------------------------------------------------------------------------------------------ creation
def _labelled(x: Exchange, labels: dict | None, image: bool = False) -> dict[str, str]:
    """Labels of a new object: the client's (minus reserved keys), the course labels and the marker."""
    result = {k: v for k, v in (labels or {}).items() if k not in marker.RESERVED}
    for key, value in x.course_labels().items():
        if key in (naming.CHAPTER_LABEL, naming.PREFIX_LABEL):
            result.setdefault(key, value)
        else:
            result[key] = value
    result[marker.IMAGE_MARKER_LABEL if image else marker.MARKER_LABEL] = marker.marker_value()
    return result


def _dangerous(body: dict, engine: str) -> list[str]:
    """What in a container create request could harm the host (empty when nothing)."""
    host = body.get("HostConfig") or {}
    found = []
    if host.get("Privileged"):
        found.append("--privileged")
    if any(str(c).upper() in ("ALL", "CAP_ALL") for c in host.get("CapAdd") or []):
        found.append("--cap-add ALL")
    for key, flag in (("PidMode", "--pid"), ("NetworkMode", "--network"), ("IpcMode", "--ipc"),
                      ("UTSMode", "--uts"), ("UsernsMode", "--userns"), ("CgroupnsMode", "--cgroupns")):
        if str(host.get(key) or "") == "host":
            found.append(f"{flag} host")
    sockets = set(ENGINE_SOCKETS)
    if engine.startswith("unix://"):
        sockets.add(engine[len("unix://"):])
    sockets.add(str(settings.socket_path()))
    sources = [b.split(":", 1)[0] for b in host.get("Binds") or []]
    sources += [m.get("Source", "") for m in host.get("Mounts") or [] if m.get("Type", "bind") == "bind"]
    for src in sources:
        norm = os.path.normpath(src) if src.startswith("/") else src
        if norm == "/" or norm in sockets:
            found.append(f"-v {src}")
    return found


def create_container(x: Exchange) -> None:
    """``docker run`` / ``create``: labels + marker, ports on 127.0.0.1, no host-level powers."""
    body = x.json_body()
    lab = marker.is_lab(body.get("Labels"))
    body["Labels"] = _labelled(x, body.get("Labels"))
    risky = _dangerous(body, x.upstream.url)
    if risky and not lab:
        raise Refused(_bilingual(
            f"과정 엔드포인트는 호스트 전체에 닿는 설정({', '.join(risky)})으로 컨테이너를 만들지 않습니다. "
            f"꼭 필요하면 엔진에 바로 연결하세요: DOCKER_HOST={x.upstream.url} docker ...",
            f"the course endpoint refuses host-level settings ({', '.join(risky)}). "
            f"If you really need them, talk to the engine directly: DOCKER_HOST={x.upstream.url} docker ..."))
    if not isinstance(body.get("HostConfig"), dict):
        body["HostConfig"] = {}
    host = body["HostConfig"]
    bindings = host.get("PortBindings") or {}
    for port, binds in bindings.items():
        for bind in binds or []:
            if str(bind.get("HostIp") or "") in WILDCARD_HOSTS:
                bind["HostIp"] = LOOPBACK
        if not binds:
            bindings[port] = [{"HostIp": LOOPBACK, "HostPort": ""}]
    if host.get("PublishAllPorts"):
        exposed = set((body.get("ExposedPorts") or {}).keys())
        image = x.inspect(f"/images/{_quote(str(body.get('Image', '')))}/json") if body.get("Image") else None
        exposed |= set(((image or {}).get("Config") or {}).get("ExposedPorts") or {})
        for port in exposed:
            bindings.setdefault(port, [{"HostIp": LOOPBACK, "HostPort": ""}])
        host["PublishAllPorts"] = False
    if bindings:
        host["PortBindings"] = bindings


def create_labelled(x: Exchange) -> None:
    """``docker volume create`` / ``network create`` / ``secret create`` / ``config create``: labels + marker."""
    body = x.json_body()
    body["Labels"] = _labelled(x, body.get("Labels"))


def create_service(x: Exchange) -> None:
    """``docker service create`` (stacks): labels + marker on the service and on its containers."""
    body = x.json_body()
    body["Labels"] = _labelled(x, body.get("Labels"))
    spec = (body.get("TaskTemplate") or {}).get("ContainerSpec")
    if isinstance(spec, dict):
        spec["Labels"] = _labelled(x, spec.get("Labels"))


def build(x: Exchange) -> None:
    """``docker build``: course labels + the image marker via the ``labels`` query parameter."""
    try:
        labels = json.loads(x.query.get("labels") or "{}")
    except ValueError:
        raise HttpError("labels is not JSON") from None
    x.query["labels"] = json.dumps(_labelled(x, labels, image=True))


def commit(x: Exchange) -> None:
    """``docker commit``: the image gets the image marker, and the container marker is blanked.

    A committed image would otherwise carry the container's marker on to every container made from it,
    also directly on the engine. The engine keeps labels given in the request over the container's.
    """
    body = x.json_body()
    if not isinstance(body, dict):
        body = x.body = {}
    labels = body.get("Labels") or {}
    labels = {k: v for k, v in labels.items() if k not in marker.RESERVED}
    labels[marker.MARKER_LABEL] = ""
    labels[marker.IMAGE_MARKER_LABEL] = marker.marker_value()
    body["Labels"] = labels


def pull(x: Exchange) -> None:
    """``docker pull``: remember the pulled image as the course's (unless it was there before)."""
    ref = x.query.get("fromImage", "")
    if not ref or x.query.get("fromSrc"):
        return
    tag = x.query.get("tag", "")
    if tag:
        ref = f"{ref}@{tag}" if ":" in tag and tag.startswith("sha256") else f"{ref}:{tag}"
    before = x.inspect(f"/images/{_quote(ref)}/json")

    def remember(status: int) -> None:
        if status != 200:
            return
        after = x.inspect(f"/images/{_quote(ref)}/json")
        if after and (before is None or before.get("Id") != after.get("Id")):
            marker.remember_pull(ref, after["Id"])

    x.after = remember


# --------------------------------------------------------------------------------------------- guards
def _guard(kind: str) -> Callable[[Exchange], None]:
    def guard(x: Exchange) -> None:
        x.refuse_unless_course(kind, x.match.group("id"))  # type: ignore[union-attr]

    guard.__name__ = f"guard_{kind}"
    guard.__doc__ = f"Stop/kill/restart/rm/rename/update of a {kind}: only the course's."
    return guard


def prune(x: Exchange) -> None:
    """``docker container/volume/network prune`` (and ``system prune``): only objects with the marker."""
    x.add_filter("label", f"{marker.MARKER_LABEL}={marker.marker_value()}")


def prune_images(x: Exchange) -> None:
    """``docker image prune``: only images the endpoint built."""
    x.add_filter("label", f"{marker.IMAGE_MARKER_LABEL}={marker.marker_value()}")


def prune_build_cache(x: Exchange) -> None:
    """``docker builder prune``: answered locally; the engine ignores label filters on the build cache."""
    raise LocalAnswer({"CachesDeleted": [], "SpaceReclaimed": 0})


def refuse_swarm(x: Exchange) -> None:
    """``docker swarm init/join/leave`` on the host engine: refused (chapter 3 uses the lab's nodes)."""
    raise Refused(_bilingual(
        "과정 엔드포인트는 이 엔진의 스웜 설정을 바꾸지 않습니다. 3장의 스웜 실습은 실습 노드에서 합니다. "
        f"꼭 필요하면 엔진에 바로 연결하세요: DOCKER_HOST={x.upstream.url} docker swarm ...",
        "the course endpoint does not change this engine's swarm state (chapter 3 uses the lab's nodes). "
        f"Talk to the engine directly if you must: DOCKER_HOST={x.upstream.url} docker swarm ..."))


# ------------------------------------------------------------------------------------------- listings
def list_marked(x: Exchange) -> None:
    """``docker ps`` / ``docker volume ls``: only what the endpoint created (unless show-all)."""
    if not x.show_all():
        x.add_filter("label", f"{marker.MARKER_LABEL}={marker.marker_value()}")


def list_networks(x: Exchange) -> None:
    """``docker network ls``: the course's networks and the engine's built-in ones."""
    if not x.show_all():
        x.response_filter = lambda nets: [n for n in nets if n.get("Name") in BUILTIN_NETWORKS
                                          or marker.is_course(n.get("Labels"))]


def list_images(x: Exchange) -> None:
    """``docker images``: the course's images and its base image ``debian:trixie-slim``."""
    if not x.show_all():
        x.response_filter = lambda imgs: [i for i in imgs if naming.BASE_IMAGE in (i.get("RepoTags") or [])
                                          or marker.is_course_image(i)]


Rule = Callable[[Exchange], None]
ID = r"(?P<id>[^/]+)"
#: (method, path pattern, rule): the first match wins; the path is without its ``/v1.xx`` prefix.
RULES: list[tuple[str, str, Rule]] = [
    ("POST", r"/containers/create", create_container),
    ("POST", r"/containers/prune", prune),
    ("POST", rf"/containers/{ID}/(?:stop|kill|restart|rename|update)", _guard("container")),
    ("DELETE", rf"/containers/{ID}", _guard("container")),
    ("GET", r"/containers/json", list_marked),
    ("POST", r"/volumes/create", create_labelled),
    ("POST", r"/volumes/prune", prune),
    ("DELETE", rf"/volumes/{ID}", _guard("volume")),
    ("GET", r"/volumes", list_marked),
    ("POST", r"/networks/create", create_labelled),
    ("POST", r"/networks/prune", prune),
    ("DELETE", rf"/networks/{ID}", _guard("network")),
    ("GET", r"/networks", list_networks),
    ("POST", r"/build/prune", prune_build_cache),
    ("POST", r"/build", build),
    ("POST", r"/images/create", pull),
    ("POST", r"/commit", commit),
    ("POST", r"/images/prune", prune_images),
    ("DELETE", r"/images/(?P<id>.+)", _guard("image")),
    ("GET", r"/images/json", list_images),
    ("POST", r"/swarm/(?:init|join|leave)", refuse_swarm),
    ("POST", r"/services/create", create_service),
    ("POST", r"/(?:secrets|configs)/create", create_labelled),
]
_COMPILED = [(m, re.compile(p), f) for m, p, f in RULES]


def find(method: str, path: str) -> tuple[Rule, re.Match] | None:
    """The rule for a request, with its path match; None when the request passes through unchanged."""
    for m, pattern, rule in _COMPILED:
        if m == method:
            match = pattern.fullmatch(path)
            if match:
                return rule, match
    return None


def apply(x: Exchange) -> None:
    """Run the matching rule on ``x`` (may raise :class:`Refused`, :class:`LocalAnswer`, HttpError)."""
    found = find(x.method, x.path)
    if found:
        rule, x.match = found
        rule(x)
