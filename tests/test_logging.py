"""Log levels: rendered into the logging configuration of the image's Kafka, per pool where they differ,
refused by key when they are not log4j levels or logger names, and rolling exactly the pools they change."""

from typing import Any

import pytest
import yaml

from kraft_component import manifests
from kraft_component.logging_config import log4j_opts, logging_file
from kraft_component.spec import InvalidSpec, parse_spec

from .helpers import STACKS, stack_config

NAMESPACE = "kafka"
POOLS = [
    {"name": "controllers", "roles": ["controller"], "replicas": 3},
    {"name": "brokers", "roles": ["broker"], "replicas": 3},
]


def cluster(
    levels: dict[str, Any] | None = None, version: str = "4.3.1", broker_levels: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Dedicated controllers and brokers, with the cluster's `levels` and the broker pool's own."""
    brokers = POOLS[1] | ({"logging": broker_levels} if broker_levels is not None else {})
    config: dict[str, Any] = {"kafkaVersion": version, "pools": [POOLS[0], brokers]}
    return config | ({"logging": levels} if levels is not None else {})


def files(config: dict[str, Any]) -> dict[str, str]:
    return manifests.config_data(parse_spec(config), NAMESPACE)


def checksums(config: dict[str, Any]) -> dict[str, str]:
    spec = parse_spec(config)
    return {pool.name: manifests.pool_config_checksum(spec, pool, NAMESPACE) for pool in spec.pools}


def loggers(text: str) -> tuple[str, dict[str, str]]:
    """(root level, {logger: level}) of a log4j2 YAML configuration, read as log4j2 reads YAML."""
    configured = yaml.safe_load(text)["Configuration"]["Loggers"]
    named = {entry["name"]: entry["level"] for entry in configured.get("Logger", [])}
    return configured["Root"]["level"], named


def test_default_levels_keep_the_console_configuration_byte_for_byte() -> None:
    text = files(cluster())["log4j2.yaml"]
    assert text.splitlines()[0].startswith("# Kafka 4.x logging: console only")
    assert loggers(text) == ("INFO", {})
    assert checksums(cluster({"root": "INFO", "loggers": {}})) == checksums(cluster())
    for stack in STACKS:  # the stacks set no levels: their pods do not roll for this feature
        config = stack_config(stack)["kraft:cluster"]
        assert checksums(config | {"logging": {}}) == checksums(config)


def test_levels_reach_log4j2_for_kafka_4() -> None:
    data = files(cluster({"root": "WARN", "loggers": {"kafka.controller": "DEBUG", "org.apache.kafka.raft": "TRACE"}}))
    assert loggers(data["log4j2.yaml"]) == ("WARN", {"kafka.controller": "DEBUG", "org.apache.kafka.raft": "TRACE"})


def test_levels_reach_log4j_1_for_kafka_3_9() -> None:
    text = files(cluster({"root": "ERROR", "loggers": {"kafka.request.logger": "OFF"}}, version="3.9.2"))[
        "log4j.properties"
    ]
    lines = text.splitlines()
    assert "log4j.rootLogger=ERROR, stdout" in lines
    assert "log4j.logger.kafka.request.logger=OFF" in lines
    assert "log4j.appender.stdout=org.apache.log4j.ConsoleAppender" in lines


def test_logger_names_stay_names_in_yaml() -> None:
    """YAML 1.1 reads a bare `on` or `true` as a boolean: every name is quoted."""
    text = files(cluster({"loggers": {"on": "DEBUG", "true": "WARN", "null": "ERROR"}}))["log4j2.yaml"]
    assert loggers(text)[1] == {"on": "DEBUG", "true": "WARN", "null": "ERROR"}


def test_a_pool_with_its_own_levels_reads_its_own_file_the_others_the_cluster_file() -> None:
    config = cluster({"loggers": {"kafka.controller": "DEBUG"}}, broker_levels={"root": "WARN"})
    spec = parse_spec(config)
    controllers, brokers = spec.pools
    assert (logging_file(spec, controllers), logging_file(spec, brokers)) == ("log4j2.yaml", "brokers.log4j2.yaml")
    assert log4j_opts(spec, brokers) == "-Dlog4j2.configurationFile=/etc/kraft/brokers.log4j2.yaml"
    data = files(config)
    assert loggers(data["brokers.log4j2.yaml"]) == ("WARN", {"kafka.controller": "DEBUG"})
    assert loggers(data["log4j2.yaml"]) == ("INFO", {"kafka.controller": "DEBUG"})


def test_pool_levels_equal_to_the_clusters_need_no_file_of_their_own() -> None:
    config = cluster({"root": "WARN"}, broker_levels={"root": "WARN"})
    assert "brokers.log4j2.yaml" not in files(config)


@pytest.mark.parametrize(
    ("after", "rolled"),
    [
        (cluster(broker_levels={"loggers": {"kafka.log.LogCleaner": "DEBUG"}}), {"brokers"}),
        (cluster({"loggers": {"kafka.controller": "DEBUG"}}), {"controllers", "brokers"}),
        (cluster({"root": "INFO"}), set()),
    ],
    ids=["a pool's level", "the cluster's level", "the default spelt out"],
)
def test_a_level_change_rolls_the_pools_that_read_it(after: dict[str, Any], rolled: set[str]) -> None:
    before = checksums(cluster())
    now = checksums(after)
    assert {pool for pool in before if before[pool] != now[pool]} == rolled


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            cluster({"root": "debug"}),
            "kraft:cluster.logging.root: Input should be 'OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE' or "
            "'ALL'",
        ),
        (
            cluster(broker_levels={"loggers": {"kafka.controller": "VERBOSE"}}),
            "kraft:cluster.pools[1].logging.loggers.\"kafka.controller\": Input should be 'OFF', 'FATAL'",
        ),
        (
            cluster({"loggers": {"kafka controller": "DEBUG"}}),
            "kraft:cluster.logging.loggers.\"kafka controller\" (the key): 'kafka controller' is not a logger name; "
            "allowed: Java names separated by dots",
        ),
        (cluster({"loggers": {"kafka.": "DEBUG"}}), "'kafka.' is not a logger name"),
        (cluster({"level": "DEBUG"}), "kraft:cluster.logging.level: unknown key; allowed keys here: loggers, root"),
    ],
)
def test_bad_levels_are_refused_naming_the_key_and_the_allowed_values(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(InvalidSpec) as caught:
        parse_spec(data)
    assert expected in str(caught.value)
