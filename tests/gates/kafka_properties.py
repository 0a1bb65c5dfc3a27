"""Gate 4: every Kafka property we write is a real name for the image's Kafka version, none was removed in
Kafka 4.0, and every value is one the release's ConfigDef accepts (its type, range and valid values). Kafka
itself never rejects an unknown key (it logs "supplied but not used"), so a misspelt key would silently do
nothing in production.

The properties checked are the server.properties templates: the ConfigMap file that a StatefulSet's
`KRAFT_TEMPLATE` environment variable points the node bootstrap script at. Placeholders are filled in as for
the pool's last pod (the highest node ID), as the script would.
"""

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import javaproperties

from kraft_component.kafka_config import NODE_ID, POD_NAME
from kraft_component.kafka_release import broker_config
from kraft_component.spec import KAFKA_VERSIONS
from tests.kafka_names import is_known, removed_in_4

from . import FieldPath, Manifest, failure, get, pod_templates

TEMPLATE_VARIABLE = "KRAFT_TEMPLATE"
OFFSET_VARIABLE = "KRAFT_NODE_ID_OFFSET"
PLACEHOLDER = re.compile(r"@[A-Z][A-Z_]*@")  # filled in by the node's bootstrap script
LISTENER_KEY = re.compile(r"^listener\.name\.[^.]+\.")  # Kafka reads the rest for that listener only


@dataclass(frozen=True)
class Template:
    """A server.properties template: the ConfigMap key it lives in and the Kafka version that reads it."""

    config_map: Manifest
    key: str
    kafka_version: str | None
    placeholders: dict[str, str]
    """What the bootstrap script puts in place of each placeholder, for the pool's last pod."""

    @property
    def path(self) -> FieldPath:
        """Where the template text is in the ConfigMap."""
        return ("data", self.key)


def image_kafka_version(image: str) -> str | None:
    """The Kafka release of an `apache/kafka:<version>` image, if its tag is one."""
    tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
    return tag if tag in KAFKA_VERSIONS else None


def templates(objects: Iterable[Manifest]) -> tuple[list[Template], list[str]]:
    """(templates found, failures for template references that do not resolve)."""
    listed = list(objects)
    config_maps = {
        (str(get(obj, ("metadata", "namespace")) or ""), get(obj, ("metadata", "name"))): obj
        for obj in listed
        if obj.get("kind") == "ConfigMap"
    }
    found: list[Template] = []
    problems: list[str] = []
    for pod in pod_templates(listed):
        volumes = {volume.get("name"): volume for volume in pod.spec.get("volumes") or []}
        for path, container in pod.containers():
            for index, variable in enumerate(container.get("env") or []):
                if variable.get("name") != TEMPLATE_VARIABLE:
                    continue
                directory, key = posixpath.split(str(variable.get("value")))
                mount = next((m for m in container.get("volumeMounts") or [] if m.get("mountPath") == directory), None)
                source = get(volumes.get(mount.get("name")) if mount else None, ("configMap", "name"))
                config_map = config_maps.get((pod.namespace, source))
                if config_map is None or key not in (config_map.get("data") or {}):
                    where = (*path, "env", index, "value")
                    problems.append(failure(pod.owner, where, f"{variable.get('value')} is no rendered ConfigMap key"))
                    continue
                version = image_kafka_version(str(container.get("image", "")))
                found.append(Template(config_map, key, version, _last_pod(pod.owner, container)))
    return found, problems


def _last_pod(owner: Manifest, container: Manifest) -> dict[str, str]:
    """The placeholder values of a StatefulSet's last pod: its name and node ID (offset + ordinal)."""
    env = {variable.get("name"): variable.get("value") for variable in container.get("env") or []}
    ordinal = int(get(owner, ("spec", "replicas")) or 1) - 1
    values = {POD_NAME: f"{get(owner, ('metadata', 'name'))}-{ordinal}"}
    if str(env.get(OFFSET_VARIABLE, "")).isdigit():
        values[NODE_ID] = str(int(env[OFFSET_VARIABLE]) + ordinal)
    return values


def parse_lines(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line number, key, value or None when the line has no '=') of every property line."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "!")):
            key, separator, value = stripped.partition("=")
            yield number, key.strip(), value if separator else None


def kafka_properties(objects: Iterable[Manifest], kafka_version: str | None = None) -> list[str]:
    """Gate 4. `kafka_version` overrides the version read from each container's image tag."""
    found, failures = templates(objects)
    checked: set[tuple[int, str]] = set()
    for template in found:
        if (id(template.config_map), template.key) in checked:
            continue  # several pools may share one template
        checked.add((id(template.config_map), template.key))
        version = kafka_version or template.kafka_version
        if version is None:
            failures.append(failure(template.config_map, template.path, "the image names no Kafka version"))
            continue
        failures.extend(template_problems(template, version))
    return failures


def value_problem(name: str, value: str, kafka_version: str) -> str | None:
    """Why the release would refuse `value` for the ConfigDef key `name` (or the key a per-listener `name` sets
    for one listener), or None (values with a placeholder left and other keys that only match a pattern pass)."""
    keys = broker_config(kafka_version)
    rest = LISTENER_KEY.sub("", name)
    key = keys.get(name) or keys.get(rest) or keys.get(rest.partition(".")[2])  # the last: after a SASL mechanism
    if key is None or PLACEHOLDER.search(value):
        return None
    return key.problem(value)


def _fill(value: str, placeholders: dict[str, str]) -> str:
    for placeholder, replacement in placeholders.items():
        value = value.replace(placeholder, replacement)
    return value


def template_problems(template: Template, version: str) -> Iterator[str]:
    """Unknown, removed, duplicated and malformed keys of one template."""
    seen: set[str] = set()
    text = str(template.config_map["data"][template.key])
    for number, key, value in parse_lines(text):
        where = f"line {number}: {key!r}"
        if value is None:
            yield failure(template.config_map, template.path, f"line {number}: {key!r} is not key=value")
        elif not is_known(key, version):
            yield failure(template.config_map, template.path, f"{where} is not a Kafka {version} property")
        elif key in removed_in_4():
            yield failure(template.config_map, template.path, f"{where} was removed in Kafka 4.0")
        elif problem := value_problem(key, _fill(javaproperties.unescape(value), template.placeholders), version):
            yield failure(template.config_map, template.path, f"{where}: {problem}")
        if key in seen:
            yield failure(template.config_map, template.path, f"{where} is set twice")
        seen.add(key)
