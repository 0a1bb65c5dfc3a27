"""server.properties for each pool, as a template the node bootstrap script completes per pod."""

from . import kafka_security, listeners, naming
from .listeners import Listener
from .spec import ClusterSpec, ExternalType, PoolSpec

# Filled in by the node scripts, which know the pod they run in.
NODE_ID = "@NODE_ID@"
POD_NAME = "@POD_NAME@"
EXTERNAL_PORT = "@EXTERNAL_PORT@"  # KRAFT_EXTERNAL_PORT_OFFSET + node ID: a broker's own node port
# KIP-1211: a topic created without a partition count or replication factor gets the active controller's. A
# broker reads these two only to auto-create a topic, and from Kafka 4.3 a broker-only node that sets them logs
# that they "will be ignored in 5.0" (KafkaConfig.validateValues); controllers keep them.
CONTROLLER_ROLE_KEYS = ("num.partitions", "default.replication.factor")
CONTROLLER_ROLE_KEYS_SINCE = (4, 3)


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


def topic_defaults(spec: ClusterSpec) -> dict[str, str]:
    """Replication defaults sized to the broker count. Controllers need them too: from Kafka 4.1 the
    cluster-wide `min.insync.replicas` and topic defaults come from the active controller."""
    return {
        "num.partitions": str(spec.topic_defaults.partitions),
        "default.replication.factor": str(spec.replication_factor),
        "min.insync.replicas": str(spec.min_insync_replicas),
        "offsets.topic.replication.factor": str(spec.replication_factor),
        "transaction.state.log.replication.factor": str(spec.replication_factor),
        "transaction.state.log.min.isr": str(spec.min_insync_replicas),
        "auto.create.topics.enable": "false",
        "unclean.leader.election.enable": "false",
    }


def advertised_address(spec: ClusterSpec, listener: Listener, namespace: str) -> str:
    """`host:port` a node advertises on `listener`: its pod DNS name, or on the external listener its own
    external host and port, with the pod's placeholders left to fill in."""
    external = spec.listeners.external
    if listener is not listeners.EXTERNAL or external is None:
        return f"{naming.pod_fqdn(POD_NAME, spec.name, namespace, spec.cluster_domain)}:{listener.port}"
    port = EXTERNAL_PORT if external.type is ExternalType.NODE_PORT else str(listener.port)
    return f"{naming.external_host(external.host_pattern, NODE_ID)}:{port}"


def pool_properties(spec: ClusterSpec, pool: PoolSpec, namespace: str) -> dict[str, str]:
    """Every property of a node of `pool`, with the placeholders left for the pod to fill in."""
    opened = listeners.for_pool(spec, pool)
    properties = {
        "process.roles": ",".join(role.value for role in sorted(pool.roles)),
        "node.id": NODE_ID,
        **quorum_properties(spec, namespace),
        "controller.listener.names": listeners.CONTROLLER.name,
        "listeners": ",".join(f"{listener.name}://:{listener.port}" for listener in opened),
        "advertised.listeners": ",".join(
            f"{listener.name}://{advertised_address(spec, listener, namespace)}" for listener in opened
        ),
        "listener.security.protocol.map": ",".join(
            f"{listener.name}:{listeners.protocol(spec, listener)}" for listener in listeners.for_cluster(spec)
        ),
        **log_directories(pool),
    }
    if pool.is_broker:
        properties["inter.broker.listener.name"] = listeners.INTERNAL.name
        if pool.scheduling.zone:
            properties["broker.rack"] = pool.scheduling.zone
    return for_roles(spec, pool, properties | kafka_security.node_properties(spec, pool) | topic_defaults(spec))


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
    return "".join(f"{key}={value}\n" for key, value in properties.items())
