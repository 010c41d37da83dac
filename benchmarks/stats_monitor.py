"""Benchmark: CPU cost of the live stats monitor, against polling ``docker stats --no-stream``.

Starts 10 labelled containers from debian:trixie-slim (chapter label 95, names ``dkc-bench-00`` ..
``dkc-bench-09``): the even ones spin a shell loop limited to ``--cpus 0.1``, the odd ones sleep. Then,
in one run, three phases of the same length (30 s by default):

1. the :class:`~dockhelpers.stats.StatsSampler` alone (one stream per container);
2. the :class:`~dockhelpers.widgets.StatsMonitor` at 1 Hz without its chart (sampler + table), the
   same output as the CLI gives;
3. the :class:`~dockhelpers.widgets.StatsMonitor` at 1 Hz as the notebooks use it (sampler + table every
   second + chart every ``chart_every`` seconds). No browser is attached: the widget values are still
   computed and set, only the kernel-to-browser messages (a few kB a second) are not sent;
4. ``docker stats --no-stream NAME...`` for the same containers, started once a second (a call waits
   for two engine samples, so it runs back to back), measured as the CLI processes' CPU time.

This process's CPU time (``time.process_time``, all threads) and the children's
(``getrusage(RUSAGE_CHILDREN)``) are printed as a percentage of one core, with the engine's own CPU time
(``dockerd``, read from ``/proc``) for reference: the engine is shared, so that column is noisy. The
containers are always removed (``finally``). Run: ``.venv/bin/python benchmarks/stats_monitor.py``
(``--seconds 30 --containers 10 --chart-every 5``).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import subprocess
import time

from dockhelpers import engine, naming, plots, stats, widgets

CHAPTER = 95
TARGET_PERCENT = 5.0
_TICK = os.sysconf("SC_CLK_TCK")


def dockerd_seconds() -> float | None:
    """CPU seconds used so far by the engine this course runs (None when its pid is unknown)."""
    for pid_file in ("/var/lib/dockercourse/dockerd.pid", "/var/run/docker.pid"):
        try:
            pid = pathlib.Path(pid_file).read_text().strip()
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return None


def children_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def start_containers(count: int) -> list[str]:
    client = engine.client()
    names = []
    for i in range(count):
        name = naming.name(f"bench-{i:02d}")
        try:
            client.containers.get(name).remove(force=True)
        except Exception:
            pass
        busy = i % 2 == 0
        command = ["sh", "-c", "while :; do :; done"] if busy else ["sleep", "3600"]
        client.containers.run(naming.BASE_IMAGE, command, name=name, detach=True, labels=naming.labels(CHAPTER),
                              nano_cpus=int(0.1e9) if busy else None, stop_signal="SIGKILL")
        names.append(name)
    return names


def remove_containers(names: list[str]) -> None:
    client = engine.client()
    for name in names:
        try:
            container = client.containers.get(name)
        except Exception:
            continue
        if container.labels.get(naming.CHAPTER_LABEL) == naming.chapter_id(CHAPTER):  # only what we made
            container.remove(force=True)


class Phase:
    """CPU seconds of this process, its children and the engine over one phase."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.note = ""

    def __enter__(self) -> "Phase":
        self.wall0, self.cpu0 = time.monotonic(), time.process_time()
        self.child0, self.engine0 = children_seconds(), dockerd_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.monotonic() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        self.child = children_seconds() - self.child0
        end = dockerd_seconds()
        self.engine = end - self.engine0 if end is not None and self.engine0 is not None else None

    def percent(self, seconds: float | None) -> str:
        return "-" if seconds is None else f"{seconds / self.wall * 100:6.2f} %"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--containers", type=int, default=10)
    parser.add_argument("--chart-every", type=float, default=5.0)
    args = parser.parse_args()

    plots.LiveStatsChart().png(stats.frame([]))  # warm up: imports and the Korean font are not the monitor's cost
    names: list[str] = []
    phases: list[Phase] = []
    try:
        names = start_containers(args.containers)
        print(f"컨테이너 {len(names)}개 실행: {names[0]} .. {names[-1]} (짝수: --cpus 0.1 부하, 홀수: sleep)")
        time.sleep(2)

        with Phase("StatsSampler만 (스트림 10개)") as phase:
            sampler = stats.StatsSampler(names).start()
            time.sleep(args.seconds)
        sampler.stop()
        phase.note = f"표본 {sampler.received()}개"
        phases.append(phase)

        with Phase("StatsMonitor (1 Hz, 표만)") as phase:
            monitor = widgets.StatsMonitor(names, interval=1.0, chart=False, max_seconds=None)
            time.sleep(args.seconds)
        monitor.stop()
        phase.note = f"표본 {monitor.samples}개, 표 갱신 {monitor.updates}회"
        phases.append(phase)
        table_phase = phase

        with Phase("StatsMonitor (1 Hz, 표+차트)") as phase:
            monitor = widgets.StatsMonitor(names, interval=1.0, chart_every=args.chart_every, max_seconds=None)
            time.sleep(args.seconds)
        monitor.stop()
        phase.note = (f"표본 {monitor.samples}개, 표 갱신 {monitor.updates}회, 차트 {monitor.charts}회 "
                      f"(차트 {args.chart_every:g}초마다)")
        phases.append(phase)
        monitor_phase = phase

        calls, spent = 0, []
        with Phase("docker stats --no-stream (1 Hz 시도)") as phase:
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                t = time.monotonic()
                subprocess.run(["docker", "stats", "--no-stream", *names], capture_output=True, check=True)
                calls += 1
                spent.append(time.monotonic() - t)
                time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
        phase.note = f"호출 {calls}번, 1번에 평균 {sum(spent) / len(spent):.2f}초"
        phases.append(phase)
        cli_phase = phase
    finally:
        remove_containers(names)
        print(f"정리: 벤치마크 컨테이너 {len(names)}개를 삭제했습니다.")

    width = max(len(p.label) for p in phases) + 2
    print()
    print(f"{'단계':<{width}} {'시간':>7} {'이 프로세스':>11} {'자식(CLI)':>10} {'dockerd(참고)':>13}  비고")
    for p in phases:
        print(f"{p.label:<{width}} {p.wall:6.1f}s {p.percent(p.cpu):>11} {p.percent(p.child):>10} "
              f"{p.percent(p.engine):>13}  {p.note}")
    monitor_pct = monitor_phase.cpu / monitor_phase.wall * 100
    cli_pct = (cli_phase.cpu + cli_phase.child) / cli_phase.wall * 100
    print()
    print(f"모니터 자체 비용: 코어 1개의 {monitor_pct:.2f} % (목표 {TARGET_PERCENT:g} % 미만: "
          f"{'통과' if monitor_pct < TARGET_PERCENT else '실패'})")
    print(f"docker stats --no-stream 폴링: 코어 1개의 {cli_pct:.2f} % (CLI 프로세스 + 호출하는 이 프로세스)")
    table_pct = table_phase.cpu / table_phase.wall * 100
    if cli_pct:
        print(f"비율: 모니터(표+차트) / CLI 폴링 = {monitor_pct / cli_pct:.1f}배, "
              f"모니터(표만) / CLI 폴링 = {table_pct / cli_pct:.1f}배")
    rate = sum(1 for _ in spent) / cli_phase.wall
    print(f"갱신 빈도: 모니터는 컨테이너마다 1초에 1번, CLI 폴링은 {rate:.2f}번/초 (호출 한 번에 약 "
          f"{sum(spent) / len(spent):.1f}초)")
    return 0 if monitor_pct < TARGET_PERCENT else 1


if __name__ == "__main__":
    raise SystemExit(main())
