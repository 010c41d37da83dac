"""Make sure the course's only upstream image, ``debian:trixie-slim``, is available.

Where Docker Hub answers, this is a plain ``docker image pull debian:trixie-slim``. Where it does not
(offline classrooms, this project's CI), the image is made the way the official one is made:
``debootstrap --variant=minbase trixie``, trimmed like the official slim image, imported with OCI labels
saying it was bootstrapped locally, and pushed into the local registry mirror that an engine started by
``scripts/ensure-engine.sh`` uses - so that ``docker image pull debian:trixie-slim`` works in every notebook.
"""

from __future__ import annotations

import datetime as _dt
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dockhelpers.engine import ensure_loopback_no_proxy
from dockhelpers.errors import CourseError
from dockhelpers.naming import BASE_IMAGE
from dockhelpers.shell import docker
from dockhelpers.shell import show as shell_show

_PORT = int(os.environ.get("DOCKHELPERS_MIRROR_PORT", "5099"))
MIRROR = f"127.0.0.1:{_PORT}"
#: The writable registry that shares the mirror's storage; it runs only while :func:`push_to_mirror` seeds.
SEED = f"127.0.0.1:{_PORT - 1}"
STATE = Path(os.environ.get("DOCKHELPERS_STATE", "/var/lib/dockercourse"))
#: Deadlines (seconds): debootstrap, the import pipe, pushes. A step past its deadline ends with a Korean message.
DEBOOTSTRAP_DEADLINE = float(os.environ.get("DOCKHELPERS_DEBOOTSTRAP_DEADLINE", "900"))
IMPORT_DEADLINE = float(os.environ.get("DOCKHELPERS_IMPORT_DEADLINE", "300"))
PUSH_DEADLINE = 300.0


def debian_mirror(sources: str = "/etc/apt") -> str:
    """The Debian archive debootstrap uses: ``DOCKHELPERS_DEBIAN_MIRROR``, else the host's own apt sources.

    Reads ``sources.list.d/*.sources`` (deb822) and ``sources.list`` / ``sources.list.d/*.list`` (one-line
    format) and returns the first ``deb`` URI that serves a plain suite (not ``-security``/``-updates``),
    so a learner behind a local or classroom mirror uses theirs.

    Raises:
        CourseError: No usable source and no setting.
    """
    setting = os.environ.get("DOCKHELPERS_DEBIAN_MIRROR", "").strip()
    if setting:
        return setting.rstrip("/")
    entries: list[tuple[str, list[str]]] = []  # (uri, suites)
    for path in sorted(glob.glob(f"{sources}/sources.list.d/*.sources")):
        for stanza in re.split(r"\n\s*\n", Path(path).read_text(errors="replace")):
            fields: dict[str, str] = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
            if "deb" in fields.get("types", "").split() and fields.get("enabled", "yes").lower() != "no":
                for uri in fields.get("uris", "").split():
                    entries.append((uri, fields.get("suites", "").split()))
    for path in [f"{sources}/sources.list", *sorted(glob.glob(f"{sources}/sources.list.d/*.list"))]:
        if not os.path.isfile(path):
            continue
        for line in Path(path).read_text(errors="replace").splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                entries.append((words[1], [words[2]]))
    for uri, suites in entries:
        if uri.startswith(("http://", "https://", "file:/")) and any(
                not re.search(r"-(security|updates|backports|proposed)$", s) for s in suites) \
                and "security" not in uri:
            return uri.rstrip("/")
    raise CourseError("debootstrap에 쓸 Debian 미러를 찾지 못했습니다(/etc/apt/sources.list*).",
                      "DOCKHELPERS_DEBIAN_MIRROR 환경 변수에 Debian 미러 주소를 넣고 다시 실행하세요.")

# What the official slim image keeps out of the image (dpkg path-exclude) and cleans after apt.
_DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
"""
_APT_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


def has_image(ref: str = BASE_IMAGE) -> bool:
    """True when the engine has ``ref`` locally (``docker image inspect REF``).

    Asks the CLI, not :func:`dockhelpers.inspection.image_exists`: set-up runs this where the docker SDK may
    not be installed yet (a host simulation, a bare ``python3 -m dockhelpers prepare``).
    """
    try:
        return subprocess.run(["docker", "image", "inspect", ref], capture_output=True, timeout=30).returncode == 0
    except subprocess.TimeoutExpired as exc:
        raise CourseError("도커 엔진이 30초 안에 응답하지 않습니다.",
                          "엔진 상태를 확인하세요(`docker version`). 멈춰 있으면 다시 시작하세요.") from exc


def _locally_bootstrapped(ref: str) -> bool:
    try:
        out = subprocess.run(["docker", "image", "inspect", "--format", '{{index .Config.Labels "kr.dockercourse.base"}}',
                              ref], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False
    return out.returncode == 0 and out.stdout.strip() == "debootstrap"


def mirror_up(address: str = MIRROR) -> bool:
    """True when the local registry mirror (or the seeding registry) answers on 127.0.0.1."""
    from dockhelpers import web

    ensure_loopback_no_proxy()
    return web.get(f"http://{address}/v2/", timeout=3).ok


def hub_reachable(timeout: float = 5) -> bool:
    """True when Docker Hub's registry answers (HTTP 401 to an anonymous ``/v2/`` counts as an answer)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen("https://registry-1.docker.io/v2/", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def try_pull(ref: str = BASE_IMAGE, timeout: float = 90) -> bool:
    """``docker image pull REF``; False (not an error) when no registry can serve it."""
    try:
        return docker(["image", "pull", ref], check=False, timeout=timeout).ok
    except CourseError:
        return False


def bootstrap(ref: str = BASE_IMAGE) -> None:
    """Build ``ref`` from Debian's packages with debootstrap and import it (needs root and debootstrap).

    CLI equivalent: ``debootstrap --variant=minbase trixie DIR && tar -C DIR -c . | docker image import - REF``.

    Raises:
        CourseError: Not root, debootstrap missing, or a step failed.
    """
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        raise CourseError(
            f"{ref} 이미지를 내려받을 수 없고, 직접 만들 수도 없습니다(root 권한과 debootstrap 필요).",
            "인터넷 연결을 확인하고 `docker image pull debian:trixie-slim`을 실행하거나, root로 `make lab`을 실행하세요.")
    suite = ref.split(":")[1].split("-")[0]
    source = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="dkc-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        run_with_deadline(["debootstrap", "--variant=minbase", suite, str(rootfs), source], DEBOOTSTRAP_DEADLINE,
                          f"베이스 이미지 만들기(debootstrap, 미러: {source})",
                          "네트워크와 프록시 설정을 확인하세요. 다른 Debian 미러를 쓰려면 DOCKHELPERS_DEBIAN_MIRROR를 "
                          "설정하고 `make lab`을 다시 실행하세요.")
        _slim(rootfs)
        created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        changes = [
            "LABEL org.opencontainers.image.title=debian",
            f"LABEL org.opencontainers.image.version={suite}-slim",
            "LABEL org.opencontainers.image.description=locally-bootstrapped-debian-minbase",
            f"LABEL org.opencontainers.image.created={created}",
            f"LABEL org.opencontainers.image.source={source}",
            "LABEL kr.dockercourse.base=debootstrap",
            'CMD ["bash"]',
        ]
        args = ["image", "import"]
        for change in changes:
            args += ["--change", change]
        out, err = import_rootfs(rootfs, args, ref)
        shell_show(f"docker image import {' '.join(args[2:])} - {ref}\n{out.strip()}")


def run_with_deadline(args: list[str], deadline: float, what: str, hint: str) -> str:
    """Run ``args`` in its own process group; past ``deadline`` seconds kill the whole group (no orphans).

    Returns:
        Its output (stdout and stderr together).

    Raises:
        CourseError: A non-zero exit, or the deadline passed (Korean message naming the step and the fix).
    """
    import signal

    shell_show(f"{' '.join(args)}")
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                text=True, errors="replace", start_new_session=True)
    except FileNotFoundError as exc:
        raise CourseError(f"{what}: `{args[0]}` 명령이 없습니다.", hint) from exc
    try:
        out, _ = proc.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise CourseError(f"{what}가 {deadline:.0f}초 안에 끝나지 않아 중단했습니다.", hint) from None
    if proc.returncode != 0:
        raise CourseError(f"{what}가 실패했습니다(종료 코드 {proc.returncode}).", hint, detail=out[-2000:])
    return out


def import_rootfs(rootfs: Path, args: list[str], ref: str, deadline: float | None = None) -> tuple[str, str]:
    """``tar -C ROOTFS -c . | docker ARGS - REF`` with a deadline, never hanging when import exits early.

    The parent closes its copy of the pipe, so ``tar`` gets SIGPIPE as soon as ``docker image import``
    stops reading (a refused import used to leave ``tar`` blocked for ever).

    Raises:
        CourseError: Either side failed, or the deadline passed.
    """
    deadline = IMPORT_DEADLINE if deadline is None else deadline
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
    try:
        imp = subprocess.Popen(["docker", *args, "-", ref], stdin=tar.stdout, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    finally:
        assert tar.stdout is not None
        tar.stdout.close()
    try:
        out, err = imp.communicate(timeout=deadline)
        tar.wait(timeout=max(5.0, deadline / 10))
    except subprocess.TimeoutExpired as exc:
        for proc in (imp, tar):
            proc.kill()
            proc.wait()
        raise CourseError(f"베이스 이미지 가져오기(docker image import)가 {deadline:.0f}초 안에 끝나지 않아 중단했습니다.",
                          "엔진 상태와 남은 디스크 공간을 확인한 뒤 `make lab`을 다시 실행하세요.") from exc
    if imp.returncode != 0 or tar.returncode != 0:
        from dockhelpers.errors import translate

        cause = translate(err or f"tar exit {tar.returncode}")
        raise CourseError("베이스 이미지를 가져오지(import) 못했습니다: " + cause.message, cause.hint, detail=err)
    return out, err


def _slim(rootfs: Path) -> None:
    """Trim the rootfs like the official slim image and keep later installs trimmed."""
    for sub in ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/groff",
                "usr/share/lintian", "var/lib/apt/lists", "var/cache/apt", "var/log"):
        target = rootfs / sub
        if target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and sub == "usr/share/doc":  # keep copyright files
                    for f in child.iterdir():
                        if f.name != "copyright":
                            shutil.rmtree(f) if f.is_dir() and not f.is_symlink() else f.unlink()
                    continue
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    (rootfs / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
    (rootfs / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
    (rootfs / "var/log/apt").mkdir(parents=True, exist_ok=True)
    (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(_DPKG_EXCLUDES)
    (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(_APT_CLEAN)
    (rootfs / "etc/apt/apt.conf.d/docker-no-languages").write_text('Acquire::Languages "none";\n')
    (rootfs / "etc/apt/apt.conf.d/docker-autoremove-suggests").write_text(
        'Apt::AutoRemove::SuggestsImportant "false";\n')
    (rootfs / "etc/apt/apt.conf.d/docker-gzip-indexes").write_text('Acquire::GzipIndexes "true";\n')


def push_to_mirror(ref: str = BASE_IMAGE) -> None:
    """Seed the local, read-only mirror with ``ref`` (as ``library/...``) so plain pulls find it there.

    The mirror itself refuses writes; a second registry on the same storage, writable and on loopback,
    runs only for this push (``docker-registry serve registry-seed.yml``) and is stopped right after.
    """
    if not mirror_up():
        return
    config = STATE / "registry-seed.yml"
    if os.geteuid() != 0 or not config.is_file() or not shutil.which("docker-registry"):
        return
    repo, tag = ref.split(":")
    seed_ref = f"{SEED}/library/{repo}:{tag}"
    proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(60):
            if mirror_up(SEED):
                break
            time.sleep(0.25)
        else:
            raise CourseError("레지스트리 미러를 채우지 못했습니다(쓰기용 레지스트리가 시작되지 않음).",
                              "`make lab`을 다시 실행하세요.")
        docker(["image", "tag", ref, seed_ref], stream=False, timeout=60)
        docker(["image", "push", seed_ref], stream=False, timeout=PUSH_DEADLINE, context="레지스트리 미러에 올리기")
        docker(["image", "rm", seed_ref], stream=False, timeout=60)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _drop_from_mirror(ref: str) -> bool:
    """Remove a locally bootstrapped ``ref`` from the mirror's storage, so the engine falls back to Docker Hub."""
    repo = ref.split(":")[0]
    path = STATE / "registry/docker/registry/v2/repositories/library" / repo
    if os.geteuid() != 0 or not path.is_dir():
        return False
    shutil.rmtree(path)
    return True


def ensure_base_image(ref: str = BASE_IMAGE) -> str:
    """Make ``ref`` available: keep it, pull it, or bootstrap it (and seed the mirror).

    Docker Hub's image wins whenever Hub is reachable: a locally bootstrapped copy is then taken out of
    the mirror and the official image pulled over it.

    Returns:
        How it was made available: ``"present"``, ``"pulled"`` or ``"bootstrapped"``.

    Raises:
        CourseError: It can be neither pulled nor bootstrapped.
    """
    ensure_loopback_no_proxy()
    present = has_image(ref)
    if (not present or _locally_bootstrapped(ref)) and hub_reachable():
        if _in_mirror(ref) and _drop_from_mirror(ref):
            print(f"{ref}: Docker Hub에 연결되어 로컬 미러의 직접 만든 이미지 대신 공식 이미지를 받습니다.")
        if try_pull(ref) and not _locally_bootstrapped(ref):
            return "pulled"
    if present:
        if mirror_up() and not _in_mirror(ref):
            push_to_mirror(ref)
        print(f"{ref}: 이미 있습니다.")
        return "present"
    if try_pull(ref):
        return "pulled"
    print(f"{ref}: 레지스트리에서 받을 수 없어 debootstrap으로 만듭니다(약 30초).")
    bootstrap(ref)
    push_to_mirror(ref)
    return "bootstrapped"


def _in_mirror(ref: str) -> bool:
    from dockhelpers import web

    ensure_loopback_no_proxy()
    repo, tag = ref.split(":")
    return web.request("HEAD", f"http://{MIRROR}/v2/library/{repo}/manifests/{tag}", timeout=3,
                       headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"}).ok
