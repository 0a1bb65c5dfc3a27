"""The Kafka config data in the package: one canonical file per supported release, complete and consistent, and
the checks built on it refuse what Kafka's ConfigDef refuses (tests/realkafka compares them with Kafka itself)."""

import json
import re

import pytest

from kraft_component.configdef import ConfigType, Opaque, parse
from kraft_component.kafka_release import (
    UpdateMode,
    broker_config,
    broker_setting_problem,
    data_file,
    release,
    supported_versions,
    topic_config,
    topic_setting_problem,
)
from kraft_component.spec import DEFAULT_KAFKA_VERSION, KAFKA_VERSIONS
from realtools.kafka_configdef import render
from tests.helpers import ROOT

SUPPORTED = (
    "3.9.0", "3.9.1", "3.9.2",
    "4.0.0", "4.0.1", "4.0.2",
    "4.1.0", "4.1.1", "4.1.2",
    "4.2.0", "4.2.1", "4.2.2",
    "4.3.0", "4.3.1",
    "4.4.0",
)  # fmt: skip
NEWEST = SUPPORTED[-1]


def test_every_supported_release_has_data_and_the_spec_offers_exactly_those() -> None:
    assert supported_versions() == SUPPORTED
    assert KAFKA_VERSIONS == SUPPORTED
    assert DEFAULT_KAFKA_VERSION == NEWEST


def test_the_docs_list_the_supported_releases_and_the_default() -> None:
    """The reference and the supported versions are generated from KAFKA_VERSIONS (tests/test_generated.py
    keeps them fresh); here, that they say it."""
    listed = ", ".join(f"`{version}`" for version in KAFKA_VERSIONS[:-1]) + f" or `{KAFKA_VERSIONS[-1]}`"
    reference = (ROOT / "docs" / "configuration.md").read_text()
    assert f"| `kafkaVersion` | Kafka version: {listed} | `{DEFAULT_KAFKA_VERSION}` |" in reference
    supported = (ROOT / "docs" / "how-it-works.md").read_text()
    assert (
        f"{', '.join(f'`{version}`' for version in KAFKA_VERSIONS)}; the default is `{DEFAULT_KAFKA_VERSION}`."
        in supported
    )


@pytest.mark.parametrize("version", SUPPORTED)
def test_each_data_file_is_the_canonical_rendering_of_its_release(version: str) -> None:
    text = data_file(version).read_text(encoding="utf-8")
    data = json.loads(text)

    assert render(data) == text, "not as bin/kafka-configdefs writes it (sorted, one key per line)"
    assert (data["kafka"], set(data)) == (version, {"kafka", "commit", "broker", "topic"})
    assert re.fullmatch(r"[0-9a-f]{16}", data["commit"])


@pytest.mark.parametrize("version", SUPPORTED)
def test_each_release_is_complete_and_consistent(version: str) -> None:
    broker, topic = broker_config(version), topic_config(version)

    assert {"process.roles", "node.id", "log.dirs", "listeners", "controller.listener.names"} <= set(broker)
    assert {"retention.ms", "cleanup.policy", "min.insync.replicas", "max.message.bytes"} <= set(topic)
    assert all(key.importance in ("high", "medium", "low") for key in (*broker.values(), *topic.values()))
    for key in (*broker.values(), *topic.values()):
        assert key.default is None or key.problem(key.default) is None, f"{key.name}'s own default is refused"
        assert not isinstance(key.validator, Opaque) or key.validator.class_name, key.name
    synonyms = {key.name: key.server_default for key in topic.values() if key.server_default}
    assert len(synonyms) > 25, "the release names the broker key behind each topic default"
    assert all(broker[server].type == topic[name].type for name, server in synonyms.items())
    assert broker["node.id"].type is ConfigType.INT and not broker["node.id"].internal
    assert broker["listeners"].update_mode is UpdateMode.PER_BROKER
    assert broker["node.id"].update_mode is UpdateMode.READ_ONLY


def test_the_data_follows_kafka_across_releases() -> None:
    assert broker_setting_problem("3.9.2", "zookeeper.connect", "zk:2181") is None
    assert broker_setting_problem("4.0.0", "zookeeper.connect", "zk:2181") == (
        "'zookeeper.connect' is not a Kafka 4.0.0 broker config"
    )
    assert "max.decompressed.message.bytes" not in topic_config("4.2.1")
    assert topic_config("4.2.2")["max.decompressed.message.bytes"].server_default == "max.decompressed.message.bytes"
    assert topic_config("4.4.0")["retention.ms"].server_default == "log.retention.ms"
    assert broker_config("4.4.0")["log.retention.ms"].update_mode is UpdateMode.CLUSTER_WIDE
    assert broker_config("3.9.2")["process.roles"].default == ""  # ZooKeeper mode was the default
    assert broker_config("4.0.0")["process.roles"].required


def test_a_misspelt_name_is_refused_with_the_nearest_valid_names() -> None:
    assert broker_setting_problem(NEWEST, "log.retention.hourz", "168") == (
        f"'log.retention.hourz' is not a Kafka {NEWEST} broker config; "
        "did you mean log.retention.hours, log.retention.ms, log.retention.minutes?"
    )
    assert topic_setting_problem(NEWEST, "retention.hours", "1") == (
        f"'retention.hours' is not a Kafka {NEWEST} topic config; did you mean retention.ms, retention.bytes, local.retention.ms?"
    )
    assert broker_setting_problem(NEWEST, "no.such.thing.at.all", "1") == (
        f"'no.such.thing.at.all' is not a Kafka {NEWEST} broker config"
    )


def test_an_unsupported_release_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(ValueError, match=r"'3\.8\.0' is not a supported Kafka version; allowed: 3\.9\.0, 3\.9\.1"):
        release("3.8.0")


@pytest.mark.parametrize(
    ("version", "name", "value", "problem"),
    [
        (NEWEST, "auto.create.topics.enable", " TRUE ", None),
        (NEWEST, "auto.create.topics.enable", "yes", "'yes' is not of type BOOLEAN (true or false)"),
        (NEWEST, "num.partitions", "+12", None),
        (NEWEST, "num.partitions", "0", "0 is below the minimum 1"),
        (NEWEST, "num.partitions", "2147483648", "'2147483648' is not of type INT (a 32-bit integer)"),
        (NEWEST, "num.partitions", "12.0", "'12.0' is not of type INT (a 32-bit integer)"),
        (NEWEST, "offsets.topic.replication.factor", "32768", "'32768' is not of type SHORT (a 16-bit integer)"),
        (NEWEST, "log.retention.ms", "9223372036854775807", None),
        (NEWEST, "log.retention.ms", "9223372036854775808", "'9223372036854775808' is not of type LONG (a 64-bit integer)"),
        (NEWEST, "log.cleaner.min.cleanable.ratio", "0x1p-1", None),
        (NEWEST, "log.cleaner.min.cleanable.ratio", "NaN", None),  # Range compares doubles: NaN passes in Kafka too
        (NEWEST, "log.cleaner.min.cleanable.ratio", "1.5d", "1.5 is above the maximum 1"),
        (NEWEST, "log.cleaner.min.cleanable.ratio", "half", "'half' is not of type DOUBLE (a number)"),
        (NEWEST, "compression.type", "zstd", None),
        (NEWEST, "compression.type", "ZSTD", "'ZSTD' is not one of uncompressed, zstd, lz4, snappy, gzip, producer"),
        (NEWEST, "group.consumer.migration.policy", "upgrade", None),
        (NEWEST, "group.consumer.migration.policy", "sideways", "'sideways' is not one of BIDIRECTIONAL, DISABLED, DOWNGRADE, UPGRADE (in any case)"),
        (NEWEST, "log.cleanup.policy", " compact , delete ", None),
        (NEWEST, "log.cleanup.policy", "compact,compacted", "'compacted' is not one of compact, delete"),
        (NEWEST, "log.cleanup.policy", "compact,compact", "the list holds a value twice"),
        ("4.1.2", "log.cleanup.policy", "compact,compact", None),  # ValidList checks duplicates from 4.2 on
        (NEWEST, "process.roles", "broker,,controller", "the list holds an empty value"),
        (NEWEST, "process.roles", "", "an empty list is not allowed"),
        (NEWEST, "principal.builder.class", "org.example.Builder$Inner", None),
        (NEWEST, "principal.builder.class", "org.example.1Builder", "'org.example.1Builder' is not of type CLASS (a Java class name)"),
        (NEWEST, "ssl.keystore.password", " anything at all ", None),
        (NEWEST, "remote.log.storage.manager.impl.prefix", " ", "an empty string is not allowed"),
        (NEWEST, "controller.quorum.voters", "not checked here", None),  # validated by Kafka's own class
    ],
)  # fmt: skip
def test_values_are_checked_as_kafkas_configdef_parses_and_validates_them(
    version: str, name: str, value: str, problem: str | None
) -> None:
    assert broker_setting_problem(version, name, value) == problem


def test_topic_values_are_checked_against_the_topic_configdef() -> None:
    assert topic_setting_problem(NEWEST, "retention.ms", "-1") is None
    assert topic_setting_problem(NEWEST, "retention.ms", "-2") == "-2 is below the minimum -1"
    assert topic_setting_problem(NEWEST, "cleanup.policy", "compact,delete") is None
    assert topic_setting_problem(NEWEST, "min.insync.replicas", "0") == "0 is below the minimum 1"


@pytest.mark.parametrize(
    ("kind", "text", "parsed"),
    [
        (ConfigType.LIST, " a , b ,,c, ", ["a", "b", "", "c", ""]),
        (ConfigType.LIST, " \t ", []),
        (ConfigType.INT, "\t-7\n", -7),
        (ConfigType.DOUBLE, "1e3", 1000.0),
        (ConfigType.DOUBLE, "5.", 5.0),
        (ConfigType.DOUBLE, ".5f", 0.5),
        (ConfigType.DOUBLE, "-Infinity", float("-inf")),
        (ConfigType.DOUBLE, "0X1.8P1", 3.0),
        (ConfigType.BOOLEAN, "False", False),
        (ConfigType.STRING, "\x00 spaced \x1f", "spaced"),  # String.trim() strips every char up to ' '
    ],
)
def test_text_is_parsed_as_configdef_parses_it(kind: ConfigType, text: str, parsed: object) -> None:
    assert parse(kind, text) == parsed
