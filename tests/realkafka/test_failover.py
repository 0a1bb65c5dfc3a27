"""Scenario 3: while an application produces with acks=all, the active controller and then a broker die
(SIGKILL). A new leader is elected, both come back Ready on their own volumes without being formatted again,
and every acknowledged message is read back."""

import time
from pathlib import Path

import pytest

from kraft_component import naming
from realtools.podrunner import PodView
from tests.realkafka.apps import Client, read_back, user_config
from tests.realkafka.kafka import QuorumStatus, quorum_status
from tests.realkafka.shared import READY_AGAIN_TIMEOUT, RunningStack

pytestmark = pytest.mark.realkafka

TOPIC = "orders.failover"
ACKNOWLEDGED = 300  # messages acknowledged before each kill, and again once both nodes are back
ELECTION_TIMEOUT = 120
META_PROPERTIES = f"{naming.log_dir(naming.DATA_VOLUME)}/meta.properties"


def meta_properties(stack: RunningStack, pod: str) -> str:
    """The pod's meta.properties and its modification time: what formatting wrote (cluster ID, node ID, and a
    directory ID that each format draws anew)."""
    result = stack.cluster.exec(pod, ["/bin/bash", "-c", f"stat -c %Y {META_PROPERTIES} && cat {META_PROPERTIES}"])
    assert result.returncode == 0 and "directory.id=" in result.stdout, result.stdout
    return result.stdout


def restarts(stack: RunningStack, pod: str) -> int:
    """How often the pod's container has restarted."""
    (view,) = [view for view in stack.cluster.pods() if view.name == pod]
    return view.restarts


def new_leader(stack: RunningStack, asking: str, old: QuorumStatus) -> QuorumStatus:
    """The quorum once a controller other than the old leader leads it, in a later epoch."""
    deadline = time.monotonic() + ELECTION_TIMEOUT
    while True:
        status = quorum_status(stack.cluster, asking, stack.spec)
        if status.leader not in (-1, old.leader) and status.epoch > old.epoch:
            return status
        assert time.monotonic() < deadline, f"no new leader {ELECTION_TIMEOUT} s after killing {old.leader}: {status}"
        time.sleep(1)


def restarted(stack: RunningStack, pod: str, before: int) -> PodView:
    """The pod once its container has restarted (more than `before` restarts) and it is Ready again."""
    deadline = time.monotonic() + READY_AGAIN_TIMEOUT
    while True:
        (view,) = [view for view in stack.cluster.pods() if view.name == pod]
        if view.restarts > before and view.ready:
            return view
        assert time.monotonic() < deadline, f"{pod} not Ready again {READY_AGAIN_TIMEOUT} s after it was killed: {view}"
        time.sleep(1)


@pytest.mark.disruptive
def test_killing_the_active_controller_then_a_broker_loses_no_acknowledged_message(
    secure_stack: RunningStack, tmp_path: Path
) -> None:
    stack = secure_stack
    topic = stack.topic(TOPIC, 3, 3)
    asking, broker = stack.pods("brokers")[0], stack.pods("brokers")[1]  # tools run in one broker; the other dies
    client = Client(stack, user_config(stack, "orders-service", tmp_path), tmp_path)

    with client.producing(topic) as producing:
        producing.wait_for(ACKNOWLEDGED)
        before = quorum_status(stack.cluster, asking, stack.spec)
        controller = stack.pod_of(before.leader)
        volumes = {pod: meta_properties(stack, pod) for pod in (controller, broker)}
        started = {pod: restarts(stack, pod) for pod in (controller, broker)}

        stack.cluster.kill(controller)
        after = new_leader(stack, asking, before)
        restarted(stack, controller, started[controller])
        producing.wait_for(producing.delivered() + ACKNOWLEDGED)
        stack.cluster.kill(broker)
        restarted(stack, broker, started[broker])
        producing.wait_for(producing.delivered() + ACKNOWLEDGED)
    produced = producing.result
    assert produced is not None
    records = client.consume(topic, group="orders-service")

    assert after.voters == before.voters
    for pod, formatted in volumes.items():
        assert meta_properties(stack, pod) == formatted, f"{pod} was formatted again"
        log = stack.cluster.logs(pod)  # the restarted container's: it started the node without formatting
        assert "kraft: starting node" in log and "kraft: formatting" not in log, log[-3000:]
    assert produced.failed == {}  # no message failed either (the client did see its connections drop)
    read_back(produced, records)
