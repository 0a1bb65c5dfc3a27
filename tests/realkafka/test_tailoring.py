"""docs/tailoring.md on real Kafka: a node with two data volumes places partitions on both, kafkaConfig overrides
(the cluster's and the pool's) are in effect, and the pod template (an extra variable, the heap, extra JVM
flags) reaches the running JVM."""

from pathlib import Path

import pytest

from kraft_component import naming
from kraft_component.kafka_config import render_value
from tests.realkafka.apps import Client, read_back
from tests.realkafka.kafka import BrokerConfig, broker_config, log_dirs
from tests.realkafka.shared import (
    CLUSTER_OVERRIDES,
    DATA_VOLUMES,
    POOL_OVERRIDES,
    TAILORED_ENV,
    TAILORED_FLAGS,
    TAILORED_HEAP_MIB,
    RunningStack,
)

pytestmark = pytest.mark.realkafka

PARTITIONS = 6  # every node holds a replica of each: enough for Kafka to use both of its log directories


def test_a_node_with_two_data_volumes_places_partitions_on_both(static_stack: RunningStack, tmp_path: Path) -> None:
    topic = static_stack.topic("jbod.spread", PARTITIONS, 3)
    client = Client(static_stack, {"bootstrap.servers": static_stack.bootstrap}, tmp_path)
    produced = client.produce(topic, 600)
    records = client.consume(topic, group="jbod")

    report = log_dirs(static_stack.cluster, static_stack.pods("nodes")[0], static_stack.spec, topic)

    directories = {naming.log_dir(volume["name"]) for volume in DATA_VOLUMES}
    assert set(report) == {0, 1, 2}
    for node, by_directory in report.items():
        assert set(by_directory) == directories, node
        assert all(by_directory.values()), f"node {node} left a log directory without a partition: {by_directory}"
        assert sum(len(partitions) for partitions in by_directory.values()) == PARTITIONS
    assert sum(size for d in report[0].values() for size in d.values()) > 0  # the data is in them
    read_back(produced, records)


def test_the_pod_template_reaches_the_running_jvm(static_stack: RunningStack) -> None:
    for pod in static_stack.pods("nodes"):
        process = static_stack.cluster.exec(pod, ["/bin/bash", "-c", "cat /proc/1/cmdline; echo; cat /proc/1/environ"])
        command, environment = (part.split("\0") for part in process.stdout.split("\n", 1))

        assert command[0].endswith("/bin/java") and "kafka.Kafka" in command, command  # the container's JVM
        assert {f"-Xms{TAILORED_HEAP_MIB}m", f"-Xmx{TAILORED_HEAP_MIB}m", *TAILORED_FLAGS} <= set(command), command
        assert f"{TAILORED_ENV['name']}={TAILORED_ENV['value']}" in environment


def test_kafka_config_overrides_are_in_effect_on_every_broker(static_stack: RunningStack) -> None:
    """The cluster's kafkaConfig and the pool's, the pool's winning, are the brokers' static configuration."""
    expected = {name: render_value(value) for name, value in (CLUSTER_OVERRIDES | POOL_OVERRIDES).items()}
    asking = static_stack.pods("nodes")[0]
    for node_id in range(static_stack.pool("nodes").replicas):
        described = broker_config(static_stack.cluster, asking, static_stack.spec, node_id)

        in_effect = {name: described[name] for name in expected}
        assert in_effect == {name: BrokerConfig(value, "STATIC_BROKER_CONFIG") for name, value in expected.items()}
        assert described["message.max.bytes"].value == str(POOL_OVERRIDES["message.max.bytes"])  # the pool wins
