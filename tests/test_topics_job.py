"""Declared topics: refused at preview when they cannot be created or changed as declared (configs checked against
the release's topic ConfigDef), and the topics Job's script under real bash in the pod its manifest describes,
against stand-in admin tools that keep a cluster's topics.
"""

from pathlib import Path
from typing import Any

import pytest

from kraft_component import naming
from kraft_component.guards import ever_managed, managed, record, refusals
from kraft_component.spec import ClusterSpec, InvalidSpec, parse_spec
from kraft_component.topic_tables import retired_configs, retired_topics
from kraft_component.topics import topics_job
from tests.helpers import deploy, objects
from tests.standins import AdminCluster, Start

POOLS = [
    {"name": "controllers", "roles": ["controller"], "replicas": 3},
    {"name": "brokers", "roles": ["broker"], "replicas": 3},
]
CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"


def cluster(*topics: dict[str, Any], **extra: Any) -> ClusterSpec:
    return parse_spec({"pools": POOLS, "topics": list(topics), **extra})


ORDERS = {"name": "orders.events", "partitions": 6, "config": {"retention.ms": 86400000, "cleanup.policy": "delete"}}
AUDIT = {"name": "audit", "replicationFactor": 2}


class TopicsJob(AdminCluster):
    """The topics Job, run again and again against one stand-in cluster."""

    def run_topics(self, spec: ClusterSpec, ever: ClusterSpec | None = None, succeed: bool = True) -> Start:
        declared = ever_managed(managed(ever), managed(spec))["topics"] if ever else managed(spec)["topics"]
        job = topics_job(spec, "kafka", declared)
        return self.run(spec, job) if succeed else self.attempt(spec, job)

    def topic(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.state["topics"][name]
        return found


def changes(start: Start) -> list[tuple[str, ...]]:
    """The calls that change the cluster."""
    return [call.args for call in start.calls if "--describe" not in call.args]


@pytest.fixture
def job(tmp_path: Path) -> TopicsJob:
    return TopicsJob(tmp_path)


def test_missing_topics_are_created_with_their_partitions_replicas_and_configs(job: TopicsJob) -> None:
    start = job.run_topics(cluster(ORDERS, AUDIT))

    assert "kraft: created topic orders.events (6 partitions, 3 replicas, 2 configs)" in start.stdout

    assert job.topic("orders.events") == {
        "partitions": 6,
        "replicationFactor": 3,
        "configs": {"retention.ms": "86400000", "cleanup.policy": "delete"},
    }
    assert job.topic("audit") == {"partitions": 3, "replicationFactor": 2, "configs": {}}, "the cluster's defaults"
    assert job.client_config["sasl.mechanism"] == "SCRAM-SHA-512"


def test_running_again_changes_nothing(job: TopicsJob) -> None:
    job.run_topics(cluster(ORDERS, AUDIT))
    before = job.state

    again = job.run_topics(cluster(ORDERS, AUDIT))

    assert changes(again) == []
    assert job.state == before


def test_partitions_grow_configs_change_and_keys_kraft_set_and_dropped_are_removed(job: TopicsJob) -> None:
    job.run_topics(cluster(ORDERS))
    job.state["topics"]["orders.events"]["configs"]["segment.bytes"] = "1048576"  # set by hand
    grown = {**ORDERS, "partitions": 12, "config": {"retention.ms": 3600000}}

    job.run_topics(cluster(grown), ever=cluster(ORDERS))

    assert job.topic("orders.events") == {
        "partitions": 12,
        "replicationFactor": 3,
        "configs": {"retention.ms": "3600000", "segment.bytes": "1048576"},
    }


def test_a_topic_named_with_dots_is_altered_alone(job: TopicsJob) -> None:
    job.state["topics"]["ordersXevents"] = {"partitions": 1, "replicationFactor": 3, "configs": {}}
    job.run_topics(cluster(ORDERS))

    job.run_topics(cluster({**ORDERS, "partitions": 8}))

    assert job.topic("orders.events")["partitions"] == 8
    assert job.topic("ordersXevents")["partitions"] == 1, "kafka-topics.sh --topic is a regular expression"


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ({"partitions": 9, "replicationFactor": 3}, "kraft:cluster.topics[0].partitions: topic orders.events has 9 "
         "partitions in the cluster, the config says 6; Kafka cannot take partitions away"),
        ({"partitions": 6, "replicationFactor": 2}, "kraft:cluster.topics[0].replicationFactor: topic orders.events "
         "has 2 replicas in the cluster, the config says 3"),
    ],
    ids=["fewer partitions", "other replication factor"],
)  # fmt: skip
def test_a_topic_that_exists_otherwise_stops_the_job_naming_the_key(
    job: TopicsJob, existing: dict[str, int], expected: str
) -> None:
    job.state["topics"]["orders.events"] = existing | {"configs": {}}

    start = job.run_topics(cluster(ORDERS), succeed=False)

    assert start.returncode == 1
    assert expected in start.stderr


def test_removed_topics_stay_unless_the_delete_policy_says_otherwise(job: TopicsJob) -> None:
    job.state["topics"]["by-hand"] = {"partitions": 1, "replicationFactor": 1, "configs": {}}
    job.run_topics(cluster(ORDERS, AUDIT))

    job.run_topics(cluster(ORDERS), ever=cluster(ORDERS, AUDIT))
    assert set(job.state["topics"]) == {"orders.events", "audit", "by-hand"}

    job.run_topics(cluster(ORDERS, topicsDeletePolicy="delete"), ever=cluster(ORDERS, AUDIT))
    assert set(job.state["topics"]) == {"orders.events", "by-hand"}, "only topics kraft declared are deleted"


def test_what_the_job_is_told_to_remove_comes_from_what_kraft_ever_declared() -> None:
    before, after = cluster(ORDERS, AUDIT), cluster({**ORDERS, "config": {"retention.ms": 1}})
    ever = ever_managed(managed(before), managed(after))["topics"]
    assert ever == {"audit": [], "orders.events": ["cleanup.policy", "retention.ms"]}
    assert retired_configs(after, ever) == "orders.events\tcleanup.policy\n"
    assert retired_topics(after, ever) == []
    deleting = cluster({**ORDERS, "config": {"retention.ms": 1}}, topicsDeletePolicy="delete")
    assert retired_topics(deleting, ever) == ["audit"]


# --- refused at preview ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        ([{"name": "t", "replicationFactor": 4}], "kraft:cluster.topics[0].replicationFactor: 4 is above the broker "
         "count (3); allowed: 1-3"),
        ([{"name": "t", "replicationFactor": 2, "config": {"min.insync.replicas": 3}}],
         "kraft:cluster.topics[0].config.min.insync.replicas: 3 is above the replication factor (2)"),
        ([{"name": "t", "config": {"retention.msec": 1}}],
         "kraft:cluster.topics[0].config.retention.msec: 'retention.msec' is not a Kafka 4.4.0 topic config; did you "
         "mean retention.ms"),
        ([{"name": "t", "config": {"retention.ms": "a week"}}], "kraft:cluster.topics[0].config.retention.ms: 'a week' "
         "is not of type LONG"),
        ([{"name": "t", "config": {"cleanup.policy": "archive"}}], "kraft:cluster.topics[0].config.cleanup.policy: "
         "'archive' is not one of compact, delete"),
        ([{"name": "t", "config": {"min.insync.replicas": 0}}], "kraft:cluster.topics[0].config.min.insync.replicas: "
         "0 is below the minimum 1"),
        ([{"name": "t", "config": {"cleanup.policy": "compact\tdelete"}}], "holds a control character"),
        ([{"name": "t"}, {"name": "t"}], "kraft:cluster.topics[1].name: 't' is declared twice"),
        ([{"name": "a.b"}, {"name": "a_b"}], "kraft:cluster.topics[1].name: 'a_b' collides with 'a.b'"),
        ([{"name": "__consumer_offsets"}], "kraft:cluster.topics[0].name: '__consumer_offsets' starts with '__'"),
        ([{"name": "no spaces"}], "kraft:cluster.topics[0].name: 'no spaces' is not a topic name"),
        ([{"name": "t", "partitions": 0}], "kraft:cluster.topics[0].partitions: Input should be greater than or equal to 1"),
    ],
)  # fmt: skip
def test_topics_that_cannot_be_created_as_declared_are_refused_naming_the_key(
    topics: list[dict[str, Any]], expected: str
) -> None:
    with pytest.raises(InvalidSpec) as refused:
        parse_spec({"pools": POOLS, "topics": topics})
    assert expected in str(refused.value)


def deployed(before: ClusterSpec, after: ClusterSpec) -> list[str]:
    return refusals(record(before, CLUSTER_ID), record(after, CLUSTER_ID))


def test_shrinking_a_deployed_topic_is_refused_with_the_safe_procedure() -> None:
    (problem,) = deployed(cluster(AUDIT, ORDERS), cluster(AUDIT, {**ORDERS, "partitions": 4}))
    assert problem.startswith("kraft:cluster.topics[1].partitions: topic 'orders.events' would shrink from 6 to 4")
    assert "create a new topic with fewer partitions" in problem


def test_changing_the_replication_factor_of_a_deployed_topic_is_refused_with_the_safe_procedure() -> None:
    (problem,) = deployed(cluster(AUDIT), cluster({**AUDIT, "replicationFactor": 3}))
    assert problem.startswith("kraft:cluster.topics[0].replicationFactor: topic 'audit' would change from 2 to 3")
    assert "kafka-reassign-partitions.sh" in problem


def test_the_cluster_default_replication_factor_changing_under_a_topic_is_refused_too() -> None:
    before = cluster({"name": "t"}, topicDefaults={"replicationFactor": 3})
    assert deployed(before, cluster({"name": "t"}, topicDefaults={"replicationFactor": 2, "minInsyncReplicas": 1}))


@pytest.mark.parametrize(
    "after",
    [[ORDERS, {**AUDIT, "partitions": 9}], [ORDERS], [], [{**ORDERS, "config": {}}]],
    ids=["grow", "remove one", "remove all", "change configs"],
)
def test_safe_topic_changes_pass(after: list[dict[str, Any]]) -> None:
    assert deployed(cluster(ORDERS, AUDIT), cluster(*after)) == []


# --- the Job --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "present"),
    [({"topics": [AUDIT]}, True), ({"topicsDeletePolicy": "delete"}, True), ({}, False)],
    ids=["topics", "delete policy", "neither"],
)
def test_the_job_exists_with_topics_or_a_delete_policy(data: dict[str, Any], present: bool) -> None:
    evaluation = deploy({"pools": POOLS, **data})
    jobs = [job["metadata"]["name"] for job in objects(evaluation, "Job")]
    assert (naming.topics_job_name("kafka") in jobs) is present
    assert (naming.TOPICS_SCRIPT in objects(evaluation, "ConfigMap")[0]["data"]) is present


def test_the_job_runs_after_the_cluster_and_again_whenever_the_topics_change() -> None:
    evaluation = deploy({"pools": POOLS, "topics": [ORDERS]})
    (registered,) = [r for r in evaluation.registrations if r.name == "kafka-topics"]
    assert registered.delete_before_replace
    assert {"kafka-brokers", "kafka-config"} <= {urn.rsplit("::", 1)[1] for urn in registered.depends_on}
    template = topics_job(cluster(ORDERS), "kafka", {})["spec"]["template"]
    assert template != topics_job(cluster({**ORDERS, "partitions": 7}), "kafka", {})["spec"]["template"]
    assert template != topics_job(cluster(ORDERS), "kafka", {"orders.events": ["segment.bytes"]})["spec"]["template"]


def test_config_values_are_read_as_kafka_reads_them_whatever_the_wire_made_of_them() -> None:
    values = {"retention.ms": 604800000.0, "min.cleanable.dirty.ratio": 0.5, "preallocate": True, "segment.ms": 3}
    (topic,) = cluster({"name": "t", "config": values}).topics
    assert topic.config == {
        "retention.ms": "604800000", "min.cleanable.dirty.ratio": "0.5", "preallocate": "true", "segment.ms": "3",
    }  # fmt: skip
