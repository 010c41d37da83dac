"""Recordings of real notebook runs, and matching a new request against them (for the Binder replay).

A recording is ``notebooks/recordings/chNN.jsonl``: a header line (engine version, date, the notebook's code
hash, the name prefix and port offset it ran with), then one line per exchange in the order they started:
``{"kind": "api", ...}`` (the endpoint's entries), ``{"kind": "shell", ...}`` (non-docker commands) and
``{"kind": "web", ...}`` (HTTP calls to the course's apps). Written by ``make record``
(:mod:`dockhelpers.replay.compact`); replayed with ``DOCKHELPERS_MODE=replay``.

Matching tolerates what varies between runs: container and image IDs, timestamps, temporary paths, the
checkout's folder and the API version prefix (``/v1.41``). Each recorded exchange answers once, in order;
when the same request comes again after its recorded answers are used up, the last one answers again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockhelpers import naming

#: ``DOCKHELPERS_MODE=replay`` turns replay on.
MODE_ENV = "DOCKHELPERS_MODE"
#: How much faster than recorded a replay plays (default 4).
SPEED_ENV = "DOCKHELPERS_REPLAY_SPEED"
#: Folder of the recordings (default ``<checkout>/notebooks/recordings``).
DIR_ENV = "DOCKHELPERS_REPLAY_DIR"
FORMAT = 1
#: The fields of an exchange holding what was answered (the first one present is written once, then referenced).
PAYLOADS = ("response", "chunks", "out", "files", "text")
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

_ID = re.compile(r"(?<![0-9a-f])(?:sha256:)?(?:[0-9a-f]{64}|[0-9a-f]{12}|[0-9a-z]{25})(?![0-9a-z])")
_UNIX_TIME = re.compile(r"(?<![0-9])1[6-9][0-9]{8}(?:\.[0-9]+)?(?![0-9])")
_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?")
_TMP = re.compile(r"/tmp/[A-Za-z0-9_.+-]+")
#: The folder holding the chapter folders (``.../notebooks/ch03/`` in a checkout, ``work/ch03/`` in a learner's
#: copy, a test's temporary copy): wherever the notebooks run from, ``<nb>/ch03/``.
_CHAPTER_DIR = re.compile(r"(?:/[^/\s\"'\\:,;]+)+/(?=ch[0-9]{2}/)")
#: Keys the endpoint's rules add or rewrite in a request body (labels, the 127.0.0.1 binding).
_RULE_KEYS = {"Labels", "HostIp"}
#: Name prefixes treated as one (``dkc``, and the prefix of every loaded recording): a name a module computed
#: at import time, before the replay switched to the recording's prefix, still matches.
_PREFIXES: set[str] = {"dkc"}
_prefix_re: re.Pattern[str] | None = None


def _prefix_pattern() -> re.Pattern[str]:
    global _prefix_re
    add_prefix(os.environ.get(naming.PREFIX_BEFORE_ENV))  # e.g. a student's dkc-s07
    if _prefix_re is None:
        names = "|".join(sorted((re.escape(p) for p in _PREFIXES if p), key=len, reverse=True))
        _prefix_re = re.compile(rf"(?<![A-Za-z0-9_.-])(?:{names})(?:-|(?=/))")
    return _prefix_re


def add_prefix(prefix: str | None) -> None:
    """Treat ``prefix`` like the default one when matching (a recording made with ``DOCKHELPERS_PREFIX``)."""
    global _prefix_re
    if prefix and prefix not in _PREFIXES:
        _PREFIXES.add(prefix)
        _prefix_re = None


def active() -> bool:
    """Whether this process replays recordings (``DOCKHELPERS_MODE=replay``)."""
    return os.environ.get(MODE_ENV, "").strip().lower() == "replay"


def speed() -> float:
    """The replay's speed-up factor (``DOCKHELPERS_REPLAY_SPEED``, default 4)."""
    try:
        return max(0.1, float(os.environ.get(SPEED_ENV, "4")))
    except ValueError:
        return 4.0


def folder() -> Path:
    """Where the recordings are."""
    return Path(os.environ.get(DIR_ENV) or NOTEBOOKS / "recordings")


def session_path(session: str | None, where: Path | None = None) -> Path:
    """The recording of a session (``ch02`` -> ``<folder>/ch02.jsonl``)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", session or "terminal")[:80]
    return (where or folder()) / f"{name}.jsonl"


def notebook_hash(path: str | Path) -> str:
    """SHA-256 of a notebook's code cells' sources (prose edits do not change it)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            digest.update(("".join(src) if isinstance(src, list) else src).encode())
            digest.update(b"\0")
    return digest.hexdigest()


def normalise(text: str, root: str | None = None, ids: bool = True) -> str:
    """A string with what varies between runs replaced (IDs, times, temporary paths, the checkout folder).

    Args:
        text: The request's text.
        root: The checkout folder of the recording (this one's is replaced too).
        ids: Replace container, image, exec and swarm IDs as well (False: the exact-ID key tried first).
    """
    text = _CHAPTER_DIR.sub("<nb>/", text)
    for path in {p for p in (root, str(ROOT)) if p}:
        text = text.replace(path, "<root>")
    text = _TMP.sub("/tmp/<tmp>", text)
    text = _prefix_pattern().sub("", text)  # dkc-ex-echo, rp-ex-echo and a check's unprefixed ex-echo
    text = _ISO_TIME.sub("<time>", text)
    text = _UNIX_TIME.sub("<time>", text)
    return _ID.sub("<id>", text) if ids else text


def _strip(value: Any) -> Any:
    """The body without what does not decide the answer.

    The endpoint's own additions (:data:`_RULE_KEYS`) go, ``-e`` variables are sorted (the CLI sends them in a
    Go map's varying order), and empty values (``null``, ``""``, ``0``, ``false``, ``{}``, ``[]``) go: each CLI
    version sends its own set of default-valued fields (Binder's docker CLI is not the one that recorded).
    """
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _RULE_KEYS:
                continue
            v = sorted(v) if k == "Env" and isinstance(v, list) and all(isinstance(e, str) for e in v) else _strip(v)
            if v not in (None, "", 0, False, {}, []):
                out[k] = v
        return out
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def body_key(body: Any, root: str | None = None) -> str | None:
    """A JSON request body as matched: without what the endpoint's rules add, normalised."""
    if body is None:
        return None
    return normalise(json.dumps(_strip(body), sort_keys=True, ensure_ascii=False), root)


#: Query values that only restate a default; CLI versions differ in which of these they send.
_DEFAULT_VALUES = ("", "0", "false", "{}", "[]", "null")
#: Query keys whose default-looking value still decides the answer (``stats?stream=0`` is one sample, not a stream).
_KEEP_KEYS = {"stream"}


def _query(query: dict[str, str]) -> list[tuple[str, str]]:
    """The query as matched: sorted, default-valued parameters dropped, JSON values (``filters``) stripped."""
    items = []
    for key, value in query.items():
        value = str(value)
        if value[:1] in "{[":
            try:
                value = json.dumps(_strip(json.loads(value)), sort_keys=True, ensure_ascii=False)
            except ValueError:
                pass
        if key not in _KEEP_KEYS and value.strip().lower() in _DEFAULT_VALUES:
            continue
        items.append((key, value))
    return sorted(items)


def api_key(method: str, path: str, query: dict[str, str], root: str | None = None, ids: bool = True) -> str:
    """Method, path (no version prefix) and query of an Engine API request, normalised."""
    query = {k: v for k, v in query.items() if not (k == "labels" and path == "/build")}
    return normalise(f"{method} {path} {json.dumps(_query(query), ensure_ascii=False)}", root, ids)


def shell_key(argv: list[str], root: str | None = None) -> str:
    """A non-docker command as matched."""
    return normalise("\0".join(argv), root)


def web_key(method: str, url: str, root: str | None = None) -> str:
    """An HTTP call to a course app as matched."""
    return normalise(f"{method} {url}", root)


@dataclass
class Recording:
    """One loaded recording: its header and its exchanges by kind and key."""

    path: Path
    header: dict[str, Any]
    entries: list[dict[str, Any]]
    _index: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _used: set[int] = field(default_factory=set)
    _last: dict[tuple[str, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: str | Path) -> "Recording":
        """Read a recording file (``same_as`` references resolved)."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0]) if lines else {}
        entries: list[dict[str, Any]] = []
        for line in lines[1:]:
            if not line.strip():
                continue
            entry = json.loads(line)
            ref = entry.pop("same_as", None)
            if ref is not None and 0 <= ref < len(entries):
                for name in PAYLOADS:
                    if name in entries[ref]:
                        entry[name] = entries[ref][name]
            entries.append(entry)
        rec = cls(Path(path), header, entries)
        root = header.get("root")
        add_prefix(header.get("prefix"))
        for i, e in enumerate(entries):
            kind = e.get("kind", "api")
            rec._index.setdefault((kind, rec._key(e, root)), []).append(i)
            if kind == "api":  # the same request with the recorded IDs: tried first (exec starts, waits)
                exact = api_key(e["method"], e["path"], e.get("query") or {}, root, ids=False)
                rec._index.setdefault(("api=", exact), []).append(i)
                if e.get("agent"):  # and the same kind of client (CLI, SDK, compose) before any client
                    rec._index.setdefault((f"api=@{e['agent']}", exact), []).append(i)
                    rec._index.setdefault((f"api@{e['agent']}", rec._key(e, root)), []).append(i)
        return rec

    @staticmethod
    def _key(e: dict[str, Any], root: str | None) -> str:
        kind = e.get("kind", "api")
        if kind in ("shell", "files"):
            return shell_key(e["argv"], root)
        if kind == "web":
            return web_key(e["method"], e["url"], root)
        return api_key(e["method"], e["path"], e.get("query") or {}, root)

    def match(self, kind: str, key: str, body: Any = None, exact: str | None = None,
              agent: str | None = None) -> dict[str, Any] | None:
        """The recorded exchange answering a request, or None when the recording has none.

        Args:
            kind: ``api``, ``shell``, ``files`` or ``web``.
            key: The request's key (:func:`api_key`, :func:`shell_key`, :func:`web_key`) from this machine.
            body: The request's JSON body, when it has one (compared without the rules' additions).
            exact: For ``api``: the key with IDs kept (``api_key(..., ids=False)``), tried first.
            agent: For ``api``: the kind of client (:func:`dockhelpers.endpoint.record.agent`), tried first.
        """
        tries = [(kind, key)]
        if kind == "api":
            tries = ([(f"api=@{agent}", exact), (f"api@{agent}", key)] if agent else []) \
                + ([("api=", exact)] if exact is not None else []) + tries
        for index in tries:
            if index[1] is None:
                continue
            found = self._match(index, body)  # type: ignore[arg-type]
            if found is not None:
                return found
        return None

    def _match(self, index: tuple[str, str], body: Any) -> dict[str, Any] | None:
        kind, key = index
        wanted = body_key(body)
        root = self.header.get("root")
        with self._lock:
            found = None
            fallback = None
            for i in self._index.get(index, []):
                recorded = self.entries[i].get("body")
                same = wanted is None or recorded is None or body_key(recorded, root) == wanted
                if not same:
                    continue
                if i not in self._used:
                    found = i
                    break
                fallback = i
            if found is None:
                found = self._last.get((kind, key + (wanted or "")), fallback)
                if found is None:
                    return None
            self._used.add(found)
            self._last[(kind, key + (wanted or ""))] = found
            return self.entries[found]


_LOADED: dict[Path, Recording] = {}
_LOCK = threading.Lock()


def recording(session: str | None, where: Path | None = None) -> Recording | None:
    """The loaded recording of a session (cached per process), or None when there is none."""
    path = session_path(session, where)
    with _LOCK:
        if path not in _LOADED:
            if not path.is_file():
                return None
            _LOADED[path] = Recording.load(path)
        return _LOADED[path]


#: How the answer to a request the recording lacks begins.
NOT_RECORDED = "녹화에 없는 요청"


def not_recorded(what: str) -> str:
    """The short Korean answer to a request or command that is not in the recording."""
    return (f"{NOT_RECORDED}이라 재생할 수 없습니다: {what[:160]} "
            "(이 세션은 실제 엔진에서 녹화한 실행을 재생합니다. 직접 실행하려면 `make lab`)")
