"""Scenario 2: the users Job completes, and an application configured only from a user's Secret and the
cluster's CA (confluent-kafka, which wraps librdkafka) produces with acks=all and reads back; a user without
the ACL is refused by the authorizer, and a wrong password by authentication."""

from pathlib import Path

import pytest

from kraft_component import naming
from tests.realkafka.apps import Client, read_back, user_config
from tests.realkafka.shared import JOB_TIMEOUT, RunningStack

pytestmark = pytest.mark.realkafka

MESSAGES = 1000
TOPIC = "orders.placed"  # orders-service may read and write topics prefixed `orders.` (stacks/Pulumi.prod.yaml)
REFUSED = {"message.timeout.ms": 20000}  # a refused client gives up after 20 s rather than the default 5 min


@pytest.fixture
def orders_topic(secure_stack: RunningStack) -> str:
    """A topic of three partitions, each on all three brokers."""
    return secure_stack.topic(TOPIC, 3, 3)


def test_the_users_job_completes(secure_stack: RunningStack) -> None:
    status = secure_stack.cluster.wait_job(naming.users_job_name(secure_stack.spec.name), JOB_TIMEOUT)
    assert status.condition == "Complete", secure_stack.cluster.job_logs(status.name)


def test_an_application_configured_from_its_secret_writes_and_reads_back(
    secure_stack: RunningStack, orders_topic: str, tmp_path: Path
) -> None:
    client = Client(secure_stack, user_config(secure_stack, "orders-service", tmp_path), tmp_path)

    produced = client.produce(orders_topic, MESSAGES)
    records = client.consume(orders_topic, group="orders-service")  # the group its ACL allows

    assert (produced.failed, produced.errors) == ({}, [])
    assert sorted(int(value) for _, _, value in produced.delivered) == list(range(MESSAGES))
    read_back(produced, records)


def test_a_user_without_a_write_acl_is_refused_by_the_authorizer(
    secure_stack: RunningStack, orders_topic: str, tmp_path: Path
) -> None:
    """audit-reader may read and describe every topic, and write none."""
    client = Client(secure_stack, user_config(secure_stack, "audit-reader", tmp_path) | REFUSED, tmp_path)

    produced = client.produce(orders_topic, 10)

    # The broker refuses the first batch; librdkafka then marks the topic errored with no partitions, which fails
    # the messages still queued for other partitions locally with _UNKNOWN_PARTITION (a CI run: 4 and 6).
    assert produced.delivered == []
    assert sum(produced.failed.values()) == 10
    assert produced.failed["TOPIC_AUTHORIZATION_FAILED"] > 0
    assert set(produced.failed) <= {"TOPIC_AUTHORIZATION_FAILED", "_UNKNOWN_PARTITION"}, produced.failed


def test_a_wrong_password_is_refused_by_authentication(
    secure_stack: RunningStack, orders_topic: str, tmp_path: Path
) -> None:
    config = user_config(secure_stack, "orders-service", tmp_path)
    client = Client(secure_stack, config | REFUSED | {"sasl.password": config["sasl.password"] + "x"}, tmp_path)

    produced = client.produce(orders_topic, 10)

    assert produced.delivered == []
    assert "_AUTHENTICATION" in produced.errors, produced
