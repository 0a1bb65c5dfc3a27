"""Declared topics on real Kafka: the secure stack deployed again with topics in its config, as `pulumi up`
would apply it. The topics Job creates them, grows them and sets and removes their configs to match, as
`kafka-topics.sh --describe` and `kafka-configs.sh --describe` show; running it again changes nothing; a topic
no longer declared stays unless `topicsDeletePolicy: delete`, and a topic made by hand always stays."""

import copy
import re
from dataclasses import dataclass
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.manifests import bootstrap_servers
from tests.realkafka.kafka import admin_tool
from tests.realkafka.shared import RunningStack

pytestmark = pytest.mark.realkafka

ITEMS = "catalog.items"
SCRATCH = "catalog.scratch"
HAND_MADE = "catalog.by-hand"
DESCRIBED = re.compile(r"^Topic: (?P<topic>\S+)\s.*PartitionCount: (?P<partitions>\d+)\s+ReplicationFactor: (?P<factor>\d+)",
                       re.MULTILINE)  # fmt: skip
DYNAMIC_CONFIG = re.compile(r"^\s+(?P<key>[\w.]+)=(?P<value>\S*) sensitive=", re.MULTILINE)
CHANGES = re.compile(r"^kraft: (created|deleted|topic \S+ grew|topic \S+: set)", re.MULTILINE)


@dataclass(frozen=True)
class Topic:
    """A topic as the cluster reports it."""

    partitions: int
    replication_factor: int
    config: dict[str, str]
    """Its own (dynamic) configs, as kafka-configs.sh --describe lists them."""


def describe(stack: RunningStack, *topics: str) -> dict[str, Topic]:
    """The topics of `topics` that exist, described with Kafka's own tools as the admin user."""
    pod = stack.pods(next(pool.name for pool in stack.spec.pools if pool.is_broker))[0]
    bootstrap = bootstrap_servers(stack.spec, stack.spec.namespace)
    existing = set(admin_tool(stack.cluster, pod, ["kafka-topics.sh"], "--bootstrap-server", bootstrap, "--list")
                   .split())  # fmt: skip
    described = {}
    for topic in sorted(existing & set(topics)):
        output = admin_tool(stack.cluster, pod, ["kafka-topics.sh"], "--bootstrap-server", bootstrap,
                            "--describe", "--topic", topic)  # fmt: skip
        (found,) = [m for m in DESCRIBED.finditer(output) if m["topic"] == topic]
        configs = admin_tool(stack.cluster, pod, ["kafka-configs.sh"], "--bootstrap-server", bootstrap,
                             "--describe", "--entity-type", "topics", "--entity-name", topic)  # fmt: skip
        config = {m["key"]: m["value"] for m in DYNAMIC_CONFIG.finditer(configs)}
        described[topic] = Topic(int(found["partitions"]), int(found["factor"]), config)
    return described


def with_topics(stack: RunningStack, topics: list[dict[str, Any]], **settings: Any) -> dict[str, Any]:
    """The stack's config with `topics` declared after its own, and other `kraft:cluster` settings."""
    config = copy.deepcopy(stack.config)
    config["topics"] = [*stack.config.get("topics", []), *topics]
    return config | settings


def test_the_topics_job_creates_grows_and_reconfigures_topics_and_deletes_only_by_policy(
    secure_stack: RunningStack,
) -> None:
    job = naming.topics_job_name(secure_stack.spec.name)
    secure_stack.topic(HAND_MADE, 1, 3)
    items = {"name": ITEMS, "replicationFactor": 3}
    first = secure_stack.deploy(with_topics(secure_stack, [
        items | {"partitions": 2, "config": {"retention.ms": 3600000, "cleanup.policy": "compact"}},
        {"name": SCRATCH, "partitions": 1, "replicationFactor": 2},
    ]))  # fmt: skip
    log = first.job_log(job)
    assert f"kraft: created topic {ITEMS} (2 partitions, 3 replicas, 2 configs)" in log, log
    assert describe(first, ITEMS, SCRATCH) == {
        ITEMS: Topic(2, 3, {"retention.ms": "3600000", "cleanup.policy": "compact"}),
        SCRATCH: Topic(1, 2, {}),
    }

    # more partitions, one config changed, one added, one no longer declared; the scratch topic no longer listed
    grown = items | {"partitions": 4, "config": {"retention.ms": 7200000, "segment.bytes": 1048576}}
    second = first.deploy(with_topics(secure_stack, [grown]))
    log = second.job_log(job)
    assert f"kraft: topic {ITEMS} grew from 2 to 4 partitions" in log, log
    expected = {
        ITEMS: Topic(4, 3, {"retention.ms": "7200000", "segment.bytes": "1048576"}),
        SCRATCH: Topic(1, 2, {}),  # kept: topicsDeletePolicy is keep by default
        HAND_MADE: Topic(1, 3, {}),
    }
    assert describe(second, ITEMS, SCRATCH, HAND_MADE) == expected

    log = second.rerun_job(job)
    assert CHANGES.findall(log) == [], log
    assert describe(second, ITEMS, SCRATCH, HAND_MADE) == expected

    third = second.deploy(with_topics(secure_stack, [grown], topicsDeletePolicy="delete"))
    log = third.job_log(job)
    assert f"kraft: deleted topic {SCRATCH}, which is no longer declared" in log, log
    assert describe(third, ITEMS, SCRATCH, HAND_MADE) == {ITEMS: expected[ITEMS], HAND_MADE: expected[HAND_MADE]}
