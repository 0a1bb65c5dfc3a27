"""Pulumi.yaml declares `kraft:cluster` an object: the real CLI takes one from the stack file or built key by
key with `pulumi config set --path`, refuses text, and refuses a stack without it (docs/configuration.md)."""

import json
from typing import Any

import pytest
import yaml

from realtools.controlplane import ControlPlane
from realtools.toolset import Tools

from .cli import Pulumi
from .stacks import Deployment

pytestmark = pytest.mark.realpulumi

STACK = "config"
KEYS = {
    "name": "kafka",
    "namespace": "kafka-config",
    "profile": "development",
    "pools[0].name": "nodes",
    "pools[0].roles[0]": "broker",
    "pools[0].roles[1]": "controller",
    "pools[0].replicas": "3",
}


@pytest.fixture(scope="module")
def empty(control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A stack with no config yet."""
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("config"))
    return Deployment(pulumi, pulumi.stack_project(STACK, {}), STACK)


def planned(preview: str, type_token: str) -> list[dict[str, Any]]:
    """The inputs of each resource of `type_token` that `pulumi preview --json` would create."""
    steps = json.loads(preview)["steps"]
    return [step["newState"]["inputs"] for step in steps if step["newState"]["type"] == type_token]


def test_a_stack_without_the_cluster_is_refused(empty: Deployment) -> None:
    refused = empty.run("preview")
    assert refused.returncode != 0
    assert "missing configuration value 'cluster'" in refused.output, refused.output[-3000:]


def test_config_set_path_builds_the_object_the_program_deploys(empty: Deployment) -> None:
    for path, value in KEYS.items():
        empty.run("config", "set", "--path", f"kraft:cluster.{path}", value).check()
    stack_file = yaml.safe_load((empty.project / f"Pulumi.{STACK}.yaml").read_text())
    assert stack_file["config"]["kraft:cluster"]["pools"] == [
        {"name": "nodes", "roles": ["broker", "controller"], "replicas": 3}
    ]
    preview = empty.run("preview", "--json").check().stdout
    (namespace,) = planned(preview, "kubernetes:core/v1:Namespace")
    assert namespace["metadata"]["name"] == "kafka-config"
    (record,) = planned(preview, "pulumi-python:dynamic:Resource")  # the choices the guards keep
    assert record["pools"]["nodes"]["replicas"] == 3
    assert record["pools"]["nodes"]["roles"] == ["broker", "controller"]


def test_the_cluster_as_text_is_refused(empty: Deployment) -> None:
    empty.run("config", "set", "kraft:cluster", json.dumps({"name": "kafka"})).check()
    refused = empty.run("preview")
    assert refused.returncode != 0
    assert "configuration key 'cluster' must be of type 'object'" in refused.output, refused.output[-3000:]
