"""Every key we write into server.properties is a name the Kafka release in the image accepts.

Kafka only logs an unknown key ("supplied but are not used yet"), so a misspelt or removed key silently
does nothing in production. Names come from tests.kafka_names (Kafka's ConfigDef at each release).
"""

from pathlib import Path
from typing import Any

import pytest

from kraft_component import manifests
from kraft_component.kafka_config import for_roles, pool_properties
from kraft_component.spec import KAFKA_VERSIONS, ClusterSpec, QuorumMode, parse_spec
from tests.kafka_names import config_names, is_known, removed_in_4
from tests.standins import Pod, parse_properties

SHAPES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "combined": ([{"name": "nodes", "roles": ["broker", "controller"], "replicas": 3}], "nodes"),
    "controller-only": (
        [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": 3},
        ],
        "controllers",
    ),
    "broker-only": (
        [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": 3},
        ],
        "brokers",
    ),
    "broker-in-a-zone": (
        [
            {"name": "controllers", "roles": ["controller"], "replicas": 3},
            {"name": "brokers", "roles": ["broker"], "replicas": 3, "scheduling": {"zone": "zone-a"}},
        ],
        "brokers",
    ),
}

CASES = [
    pytest.param(version, shape, mode, id=f"{version}-{shape}-{mode}")
    for version in KAFKA_VERSIONS
    for shape in SHAPES
    for mode in QuorumMode
]


def spec_of(version: str, shape: str, mode: QuorumMode) -> ClusterSpec:
    """A cluster of `shape` with a `mode` quorum on Kafka `version`."""
    pools, _ = SHAPES[shape]
    return parse_spec(
        {"kafkaVersion": version, "profile": "development", "pools": pools, "quorum": {"mode": mode.value}}
    )


def unknown_names(names: set[str], version: str) -> list[str]:
    """The names `version` does not accept, or that Kafka 4 removed when `version` is a 4.x release."""
    unknown = {name for name in names if not is_known(name, version)}
    if not version.startswith("3."):
        unknown |= names & removed_in_4()
    return sorted(unknown)


def test_the_name_check_catches_typos_and_removed_names() -> None:
    assert all(config_names(version) for version in KAFKA_VERSIONS), "a supported version has no name list"
    assert all(is_known("log.dirs", version) for version in KAFKA_VERSIONS)
    assert unknown_names({"log.dir.s", "advertised.listener", "log.dirs"}, "4.3.1") == [
        "advertised.listener",
        "log.dir.s",
    ]
    assert is_known("zookeeper.connect", "3.9.2")
    assert unknown_names({"zookeeper.connect"}, "4.0.0") == ["zookeeper.connect"]
    assert unknown_names({"controller.quorum.auto.join.enable"}, "4.1.2") == ["controller.quorum.auto.join.enable"]
    assert unknown_names({"controller.quorum.auto.join.enable"}, "4.2.0") == []
    assert is_known("listener.name.client.ssl.keystore.location", "4.3.1")  # per-listener keys are patterns


@pytest.mark.parametrize(("version", "shape", "mode"), CASES)
def test_pool_properties_are_real_kafka_names(version: str, shape: str, mode: QuorumMode) -> None:
    spec = spec_of(version, shape, mode)
    _, pool_name = SHAPES[shape]
    node_pool = next(candidate for candidate in spec.pools if candidate.name == pool_name)

    names = set(pool_properties(spec, node_pool, spec.namespace))

    assert unknown_names(names, version) == []


@pytest.mark.parametrize(("version", "shape", "mode"), CASES)
def test_the_server_properties_kafka_starts_with_are_real_kafka_names(
    tmp_path: Path, version: str, shape: str, mode: QuorumMode
) -> None:
    spec = spec_of(version, shape, mode)
    _, pool_name = SHAPES[shape]
    pod = Pod(tmp_path, spec, pool_name, 0)

    start = pod.start()

    assert start.returncode == 0, start.stderr
    assert start.started is not None
    template = parse_properties(manifests.config_data(spec, spec.namespace)[pod.template_key])
    assert set(start.started) >= set(template), "the entrypoint dropped a key of the template"
    assert unknown_names(set(start.started), version) == []


@pytest.mark.parametrize("mode", QuorumMode)
def test_each_mode_finds_the_quorum_one_way_only(mode: QuorumMode) -> None:
    spec = spec_of("4.3.1", "controller-only", mode)
    names = {name for pool in spec.pools for name in pool_properties(spec, pool, spec.namespace)}
    dynamic = {"controller.quorum.bootstrap.servers"}
    static = {"controller.quorum.voters"}
    assert names & (dynamic | static) == (dynamic if mode is QuorumMode.DYNAMIC else static)


@pytest.mark.parametrize("version", KAFKA_VERSIONS)
def test_topic_defaults_are_set_in_the_roles_each_release_reads_them_in(version: str) -> None:
    """Kafka 4.3 and newer log, for a broker-only node that sets num.partitions or default.replication.factor,
    that it "will be ignored in 5.0" (KIP-1211; KafkaConfig.validateValues): topics get them from the active
    controller. Older releases say nothing, and keep them on every node."""
    spec = spec_of(version, "broker-only", QuorumMode.DYNAMIC)
    controllers, brokers = (set(pool_properties(spec, pool, spec.namespace)) for pool in spec.pools)
    combined_spec = spec_of(version, "combined", QuorumMode.DYNAMIC)
    combined = set(pool_properties(combined_spec, combined_spec.pools[0], combined_spec.namespace))
    controller_role_keys = {"num.partitions", "default.replication.factor"}

    assert controller_role_keys <= controllers
    assert controller_role_keys <= combined
    warns = tuple(map(int, version.split(".")[:2])) >= (4, 3)
    assert (brokers & controller_role_keys) == (set() if warns else controller_role_keys)


def test_a_broker_that_auto_creates_topics_keeps_their_defaults() -> None:
    """Until Kafka 5.0 a broker auto-creates a topic with its own num.partitions and default.replication.factor."""
    spec = spec_of(KAFKA_VERSIONS[-1], "broker-only", QuorumMode.DYNAMIC)
    brokers = spec.pools[1]
    defaults = {"num.partitions": "12", "default.replication.factor": "3", "auto.create.topics.enable": "true"}
    kept = for_roles(spec, brokers, pool_properties(spec, brokers, spec.namespace) | defaults)
    assert (kept["num.partitions"], kept["default.replication.factor"]) == ("12", "3")
