"""What each supported Kafka release accepts in its configuration: its broker and topic ConfigDefs.

The data files (data/kafka/<version>.json) are extracted from each release's own jars by `bin/kafka-configdefs`
(docs/kafka-config-data.md); the set of files is the set of supported releases. Kafka itself only logs an
unknown key ("supplied but are not used yet"), so a misspelt key would silently do nothing in production:
checking a setting here, at preview, refuses it first with the nearest valid names.
"""

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .configdef import ConfigType, Validator, validator, value_problem

DATA = Path(__file__).with_name("data") / "kafka"
SECTIONS = ("broker", "topic")
SUGGESTIONS = 3


class UpdateMode(StrEnum):
    """Whether a broker key can change without a restart (`kafka-configs --alter`), and for whom."""

    READ_ONLY = "read-only"
    PER_BROKER = "per-broker"
    CLUSTER_WIDE = "cluster-wide"


@dataclass(frozen=True)
class ConfigKey:
    """One key of a ConfigDef."""

    name: str
    type: ConfigType
    default: str | None
    """The default as Kafka writes it in a properties file; None when it is null or there is none (`required`)."""
    required: bool
    validator: Validator | None
    importance: str
    internal: bool
    """Defined with defineInternal: accepted, but not in Kafka's documentation."""
    update_mode: UpdateMode
    server_default: str | None
    """For a topic key, the broker key that sets its default (retention.ms -> log.retention.ms)."""

    def problem(self, text: str) -> str | None:
        """Why Kafka would refuse `text` as this key's value, or None."""
        return value_problem(self.type, self.validator, text)


@dataclass(frozen=True)
class Release:
    """The broker (server.properties) and topic ConfigDefs of one Kafka release."""

    version: str
    commit: str
    broker: Mapping[str, ConfigKey]
    topic: Mapping[str, ConfigKey]


def data_file(version: str) -> Path:
    """Where the extracted ConfigDefs of `version` live."""
    return DATA / f"{version}.json"


@cache
def supported_versions() -> tuple[str, ...]:
    """Every release with extracted ConfigDefs, oldest first: the Kafka versions kraft supports."""
    return tuple(sorted((path.stem for path in DATA.glob("*.json")), key=lambda v: tuple(map(int, v.split(".")))))


def _key(name: str, data: Mapping[str, Any]) -> ConfigKey:
    return ConfigKey(
        name=name,
        type=ConfigType(data["type"]),
        default=data.get("default"),
        required="default" not in data,
        validator=validator(data["validator"]) if "validator" in data else None,
        importance=data["importance"],
        internal=data.get("internal", False),
        update_mode=UpdateMode(data.get("dynamic", UpdateMode.READ_ONLY)),
        server_default=data.get("serverDefault"),
    )


@cache
def release(version: str) -> Release:
    """The ConfigDefs of a supported release; ValueError naming the supported ones otherwise."""
    if version not in supported_versions():
        raise ValueError(f"{version!r} is not a supported Kafka version; allowed: {', '.join(supported_versions())}")
    data = json.loads(data_file(version).read_text(encoding="utf-8"))
    broker, topic = (
        MappingProxyType({name: _key(name, entry) for name, entry in data[section].items()}) for section in SECTIONS
    )
    return Release(data["kafka"], data["commit"], broker, topic)


def broker_config(version: str) -> Mapping[str, ConfigKey]:
    """Every key a broker or controller of `version` reads from server.properties (public and internal)."""
    return release(version).broker


def topic_config(version: str) -> Mapping[str, ConfigKey]:
    """Every topic-level key of `version` (what `kafka-configs --entity-type topics` accepts)."""
    return release(version).topic


def nearest_names(name: str, keys: Mapping[str, ConfigKey]) -> list[str]:
    """The public names closest to a misspelt one, best first."""
    public = [candidate for candidate, key in keys.items() if not key.internal]
    return difflib.get_close_matches(name, public, n=SUGGESTIONS, cutoff=0.6)


def setting_problem(keys: Mapping[str, ConfigKey], name: str, value: str, what: str) -> str | None:
    """An unknown name (with the nearest valid names) or a value Kafka would refuse; None when neither.
    `what` names the ConfigDef in the message ("a Kafka 4.4.0 broker config")."""
    key = keys.get(name)
    return unknown_name(name, keys, what) if key is None else key.problem(value)


def unknown_name(name: str, keys: Mapping[str, ConfigKey], what: str) -> str:
    """`name` is not one of `keys` (`what`), with the nearest names that are."""
    nearest = nearest_names(name, keys)
    return f"{name!r} is not {what}" + (f"; did you mean {', '.join(nearest)}?" if nearest else "")


def broker_setting_problem(version: str, name: str, value: str) -> str | None:
    """Why a `version` broker would refuse or ignore `name=value` in server.properties, or None."""
    return setting_problem(broker_config(version), name, value, f"a Kafka {version} broker config")


def topic_setting_problem(version: str, name: str, value: str) -> str | None:
    """Why a `version` cluster would refuse topic config `name=value`, or None."""
    return setting_problem(topic_config(version), name, value, f"a Kafka {version} topic config")
