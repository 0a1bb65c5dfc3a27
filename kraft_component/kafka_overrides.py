"""kafkaConfig: the Kafka settings a user adds to what kraft writes, checked at preview like Kafka would.

A node's server.properties is kraft's own properties, then kraft's defaults (kafka_config.KRAFT_DEFAULTS), the
cluster's kafkaConfig and its pool's kafkaConfig, each later one winning. Every key is checked against the
configured release's broker ConfigDef (name, type, range, valid values). Kafka itself only logs a key it does
not know, and a per-listener key for a listener that does not exist, so here both are refused with the nearest
valid names.

Keys kraft decides are refused with the `kraft:cluster` key that sets them: every key kraft renders
(kafka_config.owned_properties, whichever features a cluster turns on, so the list cannot drift from the
renderer), in any listener-prefixed form, plus the related keys below that would undo them.
"""

from collections.abc import Iterator, Mapping
from functools import cache
from itertools import takewhile

from . import listeners
from .configdef import ConfigType
from .kafka_config import FILLED_IN, POOL, owned_properties, render_value
from .kafka_release import ConfigKey, broker_config, topic_config, unknown_name
from .listeners import Listener
from .spec import ClusterSpec, KafkaConfig, KafkaValue, RuleError, parse_spec, path_part

LISTENER_PREFIX = "listener.name."
# Keys Kafka reads per listener besides ssl.* and sasl.* (SocketServer, ConnectionQuotas, SaslChannelBuilder).
PER_LISTENER = ("connections.max.reauth.ms", "max.connections", "max.connection.creation.rate", "num.network.threads")
# Keys Kafka reads per listener and SASL mechanism (listener.name.<l>.<mechanism>.<key>; SaslChannelBuilder,
# LoginManager, JaasContext): the mechanism's login and callbacks, which kraft owns, and re-authentication.
PER_MECHANISM = (
    "connections.max.reauth.ms", "sasl.jaas.config", "sasl.server.callback.handler.class", "sasl.login.class",
    "sasl.login.callback.handler.class",
)  # fmt: skip
# Keys kraft does not write that would undo what it writes, by the kraft key in charge ('.' at the end: a prefix).
RELATED = {
    "broker.id": f"{POOL}.nodeIdOffset",  # node.id's older name
    "log.dir": f"{POOL}.storage",
    "controller.quorum.auto.join.enable": "quorum",  # the add-controllers Job adds new controllers
    "early.start.listeners": "listeners",  # a broker would open its client port before it caught up
    "control.plane.listener.name": "listeners",
    "security.inter.broker.protocol": "listeners.internal",
    "sasl.mechanism.controller.protocol": "listeners.controller",
    "sasl.server.callback.handler.class": "listeners",  # would replace SCRAM's password check
    "sasl.login.class": "listeners",
    "sasl.login.callback.handler.class": "listeners",
    "ssl.keystore.": "tls",
    "ssl.truststore.": "tls",
    "ssl.key.password": "tls",
    "ssl.engine.factory.class": "tls",
    "principal.builder.class": "authorization",  # the principals super users and ACLs name
    "ssl.principal.mapping.rules": "authorization",
    "allow.everyone.if.no.acl.found": "authorization.enabled",
}
# Keys refused although kraft has no key for them, and why.
REFUSED = {
    "metadata.max.idle.interval.ms": "a controller is Ready only while its metadata log moves (every 500 ms by "
    "default, checked every 30 s), so kraft keeps Kafka's default",
    "zookeeper.": "kraft runs Kafka in KRaft mode only, without ZooKeeper",
    "config.providers": "values that Kafka resolves when it starts cannot be checked before anything is created",
    "config.providers.": "the same: config providers are not supported",
}
# Plugin keys Kafka hands to a plugin unchecked: the prefix, or the key that sets it.
PLUGIN_PREFIXES = ("remote.log.storage.manager.impl.prefix", "remote.log.metadata.manager.impl.prefix")
PLUGIN_KEYS = ("metrics.jmx.include", "metrics.jmx.exclude")  # JmxReporter's own


def override_problems(spec: ClusterSpec) -> list[RuleError]:
    """Every key of the cluster's and the pools' kafkaConfig that Kafka would refuse or ignore, or that kraft
    sets, by its path below `kraft:cluster`."""
    scopes: list[tuple[str, int | None, KafkaConfig]] = [("kafkaConfig", None, spec.kafka_config)]
    scopes += [(f"pools[{i}].kafkaConfig", i, pool.kafka_config) for i, pool in enumerate(spec.pools)]
    return [
        RuleError(f"{where}{path_part(name)}", problem)
        for where, pool, config in scopes
        for name, value in config.items()
        if (problem := _setting_problem(spec, pool, name, value))
    ]


def _setting_problem(spec: ClusterSpec, pool: int | None, name: str, value: KafkaValue) -> str | None:
    """Why `name: value` cannot be in the kafkaConfig of pool `pool` (None: the cluster's), or None."""
    keys = broker_config(spec.kafka_version)
    listener, _, base = unprefixed(name, keys)
    text = render_value(value)
    if placeholder := FILLED_IN.search(text):
        return f"{placeholder[0]!r} is a placeholder the node script fills in; not allowed in a value"
    if listener is not None:
        return (
            _kraft_problem(spec, base, listener, pool)
            or _listener_problem(spec, name, keys)
            or _value_problem(keys[base], value, text)
        )
    return _kraft_problem(spec, name, None, pool) or _key_problem(spec, pool, name, value, text)


def unprefixed(name: str, keys: Mapping[str, ConfigKey]) -> tuple[str | None, str | None, str]:
    """(listener, SASL mechanism, key) of `name` as Kafka reads it (AbstractConfig.valuesWithPrefixOverride):
    `listener.name.<listener>.<key>`, or `...<listener>.<mechanism>.<key>` when the rest is not a key itself."""
    if not name.startswith(LISTENER_PREFIX):
        return None, None, name
    listener, _, rest = name.removeprefix(LISTENER_PREFIX).partition(".")
    mechanism, _, key = rest.partition(".")
    return (listener, None, rest) if rest in keys or not key else (listener, mechanism, key)


@cache
def owned_keys() -> Mapping[str, str]:
    """Each key kraft writes, without its listener and mechanism prefix, by the `kraft:cluster` key that sets it
    (the common parent when several do, as `listeners` for `ssl.client.auth`)."""
    owners: dict[str, str] = {}
    for spec in _every_feature():
        keys = broker_config(spec.kafka_version)
        for pool in spec.pools:
            for owner, properties in owned_properties(spec, pool, spec.namespace).items():
                for name in properties:
                    base = unprefixed(name, keys)[2]
                    owners[base] = _common_parent(owners.get(base, owner), owner)
    return owners


def owner_of(key: str) -> str | None:
    """The kraft key that sets `key` (unprefixed), for a key kraft writes or one that would undo it."""
    return owned_keys().get(key) or _prefixed(RELATED, key)


def kraft_keys() -> dict[str, list[str]]:
    """The Kafka keys kafkaConfig refuses, by the `kraft:cluster` key that sets them instead (a key ending in '.':
    every key under it)."""
    families = [key for key in RELATED if key.endswith(".")]
    by_owner: dict[str, list[str]] = {}
    for key, owner in sorted({**owned_keys(), **RELATED}.items()):
        if not any(key.startswith(family) and key != family for family in families):
            by_owner.setdefault(owner, []).append(key)
    return dict(sorted(by_owner.items()))


def _every_feature() -> Iterator[ClusterSpec]:
    """Clusters that between them turn on every feature that adds properties: both quorum modes, TLS and SASL on
    every listener that takes them, mutual TLS between nodes, an external listener, zones, several data volumes,
    the authorizer."""
    volumes = [{"name": "data", "size": "1Gi"}, {"name": "data-2", "size": "1Gi"}]
    pools = [
        {"name": "controllers", "roles": ["controller"], "replicas": 3},
        {
            "name": "brokers",
            "roles": ["broker"],
            "replicas": 3,
            "scheduling": {"zone": "a"},
            "storage": {"volumes": volumes},
        },
    ]
    external = {"hostPattern": "kafka-{nodeId}.example.com", "type": "NodePort"}
    for mode in ("static", "dynamic"):
        for internal in ("SSL", "SASL_SSL"):
            protocols = {"client": "SASL_SSL", "internal": internal, "controller": "SSL", "external": external}
            yield parse_spec({"pools": pools, "quorum": {"mode": mode}, "listeners": protocols})


def _common_parent(first: str, second: str) -> str:
    """`listeners` of `listeners.client` and `listeners.internal`."""
    pairs = zip(first.split("."), second.split("."), strict=False)
    return ".".join(part for part, _ in takewhile(lambda pair: pair[0] == pair[1], pairs)) or first


def _prefixed(table: Mapping[str, str], key: str) -> str | None:
    return next(
        (value for entry, value in table.items() if key == entry or (entry[-1] == "." and key.startswith(entry))), None
    )


def _kraft_problem(spec: ClusterSpec, key: str, listener: str | None, pool: int | None) -> str | None:
    """The refusal of a key kraft decides (unprefixed), naming the key to set instead: this pool's, this
    listener's; or of one kraft relies on, saying why."""
    if reason := _prefixed(REFUSED, key):
        return f"not allowed: {reason}"
    owner = owner_of(key)
    if owner is None:
        return None
    by_name = _listeners(spec)
    if owner == "listeners" and listener in by_name:
        owner = listeners.spec_key(by_name[listener])
    if pool is not None:
        owner = owner.replace(POOL, f"pools[{pool}]")
    return f"kraft decides this key from {owner}; set that instead"


def _key_problem(spec: ClusterSpec, pool: int | None, name: str, value: KafkaValue, text: str) -> str | None:
    """A key of the release's ConfigDef with a value it accepts, or a plugin's own key."""
    keys = broker_config(spec.kafka_version)
    if name.startswith(_plugin_prefixes(spec, pool)) or name in PLUGIN_KEYS:
        return None  # Kafka passes them on to the plugin, which has its own rules
    return _value_problem(keys[name], value, text) if name in keys else _unknown(spec.kafka_version, name, keys)


def _listeners(spec: ClusterSpec) -> dict[str, Listener]:
    """The cluster's listeners by the lower-case name Kafka's `listener.name.` prefix uses."""
    return {listener.name.lower(): listener for listener in listeners.for_cluster(spec)}


def _listener_problem(spec: ClusterSpec, name: str, keys: Mapping[str, ConfigKey]) -> str | None:
    """A per-listener key must name a listener of this cluster, a key Kafka reads per listener (and per SASL
    mechanism, for a mechanism the listener enables), and suit the listener's protocol."""
    listener, mechanism, key = unprefixed(name, keys)
    by_name = _listeners(spec)
    if listener not in by_name:
        hint = " (in lower case)" if str(listener).lower() in by_name else ""
        return f"this cluster has no listener {listener!r}; allowed{hint}: {', '.join(by_name)}"
    prefix = f"{LISTENER_PREFIX}{listener}."
    readable = {other: keys[other] for other in keys if other.startswith(("ssl.", "sasl.")) or other in PER_LISTENER}
    if key not in readable:
        allowed = ", ".join(("ssl.*", "sasl.*", *PER_LISTENER))
        return unknown_name(name.removeprefix(prefix), readable, f"a key Kafka reads per listener ({allowed})")
    opened = by_name[listener]
    return _mechanism_problem(spec, opened, prefix, mechanism, key) or _protocol_problem(spec, opened, key)


def _mechanism_problem(
    spec: ClusterSpec, listener: Listener, prefix: str, mechanism: str | None, key: str
) -> str | None:
    """A per-mechanism key must name the listener's SASL mechanism (kraft enables SCRAM-SHA-512 only)."""
    if mechanism is None:
        return None
    scram = listeners.SCRAM_MECHANISM.lower()
    if mechanism != scram or not listeners.uses_sasl(spec, listener):
        enabled = f"its only mechanism is {scram}" if listeners.uses_sasl(spec, listener) else "it has no SASL"
        return f"listener {listener.name.lower()} does not enable SASL mechanism {mechanism!r}; {enabled}"
    if key not in PER_MECHANISM:
        allowed = ", ".join(PER_MECHANISM)
        return f"{key!r} is not a key Kafka reads per SASL mechanism; allowed after {prefix}{mechanism}.: {allowed}"
    return None


def _protocol_problem(spec: ClusterSpec, listener: Listener, key: str) -> str | None:
    """TLS keys for a TLS listener, SASL keys for a SASL one: Kafka ignores the others."""
    protocol = listeners.protocol(spec, listener)
    if key.startswith("ssl.") and not listeners.uses_tls(spec, listener):
        return f"listener {listener.name.lower()} is {protocol}, without TLS, so Kafka would ignore {key} for it"
    if (key.startswith("sasl.") or key == "connections.max.reauth.ms") and not listeners.uses_sasl(spec, listener):
        return f"listener {listener.name.lower()} is {protocol}, without SASL, so Kafka would ignore {key} for it"
    return None


def _plugin_prefixes(spec: ClusterSpec, pool: int | None) -> tuple[str, ...]:
    """The prefixes of the tiered-storage plugins' own keys, as this kafkaConfig (or Kafka's default) sets them."""
    config = spec.kafka_config | (spec.pools[pool].kafka_config if pool is not None else {})
    defaults = broker_config(spec.kafka_version)
    prefixes = (render_value(config[key]) if key in config else defaults[key].default for key in PLUGIN_PREFIXES)
    return tuple(prefix.strip() for prefix in prefixes if prefix and prefix.strip())


def _unknown(version: str, name: str, keys: Mapping[str, ConfigKey]) -> str:
    """An unknown key, with the nearest names, or the broker key to use for a topic key."""
    topic = topic_config(version).get(name)
    if topic is not None:
        instead = f"; its default for every topic is {topic.server_default}" if topic.server_default else ""
        return f"{name!r} is a topic config, not a broker config{instead}"
    return unknown_name(name, keys, f"a Kafka {version} broker config")


def _value_problem(key: ConfigKey, value: KafkaValue, text: str) -> str | None:
    """Why Kafka would refuse `value` for `key`, or why it cannot live in a ConfigMap."""
    if key.type is ConfigType.PASSWORD:
        return f"{key.name} is a password, and kafkaConfig is stored in plain text in a ConfigMap; not allowed here"
    if isinstance(value, list):
        if key.type is not ConfigType.LIST:
            return f"a list, but {key.name} is of type {key.type} (one value)"
        if comma := next((item for item in value if "," in render_value(item)), None):
            return f"{comma!r} holds a comma, which Kafka reads as the end of a list element"
    return key.problem(text)
