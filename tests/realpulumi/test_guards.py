"""Each preview-time guard stops `pulumi preview` and `pulumi up` under the real engine, with its message,
and a refused run changes nothing in the cluster."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.toolset import Tools

from .cli import Pulumi
from .stacks import kubernetes_objects, stack_config

pytestmark = pytest.mark.realpulumi

STACK = "dev"
NAMESPACE = "kafka-guards"  # a namespace of its own: the other scenarios deploy the dev stack too
Change = Callable[[dict[str, Any]], None]


def _cluster(config: dict[str, Any]) -> dict[str, Any]:
    cluster: dict[str, Any] = config["kraft:cluster"]
    return cluster


def quorum_mode(config: dict[str, Any]) -> None:
    _cluster(config)["quorum"] = {"mode": "static"}


def cluster_id(config: dict[str, Any]) -> None:
    config["kraft:clusterId"] = "MkU3OEVBNTcwNTJENDM2Qg"


def volume_shrink(config: dict[str, Any]) -> None:
    _cluster(config)["pools"][0]["storage"] = {"size": "1Gi", "templateSize": "2Gi"}


def node_id_offset(config: dict[str, Any]) -> None:
    _cluster(config)["pools"][0]["nodeIdOffset"] = 10


def listener_protocol(config: dict[str, Any]) -> None:
    _cluster(config)["listeners"]["controller"] = "SSL"


def pool_shrink(config: dict[str, Any]) -> None:
    _cluster(config)["pools"][0]["replicas"] = 2


GUARDS: dict[str, tuple[Change, str]] = {
    "quorum mode": (quorum_mode, "kraft:cluster.quorum.mode: the quorum would change from dynamic to static"),
    "cluster ID": (cluster_id, "kraft:clusterId: the cluster ID would change"),
    "volume shrink": (volume_shrink, "kraft:cluster.pools[0].storage.size: pool 'nodes' would shrink its volumes"),
    "node ID offset": (node_id_offset, "kraft:cluster.pools[0].nodeIdOffset: pool 'nodes' would move"),
    "node listener protocol": (listener_protocol, "kraft:cluster.listeners.controller: PLAINTEXT -> SSL"),
    "pool shrink": (pool_shrink, "kraft:cluster.pools[0].replicas: pool 'nodes' would shrink from 3 to 2"),
}


def live_versions(api: Any, objects: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each object's uid and resourceVersion now: any write to it changes the version."""
    versions = {}
    for manifest in objects:
        live = kubeapi.get(api, manifest)
        versions[f"{manifest['kind']}/{manifest['metadata']['name']}"] = (
            live.metadata.uid,
            live.metadata.resourceVersion,
        )
    return versions


@pytest.fixture(scope="module")
def deployed(
    control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Pulumi, Path, dict[str, Any]]:
    """The dev stack in a namespace of its own, after `pulumi up`."""
    config = stack_config(STACK)
    _cluster(config)["namespace"] = NAMESPACE
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("guards"))
    project = pulumi.stack_project(STACK, config)
    pulumi.run(project, "up", "--yes", "--stack", STACK).check()
    return pulumi, project, config


@pytest.mark.parametrize("guard", GUARDS)
def test_a_refused_change_stops_preview_and_up_and_changes_nothing(
    guard: str, deployed: tuple[Pulumi, Path, dict[str, Any]], control_plane: ControlPlane
) -> None:
    pulumi, project, config = deployed
    change, message = GUARDS[guard]
    changed = copy.deepcopy(config)
    change(changed)
    objects = kubernetes_objects(pulumi.export(project))
    before = live_versions(control_plane.api(), objects)
    pulumi.set_config(project, STACK, changed)
    try:
        for command in (["preview"], ["up", "--yes"]):
            refused = pulumi.run(project, *command, "--stack", STACK)
            assert refused.returncode != 0, f"pulumi {command[0]} accepted the change: {refused.output[-3000:]}"
            assert message in " ".join(refused.output.split()), refused.output[-6000:]
    finally:
        pulumi.set_config(project, STACK, config)
    assert live_versions(control_plane.api(), objects) == before
    assert json.dumps(kubernetes_objects(pulumi.export(project)), sort_keys=True) == json.dumps(objects, sort_keys=True)
