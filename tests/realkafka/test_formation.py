"""Scenario 1: the dev stack and a secure stack form on real Kafka. Every pod becomes Ready by its own
probes, and `kafka-metadata-quorum describe --status` shows the expected voters and one leader."""

import re
import sys

import pytest

from kraft_component import naming
from tests.realkafka.kafka import agreed_status, expected_voters, quorum_status
from tests.realkafka.shared import JOB_TIMEOUT, RunningStack

pytestmark = pytest.mark.realkafka

LIST_BROKERS = """
import sys
from confluent_kafka.admin import AdminClient
metadata = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=60)
print(*sorted(metadata.brokers))
"""
# Kafka 4.3+ (KIP-1211): "<key> is defined in the broker role ..." / "<key> is defined in [broker]. It should be
# defined in the controller role" for num.partitions and default.replication.factor on a broker-only node.
ROLE_WARNING = re.compile(r"(num\.partitions|default\.replication\.factor) is defined in")


def test_the_dev_stack_forms(dev_stack: RunningStack) -> None:
    """`stacks/Pulumi.dev.yaml` as rendered: three combined nodes, a dynamic quorum, PLAINTEXT."""
    status = quorum_status(dev_stack.cluster, dev_stack.pods("nodes")[0], dev_stack.spec)
    assert status.voters == expected_voters(dev_stack.spec)
    assert status.leader in status.voters
    # a real client outside the pods, bootstrapping through the Service, is told of every broker
    brokers = dev_stack.cluster.run_client([sys.executable, "-c", LIST_BROKERS, dev_stack.bootstrap],
                                           namespace=dev_stack.spec.namespace, timeout=120)  # fmt: skip
    assert brokers.stdout.split() == ["0", "1", "2"], brokers.stdout


def test_a_secure_stack_with_dedicated_controllers_forms(secure_stack: RunningStack) -> None:
    statuses = agreed_status(secure_stack.cluster, secure_stack.spec, secure_stack.pods("brokers"))
    assert len({(status.leader, status.epoch) for status in statuses}) == 1, statuses  # one leader, seen by all
    for status in statuses:
        assert status.voters == expected_voters(secure_stack.spec)
        assert status.observers == {100, 101, 102}  # the brokers follow the quorum without voting
    assert statuses[0].leader in statuses[0].voters
    spec = secure_stack.spec
    for job in (naming.users_job_name(spec.name), naming.topics_job_name(spec.name)):  # the users' and topics' Jobs
        finished = secure_stack.cluster.wait_job(job, JOB_TIMEOUT)
        assert finished.condition == "Complete", secure_stack.cluster.job_logs(job)
    assert "kraft: created topic orders.events (12 partitions, 3 replicas, 2 configs)" in secure_stack.cluster.job_logs(
        naming.topics_job_name(spec.name)
    )


def test_brokers_are_not_told_to_move_a_setting_to_the_controllers(secure_stack: RunningStack) -> None:
    """Kafka 4.3 and newer warn when a broker-only node sets num.partitions or default.replication.factor (KIP-1211:
    ignored there from 5.0); kraft sets them on the controllers only."""
    for pod in secure_stack.pods("brokers"):
        log = secure_stack.cluster.logs(pod)
        assert "Kafka Server started" in log or "Transition from STARTING to STARTED" in log, log[-2000:]
        assert not ROLE_WARNING.findall(log), [line for line in log.splitlines() if ROLE_WARNING.search(line)][:2]
