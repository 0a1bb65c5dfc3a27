"""The spec: defaults, derived values and errors that name the key and the allowed values."""

from decimal import Decimal
from typing import Any

import pytest

from kraft_component.quantity import parse_quantity
from kraft_component.spec import (
    DEFAULT_KAFKA_VERSION,
    KAFKA_VERSIONS,
    InvalidSpec,
    Profile,
    QuorumMode,
    Role,
    parse_cluster_id,
    parse_spec,
)
from tests.gates import quantity
from tests.gates.schema import quantity_problem

CONTROLLERS = {"name": "controllers", "roles": ["controller"], "replicas": 3}
BROKERS = {"name": "brokers", "roles": ["broker"], "replicas": 3}


def combined(replicas: int = 3, **extra: Any) -> dict[str, Any]:
    """One pool of combined nodes: the development profile's smallest cluster."""
    return {
        "profile": "development",
        "pools": [{"name": "nodes", "roles": ["broker", "controller"], "replicas": replicas, **extra}],
    }


def error_of(data: Any) -> str:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec(data)
    return str(caught.value)


def test_defaults_are_three_dedicated_controllers_and_three_brokers_in_the_production_profile() -> None:
    spec = parse_spec(None)
    assert [(p.name, p.roles, p.replicas, p.node_id_offset) for p in spec.pools] == [
        ("controllers", [Role.CONTROLLER], 3, 0),
        ("brokers", [Role.BROKER], 3, 100),
    ]
    assert spec.profile is Profile.PRODUCTION
    assert spec.image_ref == "apache/kafka:4.4.0"
    assert (spec.replication_factor, spec.min_insync_replicas) == (3, 2)


def test_node_id_offsets_default_to_controllers_from_zero_and_broker_pools_by_hundreds() -> None:
    spec = parse_spec(
        {
            "pools": [
                {"name": "brokers-a", "roles": ["broker"], "replicas": 3},
                {"name": "controllers", "roles": ["controller"], "replicas": 3},
                {"name": "brokers-b", "roles": ["broker"], "replicas": 3},
            ]
        }
    )
    assert {p.name: list(p.node_ids()) for p in spec.pools} == {
        "brokers-a": [100, 101, 102],
        "controllers": [0, 1, 2],
        "brokers-b": [200, 201, 202],
    }


def test_default_offsets_never_collide_with_each_other_or_with_given_ones() -> None:
    spec = parse_spec(
        {
            "profile": "development",
            "quorum": {"mode": "static"},
            "pools": [
                {"name": "brokers-a", "roles": ["broker"], "replicas": 150},
                {"name": "controllers", "roles": ["controller"], "replicas": 3},
                {"name": "mixed", "roles": ["broker", "controller"], "replicas": 3},
                {"name": "pinned", "roles": ["broker"], "replicas": 3, "nodeIdOffset": 300},
                {"name": "brokers-b", "roles": ["broker"], "replicas": 3},
            ],
        }
    )
    assert {p.name: p.first_node_id for p in spec.pools} == {
        "controllers": 0,
        "mixed": 100,
        "brokers-a": 400,  # 200-349 would overlap the pinned 300-302
        "pinned": 300,
        "brokers-b": 600,
    }


@pytest.mark.parametrize(("brokers", "factor", "min_isr"), [(1, 1, 1), (2, 2, 1), (3, 3, 2), (9, 3, 2)])
def test_replication_defaults_follow_the_broker_count(brokers: int, factor: int, min_isr: int) -> None:
    spec = parse_spec(combined(brokers))
    assert (spec.replication_factor, spec.min_insync_replicas) == (factor, min_isr)


@pytest.mark.parametrize(
    "image",
    [
        "kafka",
        "registry.example:5000/mirror/apache/kafka:4.3.1",
        f"apache/kafka@sha256:{'a' * 64}",
        f"r.example/kafka:4.3.1@sha256:{'0' * 64}",
    ],
)
def test_image_references_of_every_form_are_accepted(image: str) -> None:
    assert parse_spec({"image": image}).image_ref == image


def test_image_override_keeps_the_kafka_version() -> None:
    spec = parse_spec({"kafkaVersion": "3.9.2", "image": "registry.local/kafka:3.9.2"})
    assert (spec.image_ref, spec.kafka_minor) == ("registry.local/kafka:3.9.2", (3, 9))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"bogus": 1},
            "kraft:cluster.bogus: unknown key; allowed keys here: authorization, clusterDomain, createNamespace",
        ),
        (
            combined(extra=1),
            "kraft:cluster.pools[0].extra: unknown key; allowed keys here: acknowledgeScaleDownTo, kafkaConfig, logging, name",
        ),
        (
            {"kafkaVersion": "3.8.1"},
            f"kraft:cluster.kafkaVersion: '3.8.1' is not a supported Kafka version; allowed: {', '.join(KAFKA_VERSIONS)}",
        ),
        (
            {"pools": [{"name": "n", "roles": ["zookeeper"], "replicas": 1}]},
            "kraft:cluster.pools[0].roles[0]: Input should be 'broker' or 'controller'",
        ),
        (combined(0), "kraft:cluster.pools[0].replicas: Input should be greater than or equal to 1"),
        (
            combined(storage={"size": "4Gii"}),
            "kraft:cluster.pools[0].storage.size: '4Gii' is not a Kubernetes quantity",
        ),
        (
            combined(resources={"requests": {"cpu": "3", "memory": "1Gi"}}),
            "kraft:cluster.pools[0].resources.requests.cpu: 3 is above limits.cpu (2)",
        ),
        (
            combined(
                resources={"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "1", "memory": "512Mi"}}
            ),
            "kraft:cluster.pools[0].resources.limits.memory: 512Mi is below the minimum 1Gi",
        ),
        (
            combined(scheduling={"zoneSpread": "always"}),
            "kraft:cluster.pools[0].scheduling.zoneSpread: Input should be 'required' or 'preferred'",
        ),
        (
            {"imagePullPolicy": "always"},
            "kraft:cluster.imagePullPolicy: Input should be 'Always', 'IfNotPresent' or 'Never'",
        ),
        ({"name": "Kafka"}, "kraft:cluster.name: 'Kafka' must be a DNS label"),
        (
            {"pools": [{"name": "c", "roles": ["controller"], "replicas": 3}]},
            "kraft:cluster.pools: no pool has the role 'broker'",
        ),
        (
            {"pools": [{"name": "b", "roles": ["broker"], "replicas": 3}]},
            "kraft:cluster.pools: no pool has the role 'controller'",
        ),
        (
            {"pools": [{"name": "n", "roles": ["broker", "broker"], "replicas": 1}]},
            "kraft:cluster.pools[0].roles: lists a role twice",
        ),
        (
            {
                "pools": [
                    {"name": "n", "roles": ["broker", "controller"], "replicas": 3},
                    {"name": "n", "roles": ["broker"], "replicas": 1},
                ]
            },
            "kraft:cluster.pools[1].name: 'n' names two pools",
        ),
        (
            {
                "pools": [
                    {"name": "c", "roles": ["controller"], "replicas": 3, "nodeIdOffset": 0},
                    {"name": "b", "roles": ["broker"], "replicas": 3, "nodeIdOffset": 2},
                ]
            },
            "kraft:cluster.pools[1].nodeIdOffset: node IDs 2-4 of pool 'b' overlap those of pool 'c' (0-2)",
        ),
        (
            {
                "name": "k" * 45,
                "profile": "development",
                "pools": [{"name": "nodes-pool", "roles": ["broker", "controller"], "replicas": 1}],
            },
            "allow at most 52",
        ),
        (
            {"topicDefaults": {"replicationFactor": 4}},
            "kraft:cluster.topicDefaults.replicationFactor: 4 is above the broker count (3); allowed: 1-3",
        ),
        (
            {"topicDefaults": {"minInsyncReplicas": 3}},
            "kraft:cluster.topicDefaults.minInsyncReplicas: 3 must be below the replication factor (3)",
        ),
        ("not a mapping", "kraft:cluster: Input should be a valid dictionary"),
        (
            combined(storage={"size": "10Gi", "templateSize": "20Gi"}),
            "kraft:cluster.pools[0].storage.size: 10Gi is below templateSize (20Gi); volumes cannot shrink",
        ),
        (
            {"metadataVersion": "latest"},
            "kraft:cluster.metadataVersion: 'latest' is not a metadata version; allowed: a Kafka release such as 3.9 or 4.3",
        ),
        (
            {"kafkaVersion": "4.1.2", "metadataVersion": "4.2"},
            "kraft:cluster.metadataVersion: 4.2 is newer than kafkaVersion 4.1.2; allowed: 4.1 or older",
        ),
        (
            {
                "pools": [
                    {"name": "c", "roles": ["controller"], "replicas": 3},
                    {"name": "a", "roles": ["broker"], "replicas": 3, "scheduling": {"zone": "zone-a"}},
                    {"name": "b", "roles": ["broker"], "replicas": 3},
                ]
            },
            "kraft:cluster.pools[2].scheduling.zone: is unset while other broker pools pin a zone",
        ),
        ({"clusterDomain": "Cluster Local"}, "kraft:cluster.clusterDomain: 'Cluster Local' must be a DNS subdomain"),
        (
            {"image": "apache/kafka:4.3.1 --privileged"},
            "kraft:cluster.image: 'apache/kafka:4.3.1 --privileged' is not an image reference",
        ),
        (
            {"namespace": "n" * 64},
            "kraft:cluster.namespace: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' must be a DNS label: at most 63",
        ),
        (
            combined(storage={"storageClass": "Fast_SSD"}),
            "kraft:cluster.pools[0].storage.storageClass: 'Fast_SSD' must be a DNS subdomain",
        ),
        (
            combined(scheduling={"nodeSelector": {"disk type": "ssd"}}),
            "kraft:cluster.pools[0].scheduling.nodeSelector.\"disk type\" (the key): 'disk type' is not a label key",
        ),
        (
            combined(scheduling={"nodeSelector": {"disk": "fast ssd"}}),
            "kraft:cluster.pools[0].scheduling.nodeSelector.disk: 'fast ssd' is not a label value",
        ),
        (
            {"topicDefaults": {"partitions": 2**31}},
            "kraft:cluster.topicDefaults.partitions: Input should be less than or equal to 2147483647",
        ),
        (
            combined(nodeIdOffset=2**31 - 2),
            "kraft:cluster.pools[0].nodeIdOffset: the last node ID would exceed 2147483647",
        ),
        (
            {"pools": [{"name": "client", "roles": ["broker", "controller"], "replicas": 3}]},
            "kraft:cluster.pools[0].name: 'client' would name its template client.properties, a file kraft writes "
            "for itself; not allowed: log4j, client, controller-client",
        ),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_bad_config_names_the_key_and_what_is_allowed(data: Any, expected: str) -> None:
    assert expected in error_of(data)


def test_every_problem_is_reported_at_once() -> None:
    message = error_of({"bogus": 1, "kafkaVersion": "2.8.0", "pools": [{"name": "n", "roles": [], "replicas": -1}]})
    for key in (
        "kraft:cluster.bogus",
        "kraft:cluster.kafkaVersion",
        "kraft:cluster.pools[0].roles",
        "kraft:cluster.pools[0].replicas",
    ):
        assert key in message


@pytest.mark.parametrize("controllers", [1, 2, 4, 6])
def test_production_refuses_quorums_that_cannot_survive_a_failure_or_gain_nothing(controllers: int) -> None:
    data = {
        "pools": [
            {"name": "c", "roles": ["controller"], "replicas": controllers},
            {"name": "b", "roles": ["broker"], "replicas": 3},
        ]
    }
    assert (
        f"kraft:cluster.pools: {controllers} controllers in a production profile; allowed: an odd number, at least 3"
        in error_of(data)
    )
    assert parse_spec({**data, "profile": "development"}).controller_count == controllers


def test_a_single_broker_may_only_replicate_once() -> None:
    spec = parse_spec(combined(1))
    assert (spec.replication_factor, spec.min_insync_replicas) == (1, 1)


@pytest.mark.parametrize("value", ["MkU3OEVBNTcwNTJENDM2Qg", "abcdefghijklmnopqrstu_", "A-B_c0123456789abcdefg"])
def test_cluster_ids_of_22_base64url_characters_are_adopted(value: str) -> None:
    assert parse_cluster_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "short", "MkU3OEVBNTcwNTJENDM2Qg==", "MkU3OEVBNTcwNTJENDM2Q+", "MkU3OEVBNTcwNTJENDM2QgX"]
)
def test_other_cluster_ids_are_refused_naming_the_key(value: str) -> None:
    with pytest.raises(InvalidSpec, match=r"^kraft:clusterId: .*exactly 22 characters"):
        parse_cluster_id(value)


# --- quorum mode -------------------------------------------------------------------------------------------


def test_a_new_cluster_gets_a_dynamic_quorum_of_all_its_controllers() -> None:
    spec = parse_spec({})
    assert spec.quorum.mode is QuorumMode.DYNAMIC
    assert spec.initial_controller_count == spec.controller_count == 3


@pytest.mark.parametrize(
    ("quorum", "expected"),
    [
        ({"mode": "kip-853"}, "kraft:cluster.quorum.mode: Input should be 'static' or 'dynamic'"),
        ({"mode": "Dynamic"}, "kraft:cluster.quorum.mode: Input should be 'static' or 'dynamic'"),
        ({"voters": "0@a:9093"}, "kraft:cluster.quorum.voters: unknown key; allowed keys here: initialControllers, mode"),
        ({"mode": "dynamic", "initialControllers": 0}, "kraft:cluster.quorum.initialControllers: Input should be greater than or equal to 1"),
        (
            {"mode": "static", "initialControllers": 3},
            "kraft:cluster.quorum.initialControllers: applies to mode dynamic only",
        ),
    ],
)  # fmt: skip
def test_bad_quorum_config_names_the_key_and_what_is_allowed(quorum: dict[str, Any], expected: str) -> None:
    with pytest.raises(InvalidSpec) as error:
        parse_spec({"quorum": quorum})
    assert expected in str(error.value)


def test_a_dynamic_quorum_has_one_controller_pool_a_static_one_may_have_several() -> None:
    pools = [
        {"name": "a", "roles": ["controller"], "replicas": 3},
        {"name": "b", "roles": ["controller"], "replicas": 2},
        {"name": "brokers", "roles": ["broker"], "replicas": 3},
    ]
    with pytest.raises(InvalidSpec) as error:
        parse_spec({"pools": pools})
    assert (
        "kraft:cluster.quorum.mode: dynamic with 2 controller pools (a, b); allowed: exactly one pool with the "
        "role 'controller' in mode dynamic, or mode static"
    ) in str(error.value)
    assert parse_spec({"pools": pools, "quorum": {"mode": "static"}}).controller_count == 5


def test_initial_controllers_stay_fixed_while_the_pool_grows() -> None:
    spec = parse_spec({**combined(5), "quorum": {"initialControllers": 3}})
    assert (spec.initial_controller_count, spec.controller_count) == (3, 5)


# --- profiles --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [["broker", "controller"], ["controller", "broker"]])
def test_production_refuses_combined_nodes_naming_the_pool_and_the_alternatives(roles: list[str]) -> None:
    pools = [{"name": "brokers", "roles": ["broker"], "replicas": 3}, {"name": "nodes", "roles": roles, "replicas": 3}]
    message = error_of({"pools": pools})
    assert "kraft:cluster.pools[1].roles: combines broker and controller in a production profile" in message
    assert "a dedicated controller pool (roles: [controller]) plus a broker pool (roles: [broker])" in message
    assert "or profile: development" in message
    assert parse_spec({"pools": pools, "profile": "development", "quorum": {"mode": "static"}}).controller_count == 3


def test_every_default_is_a_valid_production_cluster() -> None:
    assert parse_spec({"profile": "production"}) == parse_spec({})


# --- values YAML reads as numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "text"),
    [(1, "1"), (0.5, "0.5"), (2.25, "2.25"), (1073741824, "1073741824"), (1.5e9, "1500000000.0"), (1e21, "1e+21")],
)
def test_a_quantity_written_as_a_yaml_number_is_that_quantity(given: float, text: str) -> None:
    resources = {"requests": {"cpu": given, "memory": 1073741824}, "limits": {"cpu": 1e21, "memory": 1e21}}
    spec = parse_spec({"pools": [CONTROLLERS, {**BROKERS, "resources": resources, "storage": {"size": given}}]})
    brokers = spec.pools[1]
    assert (brokers.resources.requests.cpu, brokers.storage.size) == (text, text)
    assert parse_quantity(text) == Decimal(str(given)) == quantity(text)
    assert quantity_problem(text) is None, "the API server's grammar accepts it"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (True, "Input should be a valid string"),
        (float("inf"), "inf is not a Kubernetes quantity"),
        (float("nan"), "nan is not a Kubernetes quantity"),
        (-1, "'-1' is not a Kubernetes quantity"),
    ],
)
def test_a_number_that_is_no_quantity_is_refused_by_its_key(given: Any, message: str) -> None:
    pools = [CONTROLLERS, {**BROKERS, "storage": {"size": given}}]
    assert f"kraft:cluster.pools[1].storage.size: {message}" in error_of({"pools": pools})


NUMBER = "is a number (YAML reads unquoted digits and dots as one); quote it, for example"


@pytest.mark.parametrize(
    ("key", "given", "hint"),
    [
        ("kafkaVersion", 4.3, f'4.3 {NUMBER} "{DEFAULT_KAFKA_VERSION}"'),
        ("kafkaVersion", 4, f'4 {NUMBER} "{DEFAULT_KAFKA_VERSION}"'),
        ("metadataVersion", 4.1, f'4.1 {NUMBER} "4.4"'),
    ],
)
def test_a_version_written_as_a_yaml_number_gets_the_hint_to_quote_it(key: str, given: float, hint: str) -> None:
    assert f"kraft:cluster.{key}: {hint}" in error_of({key: given})
