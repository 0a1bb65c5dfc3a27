"""Topic-level configs (`kraft:cluster.topics[].config`), checked at preview against the topic ConfigDef of the
configured Kafka release, so a misspelt key or a value Kafka would refuse stops `pulumi preview`, not the topics
Job in the middle of a rollout.

The spec asks this module one question, `setting_problem(version, key, value)`; where the answer comes from (the
ConfigDefs extracted from each release's jars) is `CONFIGDEF`, replaceable in tests.
"""

from collections.abc import Callable

MIN_INSYNC_REPLICAS = "min.insync.replicas"

SettingCheck = Callable[[str, str, str], str | None]
"""(Kafka version, key, value) -> why that release's topic ConfigDef refuses `key=value`, or None."""


def _no_configdef(version: str, key: str, value: str) -> str | None:
    """The answer while this build carries no extracted topic ConfigDef: refuse, rather than pass unchecked."""
    return (
        f"{key}={value}: this build of kraft has no topic ConfigDef for Kafka {version} to check it against, "
        "so topic configs are refused; declare the topic without config"
    )


CONFIGDEF: SettingCheck = _no_configdef


def setting_problem(version: str, key: str, value: str) -> str | None:
    """Why a `version` cluster would refuse topic config `key=value`, or None."""
    return CONFIGDEF(version, key, value)


def int_value(value: str) -> int | None:
    """An integer config value as Kafka parses it, or None when it is none (the ConfigDef check reports that)."""
    try:
        return int(value.strip())
    except ValueError:
        return None
