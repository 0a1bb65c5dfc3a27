"""Dangerous changes between two deployments are refused with the key and the safe procedure."""

from typing import Any

import pytest

from kraft_component.guards import record, refusals
from kraft_component.record import GuardProvider
from kraft_component.spec import parse_spec

from .helpers import deploy

CLUSTER_ID = "MkU3OEVBNTcwNTJENDM2Qg"


def pools(controllers: int = 3, brokers: int = 3, **broker_extra: Any) -> dict[str, Any]:
    return {
        "pools": [
            {"name": "controllers", "roles": ["controller"], "replicas": controllers},
            {"name": "brokers", "roles": ["broker"], "replicas": brokers, **broker_extra},
        ]
    }


def change(before: dict[str, Any], after: dict[str, Any], cluster_id: str = CLUSTER_ID) -> list[str]:
    return refusals(record(parse_spec(before), CLUSTER_ID), record(parse_spec(after), cluster_id))


def test_a_first_deployment_has_nothing_to_compare_with() -> None:
    assert refusals({}, record(parse_spec(pools()), CLUSTER_ID)) == []


@pytest.mark.parametrize(
    "after",
    [
        pools(),
        pools(brokers=6),
        pools(storage={"size": "40Gi"}),
        {**pools(), "topicDefaults": {"partitions": 12}},
        pools(brokers=2, acknowledgeScaleDownTo=2),
        {**pools(), "metadataVersion": "4.3"},
    ],
    ids=["same", "grow brokers", "grow volumes", "other settings", "acknowledged shrink", "finalise metadata"],
)
def test_safe_changes_pass(after: dict[str, Any]) -> None:
    assert change(pools(), after) == []


@pytest.mark.parametrize(
    ("after", "cluster_id", "expected"),
    [
        (pools(), "AAAAAAAAAAAAAAAAAAAAAA", "kraft:clusterId: the cluster ID would change"),
        (
            pools(controllers=5),
            CLUSTER_ID,
            "kraft:cluster.pools: the static quorum would change from 3 to 5 controllers",
        ),
        (
            pools(brokers=2),
            CLUSTER_ID,
            "kraft:cluster.pools[1].replicas: pool 'brokers' would shrink from 3 to 2 brokers",
        ),
        (
            pools(brokers=2, acknowledgeScaleDownTo=1),
            CLUSTER_ID,
            "then set kraft:cluster.pools[1].acknowledgeScaleDownTo: 2",
        ),
        (
            pools(storage={"size": "10Gi"}),
            CLUSTER_ID,
            "kraft:cluster.pools[1].storage.size: pool 'brokers' would shrink its volumes from 20Gi to 10Gi",
        ),
        (
            pools(nodeIdOffset=500),
            CLUSTER_ID,
            "kraft:cluster.pools[1].nodeIdOffset: pool 'brokers' would move from node IDs starting at 100 to 500",
        ),
        (
            {
                "pools": [
                    {"name": "controllers", "roles": ["controller"], "replicas": 3},
                    {"name": "other", "roles": ["broker"], "replicas": 3},
                ]
            },
            CLUSTER_ID,
            "kraft:cluster.pools[1].replicas: pool 'brokers' would shrink from 3 to 0 brokers",
        ),
        (
            {
                "profile": "development",
                "pools": [
                    {"name": "controllers", "roles": ["controller"], "replicas": 3},
                    {"name": "brokers", "roles": ["broker", "controller"], "replicas": 3, "nodeIdOffset": 100},
                ],
            },
            CLUSTER_ID,
            "kraft:cluster.pools[1].roles: pool 'brokers' would change roles",
        ),
    ],
    ids=[
        "cluster id",
        "quorum size",
        "shrink",
        "wrong acknowledgement",
        "volume shrink",
        "node id move",
        "pool removed",
        "role change",
    ],
)
def test_dangerous_changes_are_refused_naming_the_key(after: dict[str, Any], cluster_id: str, expected: str) -> None:
    problems = change(pools(), after, cluster_id)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("after", "message"), [("4.1", "4.1 is below the finalised 4.2"), (None, "unset is below the finalised 4.2")]
)
def test_a_finalised_metadata_version_never_goes_down(after: str | None, message: str) -> None:
    before = {**pools(), "metadataVersion": "4.2"}
    later = {**pools(), **({"metadataVersion": after} if after else {})}
    assert [problem for problem in change(before, later) if message in problem]
    assert change(before, {**pools(), "metadataVersion": "4.2-IV1"}) == []


def test_the_provider_check_fails_the_preview_with_every_refusal() -> None:
    previous = record(parse_spec(pools()), CLUSTER_ID)
    shrunk = record(parse_spec(pools(brokers=1, storage={"size": "1Gi"})), CLUSTER_ID)
    as_wire = whole_numbers_as_floats
    result = GuardProvider().check(
        {**as_wire(previous), "__provider": "serialized"}, {**as_wire(shrunk), "__provider": "serialized"}
    )
    reasons = [failure.reason for failure in result.failures]
    assert len(reasons) == 2
    assert all("kraft:cluster.pools[1]." in reason for reason in reasons), "indices arrive as floats on the wire"
    assert result.inputs["pools"] == as_wire(shrunk)["pools"]
    assert GuardProvider().check({}, shrunk).failures == []


def whole_numbers_as_floats(value: Any) -> Any:
    """What a provider receives: every number a float."""
    if isinstance(value, dict):
        return {key: whole_numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def test_the_record_keeps_no_cluster_id() -> None:
    assert CLUSTER_ID not in str(record(parse_spec(pools()), CLUSTER_ID))


def test_the_component_keeps_a_protected_record_that_every_object_waits_for() -> None:
    evaluation = deploy(pools(), cluster_id=CLUSTER_ID)
    (guard,) = [r for r in evaluation.registrations if r.type == "pulumi-python:dynamic:Resource"]
    assert guard.protect
    recorded = guard.manifest()
    assert {key: recorded[key] for key in ("clusterIdSha256", "pools")} == record(parse_spec(pools()), CLUSTER_ID)
    kubernetes = [r for r in evaluation.registrations if r.is_kubernetes_object]
    assert kubernetes
    assert all(any(urn.endswith(f"::{guard.name}") for urn in r.depends_on) for r in kubernetes)
