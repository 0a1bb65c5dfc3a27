"""Scenarios 4, 8 and 9 on one cluster: a dynamic quorum of three dedicated controllers and a broker, whose
cluster ID starts with '-' (defect 1), forms and serves. While an application produces with acks=all, one
controller's volume is wiped: it comes back on a new metadata directory as a new replica, never as the voter
it was with an empty log (defect 2), and replaces its old voter. Then the quorum grows to five controllers
without rolling a running node, and the add-controllers Job makes both new ones voters. Every acknowledged
record is read back at the end."""

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.spec import DEFAULT_KAFKA_VERSION, parse_spec
from realtools.podrunner import Cluster
from realtools.podrunner.objects import Manifest
from realtools.stacks import Rendered, StackState, render_stack
from tests.realkafka.apps import Client, read_back
from tests.realkafka.kafka import replication, voters
from tests.realkafka.shared import JOB_TIMEOUT, READY_TIMEOUT, SMALL, STARTUP_BUDGET, RunningStack, form, rolls
from tests.standins import DASH_CLUSTER_ID

pytestmark = pytest.mark.realkafka

JOB = "kafka-add-controllers"
REPLACED_TIMEOUT = 300
PRODUCING_TIMEOUT = 3 * READY_TIMEOUT  # a wipe, a growth and their Jobs
ACKNOWLEDGED = 200  # messages acknowledged before the wipe, and again after each change
PLAINTEXT = {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"}
WIPED = "kafka-controllers-1"


def dedicated(controllers: int, initial: int | None = None) -> dict[str, Any]:
    """A dynamic quorum of `controllers` dedicated controllers (`initial` of them formed it) and one broker,
    sized for this machine."""
    sizing = {"resources": SMALL, "storage": {"size": "1Gi"}, "startupTimeoutSeconds": STARTUP_BUDGET}
    return {
        "profile": "development",
        "kafkaVersion": DEFAULT_KAFKA_VERSION,
        "listeners": PLAINTEXT,
        "authorization": {"enabled": False},
        "quorum": {"mode": "dynamic"} | ({"initialControllers": initial} if initial else {}),
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": controllers} | sizing,
            {"name": "brokers", "roles": ["broker"], "replicas": 1} | sizing,
        ],
    }


def rendered(config: dict[str, Any], state: StackState) -> Rendered:
    """The dev stack with `config` and the cluster ID starting with '-', deployed over `state`."""
    return render_stack("dev", config, state=state, config={"kraft:clusterId": DASH_CLUSTER_ID})


def job_log(cluster: Cluster) -> str:
    """The add-controllers Job's log, once it has completed."""
    status = cluster.wait_job(JOB, JOB_TIMEOUT)
    logs = cluster.job_logs(JOB)
    assert status.condition == "Complete", f"{status.reason}\n{logs}"
    return logs


def meta_properties(cluster: Cluster, pod: str) -> dict[str, str]:
    """meta.properties of a node's metadata log directory (the first of log.dirs), as Kafka wrote it."""
    script = (
        f"source {naming.CONFIG_MOUNT}/{naming.PROPERTIES_LIBRARY} && "
        f'dirs="$(property {naming.SERVER_PROPERTIES} log.dirs)" && cat "${{dirs%%,*}}/meta.properties"'
    )
    result = cluster.exec(pod, ["/bin/bash", "-c", script])
    assert result.returncode == 0, result.stdout
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line and line[0] != "#")


def wait_for_voter(stack: RunningStack, node: int, directory: str) -> dict[int, str]:
    """The voters once node `node` votes on `directory` (AssertionError after REPLACED_TIMEOUT)."""
    deadline = time.monotonic() + REPLACED_TIMEOUT
    while (current := voters(replication(stack.cluster, stack.pods("brokers")[0], stack.spec))).get(node) != directory:
        assert time.monotonic() < deadline, f"node {node} does not vote on {directory}: {current}"
        time.sleep(5)
    return current


def test_a_wiped_controller_comes_back_as_a_new_replica_and_the_quorum_grows_to_five(
    cluster: Cluster, install_images: Callable[[Sequence[Manifest]], list[str]], measured: Callable[[str], None],
    tmp_path: Path,
) -> None:  # fmt: skip
    config, grown = dedicated(3), dedicated(5, initial=3)
    state = StackState()
    three = rendered(config, state)
    started = time.monotonic()
    formed_pods = form(cluster, three, install_images)
    stack = RunningStack("quorum", config, parse_spec(config), three, cluster, formed_pods, state)
    formed = job_log(cluster)  # every dynamic quorum has the Job: here it finds every controller voting
    measured(f"dynamic quorum of 3 controllers and 1 broker, cluster ID '-…' (Kafka {DEFAULT_KAFKA_VERSION}): "
             f"formed in {time.monotonic() - started:.0f} s")  # fmt: skip
    asking = stack.pods("brokers")[0]
    old = voters(replication(cluster, asking, stack.spec))
    topic = stack.topic("orders.quorum", 3, 1)
    client = Client(stack, {"bootstrap.servers": stack.bootstrap}, tmp_path)

    with client.producing(topic, timeout=PRODUCING_TIMEOUT) as producing:
        producing.wait_for(ACKNOWLEDGED)
        wiped = time.monotonic()
        cluster.wipe_volumes(WIPED)
        cluster.wait_ready(READY_TIMEOUT)
        new_directory = meta_properties(cluster, WIPED)["directory.id"]
        replaced = wait_for_voter(stack, 1, new_directory)  # Kafka's auto-join removes the old voter, adds the new
        rejoined = cluster.logs(WIPED)  # before the growth rolls it
        measured(f"wiped controller voting again as a new replica: {time.monotonic() - wiped:.0f} s")
        producing.wait_for(producing.delivered() + ACKNOWLEDGED)

        growing, seen = time.monotonic(), len(cluster.events())
        five_controllers = rendered(grown, state)
        cluster.apply(five_controllers.objects, five_controllers.depends_on, timeout=READY_TIMEOUT)
        cluster.wait_ready(READY_TIMEOUT)
        added = job_log(cluster)
        five = voters(replication(cluster, asking, stack.spec))
        rolled = rolls(cluster.events()[seen:])
        measured(f"quorum grown from 3 to 5 controllers by the add-controllers Job: {time.monotonic() - growing:.0f} s")
        producing.wait_for(producing.delivered() + ACKNOWLEDGED)
    produced = producing.result
    assert produced is not None
    records = client.consume(topic, group="quorum-check")

    assert sorted(old) == [0, 1, 2] and all(f"controller {node} (" in formed for node in old), formed
    assert {meta_properties(cluster, pod)["cluster.id"] for pod in (WIPED, asking)} == {DASH_CLUSTER_ID}
    assert new_directory != old[1], "the wiped controller formatted a directory ID of its own, not its old one"
    assert "joins the quorum as a new replica" in rejoined, rejoined[-3000:]
    assert replaced == old | {1: new_directory}, replaced
    assert sorted(five) == [0, 1, 2, 3, 4], five
    assert rolled == [], "growing the quorum rolls no running node"
    assert all(f"kraft: controller {node} (" in added for node in (3, 4)), added
    assert produced.failed == {}
    read_back(produced, records)
