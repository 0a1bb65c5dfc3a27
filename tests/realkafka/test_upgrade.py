"""Scenario 5: a rolling upgrade from the previous minor release to the newest while an application produces
with acks=all. The StatefulSets roll in their order (the controllers first, each from the highest ordinal down,
every pod Ready before the next goes), no acknowledged message is lost, and then the metadata-version Job
finalises the new release's metadata.version, which `kafka-features describe` shows."""

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.spec import DEFAULT_KAFKA_VERSION, parse_spec
from realtools.podrunner import Cluster
from realtools.podrunner.objects import Manifest
from realtools.stacks import StackState, render_stack
from tests.realkafka.apps import Client, read_back
from tests.realkafka.kafka import feature_levels
from tests.realkafka.shared import JOB_TIMEOUT, READY_TIMEOUT, SMALL, STARTUP_BUDGET, RunningStack, form, rolls

pytestmark = pytest.mark.realkafka

PREVIOUS = "4.3.1"
ACKNOWLEDGED = 200  # messages acknowledged before the upgrade, and again after it


def cluster_config(version: str, metadata_version: str | None = None) -> dict[str, Any]:
    """Three dedicated controllers and two brokers on `version`, sized for this machine."""
    sizing = {"resources": SMALL, "storage": {"size": "1Gi"}, "startupTimeoutSeconds": STARTUP_BUDGET}
    return {
        "profile": "development",
        "kafkaVersion": version,
        "listeners": {"client": "PLAINTEXT", "internal": "PLAINTEXT", "controller": "PLAINTEXT"},
        "authorization": {"enabled": False},
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": 3} | sizing,
            {"name": "brokers", "roles": ["broker"], "replicas": 2} | sizing,
        ],
    } | ({"metadataVersion": metadata_version} if metadata_version else {})


def test_a_rolling_upgrade_from_the_previous_minor_release_loses_no_acknowledged_message(
    cluster: Cluster, install_images: Callable[[Sequence[Manifest]], list[str]], measured: Callable[[str], None],
    tmp_path: Path,
) -> None:  # fmt: skip
    old_config, new_config = cluster_config(PREVIOUS), cluster_config(DEFAULT_KAFKA_VERSION, "4.4")
    state = StackState()  # the second render is a second `pulumi up`: the same cluster ID and certificates
    old = render_stack("dev", old_config, state=state)
    stack = RunningStack(
        "upgrade", old_config, parse_spec(old_config), old, cluster, form(cluster, old, install_images), state
    )
    new = render_stack("dev", new_config, state=state)
    install_images(new.objects)
    broker = stack.pods("brokers")[0]
    before = feature_levels(cluster, broker, stack.spec)
    topic = stack.topic("orders.upgrade", 3, 2)
    client = Client(stack, {"bootstrap.servers": stack.bootstrap}, tmp_path)

    with client.producing(topic, timeout=2 * READY_TIMEOUT) as producing:
        producing.wait_for(ACKNOWLEDGED)
        started, seen = time.monotonic(), len(cluster.events())
        cluster.apply(new.objects, new.depends_on, timeout=READY_TIMEOUT)  # the Job once both StatefulSets rolled
        finalised = cluster.wait_job(naming.metadata_version_job_name(stack.spec.name), JOB_TIMEOUT)
        measured(f"rolling upgrade {PREVIOUS} -> {DEFAULT_KAFKA_VERSION} of 3 controllers and 2 brokers, "
                 f"metadata.version finalised: {time.monotonic() - started:.0f} s")  # fmt: skip
        producing.wait_for(producing.delivered() + ACKNOWLEDGED)
    produced = producing.result
    assert produced is not None
    after = feature_levels(cluster, broker, parse_spec(new_config))
    records = client.consume(topic, group="upgrade-check")

    expected = [*reversed(stack.pods("controllers")), *reversed(stack.pods("brokers"))]
    assert rolls(cluster.events()[seen:]) == [(pod, True) for pod in expected]
    assert finalised.condition == "Complete", cluster.job_logs(naming.metadata_version_job_name(stack.spec.name))
    assert before["metadata.version"].startswith("4.3-"), before
    assert after["metadata.version"].startswith("4.4-"), after
    assert produced.failed == {}
    read_back(produced, records)
