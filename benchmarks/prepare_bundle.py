"""Benchmark: ``python -m dockhelpers prepare`` cold and warm, and the offline bundle's size and speed.

Under a prefix of its own (``naming.separate("bp", 0)``: ``dkc-bp``, or ``dkc-s07-bp`` under a student's
prefix) so that it never touches a notebook's images:

1. cold: every image of the course registry (:mod:`dockhelpers.courseimages`), the first build of each
   Dockerfile with ``--no-cache`` (so its ``RUN`` steps download their Debian packages again), later builds
   from the same Dockerfile with the cache that first build made - as on an engine that never built the
   course. The base image ``debian:trixie-slim`` is not pulled again (it stays: the course never removes it).
   Cross-Dockerfile cache hits a really cold engine would have are rebuilt here, so this is an upper bound;
2. warm: ``prepare()`` again (everything present: nothing to do);
3. the bundle: ``prepare.save`` of the whole course to a temporary file, the images of this prefix
   removed, ``prepare.load`` back; the IDs must match.

Prints per-image seconds and apt's download ("Need to get"), what each image adds on disk, and the
totals. The images of this prefix are removed at the end (``finally``).
Run: ``.venv/bin/python benchmarks/prepare_bundle.py`` (``--chapter N`` for one chapter).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from dockhelpers import courseimages, naming, prepare


def _remove_prefix_images(client, prefix: str) -> None:
    for img in client.images.list(filters={"label": [f"{naming.PREFIX_LABEL}={prefix}"]}):
        for tag in img.tags:
            if tag.startswith(f"{prefix}/"):
                client.images.remove(tag)


def stage_images(lines: list[str]) -> list[str]:
    """IDs of the images that end the earlier stages of a multi-stage build (the legacy builder keeps them
    untagged), read from its log: the last `` ---> ID`` before each later ``Step N/M : FROM``, and only when
    this build made it (the step ran: ``---> Running in``), never a cached image someone else's build made."""
    found: list[str] = []
    last: str | None = None
    ran = froms = 0
    for line in lines:
        text = line.strip()
        if re.match(r"Step \d+/\d+ : FROM ", text, re.IGNORECASE):
            if froms and last:
                found.append(last)
            froms += 1
            last = None
        elif text.startswith("---> Running in "):
            ran = 1
        elif text.startswith("---> Using cache"):
            ran = 0
        elif text.startswith("---> ") and " " not in text[5:]:
            last, ran = (text[5:] if ran else None), 0
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, default=None)
    args = parser.parse_args()
    os.environ.update(naming.separate("bp", 0))
    from dockhelpers.engine import client

    engine, prefix = client(), naming.prefix()
    base_size = engine.images.get(naming.BASE_IMAGE).attrs["Size"] / 1e6
    rows = courseimages.for_chapters(args.chapter)
    try:
        _remove_prefix_images(engine, prefix)
        print(f"== cold ({len(rows)} images, prefix {prefix})")
        seen: set[tuple[str, str]] = set()
        stages: list[str] = []  # untagged stage images this run's --no-cache builds made: removed at the end
        cold_total, download_total = 0.0, 0.0
        for img in rows:
            key = (img.compose or img.context, img.service or img.dockerfile or "Dockerfile")
            fetched: list[float] = []
            log: list[str] = []
            t0 = time.monotonic()
            img.build(on_line=lambda line: (fetched.append(prepare.apt_download_mb(line)), log.append(line)),
                      nocache=key not in seen)
            if key not in seen:  # only --no-cache builds make stage images of their own
                stages.extend(stage_images(log))
            seconds = time.monotonic() - t0
            seen.add(key)
            size = engine.images.get(img.ref).attrs["Size"] / 1e6
            cold_total += seconds
            download_total += sum(fetched)
            print(f"{img.ref:40s} {seconds:6.1f} s  apt {sum(fetched):6.1f} MB  image {size:6.1f} MB "
                  f"(adds {max(size - base_size, 0):6.1f})", flush=True)
        print(f"cold total: {cold_total:.1f} s, apt downloads {download_total:.1f} MB")

        t0 = time.monotonic()
        report = prepare.prepare(args.chapter, out=lambda line: None)
        print(f"== warm: {time.monotonic() - t0:.1f} s, nothing done: {report.nothing_done}")

        ids = {img.ref: engine.images.get(img.ref).id for img in rows}
        with tempfile.TemporaryDirectory(prefix="dkc-bundle-") as folder:
            bundle = Path(folder) / "course.tar"
            t0 = time.monotonic()
            prepare.save(bundle, args.chapter, out=lambda line: None)
            saved = time.monotonic() - t0
            print(f"== bundle: {bundle.stat().st_size / 1e6:.0f} MB ({len(rows) + 1} images with the base), "
                  f"save {saved:.1f} s")
            _remove_prefix_images(engine, prefix)
            t0 = time.monotonic()
            loaded = prepare.load(bundle, out=lambda line: None)
            print(f"   load into an engine without them: {time.monotonic() - t0:.1f} s "
                  f"({len(loaded.changed)} loaded)")
            assert {ref: engine.images.get(ref).id for ref in ids} == ids, "IDs changed in the round trip"
            t0 = time.monotonic()
            again = prepare.load(bundle, out=lambda line: None)
            print(f"   load again (all present): {time.monotonic() - t0:.1f} s, nothing done: {again.nothing_done}")
    finally:
        _remove_prefix_images(engine, prefix)
        for image_id in stages:
            try:
                if not engine.images.get(image_id).tags:
                    engine.images.remove(image_id)
            except Exception as exc:  # already gone, or a later build still uses it
                print(f"   (stage image {image_id} kept: {exc})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
