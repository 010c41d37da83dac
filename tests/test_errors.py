"""Error translation: engine and CLI texts (as really printed by engine 20.10 / CLI 28) -> Korean classes."""

import pytest

from dockhelpers import errors


@pytest.mark.parametrize("text, cls", [
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     errors.EngineUnavailable),
    ("driver failed programming external connectivity on endpoint dkc-x: Bind for 127.0.0.1:9000 failed: "
     "port is already allocated", errors.PortInUse),
    ('Conflict. The container name "/dkc-echo" is already in use by container "abc". You have to remove '
     "(or rename) that container to be able to reuse that name.", errors.NameConflict),
    ('invalid reference format: repository name must be lowercase', errors.InvalidReference),
    ("Cannot locate specified Dockerfile: Dockerfile", errors.DockerfileMissing),
    ("The command '/bin/sh -c false' returned a non-zero code: 1", errors.BuildFailed),
    ("pull access denied for dkc/nope, repository does not exist or may require 'docker login'",
     errors.ImageNotFound),
    ("No such container: dkc-nothing", errors.NotFound),
    ("write /var/lib/docker/tmp/x: no space left on device", errors.NoSpace),
    ("toomanyrequests: You have reached your pull rate limit.", errors.RateLimited),
    ('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
     errors.RegistryUnreachable),
    ("something nobody expected", errors.CommandFailed),
])
def test_translate_picks_the_specific_class(text, cls):
    err = errors.translate(text, "테스트")
    assert type(err) is cls
    assert err.message.startswith("테스트: ")
    assert err.hint and err.detail == text
    assert isinstance(err, errors.CourseError)


def test_message_is_korean_with_fix_and_original():
    err = errors.translate("port is already allocated")
    text = str(err)
    assert "포트" in text and "해결 방법:" in text and "port is already allocated" in text


def test_course_error_passes_through():
    original = errors.NotFound("없음")
    assert errors.translate(original) is original


def test_a_long_detail_keeps_its_end_where_the_cause_is():
    err = errors.CourseError("실패", "다시", "Container web Creating\n" * 60 + "dependency failed to start: unhealthy")
    assert str(err).endswith("dependency failed to start: unhealthy)")
    assert len(str(err)) < 700
