"""A class roster for the classroom hub: one account per line, teachers marked (see :func:`read_roster`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from dockhelpers.errors import CourseError

#: Lower-case letters and digits only: DockerSpawner escapes every other character in container names
#: (``s-01`` -> ``s-2d01``), and the lab's name must be the account's name.
USERNAME = re.compile(r"^[a-z][a-z0-9]{0,31}$")


@dataclass
class Roster:
    """Accounts of a class: the students and the teachers (the hub's `teacher` role)."""

    students: list[str] = field(default_factory=list)
    teachers: list[str] = field(default_factory=list)

    @property
    def everyone(self) -> list[str]:
        """Every account, teachers first."""
        return [*self.teachers, *self.students]


def read_roster(path: str | os.PathLike[str]) -> Roster:
    """Read a roster: one account per line, ``teacher`` after a name marks a teacher, ``#`` starts a comment.

    Example::

        # 3학년 2반
        kim teacher
        s01
        s02

    Raises:
        CourseError: A missing file, an invalid name, a repeated name, or no teacher.
    """
    source = Path(path)
    if not source.is_file():
        raise CourseError(f"명단 파일이 없습니다: {source}", "한 줄에 한 명씩 계정 이름을 쓴 파일을 주세요(예: classroom/roster.example.txt).")
    roster = Roster()
    seen: set[str] = set()
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        name = words[0].lower()
        if not USERNAME.match(name) or len(words) > 2 or (len(words) == 2 and words[1] != "teacher"):
            raise CourseError(f"명단 {source.name} {number}번째 줄을 읽을 수 없습니다: {line.strip()!r}",
                              "계정 이름은 영어 소문자로 시작하고 소문자와 숫자만 씁니다. 교사는 이름 뒤에 teacher를 붙입니다.")
        if name in seen:
            raise CourseError(f"명단에 같은 이름이 두 번 있습니다: {name}", "이름마다 한 줄만 남기세요.")
        seen.add(name)
        (roster.teachers if len(words) == 2 else roster.students).append(name)
    if not roster.teachers:
        raise CourseError("명단에 교사(관리자)가 없습니다.", "교사 계정 줄 끝에 teacher를 붙이세요(예: `kim teacher`).")
    return roster
