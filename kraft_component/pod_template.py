"""A pod template (spec.PodTemplate, a pool's merged over the cluster's) as Kubernetes fields: where and as
whom a pod runs, how long it may take to stop, the container's extra env, and the JVM's options."""

from typing import Any

from .manifests import Manifest
from .quantity import parse_quantity
from .spec import DEFAULT_GRACE_SECONDS, GarbageCollector, Jvm, PodTemplate

MAX_HEAP_MIB = 5 * 1024
# Kafka's own kafka-run-class.sh defaults: the collector's flags sit between -server and the rest.
GC_FLAGS = {
    GarbageCollector.G1: "-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 "
    "-XX:+ExplicitGCInvokesConcurrent",
    GarbageCollector.ZGC: "-XX:+UseZGC",
}
JVM_FLAGS = "-XX:MaxInlineLevel=15 -Djava.awt.headless=true"
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def heap_mib(memory_limit: str, jvm: Jvm) -> int:
    """The heap: `jvm.heap` if set, else half the container memory limit, at most 5 GiB, leaving the rest
    to the page cache, which Kafka lives on."""
    if jvm.heap is not None:
        return int(parse_quantity(jvm.heap) / 2**20)
    return min(int(parse_quantity(memory_limit) / 2 / 2**20), MAX_HEAP_MIB)


def heap_options(memory_limit: str, jvm: Jvm) -> str:
    """`KAFKA_HEAP_OPTS`: a fixed heap, so the JVM never grows into the page cache."""
    heap = heap_mib(memory_limit, jvm)
    return f"-Xms{heap}m -Xmx{heap}m"


def performance_options(jvm: Jvm) -> str:
    """`KAFKA_JVM_PERFORMANCE_OPTS`: the collector, Kafka's defaults, then the extra flags (the last wins)."""
    return " ".join(["-server", GC_FLAGS[jvm.gc or GarbageCollector.G1], JVM_FLAGS, *jvm.extra_flags])


def _dumped(models: list[Any]) -> list[Manifest]:
    """Spec models as their camelCase Kubernetes fields, unset ones left out."""
    return [model.model_dump(by_alias=True, exclude_defaults=True, mode="json") for model in models]


def _affinity(template: PodTemplate) -> Manifest:
    """nodeAffinity and podAntiAffinity: the terms a scheduler must meet, and those it prefers."""
    node, pods = template.node_affinity, template.pod_anti_affinity
    rules: dict[str, tuple[Any, list[Any]]] = {
        "nodeAffinity": ({"nodeSelectorTerms": _dumped(node.required)} if node.required else None, node.preferred),
        "podAntiAffinity": (_dumped(pods.required) or None, pods.preferred),
    }
    affinity: Manifest = {}
    for kind, (required, preferred) in rules.items():
        terms = {REQUIRED: required} if required else {}
        terms |= {PREFERRED: _dumped(preferred)} if preferred else {}
        if terms:
            affinity[kind] = terms
    return affinity


def placement(template: PodTemplate) -> Manifest:
    """Pod spec fields that say where and as whom a pod runs: for the nodes, and the admin Jobs alike."""
    fields: Manifest = {}
    if template.tolerations:
        fields["tolerations"] = _dumped(template.tolerations)
    if affinity := _affinity(template):
        fields["affinity"] = affinity
    if template.priority_class_name:
        fields["priorityClassName"] = template.priority_class_name
    if template.image_pull_secrets:
        fields["imagePullSecrets"] = [{"name": name} for name in template.image_pull_secrets]
    if template.service_account_name:
        fields["serviceAccountName"] = template.service_account_name
    return fields


def grace_period(template: PodTemplate) -> int:
    """Seconds a stopping node has before it is killed."""
    return template.termination_grace_period_seconds or DEFAULT_GRACE_SECONDS


def environment(template: PodTemplate) -> list[Manifest]:
    """The container's extra env, after kraft's own."""
    return [{"name": variable.name, "value": variable.value} for variable in template.env]
