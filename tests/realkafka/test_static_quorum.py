"""Scenario 6: a stack with a static quorum (`quorum.mode: static`, `controller.quorum.voters`) forms and
serves."""

from pathlib import Path

import pytest

from tests.realkafka.apps import Client, read_back
from tests.realkafka.kafka import quorum_status
from tests.realkafka.shared import RunningStack

pytestmark = pytest.mark.realkafka


def test_a_static_quorum_stack_forms_and_serves(static_stack: RunningStack, tmp_path: Path) -> None:
    status = quorum_status(static_stack.cluster, static_stack.pods("nodes")[0], static_stack.spec)
    topic = static_stack.topic("static.serves", 3, 3)
    client = Client(static_stack, {"bootstrap.servers": static_stack.bootstrap}, tmp_path)

    produced = client.produce(topic, 300)
    records = client.consume(topic, group="static")

    assert set(status.voters) == {0, 1, 2}
    assert status.leader in status.voters
    assert (len(produced.delivered), produced.failed) == (300, {})
    read_back(produced, records)
