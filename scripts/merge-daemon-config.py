"""Write the daemon config the course's own ``dockerd`` uses: the learner's ``/etc/docker/daemon.json``
(when there is one) plus the course's registry mirror, never editing the original.

Usage: ``python3 merge-daemon-config.py SOURCE TARGET MIRROR_URL``. Prints one line per setting it had to
change, in Korean and English, so the set-up script can say so (nothing is ignored silently).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: Settings the course passes on dockerd's command line (a file entry would conflict with the flag).
FLAG_SETTINGS = ("pidfile",)


def merge(source: Path, mirror: str) -> tuple[dict, list[str]]:
    """The merged config and the notes about what was changed."""
    notes: list[str] = []
    config: dict = {}
    if source.is_file():
        config = json.loads(source.read_text() or "{}")
        notes.append(f"{source}의 설정을 그대로 씁니다 / using the settings of {source}")
    for key in FLAG_SETTINGS:
        if key in config:
            notes.append(f"'{key}'는 과정의 값으로 바꿨습니다 / replaced '{key}' ({config.pop(key)!r}) by the course's")
    mirrors = list(config.get("registry-mirrors") or [])
    if mirror not in mirrors:
        mirrors.append(mirror)
        if len(mirrors) > 1:
            notes.append(f"registry-mirrors 끝에 {mirror}를 더했습니다 / appended {mirror} to registry-mirrors")
    config["registry-mirrors"] = mirrors
    config.setdefault("log-driver", "json-file")
    if config["log-driver"] == "json-file":
        config.setdefault("log-opts", {"max-size": "10m", "max-file": "2"})
    return config, notes


def main(argv: list[str]) -> int:
    source, target, mirror = Path(argv[1]), Path(argv[2]), argv[3]
    try:
        config, notes = merge(source, mirror)
    except (OSError, ValueError) as exc:
        print(f"{source}를 읽을 수 없습니다(JSON 오류?): {exc} / cannot read {source}", file=sys.stderr)
        return 1
    target.write_text(json.dumps(config, indent=2) + "\n")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
