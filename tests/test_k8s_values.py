"""classroom/k8s/values.yaml against a vendored minimal schema (no cluster, no Helm here: the shape only).

The chart's own values.schema.json ships inside the Helm chart, which the package registries this project
uses (PyPI, npm) do not carry; classroom/k8s/values.schema.min.yaml says what it checks.
"""

from __future__ import annotations

import copy
import pathlib

import jsonschema
import pytest
import yaml

K8S = pathlib.Path(__file__).resolve().parents[1] / "classroom" / "k8s"


@pytest.fixture(scope="module")
def schema():
    return yaml.safe_load((K8S / "values.schema.min.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((K8S / "values.yaml").read_text(encoding="utf-8"))


def test_values_match_schema(schema, values):
    jsonschema.validate(values, schema)


def test_engine_is_a_sidecar_on_a_shared_socket(values):
    user = values["singleuser"]
    dind = next(c for c in user["extraContainers"] if c["name"] == "dind")
    assert dind["securityContext"]["privileged"] is True
    sock = "/var/run/dind/docker.sock"
    assert f"--host=unix://{sock}" in dind["args"] and user["extraEnv"]["DOCKER_HOST"] == f"unix://{sock}"
    assert not any("tcp://" in a for a in dind["args"])  # never a TCP engine another pod could reach
    assert user["storage"]["homeMountPath"] == "/home/learner" and user["cmd"] == "jupyterhub-singleuser"
    assert values["cull"]["enabled"] and user["networkPolicy"]["enabled"]
    assert "teacher" in values["hub"]["config"]["Authenticator"]["admin_users"]


@pytest.mark.parametrize("path, value", [
    (("singleuser", "extraContainer"), []),           # a misspelt key
    (("singleuser", "cpu", "limit"), "one"),          # a wrong type
    (("cull", "timeout"), "1h"),
    (("proxy", "service", "type"), "Loadbalancer"),
    (("singleuser", "image"), {"name": "x"}),         # the tag is required
])
def test_schema_catches_mistakes(schema, values, path, value):
    broken = copy.deepcopy(values)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
