"""dockhelpers.facts: the sentences for both cases (pure), and the facts read from the real engine."""

from __future__ import annotations

import json
import subprocess

import pytest

from dockhelpers import facts

NEW_CLI = facts.Facts("28.2.2", "20.10.24", "1.50", "1.41", None, False, "Debian GNU/Linux 12 (bookworm)")
SAME = facts.Facts("28.2.2", "28.2.2", "1.50", "1.50", "v0.24.0", True, "Docker Desktop")


def test_negotiation_is_detected_from_api_versions():
    assert NEW_CLI.negotiated and not SAME.negotiated
    assert facts.Facts("1", "1", "1.9", "1.10", None, False).negotiated is False  # numeric, not text order


def test_versions_sentence_differs_by_case():
    assert "낮춰" in facts.describe_versions(NEW_CLI) and "1.41" in facts.describe_versions(NEW_CLI)
    assert "같은 API 버전 1.50" in facts.describe_versions(SAME)


def test_builder_sentence_differs_by_case():
    assert "없어" in facts.describe_builder(NEW_CLI) and "DEPRECATED" in facts.describe_builder(NEW_CLI)
    assert "v0.24.0" in facts.describe_builder(SAME) and "BuildKit으로" in facts.describe_builder(SAME)


def test_hub_sentence_differs_by_case():
    assert "연결되지 않습니다" in facts.describe_hub(NEW_CLI)
    assert "연결됩니다" in facts.describe_hub(SAME)
    assert SAME.docker_desktop and not NEW_CLI.docker_desktop


@pytest.mark.engine
def test_learner_facts_match_the_cli(engine):
    f = facts.refresh()
    v = json.loads(subprocess.run(["docker", "version", "--format", "{{json .}}"], capture_output=True,
                                  text=True, check=True).stdout)
    assert f.client_version == v["Client"]["Version"]
    assert f.server_version == v["Server"]["Version"] == engine.version()["Version"]
    assert f.server_api == engine.version()["ApiVersion"]
    buildx = subprocess.run(["docker", "buildx", "version"], capture_output=True, text=True)
    assert (f.buildx is not None) == (buildx.returncode == 0)
    search = subprocess.run(["docker", "search", "--limit", "1", "debian"], capture_output=True, text=True,
                            timeout=facts.HUB_TIMEOUT + 5)
    assert f.hub_reachable == (search.returncode == 0)
    assert f.operating_system == engine.info()["OperatingSystem"]
    assert facts.describe("builder", f) == facts.describe_builder(f)
    from dockhelpers.engine import ipvs_supported

    assert f.ipvs == ipvs_supported()


def test_ipvs_sentence_differs_by_case():
    import dataclasses

    with_ipvs = dataclasses.replace(SAME, ipvs=True)
    without = dataclasses.replace(NEW_CLI, ipvs=False)
    assert "IPVS가 있습니다" in facts.describe("ipvs", with_ipvs) and "라우팅 메시" in facts.describe("ipvs", with_ipvs)
    assert "IPVS가 없습니다" in facts.describe("ipvs", without) and "dnsrr" in facts.describe("ipvs", without)
    assert "확인하지 못했습니다" in facts.describe("ipvs", NEW_CLI)  # default: unknown
