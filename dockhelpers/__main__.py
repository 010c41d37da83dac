"""Terminal entry point: ``python -m dockhelpers doctor | prepare [--chapter N] [--save F | --load F] | cleanup
[--chapter N] [--yes] | engine stop | endpoint start|stop|status|run [--record DIR] | progress | classroom up|down|status|collect|reset``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dockhelpers.errors import CourseError


def _doctor(_: argparse.Namespace) -> int:
    from dockhelpers.engine import doctor

    table = doctor()
    print(table.to_string(index=False))
    return 0 if (table["상태"] == "정상").all() else 1


def _prepare(args: argparse.Namespace) -> int:
    from dockhelpers import prepare

    if args.load:
        prepare.load(args.load)
        return 0
    prepare.prepare(args.chapter, base_only=args.base_only)
    if args.save:
        prepare.save(args.save, args.chapter)
    return 0


def _progress(args: argparse.Namespace) -> int:
    from dockhelpers import progress

    paths = [Path(f) for f in args.file] if args.file else None
    if args.csv:
        progress.write_csv(sys.stdout, args.chapter, paths=paths)
        return 0
    records = [r for path in (paths or [None]) for r in progress.history(args.chapter, "*", path)]
    if not records:
        print(f"진행 기록이 없습니다({', '.join(str(p) for p in paths) if paths else progress.store_path()}).")
        return 0
    print("학습자\t장-문제\t결과\t검사 횟수\t마지막 검사(UTC)")
    last: dict[tuple[str, int, int], list] = {}
    for r in records:
        entry = last.setdefault((r.learner, r.chapter, r.exercise), [False, 0, ""])
        entry[0] = entry[0] or r.ok
        entry[1] += 1
        entry[2] = r.time
    for (who, chapter, exercise), (ok, count, when) in sorted(last.items()):
        print(f"{who}\t{chapter}-{exercise}\t{'통과' if ok else '아직'}\t{count}\t{when[:16].replace('T', ' ')}")
    return 0


def _cleanup(args: argparse.Namespace) -> int:
    from dockhelpers.cleanup import cleanup, plan, plan_table

    items = plan(args.chapter)
    if not items:
        print("정리할 리소스가 없습니다.")
        return 0
    if not args.yes:
        print(plan_table(items).to_string(index=False))
        if not sys.stdin.isatty() or input(f"위 {len(items)}개를 지울까요? [y/N] ").strip().lower() not in ("y", "yes"):
            print("아무것도 지우지 않았습니다.")
            return 1
    cleanup(args.chapter, yes=True)
    return 0


def _classroom(args: argparse.Namespace) -> int:
    from dockhelpers import classroom

    if args.action == "up":
        if not args.roster:
            raise CourseError("명단 파일을 주세요: --roster 명단.txt", "예: classroom/roster.example.txt")
        classroom.up(args.roster, address=args.address, port=args.port, cpu=args.cpu, memory=args.memory,
                     idle_timeout=args.idle_timeout, ssl_cert=args.ssl_cert, ssl_key=args.ssl_key)
        return 0
    if args.action == "down":
        classroom.down(keep_homes=args.keep_homes)
        return 0
    if args.action == "reset":
        from dockhelpers import hubdash

        if not args.student or args.chapter is None:
            raise CourseError("초기화할 학생과 장을 주세요: --student s07 --chapter 2")
        print(hubdash.reset(args.student, args.chapter), end="")
        print(f"{args.student}의 {args.chapter}장을 초기화했습니다(그 학생의 엔진에서만).")
        return 0
    if args.action == "collect":
        from dockhelpers import hubdash

        files = hubdash.collect(args.to)
        print(f"학생 {len(files)}명의 진행 기록을 {args.to}에 모았습니다. CSV: python -m dockhelpers progress --csv "
              + " ".join(f"--file {f}" for f in files))
        return 0
    for row in classroom.status():
        print(f"{row['what']}\t{row['name']}\t{row['state']}\t{row['detail']}")
    return 0


def _engine(args: argparse.Namespace) -> int:
    from dockhelpers.engine import stop_course_engine

    if args.action == "stop":
        stopped = stop_course_engine()
        if not stopped:
            print("과정이 시작한 것 중 실행 중인 것이 없습니다(다른 엔진은 건드리지 않습니다). / nothing the course started is running.")
        for line in stopped:
            print(f"멈춤 / stopped: {line}")
    return 0


def _endpoint(args: argparse.Namespace) -> int:
    from dockhelpers.endpoint import daemon

    replay_dir = args.replay
    if replay_dir is None and args.record is None:
        from dockhelpers.replay import recording as rec

        if rec.active():  # DOCKHELPERS_MODE=replay (binder/start): the lab's endpoint answers from the recordings
            replay_dir = str(rec.folder())
    if args.action == "run":
        return daemon.run(args.record, replay_dir)
    if args.action == "start":
        print(f"DOCKER_HOST={daemon.start(args.record, replay_dir=replay_dir)}")
        return 0
    if args.action == "stop":
        print("과정 엔드포인트를 멈췄습니다. / endpoint stopped." if daemon.stop()
              else "실행 중인 과정 엔드포인트가 없습니다. / no endpoint running.")
        return 0
    ok, line = daemon.status()
    print(line)
    if not ok:
        print("과정 엔드포인트가 응답하지 않습니다. `python -m dockhelpers endpoint start`로 시작하세요. "
              "/ the endpoint does not answer.", file=sys.stderr)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one sub-command; Korean message and exit 2 on a CourseError."""
    parser = argparse.ArgumentParser(prog="python -m dockhelpers", description="도커 실습 과정 도우미")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="엔진 점검(사전 점검 표)").set_defaults(func=_doctor)
    prep = sub.add_parser("prepare", help="수업 준비: 장에 필요한 이미지를 모두 만들기(두 번째 실행은 아무것도 안 함)")
    prep.add_argument("--chapter", type=int, default=None, help="이 장(1-4)에 필요한 이미지만")
    prep.add_argument("--base-only", action="store_true", help="베이스 이미지 debian:trixie-slim만 준비(make prepare)")
    prep.add_argument("--save", metavar="FILE", help="준비한 뒤 이미지를 오프라인 묶음 파일(tar)로 저장")
    prep.add_argument("--load", metavar="FILE", help="오프라인 묶음 파일의 이미지를 엔진에 불러오기(준비는 하지 않음)")
    prep.set_defaults(func=_prepare)
    prog = sub.add_parser("progress", help="연습 문제 진행 기록 보기(--csv: 교사용 CSV 내보내기)")
    prog.add_argument("--chapter", type=int, default=None, help="이 장(1-4)만")
    prog.add_argument("--csv", action="store_true", help="모든 기록을 CSV로 표준 출력에 쓰기")
    prog.add_argument("--file", action="append", metavar="STORE", help="읽을 기록 파일(여러 번 줄 수 있음; 기본: 내 기록)")
    prog.set_defaults(func=_progress)
    clean = sub.add_parser("cleanup", help="과정이 만든 리소스만 지우기")
    clean.add_argument("--chapter", type=int, default=None, help="이 장(1-4)의 리소스만")
    clean.add_argument("--yes", "-y", action="store_true", help="묻지 않고 지우기")
    clean.set_defaults(func=_cleanup)
    room = sub.add_parser("classroom", help="교실 허브(JupyterHub, 학생마다 도커 엔진이 든 실습 컨테이너)")
    room.add_argument("action", choices=["up", "down", "status", "collect", "reset"],
                      help="up: 시작, down: 멈추고 만든 것 모두 지우기, status: 상태, collect: 학생들의 진행 기록 모으기, "
                           "reset: 한 학생의 한 장 초기화")
    room.add_argument("--roster", metavar="FILE", help="명단 파일(한 줄에 한 명, 교사는 이름 뒤에 teacher)")
    room.add_argument("--address", default="127.0.0.1", help="학생 브라우저가 접속할 주소(기본 127.0.0.1, 교실 전체: 0.0.0.0)")
    room.add_argument("--port", type=int, default=None, help="허브 포트(기본 8600)")
    room.add_argument("--cpu", type=float, default=1.0, help="학생 한 명의 CPU 한도(코어 수)")
    room.add_argument("--memory", default="2G", help="학생 한 명의 메모리 한도(예: 2G)")
    room.add_argument("--idle-timeout", type=int, default=3600, help="이 초 동안 쓰지 않은 실습 환경을 멈춤")
    room.add_argument("--student", default=None, help="reset: 초기화할 학생")
    room.add_argument("--chapter", type=int, default=None, help="reset: 초기화할 장(1-4)")
    room.add_argument("--to", default="progress", metavar="DIR", help="collect: 진행 기록을 모을 폴더(학생마다 파일 하나)")
    room.add_argument("--ssl-cert", default=None, metavar="FILE", help="up: HTTPS 인증서(PEM, 전체 체인)")
    room.add_argument("--ssl-key", default=None, metavar="FILE", help="up: HTTPS 개인 키(PEM)")
    room.add_argument("--keep-homes", action="store_true", help="down: 학생 홈 볼륨(노트북, 진행 기록)은 남기기")
    room.set_defaults(func=_classroom)
    eng = sub.add_parser("engine", help="과정이 시작한 엔진 관리 (stop: 과정이 시작한 것만 멈추기)")
    eng.add_argument("action", choices=["stop"], help="stop: 랩, 레지스트리 미러, 과정이 시작한 dockerd/서비스 멈추기")
    eng.set_defaults(func=_engine)
    ep = sub.add_parser("endpoint", help="과정 엔드포인트(라벨을 붙이고 보호하는 도커 API 프록시)")
    ep.add_argument("action", choices=["start", "stop", "status", "run"],
                    help="start/stop: 백그라운드 실행/정지, status: DOCKER_HOST 줄 출력, run: 포그라운드 실행")
    ep.add_argument("--record", default=None, metavar="DIR", help="모든 요청과 응답을 DIR에 JSON lines로 기록")
    ep.add_argument("--replay", default=None, metavar="DIR",
                    help="엔진 대신 DIR의 녹화로 응답(Binder 재생, 엔진 없이 동작)")
    ep.set_defaults(func=_endpoint)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
