"""Make sure the course's only upstream image, ``debian:trixie-slim``, is available.

Where Docker Hub answers, this is a plain ``docker image pull debian:trixie-slim``. Where it does not
(offline classrooms, this project's CI), the image is made the way the official one is made:
``debootstrap --variant=minbase trixie``, trimmed like the official slim image, imported with OCI labels
saying it was bootstrapped locally, and pushed into the local registry mirror that an engine started by
``scripts/ensure-engine.sh`` uses - so that ``docker image pull debian:trixie-slim`` works in every notebook.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dockhelpers.errors import CourseError
from dockhelpers.naming import BASE_IMAGE
from dockhelpers.shell import docker, run

MIRROR = f"127.0.0.1:{os.environ.get('DOCKHELPERS_MIRROR_PORT', '5099')}"
DEBIAN_MIRROR = os.environ.get("DOCKHELPERS_DEBIAN_MIRROR", "http://deb.debian.org/debian")

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
    """True when the engine has ``ref`` locally (``docker image inspect REF``)."""
    from dockhelpers import inspection

    return inspection.image_exists(ref)


def mirror_up() -> bool:
    """True when the local registry mirror answers on 127.0.0.1."""
    from dockhelpers import web

    return web.get(f"http://{MIRROR}/v2/", timeout=3).ok


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
    with tempfile.TemporaryDirectory(prefix="dkc-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        run(["debootstrap", "--variant=minbase", suite, str(rootfs), DEBIAN_MIRROR], stream=False,
            context="베이스 이미지 만들기(debootstrap)")
        _slim(rootfs)
        created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        changes = [
            "LABEL org.opencontainers.image.title=debian",
            f"LABEL org.opencontainers.image.version={suite}-slim",
            "LABEL org.opencontainers.image.description=locally-bootstrapped-debian-minbase",
            f"LABEL org.opencontainers.image.created={created}",
            f"LABEL org.opencontainers.image.source={DEBIAN_MIRROR}",
            "LABEL kr.dockercourse.base=debootstrap",
            'CMD ["bash"]',
        ]
        args = ["image", "import"]
        for change in changes:
            args += ["--change", change]
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        imp = subprocess.run(["docker", *args, "-", ref], stdin=tar.stdout, capture_output=True, text=True)
        tar.wait()
        if imp.returncode != 0 or tar.returncode != 0:
            raise CourseError("베이스 이미지를 가져오지(import) 못했습니다.", detail=imp.stderr)
        print(f"$ docker image import {' '.join(args[2:])} - {ref}\n{imp.stdout.strip()}")


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
    """Put ``ref`` into the local registry mirror as ``library/...`` so plain pulls find it there."""
    if not mirror_up():
        return
    repo, tag = ref.split(":")
    mirror_ref = f"{MIRROR}/library/{repo}:{tag}"
    docker(["image", "tag", ref, mirror_ref], stream=False)
    docker(["image", "push", mirror_ref], stream=False, context="레지스트리 미러에 올리기")
    docker(["image", "rm", mirror_ref], stream=False)


def ensure_base_image(ref: str = BASE_IMAGE) -> str:
    """Make ``ref`` available: keep it, pull it, or bootstrap it (and seed the mirror).

    Returns:
        How it was made available: ``"present"``, ``"pulled"`` or ``"bootstrapped"``.

    Raises:
        CourseError: It can be neither pulled nor bootstrapped.
    """
    if has_image(ref):
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

    repo, tag = ref.split(":")
    return web.request("HEAD", f"http://{MIRROR}/v2/library/{repo}/manifests/{tag}", timeout=3,
                       headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"}).ok
