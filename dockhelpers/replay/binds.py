"""Files a container writes into a bind-mounted host folder, recorded and put back in replay.

A notebook may read on the host what a container wrote through ``-v HOST:PATH`` (``docker container run
-v /tmp/x:/data ... date > /data/f``). In replay no container runs, so :mod:`dockhelpers.shell` records the
small files such a command changed, and writes them back into this run's folder (whose temporary name may
differ) after the command replayed.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

#: Largest file kept, and most bytes kept per command.
FILE_LIMIT = 64 * 1024
TOTAL_LIMIT = 256 * 1024


def sources(args: list[str]) -> list[Path]:
    """Host folders bind-mounted by a ``docker ... run/create`` command line (``-v``, ``--volume``, ``--mount``)."""
    found: list[Path] = []
    for i, arg in enumerate(args):
        value = None
        if arg in ("-v", "--volume", "--mount") and i + 1 < len(args):
            value, kind = args[i + 1], arg
        elif arg.startswith(("--volume=", "--mount=")):
            kind, value = arg.split("=", 1)
        if value is None:
            continue
        if kind == "--mount":
            fields = dict(f.split("=", 1) for f in value.split(",") if "=" in f)
            host = fields.get("source") or fields.get("src") if fields.get("type") == "bind" else None
        else:
            host = value.split(":", 1)[0]
        if host and host.startswith("/") and Path(host).is_dir():
            found.append(Path(host))
    return found


def snapshot(args: list[str], since: float) -> dict[str, Any]:
    """The small files changed since ``since`` in the command's bind-mounted folders (``"0/name": text``)."""
    files: dict[str, Any] = {}
    total = 0
    for index, folder in enumerate(sources(args)):
        for path in sorted(folder.rglob("*")):
            try:
                st = path.stat()
            except OSError:
                continue
            if not path.is_file() or st.st_mtime < since - 1 or st.st_size > FILE_LIMIT:
                continue
            total += st.st_size
            if total > TOTAL_LIMIT:
                return files
            data = path.read_bytes()
            try:
                value: Any = data.decode("utf-8")
            except UnicodeDecodeError:
                value = {"base64": base64.b64encode(data).decode()}
            files[f"{index}/{path.relative_to(folder)}"] = value
    return files


def restore(args: list[str], files: dict[str, Any]) -> None:
    """Write recorded files into this run's bind-mounted folders."""
    folders = sources(args)
    for key, value in files.items():
        index, _, rel = key.partition("/")
        if not index.isdigit() or int(index) >= len(folders) or ".." in Path(rel).parts:
            continue
        target = folders[int(index)] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = base64.b64decode(value["base64"]) if isinstance(value, dict) else str(value).encode("utf-8")
        try:
            target.write_bytes(data)
        except OSError:
            pass
