"""Offline gates over rendered Kubernetes objects.

Every gate is a function of the rendered objects that returns its failures, one string each, in the form
`Kind/name: field.path: problem`; an empty list means the gate passes. This module holds what the gates
share: how an object and a field are named, and how pod templates are found.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

Manifest = dict[str, Any]
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_-]*$")
FieldPath = tuple[str | int, ...]

# Where a workload kind keeps its pod template.
TEMPLATE_PATHS: dict[str, FieldPath] = {
    "StatefulSet": ("spec", "template"),
    "Deployment": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def quantity(value: Any) -> Decimal:
    """A Kubernetes quantity's value, by the kubernetes client; ValueError or TypeError when it is none."""
    parsed: Decimal = parse_quantity(value)  # type: ignore[no-untyped-call]
    return parsed


def identity(obj: Mapping[str, Any]) -> str:
    """`Kind/name` of an object."""
    metadata = obj.get("metadata") or {}
    return f"{obj.get('kind', '?')}/{metadata.get('name', '?')}"


def field_path(path: Iterable[str | int]) -> str:
    """`spec.template.spec.containers[0].name` from its parts; keys with dots or slashes in brackets."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "."


def failure(obj: Mapping[str, Any], path: Iterable[str | int], problem: str) -> str:
    """One failure line: which object, which field, what is wrong."""
    return f"{identity(obj)}: {field_path(path)}: {problem}"


def get(value: Any, path: FieldPath) -> Any:
    """The value at `path` inside `value`, or None when any part is missing."""
    for part in path:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and -len(value) <= part < len(value) else None
        else:
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return None
    return value


def leaves(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Every scalar inside `value`, with its path."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


STATEFULSET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
CUSTOM_RESOURCE_GROUPS = ("cert-manager.io/", "monitoring.coreos.com/")
"""API groups of custom resources: no Kubernetes schema or client model knows them (gate 6 checks the Prometheus
Operator's against its CRDs; tests check the shape of the others)."""


def is_custom_resource(obj: Manifest) -> bool:
    """Whether an object is of a custom resource definition rather than a built-in kind."""
    return str(obj.get("apiVersion", "")).startswith(CUSTOM_RESOURCE_GROUPS)


@dataclass(frozen=True)
class PodTemplate:
    """The pods a workload object creates: where its template is and what it declares."""

    owner: Manifest
    path: FieldPath
    template: Manifest

    @property
    def namespace(self) -> str:
        """The namespace the pods run in."""
        return str((self.owner.get("metadata") or {}).get("namespace", ""))

    @property
    def labels(self) -> dict[str, str]:
        """The pods' labels."""
        return dict(get(self.template, ("metadata", "labels")) or {})

    def pod_labels(self) -> list[dict[str, str]]:
        """The labels of each pod: a StatefulSet's controller adds every pod's name as a label."""
        if self.owner.get("kind") != "StatefulSet":
            return [self.labels]
        name = get(self.owner, ("metadata", "name"))
        replicas = int(get(self.owner, ("spec", "replicas")) or 1)
        return [self.labels | {STATEFULSET_POD_NAME_LABEL: f"{name}-{ordinal}"} for ordinal in range(replicas)]

    @property
    def spec(self) -> Manifest:
        """The pod spec."""
        return dict(self.template.get("spec") or {})

    def containers(self) -> Iterator[tuple[FieldPath, Manifest]]:
        """(path inside the owner, container) for init and app containers."""
        for group in ("initContainers", "containers"):
            for index, container in enumerate(self.spec.get(group) or []):
                yield (*self.path, "spec", group, index), container

    @property
    def port_names(self) -> set[str]:
        """Every named container port of the pod."""
        return {
            str(port["name"])
            for _, container in self.containers()
            for port in container.get("ports") or []
            if port.get("name")
        }


def pod_templates(objects: Iterable[Manifest]) -> list[PodTemplate]:
    """The pod template of every workload object, and bare Pods."""
    found = []
    for obj in objects:
        kind = obj.get("kind")
        if kind == "Pod":
            found.append(PodTemplate(obj, (), obj))
        elif kind in TEMPLATE_PATHS and isinstance(template := get(obj, TEMPLATE_PATHS[kind]), Mapping):
            found.append(PodTemplate(obj, TEMPLATE_PATHS[kind], dict(template)))
    return found
