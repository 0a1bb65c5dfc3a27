"""server.properties for each pool, as a template the node bootstrap script completes per pod."""

import re

from . import kafka_security, listeners, naming
from .listeners import Listener
from .spec import ClusterSpec, ExternalType, KafkaScalar, PoolSpec

# Filled in by the node scripts, which know the pod they run in.
NODE_ID = "@NODE_ID@"
POD_NAME = "@POD_NAME@"
EXTERNAL_PORT = "@EXTERNAL_PORT@"  # KRAFT_EXTERNAL_PORT_OFFSET + node ID: a broker's own node port
# KIP-1211: a topic created without a partition count or replication factor gets the active controller's. A
# broker reads these two only to auto-create a topic, and from Kafka 4.3 a broker-only node that sets them logs
# that they "will be ignored in 5.0" (KafkaConfig.validateValues); controllers keep them.
CONTROLLER_ROLE_KEYS = ("num.partitions", "default.replication.factor")
CONTROLLER_ROLE_KEYS_SINCE = (4, 3)
FILLED_IN = re.compile(r"@(NODE_ID|POD_NAME|EXTERNAL_PORT|FILE:[^@]+)@")  # what properties.sh fill_template replaces
POOL = "pools[*]"  # in the key that owns a property: the pool the properties are for
# kraft's choices that kafkaConfig may change: the safe values where Kafka's own default is not.
KRAFT_DEFAULTS = {"auto.create.topics.enable": "false", "unclean.leader.election.enable": "false"}
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}


def controller_endpoint(spec: ClusterSpec, pool: PoolSpec, ordinal: int, namespace: str) -> str:
    """`<pod dns name>:<controller port>` of a controller pod."""
    pod = naming.pod_name(naming.statefulset_name(spec.name, pool.name), ordinal)
    return f"{naming.pod_fqdn(pod, spec.name, namespace, spec.cluster_domain)}:{listeners.CONTROLLER.port}"


def controller_endpoints(spec: ClusterSpec, namespace: str) -> dict[int, str]:
    """Node ID -> `host:port` of every controller, in pool and ordinal order."""
    return {
        pool.first_node_id + ordinal: controller_endpoint(spec, pool, ordinal, namespace)
        for pool in spec.controller_pools
        for ordinal in range(pool.replicas)
    }


def quorum_voters(spec: ClusterSpec, namespace: str) -> str:
    """`controller.quorum.voters` (static): `<node id>@<host>:<port>` for every controller."""
    return ",".join(f"{node_id}@{endpoint}" for node_id, endpoint in controller_endpoints(spec, namespace).items())


def quorum_bootstrap_servers(spec: ClusterSpec, namespace: str) -> str:
    """`controller.quorum.bootstrap.servers` (dynamic): `<host>:<port>` of every controller."""
    return ",".join(controller_endpoints(spec, namespace).values())


def initial_controllers(spec: ClusterSpec, namespace: str) -> str:
    """Dynamic mode: `<node id>@<host>:<port>` of the controllers that formed the quorum at creation
    (ordinals below quorum.initialControllers); the node adds each directory ID from the Secret."""
    (pool,) = spec.controller_pools
    return ",".join(
        f"{pool.first_node_id + ordinal}@{controller_endpoint(spec, pool, ordinal, namespace)}"
        for ordinal in range(spec.initial_controller_count)
    )


def quorum_properties(spec: ClusterSpec, namespace: str) -> dict[str, str]:
    """How a node finds the quorum: the static voters or the dynamic bootstrap servers, never both."""
    if spec.is_dynamic_quorum:
        return {"controller.quorum.bootstrap.servers": quorum_bootstrap_servers(spec, namespace)}
    return {"controller.quorum.voters": quorum_voters(spec, namespace)}


def topic_defaults(spec: ClusterSpec) -> dict[str, dict[str, str]]:
    """Replication defaults sized to the broker count, by the topicDefaults key that sets them. Controllers need
    them too: from Kafka 4.1 the cluster-wide `min.insync.replicas` and topic defaults come from the active
    controller."""
    factor, min_isr = str(spec.replication_factor), str(spec.min_insync_replicas)
    return {
        "topicDefaults.partitions": {"num.partitions": str(spec.topic_defaults.partitions)},
        "topicDefaults.replicationFactor": {
            "default.replication.factor": factor,
            "offsets.topic.replication.factor": factor,
            "transaction.state.log.replication.factor": factor,
        },
        "topicDefaults.minInsyncReplicas": {"min.insync.replicas": min_isr, "transaction.state.log.min.isr": min_isr},
    }


def advertised_address(spec: ClusterSpec, listener: Listener, namespace: str) -> str:
    """`host:port` a node advertises on `listener`: its pod DNS name, or on the external listener its own
    external host and port, with the pod's placeholders left to fill in."""
    external = spec.listeners.external
    if listener is not listeners.EXTERNAL or external is None:
        return f"{naming.pod_fqdn(POD_NAME, spec.name, namespace, spec.cluster_domain)}:{listener.port}"
    port = EXTERNAL_PORT if external.type is ExternalType.NODE_PORT else str(listener.port)
    return f"{naming.external_host(external.host_pattern, NODE_ID)}:{port}"


def owned_properties(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> dict[str, dict[str, str]]:
    """Every property kraft decides for a node of `pool`, by the `kraft:cluster` key that decides it (`pools[*]`:
    the pool's own). kafkaConfig may not set them: kafka_overrides refuses each with its key."""
    opened = listeners.for_pool(spec, pool)
    zone = pool.scheduling.zone if pool.is_broker else None
    return by_owner(
        {
            f"{POOL}.roles": {"process.roles": ",".join(role.value for role in sorted(pool.roles))},
            f"{POOL}.nodeIdOffset": {"node.id": NODE_ID},
            "quorum.mode": quorum_properties(spec, namespace),
            "listeners": {
                "controller.listener.names": listeners.CONTROLLER.name,
                "listeners": ",".join(f"{listener.name}://:{listener.port}" for listener in opened),
                "advertised.listeners": ",".join(
                    f"{listener.name}://{advertised_address(spec, listener, namespace)}" for listener in opened
                ),
                "listener.security.protocol.map": ",".join(
                    f"{listener.name}:{listeners.protocol(spec, listener)}" for listener in listeners.for_cluster(spec)
                ),
            },
            listeners.spec_key(listeners.INTERNAL): (
                {"inter.broker.listener.name": listeners.INTERNAL.name} if pool.is_broker else {}
            ),
            f"{POOL}.storage": log_directories(pool),
            f"{POOL}.scheduling.zone": {"broker.rack": zone} if zone else {},
        },
        kafka_security.node_properties(spec, pool),
        topic_defaults(spec),
    )


def by_owner(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Parts of owned properties merged per owning key."""
    merged: dict[str, dict[str, str]] = {}
    for part in parts:
        for owner, properties in part.items():
            merged.setdefault(owner, {}).update(properties)
    return merged


def render_value(value: KafkaScalar | list[KafkaScalar]) -> str:
    """A kafkaConfig value as Kafka parses it: booleans in lower case, whole numbers without a fraction (a number
    may arrive as 3.0 through a Pulumi SDK), lists comma-separated."""
    if isinstance(value, list):
        return ",".join(map(render_value, value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def pool_properties(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> dict[str, str]:
    """Every property of a node of `pool`, with the placeholders left for the pod to fill in: kraft's own, then
    its defaults, the cluster's kafkaConfig and the pool's, each later one winning."""
    owned = {name: value for part in owned_properties(spec, pool, namespace).values() for name, value in part.items()}
    overrides = spec.kafka_config | pool.kafka_config
    merged = owned | KRAFT_DEFAULTS | {name: render_value(value) for name, value in overrides.items()}
    return for_roles(spec, pool, merged)


def for_roles(spec: ClusterSpec, pool: PoolSpec, properties: dict[str, str]) -> dict[str, str]:
    """`properties` without the keys the release reads only in the controller role, on a broker-only node that
    auto-creates no topics."""
    if pool.is_controller or spec.kafka_minor < CONTROLLER_ROLE_KEYS_SINCE:
        return properties
    if properties.get("auto.create.topics.enable") == "true":
        return properties
    return {key: value for key, value in properties.items() if key not in CONTROLLER_ROLE_KEYS}


def log_directories(pool: PoolSpec) -> dict[str, str]:
    """`log.dirs`: one directory per data volume. With several (JBOD), `metadata.log.dir` says outright that
    the metadata log stays on the first, as Kafka would choose anyway."""
    directories = [naming.log_dir(volume.name) for volume in pool.storage.data_volumes]
    metadata = {"metadata.log.dir": directories[0]} if len(directories) > 1 else {}
    return {"log.dirs": ",".join(directories), **metadata}


def render_properties(properties: dict[str, str]) -> str:
    """The text of a properties file, one `key=value` per line in the given order."""
    return "".join(f"{key}={escaped(value)}\n" for key, value in properties.items())


def escaped(value: str) -> str:
    """A value as a Java properties file holds it: one line of printable ASCII (Kafka reads the file as
    ISO-8859-1), with backslashes, line breaks and every other character escaped."""
    return "".join(_ESCAPES.get(char) or (char if " " <= char <= "~" else _unicode_escape(char)) for char in value)


def _unicode_escape(char: str) -> str:
    units = char.encode("utf-16-be")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))
