"""``make record``'s last step: a notebook run's raw recordings -> one compact, reviewable ``chNN.jsonl``.

The raw files (the endpoint's ``chNN.jsonl``, shell's ``chNN.shell.jsonl``, web's ``chNN.web.jsonl``) are
merged in the order the exchanges started, with what a replay does not need dropped: the client's input on
hijacked connections, absolute times (kept as offsets from the first exchange), stats and event streams
beyond :data:`STREAM_CHUNKS` chunks, and payloads already written (``"same_as": n`` points at line n+2).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from dockhelpers.replay import recording as rec

#: Chunks kept of a stats or events stream (a few seconds of samples animate the widgets).
STREAM_CHUNKS = 40
#: Payload bytes kept per exchange.
EXCHANGE_BYTES = 256 * 1024
#: Payloads at least this long are written once and referenced afterwards.
DEDUPE_MIN = 200
_CAPPED = ("/stats", "/events")
PAYLOADS = rec.PAYLOADS
#: BuildKit's gRPC sessions: not replayable byte for byte (the build's output is replayed by ``shell``).
_UNREPLAYABLE = ("/grpc", "/session")


def _read(path: Path, kind: str) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            entry.setdefault("kind", kind)
            entries.append(entry)
    return entries


def _trim(entry: dict[str, Any]) -> dict[str, Any]:
    chunks = entry.get("chunks")
    if chunks is not None:
        chunks = [c for c in chunks if len(c) == 2]  # the client's input is not replayed
        if entry.get("path", "").endswith(_CAPPED) and len(chunks) > STREAM_CHUNKS:
            entry["dropped_chunks"] = len(chunks) - STREAM_CHUNKS
            chunks = chunks[:STREAM_CHUNKS]
            entry["cut"] = True
        size, kept = 0, []
        for c in chunks:
            size += len(json.dumps(c[1]))
            if size > EXCHANGE_BYTES:
                entry["dropped_chunks"] = entry.get("dropped_chunks", 0) + len(chunks) - len(kept)
                break
            kept.append(c)
        entry["chunks"] = kept
    if not entry.get("query"):
        entry.pop("query", None)
    return entry


def compact(raw: Path, session: str, header: dict[str, Any]) -> list[str]:
    """The lines of a compact recording: the header, then every exchange of ``session`` in start order."""
    entries = (_read(raw / f"{session}.jsonl", "api") + _read(raw / f"{session}.shell.jsonl", "shell")
               + _read(raw / f"{session}.web.jsonl", "web"))
    ping = next((e.get("headers") for e in entries if e.get("path") == "/_ping" and e.get("headers")), None) or {}
    # the endpoint answers /_ping itself in replay (with the header's ping_headers)
    entries = [e for e in entries if e.get("path") not in _UNREPLAYABLE and e.get("path") != "/_ping"]
    entries.sort(key=lambda e: float(e.get("t", 0)))
    t0 = float(entries[0]["t"]) if entries else 0.0
    seen: dict[str, int] = {}
    lines = []
    header = {**header, "exchanges": len(entries), "ping_headers": ping}
    for entry in entries:  # headers every answer carries come back from ping_headers in replay
        kept = {k: v for k, v in (entry.get("headers") or {}).items() if ping.get(k) != v}
        entry.pop("headers", None)
        if kept:
            entry["headers"] = kept
        if "response" in entry and entry.get("content_type") == "application/json":
            del entry["content_type"]
    lines.append(json.dumps(header, ensure_ascii=False, separators=(",", ":")))
    for index, entry in enumerate(entries):
        entry = _trim(entry)
        entry["t"] = round(float(entry.get("t", t0)) - t0, 3)
        kind = entry.pop("kind")
        ordered = {"kind": kind, **entry}
        for name in PAYLOADS:
            if name in ordered:
                payload = json.dumps(ordered[name], ensure_ascii=False, sort_keys=True)
                if len(payload) >= DEDUPE_MIN:
                    if payload in seen:
                        del ordered[name]
                        ordered["same_as"] = seen[payload]
                    else:
                        seen[payload] = index
                break
        lines.append(json.dumps(ordered, ensure_ascii=False, separators=(",", ":")))
    return lines


def write(raw: Path, chapter: int, notebook: Path, out: Path, facts: dict[str, Any]) -> Path:
    """Write ``<out>/chNN.jsonl`` for one notebook run and return its path.

    Args:
        raw: The folder the endpoint, shell and web recorded into.
        chapter: The notebook's chapter.
        notebook: The notebook (its code hash goes into the header).
        out: The recordings folder (``notebooks/recordings``).
        facts: Engine version, OS, CLI version, prefix, port offset, run time (``scripts/record.py``).
    """
    from dockhelpers import naming

    session = f"ch{chapter:02d}"
    header = {"recording": rec.FORMAT, "chapter": f"{chapter:02d}", "notebook": notebook.name,
              "code_hash": rec.notebook_hash(notebook),
              "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "prefix": naming.prefix(), "port_offset": naming.port_offset(), "root": str(rec.ROOT), **facts}
    out.mkdir(parents=True, exist_ok=True)
    path = rec.session_path(session, out)
    path.write_text("\n".join(compact(raw, session, header)) + "\n", encoding="utf-8")
    return path
