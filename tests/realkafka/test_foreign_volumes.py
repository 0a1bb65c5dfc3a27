"""Scenario 7: a volume that real `kafka-storage format` wrote for another cluster ID, or for another node ID,
stops the pod before Kafka starts, with a message naming the key that fixes it; the volume is left as it was.
The node script runs in a stand-in pod (tests/standins) whose kafka-storage.sh is the release's own, so the
meta.properties it reads is Kafka's own. The offline tests of the same refusals are in tests/test_node_bootstrap.py."""

from pathlib import Path

import pytest

from kraft_component.spec import DEFAULT_KAFKA_VERSION
from tests.realkafka.local_nodes import kafka_home, use_real_storage_tool
from tests.standins import CLUSTER_ID, OTHER_CLUSTER_ID, Pod
from tests.test_node_bootstrap import TOPOLOGIES, cluster, meta_bytes, pool, refused, started

pytestmark = pytest.mark.realkafka


def formatted_for_real(pod: Pod) -> dict[Path, bytes]:
    """Start the pod once with the release's kafka-storage.sh; the meta.properties files it wrote."""
    use_real_storage_tool(pod, kafka_home(DEFAULT_KAFKA_VERSION))
    started(pod.start())
    return meta_bytes(pod)


def test_a_volume_of_another_cluster_stops_the_pod_naming_the_cluster_id_key(tmp_path: Path) -> None:
    pod = Pod(tmp_path, TOPOLOGIES["dev"], "nodes", 0, cluster_id=OTHER_CLUSTER_ID)
    formatted = formatted_for_real(pod)
    pod.write_volume_files(CLUSTER_ID)  # reinstalled with a fresh cluster ID, the volume retained

    message = refused(pod.start())

    assert pod.meta_properties()["cluster.id"] == OTHER_CLUSTER_ID, "Kafka's own meta.properties"
    assert f"belongs to cluster '{OTHER_CLUSTER_ID}'" in message
    assert f"set kraft:clusterId (or the cluster_id argument of KraftCluster) to '{OTHER_CLUSTER_ID}'" in message
    assert meta_bytes(pod) == formatted


def test_a_volume_of_another_node_stops_the_pod_naming_the_node_id_offset_key(tmp_path: Path) -> None:
    def staging(broker_offset: int) -> Pod:
        spec = cluster(
            pool("controllers", ["controller"], 3), pool("brokers", ["broker"], 3, nodeIdOffset=broker_offset)
        )
        return Pod(tmp_path, spec, "brokers", 1)

    formatted = formatted_for_real(staging(100))
    pod = staging(200)  # the offset moved; the volume stayed

    message = refused(pod.start())

    assert pod.meta_properties()["node.id"] == "101", "Kafka's own meta.properties"
    assert "belongs to node 101, but kafka-brokers-1 is node 201" in message
    assert "Set kraft:cluster.pools[1].nodeIdOffset back to the offset that gave this volume node 101" in message
    assert meta_bytes(pod) == formatted
