"""Real Kafka configuration names per release: the broker ConfigDefs extracted from the jars into the package
(kraft_component.kafka_release), plus the keys a broker reads that no ConfigDef names."""

import re
from functools import cache

from kraft_component.kafka_release import broker_config, supported_versions

# Keys a broker reads that are not ConfigDef names: per-listener overrides (the SSL and SASL keys of its channel,
# its connection quotas and network threads; per SASL mechanism its login, callbacks and re-authentication), the
# authorizer's own keys, config providers, the remote storage plugins' prefixed keys and the JMX reporter's filters.
_PATTERNS = (
    re.compile(r"^listener\.name\.[a-z0-9_]+\.(ssl|sasl)\..+$"),
    re.compile(
        r"^listener\.name\.[a-z0-9_]+\."
        r"(connections\.max\.reauth\.ms|max\.connections|max\.connection\.creation\.rate|num\.network\.threads)$"
    ),
    re.compile(r"^listener\.name\.[a-z0-9_]+\.[a-z0-9-]+\.(sasl\.[a-z.]+|connections\.max\.reauth\.ms)$"),
    re.compile(r"^(super\.users|allow\.everyone\.if\.no\.acl\.found)$"),
    re.compile(r"^config\.providers\.[A-Za-z0-9_-]+\.(class|param\..+)$"),
    re.compile(r"^(rsm|rlmm)\.config\..+$"),
    re.compile(r"^metrics\.jmx\.(include|exclude)$"),
)


def config_names(kafka_version: str) -> frozenset[str]:
    """Every name a broker or controller of `kafka_version` accepts in server.properties (public + internal)."""
    return frozenset(broker_config(kafka_version))


@cache
def removed_in_4() -> frozenset[str]:
    """Keys of the newest 3.x release that the first 4.0 release no longer has (ZooKeeper and legacy keys)."""
    newest_3 = [version for version in supported_versions() if version.startswith("3.")][-1]
    first_4 = next(version for version in supported_versions() if version.startswith("4."))
    return config_names(newest_3) - config_names(first_4)


def is_known(name: str, kafka_version: str) -> bool:
    """Whether `name` is a real server.properties key for `kafka_version`."""
    return name in broker_config(kafka_version) or any(pattern.match(name) for pattern in _PATTERNS)
