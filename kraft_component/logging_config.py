"""The nodes' logging configuration: console only, at the levels of `logging`, as log4j2 YAML for Kafka 4.x and
log4j 1 properties for 3.9.

The ConfigMap holds the cluster's file, and a file of its own for each pool whose levels differ. A node reads
its file at start, so a change rolls the pools that read it (their config checksum), one pod at a time: the
file is the only source of a node's levels, the same for brokers and controllers, 3.9 and 4.x. The run-time
route, `kafka-configs.sh --entity-type broker-loggers --alter`, stays for a temporary level by hand: it is
not persisted, so the next restart returns to the file (docs/tailoring.md, 'Log levels').
"""

from . import naming
from .scripts import script
from .spec import ClusterSpec, Logging, PoolSpec

ROOT_LEVEL = "@ROOT_LEVEL@"


def uses_log4j2(spec: ClusterSpec) -> bool:
    """Kafka 4.0 moved from log4j 1 (reload4j) to log4j2."""
    return spec.kafka_minor >= (4, 0)


def logging_file(spec: ClusterSpec, pool: PoolSpec) -> str:
    """The ConfigMap key a pool's nodes read their logging configuration from."""
    own = spec.logging_of(pool) != spec.cluster_logging
    return naming.logging_key(uses_log4j2(spec), pool.name if own else None)


def render(spec: ClusterSpec, levels: Logging) -> str:
    """The logging configuration file at `levels` (whose root is set)."""
    assert levels.root is not None, "ClusterSpec.cluster_logging sets the root level"
    text = script(naming.logging_key(uses_log4j2(spec))).replace(ROOT_LEVEL, levels.root.value)
    if uses_log4j2(spec):  # appended under Loggers, beside Root; names quoted, so YAML never reads one as a bool
        named = "".join(
            f'      - name: "{name}"\n        level: {level.value}\n' for name, level in levels.loggers.items()
        )
        return text + (f"    Logger:\n{named}" if named else "")
    return text + "".join(f"log4j.logger.{name}={level.value}\n" for name, level in levels.loggers.items())


def files(spec: ClusterSpec) -> dict[str, str]:
    """Every logging file of the ConfigMap: the cluster's, and each pool's own."""
    rendered = {naming.logging_key(uses_log4j2(spec)): render(spec, spec.cluster_logging)}
    return rendered | {logging_file(spec, pool): render(spec, spec.logging_of(pool)) for pool in spec.pools}


def log4j_opts(spec: ClusterSpec, pool: PoolSpec) -> str:
    """`KAFKA_LOG4J_OPTS` that points a pool's nodes at their logging configuration."""
    path = f"{naming.CONFIG_MOUNT}/{logging_file(spec, pool)}"
    if uses_log4j2(spec):
        return f"-Dlog4j2.configurationFile={path}"
    return f"-Dlog4j.configuration=file:{path}"
