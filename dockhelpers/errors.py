"""One exception root for the course, with Korean messages that name the fix.

Docker reports problems in many shapes: SDK exceptions, CLI stderr text, and error objects that arrive
inside an HTTP 200 stream (pull, push, build). :func:`translate` turns any of them into a
:class:`CourseError` subclass whose message tells the learner what happened and what to do.
"""

from __future__ import annotations

import re


class CourseError(Exception):
    """Root of every error the course raises.

    Attributes:
        message: What happened, in Korean.
        hint: What to do about it, in Korean.
        detail: The original engine or CLI text, unchanged (for the curious and for bug reports).
    """

    default_hint = "메시지를 읽고 명령을 고친 뒤 다시 실행하세요."

    def __init__(self, message: str, hint: str | None = None, detail: str | None = None) -> None:
        self.message = message
        self.hint = hint or self.default_hint
        self.detail = detail
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.message}\n해결 방법: {self.hint}"
        if self.detail:
            detail = self.detail.strip()
            # The cause is at the end of a long output (compose prints its progress first).
            text += f"\n(도커 원문: {detail if len(detail) <= 500 else '...' + detail[-500:]})"
        return text


class EngineUnavailable(CourseError):
    """The Docker Engine does not answer (not installed, not started, wrong DOCKER_HOST)."""

    default_hint = (
        "도커 엔진을 시작하세요. Docker Desktop이면 앱을 실행하고, Linux면 `sudo systemctl start docker` "
        "또는 프로젝트 폴더에서 `make lab`을 실행합니다. DOCKER_HOST 환경 변수가 잘못되어 있지 않은지도 확인하세요."
    )


class SocketPermission(EngineUnavailable):
    """The engine runs, but this user may not use its socket (not in the ``docker`` group)."""

    default_hint = (
        "도커 소켓에 접근할 권한이 없습니다. `sudo usermod -aG docker $USER`를 실행하고 로그아웃했다가 다시 "
        "로그인하세요(또는 Docker Desktop을 쓰세요). `sudo`로 노트북을 실행하지는 마세요."
    )


class ProxyProblem(CourseError):
    """An HTTP(S) proxy refused or broke a connection (often: a loopback address sent to the proxy)."""

    default_hint = (
        "프록시 설정(HTTP_PROXY, HTTPS_PROXY)을 확인하세요. 127.0.0.1과 localhost는 NO_PROXY에 넣어야 합니다"
        "(예: `export NO_PROXY=127.0.0.1,localhost`). 엔진이 쓰는 프록시는 Docker Desktop 설정이나 "
        "/etc/docker/daemon.json의 proxies 항목에서 바꿉니다."
    )


class InvalidReference(CourseError):
    """An image name/tag is not a valid reference (e.g. upper-case letters, spaces)."""

    default_hint = "이미지 이름은 소문자, 숫자, `.`, `_`, `-`, `/`만 쓸 수 있고 태그는 `:` 뒤에 붙입니다(예: `dkc/echo:v1`)."


class ImageNotFound(CourseError):
    """The image does not exist locally nor in the registry."""

    default_hint = "이름과 태그를 확인하세요. 직접 만드는 이미지라면 먼저 `docker image build`로 빌드합니다."


class PortInUse(CourseError):
    """The host port asked for is already taken."""

    default_hint = "다른 호스트 포트를 쓰거나(`-p 127.0.0.1:9001:8080`), 그 포트를 쓰는 컨테이너를 먼저 정지하세요."


class NameConflict(CourseError):
    """A container/volume/network with this name already exists."""

    default_hint = "기존 컨테이너를 `docker container rm -f 이름`으로 지우거나 다른 이름을 쓰세요."


class DockerfileMissing(CourseError):
    """The build context has no Dockerfile (or the `-f` path is wrong)."""

    default_hint = "빌드 컨텍스트 폴더와 `-f` 경로를 확인하세요. Dockerfile이 그 폴더 안에 있어야 합니다."


class BuildFailed(CourseError):
    """A build step (usually RUN) failed."""

    default_hint = "빌드 로그에서 실패한 단계를 찾아 Dockerfile의 해당 명령을 고친 뒤 다시 빌드하세요."


class NotFound(CourseError):
    """A container, volume or network does not exist."""

    default_hint = "`docker container ls -a`로 이름을 확인하세요. 앞 셀을 먼저 실행해야 할 수도 있습니다."


class NoSpace(CourseError):
    """The disk under Docker's data root is full."""

    default_hint = "`python -m dockhelpers cleanup`으로 과정이 만든 리소스를 지우고, 디스크 여유 공간을 확보하세요."


class RateLimited(CourseError):
    """Docker Hub's anonymous pull limit was reached."""

    default_hint = "잠시 후 다시 시도하거나 `docker login`으로 로그인하세요. 교실에서는 로컬 레지스트리 미러를 쓰세요."


class OOMKilled(CourseError):
    """The container was killed for using more memory than allowed."""

    default_hint = "`--memory` 제한을 늘리거나 애플리케이션의 메모리 사용을 줄이세요."


class RegistryUnreachable(CourseError):
    """A registry (Docker Hub or the course's) cannot be reached."""

    default_hint = "네트워크와 레지스트리 주소를 확인하세요. 오프라인이면 로컬 레지스트리를 사용합니다."


class CommandFailed(CourseError):
    """A command failed for a reason without a more specific class."""


# (pattern, class, Korean message) - first match wins; patterns are matched case-insensitively.
_RULES: list[tuple[str, type[CourseError], str]] = [
    (r"permission denied.{0,120}docker[^ ]*\.sock|docker[^ ]*\.sock.{0,120}permission denied"
     r"|permissionerror.{0,40}permission denied",
     SocketPermission, "도커 소켓에 접근할 권한이 없습니다."),
    (r"proxyconnect|proxyerror|unable to connect to proxy|407 proxy|proxy authentication required",
     ProxyProblem, "프록시를 거치는 연결이 실패했습니다."),
    (r"cannot connect to the docker daemon|error while fetching server api version|connectionrefusederror"
     r"|docker\.sock.*(no such file|refused)|connection aborted|unixhttpconnectionpool|remotedisconnected"
     r"|is the docker daemon running|unexpected eof|connection broken",
     EngineUnavailable, "도커 엔진에 연결할 수 없습니다."),
    (r"port is already allocated|address already in use|bind: address already",
     PortInUse, "호스트 포트가 이미 사용 중입니다."),
    (r"is already in use by container|conflict\. the container name|already exists",
     NameConflict, "같은 이름의 리소스가 이미 있습니다."),
    (r"invalid reference format|repository name must be lowercase|invalid tag format|not a valid repository",
     InvalidReference, "이미지 이름(참조) 형식이 올바르지 않습니다."),
    (r"cannot locate specified dockerfile|dockerfile.*no such file|unable to prepare context"
     r"|failed to read dockerfile|cannot find dockerfile",
     DockerfileMissing, "Dockerfile을 찾을 수 없습니다."),
    (r"toomanyrequests|pull rate limit", RateLimited, "Docker Hub 내려받기 횟수 제한에 걸렸습니다."),
    (r"no space left on device|disk quota exceeded|not enough space", NoSpace, "디스크 공간이 부족합니다."),
    (r"oomkilled|out of memory", OOMKilled, "메모리 부족으로 컨테이너가 종료되었습니다."),
    (r"returned a non-zero code|executor failed running|the command .* returned",
     BuildFailed, "이미지 빌드 중 한 단계가 실패했습니다."),
    (r"pull access denied|manifest unknown|manifest for .* not found|no such image|not found: manifest"
     r"|repository does not exist",
     ImageNotFound, "이미지를 찾을 수 없습니다."),
    (r"no such container|no such volume|network .* not found|no such network|no such object|not found",
     NotFound, "대상 리소스를 찾을 수 없습니다."),
    (r"dial tcp|i/o timeout|no such host|connection reset|tls handshake timeout|server misbehaving",
     RegistryUnreachable, "레지스트리에 연결할 수 없습니다."),
]


def translate(error: BaseException | str, context: str | None = None) -> CourseError:
    """Turn an SDK exception, CLI stderr or stream error text into a Korean :class:`CourseError`.

    Args:
        error: The exception raised by docker-py / requests, or the raw error text.
        context: A short Korean phrase saying what was being done (prefixed to the message).

    Returns:
        The most specific :class:`CourseError` subclass for the text; :class:`CommandFailed` otherwise.
    """
    if isinstance(error, CourseError):
        return error
    text = _error_text(error)
    for pattern, cls, message in _RULES:
        if re.search(pattern, text, flags=re.IGNORECASE | re.DOTALL):
            return cls(_with_context(message, context), detail=text)
    return CommandFailed(_with_context("도커 명령이 실패했습니다.", context), detail=text)


def _with_context(message: str, context: str | None) -> str:
    return f"{context}: {message}" if context else message


def _error_text(error: BaseException | str) -> str:
    if isinstance(error, str):
        return error
    explanation = getattr(error, "explanation", None)
    if explanation:
        return explanation.decode() if isinstance(explanation, bytes) else str(explanation)
    return f"{type(error).__name__}: {error}"
