"""Growing a running cluster under the real engine: volumes grow in place, a pool grows and Kafka is
upgraded with the StatefulSets updated in place, controllers before brokers."""

import json
from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.toolset import Tools

from .cli import Pulumi

pytestmark = pytest.mark.realpulumi

STACK = "growth"
NAMESPACE = "kafka-growth"
CLUSTER = "kafka"


def config(brokers: int = 3, storage: dict[str, str] | None = None, version: str = "4.3.0") -> dict[str, Any]:
    """Dedicated controllers and brokers in a namespace of their own."""
    return {
        "kraft:cluster": {
            "name": CLUSTER, "namespace": NAMESPACE, "profile": "development", "kafkaVersion": version,
            "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
            "authorization": {"enabled": False},
            "pools": [
                {"name": "controllers", "roles": ["controller"], "replicas": 3, "storage": {"size": "1Gi"}},
                {"name": "brokers", "roles": ["broker"], "replicas": brokers, "storage": storage or {"size": "2Gi"}},
            ],
        }
    }  # fmt: skip


def statefulset(api: Any, pool: str) -> Any:
    name = naming.statefulset_name(CLUSTER, pool)
    return kubeapi.resource(api, "apps/v1", "StatefulSet").get(name=name, namespace=NAMESPACE)


def claim_sizes(api: Any) -> dict[str, tuple[str, str]]:
    """Each broker claim's requested size and the capacity its volume reports."""
    claims = kubeapi.resource(api, "v1", "PersistentVolumeClaim").get(namespace=NAMESPACE).items
    return {
        claim.metadata.name: (claim.spec.resources.requests.storage, claim.status.capacity.storage)
        for claim in claims
        if "brokers" in claim.metadata.name
    }


def updated_in_order(event_log: Path) -> list[str]:
    """The StatefulSets the engine updated, in the order their updates finished."""
    finished = []
    for line in event_log.read_text().splitlines():
        event = json.loads(line).get("resOutputsEvent")
        if (
            event
            and event["metadata"]["type"] == "kubernetes:apps/v1:StatefulSet"
            and event["metadata"]["op"] == "update"
        ):
            finished.append(event["metadata"]["urn"].rsplit("::", 1)[1])
    return finished


@pytest.fixture(scope="module")
def stack(
    control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Pulumi, Path]:
    """A cluster of dedicated controllers and brokers after `pulumi up`."""
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("growth"))
    project = pulumi.stack_project(STACK, config())
    pulumi.run(project, "up", "--yes", "--stack", STACK).check()
    return pulumi, project


def test_volumes_grow_in_place(stack: tuple[Pulumi, Path], control_plane: ControlPlane) -> None:
    pulumi, project = stack
    api = control_plane.api()
    uid = statefulset(api, "brokers").metadata.uid
    pulumi.set_config(project, STACK, config(storage={"size": "4Gi", "templateSize": "2Gi"}))
    pulumi.run(project, "up", "--yes", "--stack", STACK).check()
    assert statefulset(api, "brokers").metadata.uid == uid
    expected = {
        naming.claim_name(naming.DATA_VOLUME, naming.statefulset_name(CLUSTER, "brokers"), n): ("4Gi", "4Gi")
        for n in range(3)
    }
    assert claim_sizes(api) == expected


def test_a_pool_grows_and_kafka_upgrades_in_place_controllers_first(
    stack: tuple[Pulumi, Path], control_plane: ControlPlane
) -> None:
    pulumi, project = stack
    api = control_plane.api()
    uids = {pool: statefulset(api, pool).metadata.uid for pool in ("controllers", "brokers")}
    grown = config(brokers=4, storage={"size": "4Gi", "templateSize": "2Gi"}, version="4.3.1")
    pulumi.set_config(project, STACK, grown)
    events = pulumi.scratch / "upgrade-events.jsonl"
    pulumi.run(project, "up", "--yes", "--stack", STACK, "--event-log", str(events)).check()
    assert {pool: statefulset(api, pool).metadata.uid for pool in uids} == uids
    brokers = statefulset(api, "brokers")
    assert brokers.spec.replicas == brokers.status.readyReplicas == 4
    assert brokers.spec.template.spec.containers[0].image == "apache/kafka:4.3.1"
    assert updated_in_order(events) == [f"{CLUSTER}-controllers", f"{CLUSTER}-brokers"]
    assert claim_sizes(api)[naming.claim_name(naming.DATA_VOLUME, naming.statefulset_name(CLUSTER, "brokers"), 3)] == (
        "4Gi",
        "4Gi",
    )
