"""Scenario 1: the dev stack and a secure stack form on real Kafka. Every pod becomes Ready by its own
probes, and `kafka-metadata-quorum describe --status` shows the expected voters and one leader."""

import sys
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.kafka_config import controller_endpoints
from kraft_component.manifests import bootstrap_servers
from realtools.podrunner import Cluster, PodMeasure
from realtools.stacks import Rendered, render_stack, stack_cluster
from tests.realkafka.kafka import quorum_status, spec_of

pytestmark = pytest.mark.realkafka

LIST_BROKERS = """
import sys
from confluent_kafka.admin import AdminClient
metadata = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=60)
print(*sorted(metadata.brokers))
"""
ASKS = 3
READY_TIMEOUT = 900  # two startup-probe budgets of 300 s (controllers, then brokers), with room to spare
SMALL = {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}


def secure_cluster() -> dict[str, Any]:
    """The prod stack (SASL_SSL clients, mutual TLS between nodes, the authorizer, two users with ACLs) with
    three dedicated controllers and three brokers sized for this machine."""
    cluster = stack_cluster("prod")
    # The runner emulates the apache/kafka image only, not the metrics agent's init container.
    cluster["metrics"] = {"enabled": False}
    for pool in cluster["pools"]:
        pool |= {"replicas": 3, "resources": SMALL, "storage": {"size": "1Gi"}, "startupTimeoutSeconds": 300}
    return cluster


def summary(name: str, measures: Sequence[PodMeasure]) -> str:
    """Seconds from the first process start to every pod Ready (and to each StatefulSet's last pod Ready),
    and each pod's peak memory."""
    pools: dict[str, float] = {}
    for measure in measures:
        pool = measure.name.rsplit("-", 1)[0]
        pools[pool] = max(pools.get(pool, 0.0), measure.ready or float("inf"))
    stages = ", ".join(f"{pool} {ready:.0f} s" for pool, ready in pools.items())
    memory = ", ".join(f"{m.name} {m.peak_rss_bytes / 2**20:.0f} MiB" for m in measures)
    return (f"{name}: all {len(measures)} pods Ready {max(pools.values()):.0f} s after the first process started "
            f"({stages}); peak RSS: {memory}")  # fmt: skip


def form(
    cluster: Cluster, rendered: Rendered, install_images: Callable[[Sequence[Any]], list[str]]
) -> list[PodMeasure]:
    """Apply a stack as `pulumi up` orders it and wait for every pod to be Ready."""
    install_images(rendered.objects)
    cluster.apply(rendered.objects, rendered.depends_on, timeout=READY_TIMEOUT)
    cluster.wait_ready(READY_TIMEOUT)
    workloads = {obj["metadata"]["name"] for obj in rendered.objects if obj["kind"] == "StatefulSet"}
    return [m for m in cluster.measures() if m.name.rsplit("-", 1)[0] in workloads]


def expected_voters(cluster_config: dict[str, Any]) -> dict[int, list[str]]:
    """Every controller's node ID and the endpoint it advertises on the controller listener."""
    spec = spec_of(cluster_config)
    return {node: [f"CONTROLLER://{endpoint}"] for node, endpoint in controller_endpoints(spec, spec.namespace).items()}


def test_the_dev_stack_forms(cluster: Cluster, install_images: Callable[[Sequence[Any]], list[str]],
                             measured: Callable[[str], None]) -> None:  # fmt: skip
    config = stack_cluster("dev")
    measures = form(cluster, render_stack("dev"), install_images)
    measured(summary(f"dev stack (3 combined nodes, Kafka {config['kafkaVersion']})", measures))

    spec = spec_of(config)
    status = quorum_status(cluster, "kafka-nodes-0", spec)
    assert status.voters == expected_voters(config)
    assert status.leader in status.voters
    # a real client outside the pods, bootstrapping through the Service, is told of every broker
    brokers = cluster.run_client([sys.executable, "-c", LIST_BROKERS, bootstrap_servers(spec, spec.namespace)],
                                 namespace=spec.namespace, timeout=120)  # fmt: skip
    assert brokers.stdout.split() == ["0", "1", "2"], brokers.stdout


def test_a_secure_stack_with_dedicated_controllers_forms(
    cluster: Cluster, install_images: Callable[[Sequence[Any]], list[str]], measured: Callable[[str], None]
) -> None:
    config = secure_cluster()
    spec = spec_of(config)
    measures = form(cluster, render_stack("prod", config), install_images)
    measured(
        summary(f"secure stack (3 controllers + 3 brokers, SASL_SSL, mTLS, ACLs, Kafka {spec.kafka_version})", measures)
    )

    brokers = [naming.pod_name(naming.statefulset_name(spec.name, "brokers"), ordinal) for ordinal in range(3)]
    for _ in range(ASKS):  # an election may fall between two answers; the quorum settles on one leader
        statuses = [quorum_status(cluster, pod, spec) for pod in brokers]
        if len({(status.leader, status.epoch) for status in statuses}) == 1:
            break
    assert len({(status.leader, status.epoch) for status in statuses}) == 1, statuses  # one leader, seen by all
    for status in statuses:
        assert status.voters == expected_voters(config)
        assert status.observers == {100, 101, 102}  # the brokers follow the quorum without voting
    assert statuses[0].leader in statuses[0].voters
    for job in (naming.users_job_name(spec.name), naming.topics_job_name(spec.name)):  # the users' and topics' Jobs
        finished = cluster.wait_job(job, READY_TIMEOUT)
        assert finished.condition == "Complete", cluster.job_logs(job)
    assert "kraft: created topic orders.events (12 partitions, 3 replicas, 2 configs)" in cluster.job_logs(
        naming.topics_job_name(spec.name)
    )
