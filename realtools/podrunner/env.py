"""A container's environment and command line, resolved as the kubelet resolves them."""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kraft_component.quantity import parse_quantity

from .objects import Manifest, PodRunnerError, Unsupported


@dataclass(frozen=True)
class PodFacts:
    """What the downward API can tell a container about its pod."""

    name: str
    namespace: str
    ip: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    uid: str
    node_name: str
    host_ip: str


@dataclass(frozen=True)
class NodeCapacity:
    """What a resourceFieldRef reports for a resource the container sets no limit on."""

    cpu: Decimal
    memory: Decimal


def field_value(facts: PodFacts, path: str) -> str:
    """A fieldRef's value (metadata.name, status.podIP, metadata.labels['x'], ...)."""
    simple = {
        "metadata.name": facts.name,
        "metadata.namespace": facts.namespace,
        "metadata.uid": facts.uid,
        "spec.nodeName": facts.node_name,
        "status.podIP": facts.ip,
        "status.podIPs": facts.ip,
        "status.hostIP": facts.host_ip,
        "status.hostIPs": facts.host_ip,
        "spec.serviceAccountName": "default",
    }
    if path in simple:
        return simple[path]
    match = re.fullmatch(r"metadata\.(labels|annotations)\['([^']+)'\]", path)
    if match:
        values = facts.labels if match[1] == "labels" else facts.annotations
        return values.get(match[2], "")
    raise Unsupported(f"fieldRef {path!r} is not emulated")


def resource_value(resources: Mapping[str, Any], reference: Mapping[str, Any], node: NodeCapacity) -> str:
    """A resourceFieldRef's value: the limit or request divided by the divisor, rounded up (a missing
    limit reports the node's capacity, a missing request the limit)."""
    kind, _, resource = str(reference["resource"]).partition(".")
    if resource not in ("cpu", "memory") or kind not in ("limits", "requests"):
        raise Unsupported(f"resourceFieldRef {reference['resource']!r} is not emulated")
    limits = resources.get("limits") or {}
    requests = resources.get("requests") or {}
    capacity = node.cpu if resource == "cpu" else node.memory
    limit = parse_quantity(str(limits[resource])) if resource in limits else capacity
    chosen = limit
    if kind == "requests":
        chosen = (
            parse_quantity(str(requests[resource]))
            if resource in requests
            else (limit if resource in limits else Decimal(0))
        )
    divisor = parse_quantity(str(reference.get("divisor", "1")))
    return str(math.ceil(chosen / divisor))


_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text: str, values: Mapping[str, str]) -> str:
    """Kubernetes' `$(VAR)` expansion: a defined variable is replaced, `$$` is a literal `$`, anything else
    stays as written."""

    def replace(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        return values.get(match[1], match[0])

    return _REFERENCE.sub(replace, text)


Lookup = Mapping[str, Mapping[str, str]]
"""Objects' string data by name: Secrets (decoded) or ConfigMaps."""


def _from_object(kind: str, reference: Mapping[str, Any], objects: Lookup) -> str | None:
    name, key = reference["name"], reference["key"]
    optional = bool(reference.get("optional", False))
    if name not in objects or key not in objects[name]:
        if optional:
            return None
        raise PodRunnerError(f"{kind} {name} has no key {key!r} (referenced from env)")
    return objects[name][key]


def environment(
    entries: Sequence[Manifest], *, facts: PodFacts, resources: Mapping[str, Any], node: NodeCapacity,
    secrets: Lookup, config_maps: Lookup, base: Mapping[str, str],
) -> dict[str, str]:  # fmt: skip
    """The container's environment: the image's (`base`) overridden by the manifest's entries, in order,
    each value expanded with the variables defined before it."""
    values = dict(base)
    for entry in entries:
        name = entry["name"]
        if "value" in entry:
            values[name] = expand(str(entry["value"]), values)
            continue
        source = entry.get("valueFrom") or {}
        resolved: str | None
        if "fieldRef" in source:
            resolved = field_value(facts, source["fieldRef"]["fieldPath"])
        elif "resourceFieldRef" in source:
            resolved = resource_value(resources, source["resourceFieldRef"], node)
        elif "secretKeyRef" in source:
            resolved = _from_object("Secret", source["secretKeyRef"], secrets)
        elif "configMapKeyRef" in source:
            resolved = _from_object("ConfigMap", source["configMapKeyRef"], config_maps)
        else:
            raise Unsupported(f"env {name}: {sorted(source)} not emulated")
        if resolved is not None:
            values[name] = resolved
    return values


def command_line(command: Sequence[str], args: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """command + args with `$(VAR)` references expanded from the container's environment."""
    return [expand(part, env) for part in (*command, *args)]
