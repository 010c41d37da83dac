"""Terminal entry point: ``python -m dockhelpers doctor | prepare [--chapter N] [--save F | --load F] | cleanup
[--chapter N] [--yes] | engine stop``."""

from __future__ import annotations

import argparse
import sys

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


def _engine(args: argparse.Namespace) -> int:
    from dockhelpers.engine import stop_course_engine

    if args.action == "stop":
        stopped = stop_course_engine()
        if not stopped:
            print("과정이 시작한 것 중 실행 중인 것이 없습니다(다른 엔진은 건드리지 않습니다). / nothing the course started is running.")
        for line in stopped:
            print(f"멈춤 / stopped: {line}")
    return 0


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
    clean = sub.add_parser("cleanup", help="과정이 만든 리소스만 지우기")
    clean.add_argument("--chapter", type=int, default=None, help="이 장(1-4)의 리소스만")
    clean.add_argument("--yes", "-y", action="store_true", help="묻지 않고 지우기")
    clean.set_defaults(func=_cleanup)
    eng = sub.add_parser("engine", help="과정이 시작한 엔진 관리 (stop: 과정이 시작한 것만 멈추기)")
    eng.add_argument("action", choices=["stop"], help="stop: 랩, 레지스트리 미러, 과정이 시작한 dockerd/서비스 멈추기")
    eng.set_defaults(func=_engine)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
