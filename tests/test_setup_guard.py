"""Name-based replace touches only an exact-name, course-created container (issue 9)."""

from __future__ import annotations

import pytest

from dockhelpers import containers, errors, naming
from helpers import TEST_CHAPTER, cleaned, tname

pytestmark = pytest.mark.engine


def test_replace_never_removes_a_container_the_course_did_not_create(engine):
    mine = engine.containers.create(naming.BASE_IMAGE, "true", name=tname("learners-own"))  # no course label
    try:
        with cleaned(), pytest.raises(errors.NameConflict, match="과정이 만든 것이 아니어서"):
            containers.run(naming.BASE_IMAGE, tname("learners-own"), chapter=TEST_CHAPTER, command="true")
        mine.reload()  # still there
    finally:
        mine.remove(force=True)


def test_replace_matches_the_exact_name_not_an_id_prefix(engine):
    decoy = engine.containers.create(naming.BASE_IMAGE, "true")  # unlabelled, unnamed: the learner's
    prefix = decoy.id[:12]
    try:
        with cleaned():
            row = containers.run(naming.BASE_IMAGE, prefix, chapter=TEST_CHAPTER, command="sleep 30", quiet=True)
            assert row["이름"] == prefix
            decoy.reload()  # the container whose ID starts with that "name" survived
            # Replacing the course's own container of that exact name works as before.
            again = containers.run(naming.BASE_IMAGE, prefix, chapter=TEST_CHAPTER, command="sleep 30", quiet=True)
            assert again["ID"] != row["ID"]
            decoy.reload()
    finally:
        decoy.remove(force=True)
