"""The chapters' build cache, kept from one test run to the next on the same engine.

The final checks remove every image the chapters built (that is what they test), and the legacy builder's
cache goes with them: its intermediate images are deleted with the last image that needs them. The next run
would then build every chapter image again, ``apt-get`` from the Debian mirror included (measured: chapter 3's
headless run 148 s without the cache, 105 s with it).

``keep(prefix)`` runs before such a removal. It gives each chapter image of ``prefix`` a child image, built
``FROM`` that image's ID and labelled for the course under the cache's own prefix (``<prefix>-buildcache``,
e.g. ``dkc-buildcache``). The cleanup that follows only untags the chapter image (``docker image rm`` leaves
an image that has a child); its layers and the intermediate images stay as the child's ancestors, so the
next ``docker build`` of the same Dockerfile hits the cache. The cache never replaces a build: a changed
Dockerfile, context or base image misses it, and an empty engine (a cold run) simply builds.

One keeper per image and source prefix; keepers a later run no longer needs are removed by that run's
``keep``. Remove the whole cache with ``make clean-test-cache``
(``DOCKHELPERS_PREFIX=dkc-buildcache python -m dockhelpers cleanup --yes``).
"""

from __future__ import annotations

import io
import re

from docker.errors import APIError, NotFound

import parallel
from dockhelpers import naming

#: Label naming the prefix whose image a keeper holds (a keeper's own prefix label is the cache's).
CACHE_OF_LABEL = "kr.dockercourse.cache-of"
#: The chapters whose images are worth keeping (tests' own images, chapter 99 and up, are not).
CHAPTERS = ("01", "02", "03", "04")


def cache_prefix(base: str = parallel.BASE[0]) -> str:
    """The cache's prefix for a run whose base prefix (the tester's, not a worker's) is ``base``
    (``dkc`` -> ``dkc-buildcache``)."""
    return f"{base}-buildcache"


def _keeper_ref(image, cache: str, prefix: str) -> str:
    if image.tags:
        # The image's own name rather than a registry's copy (``127.0.0.1:5000/...``), whose port may change.
        own = sorted(image.tags, key=lambda t: (":" in t.split("/")[0] or "." in t.split("/")[0], t))
        repo, _, tag = own[0].rpartition(":")
        return f"{cache}/{re.sub(r'[^a-z0-9._/-]+', '-', repo.lower())}:{tag}"
    return f"{cache}/{prefix}/untagged:{image.id.split(':')[1][:12]}"


def keep(prefix: str, cache: str | None = None) -> list[str]:
    """Hold the layers of ``prefix``'s chapter images under the prefix ``cache`` (default: this run's
    :func:`cache_prefix`); returns the keepers' refs.

    CLI equivalent, per image: ``echo "FROM <image id>" | docker build --label kr.dockercourse.prefix=<cache>
    --label kr.dockercourse.cache-of=<prefix> -t <cache>/<name> -``.
    """
    from dockhelpers.engine import client  # not at conftest's import

    cache = cache or cache_prefix()
    engine = client()
    sources = engine.images.list(filters={"label": [f"{naming.COURSE_LABEL}=true",
                                                    f"{naming.PREFIX_LABEL}={prefix}"]})
    made: dict[str, str] = {}
    for image in sources:
        if image.labels.get(naming.CHAPTER_LABEL) not in CHAPTERS:
            continue
        ref = _keeper_ref(image, cache, prefix)
        # The chapter label emptied (a child inherits its parent's labels): a chapter's cleanup leaves the cache
        # alone, the course's whole cleanup (``dockhelpers cleanup``) removes it.
        labels = {naming.COURSE_LABEL: "true", naming.PREFIX_LABEL: cache, naming.CHAPTER_LABEL: "",
                  CACHE_OF_LABEL: prefix}
        for chunk in engine.api.build(fileobj=io.BytesIO(f"FROM {image.id}\n".encode()), tag=ref, labels=labels,
                                      rm=True, decode=True):
            if "error" in chunk:
                raise RuntimeError(f"keeping {image.tags or image.id} as {ref} failed: {chunk['error']}")
        made[engine.images.get(ref).id] = ref
    for old in engine.images.list(filters={"label": [f"{naming.PREFIX_LABEL}={cache}",
                                                     f"{CACHE_OF_LABEL}={prefix}"]}):
        if old.id in made:
            continue
        for ref in old.tags or [old.id]:
            try:
                engine.images.remove(ref, force=False, noprune=False)
            except (NotFound, APIError):
                pass  # in use by another keeper's build right now, or gone: the next run's keep retries
    return sorted(made.values())
