"""Each preview-time guard stops `pulumi preview` and `pulumi up` under the real engine, with its message,
and a refused run changes nothing in the cluster or in the stack's state."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from realtools.controlplane import ControlPlane
from realtools.toolset import Tools
from tests.helpers import stack_config

from .cli import Pulumi
from .stacks import Deployment, assert_refused, live_versions

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
    _cluster(config)["pools"][0]["storage"] = {"size": "1Gi"}


def node_id_offset(config: dict[str, Any]) -> None:
    _cluster(config)["pools"][0]["nodeIdOffset"] = 10


def listener_protocol(config: dict[str, Any]) -> None:
    _cluster(config)["listeners"]["controller"] = "SSL"


def pool_shrink(config: dict[str, Any]) -> None:
    _cluster(config)["pools"][0]["replicas"] = 2


GUARDS: dict[str, tuple[Change, str]] = {
    "quorum mode": (quorum_mode, "kraft:cluster.quorum.mode: the quorum would change from dynamic to static"),
    "cluster ID": (cluster_id, "kraft:clusterId: the cluster ID would change"),
    "volume shrink": (
        volume_shrink,
        "kraft:cluster.pools[0].storage.size: pool 'nodes' would shrink its volume 'data' from 2Gi to 1Gi",
    ),
    "node ID offset": (
        node_id_offset,
        "kraft:cluster.pools[0].nodeIdOffset: pool 'nodes' would move from node IDs starting at 0 to 10",
    ),
    "node listener protocol": (listener_protocol, "kraft:cluster.listeners.controller: PLAINTEXT -> SSL"),
    "pool shrink": (pool_shrink, "kraft:cluster.pools[0].replicas: pool 'nodes' would shrink from 3 to 2"),
}


@pytest.fixture(scope="module")
def deployed(
    control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Deployment, dict[str, Any]]:
    """The dev stack in a namespace of its own after `pulumi up`, and its config."""
    config = stack_config(STACK)
    _cluster(config)["namespace"] = NAMESPACE
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("guards"))
    deployment = Deployment(pulumi, pulumi.stack_project(STACK, config), STACK)
    deployment.up().check()
    return deployment, config


@pytest.mark.parametrize("guard", GUARDS)
def test_a_refused_change_stops_preview_and_up_and_changes_nothing(
    guard: str, deployed: tuple[Deployment, dict[str, Any]], control_plane: ControlPlane
) -> None:
    deployment, config = deployed
    change, message = GUARDS[guard]
    changed = copy.deepcopy(config)
    change(changed)
    objects = deployment.objects()
    before = live_versions(control_plane.api(), objects)
    deployment.pulumi.set_config(deployment.project, STACK, changed)
    try:
        assert_refused(deployment, message)
    finally:
        deployment.pulumi.set_config(deployment.project, STACK, config)
    assert live_versions(control_plane.api(), objects) == before
    assert deployment.objects() == objects
