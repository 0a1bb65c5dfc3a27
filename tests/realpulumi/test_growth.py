"""Growing a running cluster under the real engine: volumes grow in place, a pool grows and Kafka is
upgraded with the StatefulSets updated in place, controllers before brokers."""

import json
from pathlib import Path
from typing import Any

import pytest
from kubernetes.client import ApiClient

from kraft_component import naming
from realtools import kubeapi
from realtools.controlplane import ControlPlane
from realtools.processes import wait_until
from realtools.toolset import Tools

from .cli import Pulumi
from .stacks import Deployment

pytestmark = pytest.mark.realpulumi

STACK = "growth"
NAMESPACE = "kafka-growth"
CLUSTER = "kafka"
RESIZE_TIMEOUT = 60  # the stand-in resizer reports a claim's new capacity within a second


def config(brokers: int = 3, storage: dict[str, str] | None = None, version: str = "4.3.1") -> dict[str, Any]:
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


GROWN = {"size": "4Gi", "templateSize": "2Gi"}


def statefulset(api: ApiClient, pool: str) -> Any:
    name = naming.statefulset_name(CLUSTER, pool)
    return kubeapi.resource(api, "apps/v1", "StatefulSet").get(name=name, namespace=NAMESPACE)


def broker_claim(ordinal: int) -> str:
    return naming.claim_name(naming.DATA_VOLUME, naming.statefulset_name(CLUSTER, "brokers"), ordinal)


def claim_sizes(api: ApiClient) -> dict[str, tuple[str, str]]:
    """Each broker claim's requested size and the capacity its volume reports."""
    claims = kubeapi.resource(api, "v1", "PersistentVolumeClaim").get(namespace=NAMESPACE).items
    return {
        claim.metadata.name: (claim.spec.resources.requests.storage, claim.status.capacity.storage)
        for claim in claims
        if "brokers" in claim.metadata.name
    }


def until_sizes(api: ApiClient, expected: dict[str, tuple[str, str]]) -> None:
    """Wait until the broker claims ask for and have the expected sizes."""
    wait_until(lambda: None if claim_sizes(api) == expected else f"claims {claim_sizes(api)}", RESIZE_TIMEOUT)


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
def stack(control_plane: ControlPlane, real_tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A cluster of dedicated controllers and brokers after `pulumi up`."""
    pulumi = Pulumi(real_tools, control_plane.kubeconfig, tmp_path_factory.mktemp("growth"))
    deployment = Deployment(pulumi, pulumi.stack_project(STACK, config()), STACK)
    deployment.up().check()
    return deployment


def test_volumes_grow_in_place(stack: Deployment, control_plane: ControlPlane) -> None:
    api = control_plane.api()
    uid = statefulset(api, "brokers").metadata.uid
    stack.up(config(storage=GROWN)).check()
    assert statefulset(api, "brokers").metadata.uid == uid
    until_sizes(api, {broker_claim(ordinal): ("4Gi", "4Gi") for ordinal in range(3)})


def test_a_pool_grows_and_kafka_upgrades_in_place_controllers_first(
    stack: Deployment, control_plane: ControlPlane
) -> None:
    api = control_plane.api()
    uids = {pool: statefulset(api, pool).metadata.uid for pool in ("controllers", "brokers")}
    events = stack.pulumi.scratch / "upgrade-events.jsonl"
    stack.up(config(brokers=4, storage=GROWN, version="4.4.0"), "--event-log", str(events)).check()
    assert {pool: statefulset(api, pool).metadata.uid for pool in uids} == uids
    for pool, replicas in (("controllers", 3), ("brokers", 4)):
        live = statefulset(api, pool)
        assert live.spec.replicas == live.status.readyReplicas == live.status.updatedReplicas == replicas
        assert live.status.currentRevision == live.status.updateRevision
        assert live.spec.template.spec.containers[0].image == "apache/kafka:4.4.0"
    assert updated_in_order(events) == [f"{CLUSTER}-controllers", f"{CLUSTER}-brokers"]
    until_sizes(api, {broker_claim(ordinal): ("4Gi", "4Gi") for ordinal in range(4)})
