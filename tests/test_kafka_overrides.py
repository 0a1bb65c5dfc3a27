"""kafkaConfig: Kafka settings over what kraft writes, refused at preview when the release would refuse or ignore
them, or when kraft sets the key itself (naming the kraft key that does)."""

from pathlib import Path
from typing import Any

import javaproperties
import pytest

from kraft_component import manifests, naming
from kraft_component.kafka_config import KRAFT_DEFAULTS, owned_properties, pool_properties, render_properties
from kraft_component.kafka_overrides import owned_keys, unprefixed
from kraft_component.kafka_release import broker_config
from kraft_component.spec import KAFKA_VERSIONS, ClusterSpec, InvalidSpec, parse_spec, path_part
from kraft_component.statefulset import statefulset
from tests.gates.kafka_properties import kafka_properties
from tests.helpers import STACKS, objects, stack_spec
from tests.standins import Pod
from tests.test_provider import construct

CONTROLLERS = {"name": "controllers", "roles": ["controller"], "replicas": 3}
BROKERS_A = {"name": "brokers-a", "roles": ["broker"], "replicas": 3}
BROKERS_B = {"name": "brokers-b", "roles": ["broker"], "replicas": 3}


def cluster(kafka_config: dict[str, Any] | None = None, *pool_configs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Dedicated controllers and two broker pools; `pool_configs` are the pools' kafkaConfig, in order."""
    pools = [dict(pool) for pool in (CONTROLLERS, BROKERS_A, BROKERS_B)]
    for pool, config in zip(pools, pool_configs, strict=False):
        pool["kafkaConfig"] = config
    return {"pools": pools, "kafkaConfig": kafka_config or {}, **extra}


def problems(config: dict[str, Any]) -> dict[str, str]:
    """The refusal of `config`: its message by key path below kraft:cluster."""
    with pytest.raises(InvalidSpec) as refused:
        parse_spec(config)
    found: dict[str, str] = {}
    for line in str(refused.value).splitlines()[1:]:
        path, _, message = line.removeprefix("  kraft:cluster.").partition(": ")
        found[path] = message
    return found


def properties(spec: ClusterSpec, pool: int) -> dict[str, str]:
    """The pool's server.properties template as Kafka reads it (Java properties syntax)."""
    text = manifests.config_data(spec, spec.namespace)[naming.pool_template_key(spec.pools[pool].name)]
    parsed: dict[str, str] = javaproperties.loads(text)
    return parsed


def test_overrides_reach_server_properties_as_kafka_reads_them_pool_over_cluster_over_kraft() -> None:
    spec = parse_spec(
        cluster(
            {"log.retention.hours": 72, "message.max.bytes": 2097152.0, "compression.type": "zstd",
             "log.cleanup.policy": ["compact", "delete"], "log.cleaner.min.cleanable.ratio": 0.25},
            {},
            {},
            {"log.retention.hours": "168", "auto.create.topics.enable": True},
        )
    )  # fmt: skip
    controllers, brokers_a = properties(spec, 0), properties(spec, 1)
    assert controllers["log.retention.hours"] == brokers_a["log.retention.hours"] == "72"  # cluster-wide: every pool
    assert brokers_a["message.max.bytes"] == "2097152"  # a whole number, however it arrived
    assert brokers_a["log.cleanup.policy"] == "compact,delete"
    assert brokers_a["log.cleaner.min.cleanable.ratio"] == "0.25"
    assert brokers_a["auto.create.topics.enable"] == KRAFT_DEFAULTS["auto.create.topics.enable"] == "false"
    brokers_b = properties(spec, 2)
    assert (brokers_b["log.retention.hours"], brokers_b["auto.create.topics.enable"]) == ("168", "true")
    assert brokers_b["compression.type"] == "zstd"


def test_values_survive_the_properties_syntax_and_the_node_script(tmp_path: Path) -> None:
    """Backslashes, line breaks and non-ASCII characters are escaped: the file Kafka reads (ISO-8859-1) holds
    exactly the value, after the node script filled in the template."""
    value = "käfka\\ \t#1\n= 😀"
    spec = parse_spec({"kafkaConfig": {"sasl.kerberos.service.name": value}})
    text = render_properties(pool_properties(spec, spec.pools[1], spec.namespace))
    assert text.isascii() and "sasl.kerberos.service.name" in text
    pod = Pod(tmp_path, spec, "brokers", 0)
    assert pod.start().returncode == 0
    server_properties = Path(pod.environment["KRAFT_SERVER_PROPERTIES"]).read_text(encoding="latin-1")
    assert javaproperties.loads(server_properties)["sasl.kerberos.service.name"] == value


@pytest.mark.parametrize("version", KAFKA_VERSIONS)
def test_common_overrides_are_accepted_by_every_release_and_pass_the_properties_gate(version: str) -> None:
    config = {"log.retention.hours": 24, "message.max.bytes": 4194304, "auto.create.topics.enable": True,
              "num.io.threads": 16, "listener.name.client.ssl.enabled.protocols": ["TLSv1.3"],
              "listener.name.client.max.connections": 1000,
              "listener.name.client.scram-sha-512.connections.max.reauth.ms": 3600000}  # fmt: skip
    spec = parse_spec(cluster(config, {}, {"num.replica.fetchers": 4}, kafkaVersion=version))
    config_map = manifests.config_map(spec, spec.namespace)
    workloads = [statefulset(spec, pool, index, spec.namespace) for index, pool in enumerate(spec.pools)]
    assert kafka_properties([config_map, *workloads], version) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            cluster({"mesage.max.bytes": 1}),
            {'kafkaConfig."mesage.max.bytes"': "'mesage.max.bytes' is not a Kafka 4.4.0 broker config; "
             "did you mean message.max.bytes, fetch.max.bytes, telemetry.max.bytes?"},
        ),
        (
            cluster({"log.message.format.version": "3.0"}, kafkaVersion="4.0.0"),
            {'kafkaConfig."log.message.format.version"': "'log.message.format.version' is not a Kafka 4.0.0 "
             "broker config; did you mean log.message.timestamp.before.max.ms, message.max.bytes?"},
        ),
        (
            cluster({"message.max.bytes": "2MB", "num.io.threads": 0, "compression.type": "brotli",
                     "unclean.leader.election.enable": "yes", "log.cleaner.min.cleanable.ratio": 1.5}),
            {'kafkaConfig."message.max.bytes"': "'2MB' is not of type INT (a 32-bit integer)",
             'kafkaConfig."num.io.threads"': "0 is below the minimum 1",
             'kafkaConfig."compression.type"': "'brotli' is not one of uncompressed, zstd, lz4, snappy, gzip, producer",
             'kafkaConfig."unclean.leader.election.enable"': "'yes' is not of type BOOLEAN (true or false)",
             'kafkaConfig."log.cleaner.min.cleanable.ratio"': "1.5 is above the maximum 1"},
        ),
        (
            cluster({}, {}, {}, {"log.cleanup.policy": ["compact", "archive"], "num.io.threads": [8, 16]}),
            {'pools[2].kafkaConfig."log.cleanup.policy"': "'archive' is not one of compact, delete",
             'pools[2].kafkaConfig."num.io.threads"': "a list, but num.io.threads is of type INT (one value)"},
        ),
        (
            cluster({"retention.ms": 86400000}),
            {'kafkaConfig."retention.ms"': "'retention.ms' is a topic config, not a broker config; its default for "
             "every topic is log.retention.ms"},
        ),
        (
            cluster({"delegation.token.secret.key": "s3cret", "log.dir.failure.timeout.ms": "@NODE_ID@"}),
            {'kafkaConfig."delegation.token.secret.key"': "delegation.token.secret.key is a password, and "
             "kafkaConfig is stored in plain text in a ConfigMap; not allowed here",
             'kafkaConfig."log.dir.failure.timeout.ms"': "'@NODE_ID@' is a placeholder the node script fills in; "
             "not allowed in a value"},
        ),
    ],
    ids=["misspelt", "removed", "values", "pool-values", "topic-key", "secrets-and-placeholders"],
)  # fmt: skip
def test_what_the_release_would_refuse_or_ignore_is_refused_with_its_path(
    config: dict[str, Any], expected: dict[str, str]
) -> None:
    assert problems(config) == expected


@pytest.mark.parametrize(
    ("key", "value", "pool", "owner"),
    [
        ("node.id", 5, 1, "pools[1].nodeIdOffset"),
        ("broker.id", 5, None, "pools[*].nodeIdOffset"),
        ("process.roles", "broker", 2, "pools[2].roles"),
        ("controller.quorum.bootstrap.servers", "x:9093", None, "quorum.mode"),
        ("controller.quorum.voters", "0@x:9093", None, "quorum.mode"),
        ("controller.quorum.auto.join.enable", True, None, "quorum"),
        ("listeners", "CLIENT://:9092", None, "listeners"),
        ("advertised.listeners", "CLIENT://x:9092", 1, "listeners"),
        ("listener.security.protocol.map", "CLIENT:PLAINTEXT", None, "listeners"),
        ("controller.listener.names", "CONTROLLER", None, "listeners"),
        ("early.start.listeners", "CLIENT", None, "listeners"),
        ("inter.broker.listener.name", "CLIENT", None, "listeners.internal"),
        ("security.inter.broker.protocol", "SSL", None, "listeners.internal"),
        ("sasl.enabled.mechanisms", "PLAIN", None, "listeners"),
        ("listener.name.client.sasl.enabled.mechanisms", "PLAIN", None, "listeners.client"),
        ("listener.name.client.scram-sha-512.sasl.jaas.config", "x", None, "listeners.client"),
        ("sasl.server.callback.handler.class", "com.example.Handler", None, "listeners"),
        ("ssl.client.auth", "required", None, "listeners"),
        ("listener.name.controller.ssl.client.auth", "none", 0, "listeners.controller"),
        ("ssl.keystore.location", "/x.jks", None, "tls"),
        ("listener.name.client.ssl.truststore.type", "JKS", None, "tls"),
        ("log.dirs", "/data", 1, "pools[1].storage"),
        ("log.dir", "/data", None, "pools[*].storage"),
        ("metadata.log.dir", "/meta", 0, "pools[0].storage"),
        ("broker.rack", "a", 1, "pools[1].scheduling.zone"),
        ("authorizer.class.name", "com.example.Authorizer", None, "authorization.enabled"),
        ("allow.everyone.if.no.acl.found", True, None, "authorization.enabled"),
        ("super.users", "User:me", None, "authorization.superUsers"),
        ("ssl.principal.mapping.rules", "DEFAULT", None, "authorization"),
        ("num.partitions", 6, None, "topicDefaults.partitions"),
        ("default.replication.factor", 2, None, "topicDefaults.replicationFactor"),
        ("offsets.topic.replication.factor", 2, 1, "topicDefaults.replicationFactor"),
        ("min.insync.replicas", 1, None, "topicDefaults.minInsyncReplicas"),
    ],
)
def test_keys_kraft_sets_are_refused_with_the_kraft_key_that_sets_them(
    key: str, value: Any, pool: int | None, owner: str
) -> None:
    configs: list[dict[str, Any]] = [{}, {}, {}]
    if pool is not None:
        configs[pool] = {key: value}
    where = f"pools[{pool}].kafkaConfig" if pool is not None else "kafkaConfig"
    expected = {f"{where}{path_part(key)}": f"kraft decides this key from {owner}; set that instead"}
    assert problems(cluster({} if pool is not None else {key: value}, *configs)) == expected


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("metadata.max.idle.interval.ms", "a controller is Ready only while its metadata log moves"),
        ("config.providers", "values that Kafka resolves when it starts cannot be checked"),
        ("zookeeper.connect", "kraft runs Kafka in KRaft mode only"),
    ],
)
def test_keys_kraft_relies_on_are_refused_with_the_reason(key: str, reason: str) -> None:
    (message,) = problems(cluster({key: "1"}, kafkaVersion="3.9.2")).values()
    assert message.startswith(f"not allowed: {reason}")


def every_owned_property(spec: ClusterSpec) -> set[str]:
    return {name for pool in spec.pools for part in owned_properties(spec, pool, "k").values() for name in part}


@pytest.mark.parametrize("stack", STACKS)
def test_every_key_kraft_writes_is_refused_in_every_form(stack: str) -> None:
    """The owned keys come from the renderer itself: nothing kraft writes can be overridden, here or per
    listener, and the only keys of a template that kafkaConfig may set are kraft's defaults."""
    spec = stack_spec(stack)
    written = {name for pool in spec.pools for name in pool_properties(spec, pool, "k")}
    assert written - every_owned_property(spec) == set(KRAFT_DEFAULTS)
    keys = broker_config(spec.kafka_version)
    for name in every_owned_property(spec):
        assert unprefixed(name, keys)[2] in owned_keys(), name
        (message,) = problems({**stack_spec_config(spec), "kafkaConfig": {name: "x"}}).values()
        assert message.startswith("kraft decides this key from "), (name, message)


def stack_spec_config(spec: ClusterSpec) -> dict[str, Any]:
    """A spec as stack config again."""
    dumped: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


@pytest.mark.parametrize(
    ("config", "key", "message"),
    [
        ({}, "listener.name.clinet.ssl.cipher.suites", "this cluster has no listener 'clinet'; allowed: client, "
         "internal, controller"),
        ({}, "listener.name.external.max.connections", "this cluster has no listener 'external'; allowed: client, "
         "internal, controller"),
        ({}, "listener.name.CLIENT.max.connections", "this cluster has no listener 'CLIENT'; allowed (in lower "
         "case): client, internal, controller"),
        ({}, "listener.name.client.log.retention.hours", "'log.retention.hours' is not a key Kafka reads per "
         "listener (ssl.*, sasl.*, connections.max.reauth.ms, max.connections, max.connection.creation.rate, "
         "num.network.threads)"),
        ({}, "listener.name.client.ssl.cipher.suite", "'ssl.cipher.suite' is not a key Kafka reads per listener "
         "(ssl.*, sasl.*, connections.max.reauth.ms, max.connections, max.connection.creation.rate, "
         "num.network.threads); did you mean ssl.cipher.suites?"),
        ({}, "listener.name.client.oauthbearer.connections.max.reauth.ms", "listener client does not enable SASL "
         "mechanism 'oauthbearer'; its only mechanism is scram-sha-512"),
        ({}, "listener.name.client.scram-sha-512.sasl.server.max.receive.size", "'sasl.server.max.receive.size' is "
         "not a key Kafka reads per SASL mechanism; allowed after listener.name.client.scram-sha-512.: "
         "connections.max.reauth.ms, sasl.jaas.config, sasl.server.callback.handler.class, sasl.login.class, "
         "sasl.login.callback.handler.class"),
        ({}, "listener.name.internal.sasl.server.max.receive.size", "listener internal is SSL, without SASL, so "
         "Kafka would ignore sasl.server.max.receive.size for it"),
        ({"listeners": {"client": "SASL_PLAINTEXT"}}, "listener.name.client.ssl.cipher.suites", "listener client is "
         "SASL_PLAINTEXT, without TLS, so Kafka would ignore ssl.cipher.suites for it"),
    ],
)  # fmt: skip
def test_per_listener_keys_name_a_listener_of_the_cluster_and_a_key_kafka_reads_per_listener(
    config: dict[str, Any], key: str, message: str
) -> None:
    assert problems(cluster({key: "1"}, **config)) == {f'kafkaConfig."{key}"': message}


def test_the_external_listener_takes_per_listener_keys_once_configured() -> None:
    external = {"external": {"hostPattern": "kafka-{nodeId}.example.com"}}
    spec = parse_spec(cluster({"listener.name.external.max.connections": 500}, listeners=external))
    assert properties(spec, 1)["listener.name.external.max.connections"] == "500"


def test_plugin_keys_pass_under_the_prefix_the_config_sets() -> None:
    spec = parse_spec(
        cluster(
            {"rsm.config.bucket": "kafka-tiers", "metrics.jmx.include": "kafka.server:*"},
            {},
            {"remote.log.storage.manager.impl.prefix": "tiers.", "tiers.bucket": "b"},
        )
    )
    assert properties(spec, 1)["tiers.bucket"] == "b"
    assert problems(cluster({"tiers.bucket": "b"})) == {
        'kafkaConfig."tiers.bucket"': "'tiers.bucket' is not a Kafka 4.4.0 broker config"
    }


def test_every_problem_is_reported_at_once() -> None:
    found = problems(cluster({"node.id": 1, "mesage.max.bytes": 1}, {}, {}, {"broker.rack": "a"}))
    assert set(found) == {
        'kafkaConfig."node.id"',
        'kafkaConfig."mesage.max.bytes"',
        'pools[2].kafkaConfig."broker.rack"',
    }


def test_keys_and_values_of_no_kafka_shape_are_refused_by_their_path() -> None:
    assert problems(cluster({"message max bytes": 1, "log.retention.hours": {"days": 1}})) == {
        'kafkaConfig."message max bytes" (the key)': "'message max bytes' is not a Kafka configuration key; "
        "allowed: letters, digits, '.', '_' and '-'",
        'kafkaConfig."log.retention.hours"': "{'days': 1} is not a Kafka value; allowed: a string, number, boolean "
        "or a list of those",
    }


def checksums(config: dict[str, Any]) -> dict[str, str]:
    """The config checksum in each pool's pod template, by pool: a change rolls that pool."""
    spec = parse_spec(config)
    return {
        pool.name: statefulset(spec, pool, index, spec.namespace)["spec"]["template"]["metadata"]["annotations"][
            naming.CONFIG_CHECKSUM_ANNOTATION
        ]
        for index, pool in enumerate(spec.pools)
    }


def test_a_pool_override_rolls_only_that_pool_and_a_cluster_override_rolls_every_pool() -> None:
    before = checksums(cluster())
    pool_change = checksums(cluster({}, {}, {"num.replica.fetchers": 4}))
    cluster_change = checksums(cluster({"log.retention.hours": 72}))
    assert [name for name in before if pool_change[name] != before[name]] == ["brokers-a"]
    assert all(cluster_change[name] != before[name] for name in before)


def test_numbers_from_other_languages_arrive_as_floats_and_render_as_kafka_reads_them() -> None:
    config = {"message.max.bytes": 2097152, "log.cleanup.policy": ["compact"], "auto.create.topics.enable": True}
    evaluation = construct({"spec": {"kafkaConfig": config}})
    (config_map,) = objects(evaluation, "ConfigMap")
    template = javaproperties.loads(config_map["data"][naming.pool_template_key("brokers")])
    assert {key: template[key] for key in config} == {
        "message.max.bytes": "2097152",
        "log.cleanup.policy": "compact",
        "auto.create.topics.enable": "true",
    }
