"""2.5절의 poller 서비스: echo 서비스를 서비스 이름으로 2초마다 부르고, 횟수를 이름 있는 볼륨에 남깁니다."""

import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

TARGET = os.environ.get("TARGET", "http://echo:8080/from-poller")
LOG = Path("/data/hits.log")  # 볼륨 hits: 컨테이너를 지워도 남습니다


def _stop(signum, frame) -> None:
    # PID 1은 신호 처리기가 없으면 SIGTERM을 무시합니다: 바로 끝나도록 처리기를 둡니다.
    sys.exit(0)


signal.signal(signal.SIGTERM, _stop)
signal.signal(signal.SIGINT, _stop)
while True:
    try:
        with urllib.request.urlopen(TARGET, timeout=3) as resp:
            body = resp.read().decode().strip()
        with LOG.open("a", encoding="utf-8") as log:
            log.write(body + "\n")
        count = len(LOG.read_text(encoding="utf-8").splitlines())
        print(f"{TARGET} -> {body} (볼륨에 기록된 횟수: {count})", flush=True)
    except OSError as exc:
        print(f"{TARGET}에 아직 연결할 수 없습니다: {exc}", flush=True)
    time.sleep(2)
